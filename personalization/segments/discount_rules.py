"""Which segment discounts may be stored: only lower prices, up to PERSONALIZATION_MAX_SEGMENT_DISCOUNT.

Read by the model's validation and by the price strategy (personalization/segments/pricing.py).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings

ONLY_LOWER = "A segment price can only be lower: personalized mark-ups are not allowed."


def max_segment_discount() -> Decimal:
    return Decimal(settings.PERSONALIZATION_MAX_SEGMENT_DISCOUNT)


def segment_discount_percent_problems(percent) -> list[str]:
    """Why a discount percent may not be saved; empty when it may.

    Refused: zero or a negative discount (a mark-up), and a discount above
    PERSONALIZATION_MAX_SEGMENT_DISCOUNT. (Something that is not a number is the field's to refuse.)
    """
    try:
        value = Decimal(percent)
    except (InvalidOperation, TypeError, ValueError):
        return []
    if not value.is_finite():
        return []
    if value <= 0:
        return [ONLY_LOWER]
    if value > max_segment_discount():
        return [f"A segment discount above {max_segment_discount()}% is refused "
                "(PERSONALIZATION_MAX_SEGMENT_DISCOUNT)."]
    return []
