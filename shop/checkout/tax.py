"""The shipping countries' names where accounts show addresses; VAT by country is shop.pricing.tax."""

from shop.pricing.tax import country_name

__all__ = ["country_name"]
