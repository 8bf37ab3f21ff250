"""Server-side SVG line charts of the held-out metrics across model versions (no script, CSP-safe).

One small chart per metric (NDCG, hit rate, catalog coverage), each with its figures at the
rail's shown length (8) and at 10. A chart needs two measured versions to draw a line; with
one, the page states its figures in a sentence instead (`single_version_summary`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .recommenders.metrics import SHOWN_K, TOP_K

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 8, WIDTH - 8, 10, HEIGHT - 24

# (metric key, title, the models drawn): trending is drawn for scale where it means something.
METRICS = (
    ("ndcg", "NDCG", ("for_you", "trending")),
    ("hit_rate", "Hit rate", ("for_you", "trending")),
    ("coverage", "Catalog coverage", ("for_you",)),
)
MODEL_NAMES = {"for_you": "Recommended for you", "trending": "Trending"}
# Colour tells the model, the dash tells the length: "@8" (what a rail shows) dashed.
COLOURS = {"for_you": "#1d6f5f", "trending": "#b05a1c"}


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    dashed: bool
    points: str  # SVG polyline points
    values: list[str]  # one per version, "—" where the version did not measure it


@dataclass(frozen=True)
class MetricChart:
    key: str
    title: str
    labels: list[tuple[float, str]]  # (x, version label)
    series: list[Series]
    peak: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = BOTTOM


def _measured(versions) -> list:
    return [v for v in versions if isinstance(v.metrics.get("for_you"), dict) and "ndcg@10" in v.metrics["for_you"]]


def metric_charts(versions) -> list[MetricChart]:
    """One chart per metric across `versions` (oldest first); empty unless two or more were measured."""
    measured = _measured(versions)
    if len(measured) < 2:
        return []
    step = (RIGHT - LEFT) / (len(measured) - 1)
    xs = [round(LEFT + i * step, 1) for i in range(len(measured))]
    labels = [(x, f"v{v.pk}") for x, v in zip(xs, measured, strict=True)]
    charts = []
    for key, title, models in METRICS:
        lines = []
        for model in models:
            for k in (TOP_K, SHOWN_K):
                values = [v.metrics.get(model, {}).get(f"{key}@{k}") for v in measured]
                if any(value is not None for value in values):
                    lines.append((model, k, values))
        if not lines:
            continue
        peak = max(float(value) for _, _, values in lines for value in values if value is not None) or 1.0

        def y(value: float, peak: float = peak) -> float:
            return round(BOTTOM - float(value) / peak * (BOTTOM - TOP), 1)

        series = [
            Series(name=f"{MODEL_NAMES[model]} @{k}", colour=COLOURS[model], dashed=k == SHOWN_K,
                   points=" ".join(f"{x},{y(v)}" for x, v in zip(xs, values, strict=True) if v is not None),
                   values=[f"{float(v):.4f}" if v is not None else "—" for v in values])
            for model, k, values in lines
        ]
        charts.append(MetricChart(key=key, title=title, labels=labels, series=series, peak=f"{peak:.4f}"))
    return charts


def single_version_summary(versions) -> str:
    """The one measured version's figures in words, or "" when there are none or several."""
    measured = _measured(versions)
    if len(measured) != 1:
        return ""
    version, = measured
    figures = version.metrics["for_you"]
    parts = []
    for key, title, _models in METRICS:
        at = [f"{figures[f'{key}@{k}']:.4f} at {k}" for k in (SHOWN_K, TOP_K) if f"{key}@{k}" in figures]
        if at:
            parts.append(f"{title.lower() if parts else title} {' and '.join(at)}")
    return (f"Only one model version (v{version.pk}) has been measured: \"Recommended for you\" scored "
            f"{', '.join(parts)} on its latest four weeks. A chart across versions appears after the next training.")
