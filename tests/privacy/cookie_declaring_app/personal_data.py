"""The declaration an app makes for a cookie that needs consent (see privacy/cookies.py)."""

MODELS: dict = {}

COOKIES = [
    {"name": "list_sort", "purpose": "preferences", "duration": "1 year",
     "description": "Remembers how you like product lists sorted."},
]
