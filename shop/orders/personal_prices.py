"""Erasure of a person's personalized prices on the order lines kept for tax law.

A line's `price_rule` of a personalized price names the segment the person was in
("segment:loyal"); once the person is erased the line keeps its amounts and says only
that the price was personalized. Named by shop/orders/personal_data.py as the scrubber of
order lines (privacy/erasure.py runs it on the person's rows).
"""

from __future__ import annotations

from django.db.models import QuerySet

PERSONALIZED_RULE = "personalized"


def order_lines_personal_prices_generalise(queryset: QuerySet, identity=None) -> int:
    """Replace the rule of the personalized prices among `queryset` by "personalized"."""
    return queryset.filter(price_personalized=True).exclude(price_rule=PERSONALIZED_RULE).update(
        price_rule=PERSONALIZED_RULE)
