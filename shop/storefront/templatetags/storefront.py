from decimal import Decimal

from django import template

from primitives.money import Money, format_money, format_percent

register = template.Library()

PLACEHOLDER_TONES = 6


@register.filter
def money(amount: Money | Decimal | None, currency: str | None = None) -> str:
    """Format an amount with its currency symbol (primitives.money.format_money)."""
    return format_money(amount, currency)


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
    """A rate as a percentage (primitives.money.format_percent)."""
    return format_percent(rate)
