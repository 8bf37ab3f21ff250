"""How the segments' rows read in a person's copy of their data (privacy/export_letter.py), named
by this app's personal_data.py."""

from __future__ import annotations

from decimal import Decimal

from primitives.money import format_percent
from privacy.export_letter import Item, Letter, choice

DISCOUNT_LABEL = "segments.SegmentDiscount"


def membership_item(row: dict, letter: Letter) -> Item:
    return Item(f"Customer group: {choice(DISCOUNT_LABEL, 'segment', row['segment'])}",
                facts=[("Worked out from", ("How recently, how often and how much you buy; never where you "
                                            "live, your device or anything sensitive"))])


def discount_item(row: dict, letter: Letter) -> Item:
    group = choice(DISCOUNT_LABEL, "segment", row["segment"])
    return Item(f"{format_percent(Decimal(str(row['percent'])) / 100)} off for the {group} group",
                facts=[("What we tell you beside the price", row["reason"])])
