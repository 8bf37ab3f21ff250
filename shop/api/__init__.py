"""What every part of the REST API shares: the error shape, pagination, throttles, the schema.

Each app's resources live in its own `api/` package (serializers and views over that app's
services and selectors); `config/api_urls.py` mounts them under `/api/v1/`.
"""
