from decimal import Decimal

from django import template
from django.conf import settings

register = template.Library()

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
PLACEHOLDER_TONES = 6


@register.filter
def money(amount: Decimal | None, currency: str | None = None) -> str:
    """Format a Decimal amount with its currency symbol: 2.55 -> '£2.55'."""
    if amount is None:
        return ""
    code = currency or settings.SHOP_CURRENCY
    symbol = CURRENCY_SYMBOLS.get(code)
    value = f"{Decimal(amount):,.2f}"
    return f"{symbol}{value}" if symbol else f"{value} {code}"


@register.filter
def initials(title: str) -> str:
    """Up to two initials for a product without a picture."""
    words = [word for word in title.split() if word[:1].isalpha()]
    return "".join(word[0].upper() for word in words[:2]) or "•"


@register.filter
def placeholder_tone(product_id: int) -> int:
    """A stable background tone (a CSS class suffix) for a product's placeholder picture."""
    return (product_id or 0) % PLACEHOLDER_TONES
