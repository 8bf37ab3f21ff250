"""The demand formula: a variant's adjustment from its sales velocity and stock cover (pure).

    velocity = units sold per day over the rule's window (placed orders, less cancellations)
    cover    = units in stock / velocity                   (days until sold out at that pace)
    cover below scarce:  + max_increase × (scarce − cover) / scarce      (all of it at zero cover)
    cover above ample:   − max_decrease × min(1, (cover − ample) / ample) (all of it at twice ample)
    otherwise:           0 (the list price)

Nothing in stock and nothing sold: no adjustment (there is nothing to price). Stock but no
sales: the full decrease. The result is the same for everyone: it never depends on who asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class RuleParameters:
    max_increase_percent: Decimal
    max_decrease_percent: Decimal
    scarce_cover_days: int
    ample_cover_days: int


@dataclass(frozen=True)
class DemandSignal:
    velocity: Decimal          # units per day
    stock: int
    cover_days: Decimal | None  # None: nothing sells (infinite cover)
    adjustment: Decimal         # fraction of the list price, e.g. Decimal("-0.05")

    def inputs(self) -> dict:
        return {"velocity_per_day": str(self.velocity.quantize(Decimal("0.001"))), "stock": self.stock,
                "cover_days": None if self.cover_days is None else str(self.cover_days.quantize(Decimal("0.1"))),
                "raw_adjustment_percent": str((self.adjustment * HUNDRED).quantize(Decimal("0.01")))}


def demand_signal(*, units_sold: int, window_days: int, stock: int, rule: RuleParameters) -> DemandSignal:
    velocity = Decimal(max(units_sold, 0)) / Decimal(window_days)
    increase = rule.max_increase_percent / HUNDRED
    decrease = rule.max_decrease_percent / HUNDRED
    if velocity == 0:
        adjustment = -decrease if stock > 0 else Decimal("0")
        return DemandSignal(velocity=velocity, stock=stock, cover_days=None, adjustment=adjustment)
    cover = Decimal(stock) / velocity
    scarce, ample = Decimal(rule.scarce_cover_days), Decimal(rule.ample_cover_days)
    if cover < scarce:
        adjustment = increase * (scarce - cover) / scarce
    elif cover > ample:
        adjustment = -decrease * min(Decimal("1"), (cover - ample) / ample)
    else:
        adjustment = Decimal("0")
    return DemandSignal(velocity=velocity, stock=stock, cover_days=cover, adjustment=adjustment)
