"""A server-side SVG line chart of the held-out metrics across model versions (no script, CSP-safe)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, WIDTH - 12, 14, HEIGHT - 30


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    points: str  # SVG polyline points
    values: list[str]


@dataclass(frozen=True)
class MetricsChart:
    labels: list[tuple[float, str]]  # (x, version label)
    series: list[Series]
    peak: str
    width: int = WIDTH
    height: int = HEIGHT
    top: int = TOP
    bottom: int = BOTTOM
    left: int = LEFT


def metrics_chart(versions) -> MetricsChart | None:
    """NDCG@10 of "for you" and of trending on each version's held-out weeks, oldest first."""
    measured = [v for v in versions if "for_you" in v.metrics]
    if not measured:
        return None
    lines = {name: [float(v.metrics[name]["ndcg@10"]) for v in measured] for name in ("for_you", "trending")}
    peak = max(max(values) for values in lines.values()) or 1.0
    step = (RIGHT - LEFT) / max(len(measured) - 1, 1)
    xs = [round(LEFT + i * step, 1) for i in range(len(measured))]

    def y(value: float) -> float:
        return round(BOTTOM - value / peak * (BOTTOM - TOP), 1)

    series = [
        Series(name=label, colour=colour, points=" ".join(f"{x},{y(v)}" for x, v in zip(xs, lines[key])),
               values=[f"{v:.4f}" for v in lines[key]])
        for key, label, colour in (("for_you", "Recommended for you", "#1d6f5f"), ("trending", "Trending", "#b05a1c"))
    ]
    return MetricsChart(labels=[(x, f"v{v.pk}") for x, v in zip(xs, measured)], series=series, peak=f"{peak:.4f}")
