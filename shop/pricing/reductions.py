"""The announced reduction of a price (EU price indication, Omnibus directive), as a pure function.

When a price goes down, the reduction is announced against the lowest price in force during the
30 days before it; if that is not above the new price, nothing is announced. A price that goes
back up to or above that reference ends the announcement; any other change keeps it.
"""

from __future__ import annotations

from decimal import Decimal


def reduced_from_after(*, old_price: Decimal, new_price: Decimal, current_reduced_from: Decimal | None,
                       lowest_before: Decimal) -> Decimal | None:
    """The reference to show after a price moves from `old_price` to `new_price`.

    `lowest_before` is the lowest price in force in the 30 days before the change (the old price
    included)."""
    if new_price < old_price:
        return lowest_before if lowest_before > new_price else None
    if current_reduced_from is not None and new_price >= current_reduced_from:
        return None
    return current_reduced_from
