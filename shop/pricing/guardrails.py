"""The guardrails every automatic price passes through, as one pure function.

Given the price a rule asks for, `guarded_price` returns the price that may be set:
- within the product's floor and ceiling (when the product has none, a band of
  `PRICING_DEFAULT_BAND` around the variant's list price);
- at most `max_daily_change` away from the reference price: the price in force 24 hours
  earlier (or the merchant's own change, when more recent), however many recomputes run a day;
- rounded to pence (half up), never negative.
The bounds win over the daily limit: a price already outside bounds (the merchant narrowed them)
comes back inside at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from primitives.money import PENNY, round_money

ZERO = Decimal("0")

FLOOR, CEILING, DAILY_LIMIT = "floor", "ceiling", "daily_limit"


@dataclass(frozen=True)
class PriceBounds:
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class GuardedPrice:
    price: Decimal
    clamps: tuple[str, ...]  # which guardrails changed the asked price, in the order applied
    bounds: PriceBounds      # the floor and ceiling
    daily: PriceBounds       # the daily limit around the reference price

    def allows(self, price: Decimal) -> bool:
        """Whether `price` keeps every guardrail (a price that does need not move)."""
        return (self.bounds.low <= price <= self.bounds.high
                and (self.daily.low <= price <= self.daily.high or price == self.price))


def price_bounds(*, list_price: Decimal, floor: Decimal | None, ceiling: Decimal | None,
                 band: Decimal) -> PriceBounds:
    """The product's own floor and ceiling; each missing one is the band around the list price.

    The band's bounds are rounded inwards (a 25% band on £0.99 is £0.75 to £1.23), so a rounded
    price never leaves them."""
    low = floor if floor is not None else (list_price * (1 - band)).quantize(PENNY, rounding=ROUND_CEILING)
    high = ceiling if ceiling is not None else (list_price * (1 + band)).quantize(PENNY, rounding=ROUND_FLOOR)
    low = max(low, ZERO)
    if high < low:  # a band on a tiny price, or a floor above a ceiling the forms refused
        high = low
    return PriceBounds(low=low, high=high)


def guarded_price(*, target: Decimal, list_price: Decimal, floor: Decimal | None, ceiling: Decimal | None,
                  reference_price: Decimal, max_daily_change: Decimal, band: Decimal) -> GuardedPrice:
    """The price that may be set for `target`, and which guardrails held it back."""
    bounds = price_bounds(list_price=list_price, floor=floor, ceiling=ceiling, band=band)
    clamps: list[str] = []
    price = max(target, ZERO)
    # The daily limit around the reference, rounded inwards so the rounded price stays within it.
    step_low = (reference_price * (1 - max_daily_change)).quantize(PENNY, rounding=ROUND_CEILING)
    step_high = (reference_price * (1 + max_daily_change)).quantize(PENNY, rounding=ROUND_FLOOR)
    if price < step_low:
        price, clamps = step_low, [*clamps, DAILY_LIMIT]
    elif price > step_high:
        price, clamps = step_high, [*clamps, DAILY_LIMIT]
    price = round_money(price)
    if price < bounds.low:
        price, clamps = bounds.low, [*clamps, FLOOR]
    elif price > bounds.high:
        price, clamps = bounds.high, [*clamps, CEILING]
    return GuardedPrice(price=max(price, ZERO), clamps=tuple(clamps), bounds=bounds,
                        daily=PriceBounds(low=step_low, high=step_high))
