"""Server-side SVG charts: geometry computed here, drawn by templates with plain SVG attributes
(no script, no inline style), so the Content-Security-Policy holds."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 640
HEIGHT = 220
PLOT_TOP = 16
PLOT_BOTTOM = 180  # leaves room for the labels under the bars
PLOT_LEFT = 8
PLOT_RIGHT = WIDTH - 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    show_label: bool


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = PLOT_BOTTOM
    label_y: int = PLOT_BOTTOM + 18
    peak: str = ""
    period_name: str = "Period"


def bar_chart(*, title: str, points: list[tuple[str, Decimal | int]], formatter, label_every: int = 1,
              period_name: str = "Period") -> BarChart:
    """Vertical bars for (label, value) points, scaled to the largest value; `formatter` writes values."""
    if not points:
        return BarChart(title=title, bars=[], period_name=period_name)
    peak = max((Decimal(value) for _, value in points), default=Decimal(0))
    slot = (PLOT_RIGHT - PLOT_LEFT) / len(points)
    width = max(slot * 0.7, 1)
    bars = []
    for index, (label, value) in enumerate(points):
        height = float(Decimal(value) / peak) * (PLOT_BOTTOM - PLOT_TOP) if peak else 0.0
        bars.append(Bar(x=round(PLOT_LEFT + index * slot + (slot - width) / 2, 1),
                        y=round(PLOT_BOTTOM - height, 1), width=round(width, 1), height=round(height, 1),
                        label=label, value=formatter(value), show_label=index % label_every == 0))
    return BarChart(title=title, bars=bars, peak=formatter(peak), period_name=period_name)


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    width: float  # of a 100-unit track
    hidden: bool = False


def proportion_rows(items: list[tuple[str, Decimal | int | None, str]], *, scale: Decimal | int | None = None
                    ) -> list[Row]:
    """Horizontal bars as a share of `scale` (or of the largest value); None draws no bar."""
    values = [Decimal(v) for _, v, _ in items if v is not None]
    top = Decimal(scale) if scale is not None else max(values, default=Decimal(0))
    return [Row(label=label, value=text, hidden=value is None,
                width=round(float(Decimal(value) / top) * 100, 1) if value is not None and top else 0.0)
            for label, value, text in items]
