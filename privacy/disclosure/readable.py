"""Released counts in words a reader takes as approximate: "about 30", never "34"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def readable_count(value: int) -> int:
    """`value` rounded so that it reads as an estimate: below 20 as it is, below 100 to the
    nearest 5, below 1,000 to the nearest 10, above that to two significant figures."""
    if value < 20:
        return value
    step = 5 if value < 100 else 10 if value < 1000 else 10 ** (len(str(value)) - 2)
    return int((Decimal(value) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * step


def released_count(value: int | None, *, minimum: int) -> int | None:
    """What a page may show of a released (noisy) count: rounded, or nothing below `minimum`."""
    if value is None or value < minimum:
        return None
    return readable_count(value)
