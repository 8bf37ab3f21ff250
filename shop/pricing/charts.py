"""A product's price history as a server-rendered SVG step chart (no script: the admin's CSP holds).

The shop's own small helper, in the style of personalization/charts.py (the shop never imports
personalization): coordinates are computed here, the template draws them with presentation
attributes only (no inline style).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .selectors import HistoryPoint

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 56, WIDTH - 12, 12, HEIGHT - 28


@dataclass(frozen=True)
class PriceHistoryChart:
    points: str                           # SVG polyline points of the step line
    y_labels: list[tuple[float, Decimal]]  # (y, price) gridlines
    x_labels: list[tuple[float, str]]      # (x, date)
    lowest: Decimal
    highest: Decimal
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    bottom: int = BOTTOM


def price_history_chart(points: list[HistoryPoint]) -> PriceHistoryChart | None:
    """A step line through the history's points, oldest left; None without any point."""
    if not points:
        return None
    start, end = points[0].at, points[-1].at
    span = max((end - start).total_seconds(), 1.0)
    prices = [point.price for point in points]
    lowest, highest = min(prices), max(prices)
    # Leave room above and below so a flat line sits mid-chart and steps are visible.
    pad = max((highest - lowest) * Decimal("0.15"), highest * Decimal("0.05"), Decimal("0.05"))
    bottom_price, top_price = max(lowest - pad, Decimal("0")), highest + pad
    price_span = float(top_price - bottom_price) or 1.0

    def x(at: datetime) -> float:
        return round(LEFT + (at - start).total_seconds() / span * (RIGHT - LEFT), 1)

    def y(price: Decimal) -> float:
        return round(BOTTOM - float(price - bottom_price) / price_span * (BOTTOM - TOP), 1)

    coordinates = []
    for index, point in enumerate(points):
        if index and points[index - 1].price != point.price:  # hold the previous price until this change: a step
            coordinates.append(f"{x(point.at)},{y(points[index - 1].price)}")
        coordinates.append(f"{x(point.at)},{y(point.price)}")
    y_labels = [(y(price), price) for price in sorted({lowest, highest})]
    x_labels = [(x(start), f"{start:%d %b}"), (x(end) - 40, f"{end:%d %b}")]
    return PriceHistoryChart(points=" ".join(coordinates), y_labels=y_labels, x_labels=x_labels,
                             lowest=lowest, highest=highest)
