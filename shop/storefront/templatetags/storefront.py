from decimal import Decimal

from django import template
from django.conf import settings

from shop.money import Money, round_money

register = template.Library()

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
PLACEHOLDER_TONES = 6


@register.filter
def money(amount: Money | Decimal | None, currency: str | None = None) -> str:
    """Format an amount with its currency symbol, rounded half up: 2.55 -> '£2.55', -1 -> '−£1.00'."""
    if amount is None or amount == "":
        return ""
    if isinstance(amount, Money):
        amount, currency = amount.amount, amount.currency
    code = currency or settings.SHOP_CURRENCY
    symbol = CURRENCY_SYMBOLS.get(code)
    rounded = round_money(Decimal(amount))
    value = f"{abs(rounded):,.2f}"
    sign = "−" if rounded < 0 else ""
    return f"{sign}{symbol}{value}" if symbol else f"{sign}{value} {code}"


@register.filter
def initials(title: str) -> str:
    """Up to two initials for a product without a picture."""
    words = [word for word in title.split() if word[:1].isalpha()]
    return "".join(word[0].upper() for word in words[:2]) or "•"


@register.filter
def placeholder_tone(product_id: int) -> int:
    """A stable background tone (a CSS class suffix) for a product's placeholder picture."""
    return (product_id or 0) % PLACEHOLDER_TONES


@register.filter
def percent(rate: Decimal | None) -> str:
    """A rate as a percentage without a false rounding: 0.2 -> '20%', 0.055 -> '5.5%', 0 -> '0%'."""
    if rate is None:
        return ""
    value = (Decimal(rate) * 100).normalize()
    return f"{value:f}%"
