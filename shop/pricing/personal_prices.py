"""Erasure of a person's personalized prices on the order lines kept for tax law.

A line's `price_rule` of a personalized price names the segment the person was in
("segment:loyal") and its `price_reason` says why it applied; once the person is erased
the line keeps its amounts and says only that the price was personalized. Named by
shop/orders/personal_data.py as the scrubber of order lines (privacy/erasure.py runs it
on the person's rows).
"""

from __future__ import annotations

from django.db.models import Case, Q, QuerySet, Value, When

PERSONALIZED_RULE = "personalized"
PERSONALIZED_REASON = "A personal price."


def order_lines_personal_prices_generalise(queryset: QuerySet, identity=None) -> int:
    """Replace the rule and reason of the personalized prices among `queryset` by general ones
    (a line without a reason keeps none); the number of lines changed."""
    general = Q(price_rule=PERSONALIZED_RULE) & Q(price_reason__in=["", PERSONALIZED_REASON])
    return queryset.filter(price_personalized=True).exclude(general).update(
        price_rule=PERSONALIZED_RULE,
        price_reason=Case(When(price_reason="", then=Value("")), default=Value(PERSONALIZED_REASON)))


def priced_line_json_generalise(line: dict) -> dict:
    """A priced line as a payment's snapshot keeps it (`PricedLine.to_json`, or the earlier shape)
    with a personal price's rule and reason generalised as on the order line."""
    if not (line.get("personalized") or line.get("price_personalized")):
        return line
    general = dict(line)
    for key in ("rule", "price_rule"):
        if key in general:
            general[key] = PERSONALIZED_RULE
    if general.get("reason"):
        general["reason"] = PERSONALIZED_REASON
    return general
