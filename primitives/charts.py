"""Server-rendered SVG charts: the geometry is computed here in plain Python, templates draw it
with presentation attributes only (no script, no inline style), so the Content-Security-Policy holds.

One `Bar` for vertical and horizontal bar charts, `Row` for HTML proportion bars, `Series` for
lines across versions and `StepChart` for a value held until it changes (a price history).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

WIDTH = 640
HEIGHT = 220
PLOT_TOP = 16
PLOT_BOTTOM = 180  # leaves room for the labels under the bars
PLOT_LEFT = 8
PLOT_RIGHT = WIDTH - 8


@dataclass(frozen=True)
class Bar:
    """One bar of either direction, in SVG user units; `value` is the figure as written."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    show_label: bool = True


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


def bar_chart(*, title: str, points: list[tuple[str, Decimal | int]], formatter: Callable[[Decimal | int], str],
              label_every: int = 1, period_name: str = "Period") -> BarChart:
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


def horizontal_bars(*, items: Sequence[tuple[str, int]], track: float, row_height: int) -> list[Bar]:
    """One bar per (label, value) row, `row_height` apart, the largest filling `track` units."""
    peak = max((value for _, value in items), default=0) or 1
    return [Bar(x=0, y=index * row_height + 4, width=round(track * value / peak, 1), height=row_height - 6,
                label=label, value=str(value))
            for index, (label, value) in enumerate(items)]


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


LINE_WIDTH, LINE_HEIGHT = 320, 150
LINE_LEFT, LINE_RIGHT, LINE_TOP, LINE_BOTTOM = 8, LINE_WIDTH - 8, 10, LINE_HEIGHT - 24


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    dashed: bool
    points: str  # SVG polyline points
    values: list[str]  # one per column, "—" where nothing was measured


@dataclass(frozen=True)
class LineChart:
    key: str
    title: str
    labels: list[tuple[float, str]]  # (x, column label)
    series: list[Series]
    peak: str
    width: int = LINE_WIDTH
    height: int = LINE_HEIGHT
    left: int = LINE_LEFT
    bottom: int = LINE_BOTTOM


@dataclass(frozen=True)
class Line:
    """What to draw: one value per column (None where missing), before it is placed."""

    name: str
    colour: str
    dashed: bool
    values: list[float | None]


def line_chart(*, key: str, title: str, columns: list[str], lines: list[Line]) -> LineChart:
    """Lines across two or more evenly spaced columns, scaled to the largest value; figures to 4 places."""
    step = (LINE_RIGHT - LINE_LEFT) / (len(columns) - 1)
    xs = [round(LINE_LEFT + i * step, 1) for i in range(len(columns))]
    peak = max(float(value) for line in lines for value in line.values if value is not None) or 1.0

    def y(value: float) -> float:
        return round(LINE_BOTTOM - float(value) / peak * (LINE_BOTTOM - LINE_TOP), 1)

    series = [Series(name=line.name, colour=line.colour, dashed=line.dashed,
                     points=" ".join(f"{x},{y(v)}" for x, v in zip(xs, line.values, strict=True) if v is not None),
                     values=[f"{float(v):.4f}" if v is not None else "—" for v in line.values])
              for line in lines]
    return LineChart(key=key, title=title, labels=list(zip(xs, columns, strict=True)), series=series,
                     peak=f"{peak:.4f}")


STEP_WIDTH, STEP_HEIGHT = 640, 200
STEP_LEFT, STEP_RIGHT, STEP_TOP, STEP_BOTTOM = 56, STEP_WIDTH - 12, 12, STEP_HEIGHT - 28


@dataclass(frozen=True)
class StepChart:
    points: str                           # SVG polyline points of the step line
    y_labels: list[tuple[float, Decimal]]  # (y, value) gridlines
    x_labels: list[tuple[float, str]]      # (x, date)
    lowest: Decimal
    highest: Decimal
    width: int = STEP_WIDTH
    height: int = STEP_HEIGHT
    left: int = STEP_LEFT
    right: int = STEP_RIGHT
    bottom: int = STEP_BOTTOM


def step_chart(points: list[tuple[datetime, Decimal]]) -> StepChart | None:
    """A step line through (time, value) points, oldest left, each value held until the next; None without points."""
    if not points:
        return None
    start, end = points[0][0], points[-1][0]
    span = max((end - start).total_seconds(), 1.0)
    values = [value for _, value in points]
    lowest, highest = min(values), max(values)
    # Leave room above and below so a flat line sits mid-chart and steps are visible.
    pad = max((highest - lowest) * Decimal("0.15"), highest * Decimal("0.05"), Decimal("0.05"))
    bottom_value, top_value = max(lowest - pad, Decimal("0")), highest + pad
    value_span = float(top_value - bottom_value) or 1.0

    def x(at: datetime) -> float:
        return round(STEP_LEFT + (at - start).total_seconds() / span * (STEP_RIGHT - STEP_LEFT), 1)

    def y(value: Decimal) -> float:
        return round(STEP_BOTTOM - float(value - bottom_value) / value_span * (STEP_BOTTOM - STEP_TOP), 1)

    coordinates = []
    for index, (at, value) in enumerate(points):
        previous = points[index - 1][1]
        if index and previous != value:  # hold the previous value until this change: a step
            coordinates.append(f"{x(at)},{y(previous)}")
        coordinates.append(f"{x(at)},{y(value)}")
    y_labels = [(y(value), value) for value in sorted({lowest, highest})]
    x_labels = [(x(start), f"{start:%d %b}"), (x(end) - 40, f"{end:%d %b}")]
    return StepChart(points=" ".join(coordinates), y_labels=y_labels, x_labels=x_labels,
                     lowest=lowest, highest=highest)
