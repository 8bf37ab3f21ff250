"""What the model-versions page charts: the held-out metrics across model versions, drawn with
primitives.charts (server-rendered SVG, no script, CSP-safe).

One small chart per metric (NDCG, hit rate, catalog coverage), each with its figures at the
rail's shown length (8) and at 10. A chart needs two measured versions to draw a line; with
one, the page states its figures in a sentence instead (`single_version_summary`).
"""

from __future__ import annotations

from primitives.charts import Line, LineChart, line_chart

from .recommenders.metrics import SHOWN_K, TOP_K

# (metric key, title, the models drawn): trending is drawn for scale where it means something.
METRICS = (
    ("ndcg", "NDCG", ("for_you", "trending")),
    ("hit_rate", "Hit rate", ("for_you", "trending")),
    ("coverage", "Catalog coverage", ("for_you",)),
)
MODEL_NAMES = {"for_you": "Recommended for you", "trending": "Trending"}
# Colour tells the model, the dash tells the length: "@8" (what a rail shows) dashed.
COLOURS = {"for_you": "#1d6f5f", "trending": "#b05a1c"}


def _measured(versions) -> list:
    return [v for v in versions if isinstance(v.metrics.get("for_you"), dict) and "ndcg@10" in v.metrics["for_you"]]


def metric_charts(versions) -> list[LineChart]:
    """One chart per metric across `versions` (oldest first); empty unless two or more were measured."""
    measured = _measured(versions)
    if len(measured) < 2:
        return []
    columns = [f"v{v.pk}" for v in measured]
    charts = []
    for key, title, models in METRICS:
        lines = []
        for model in models:
            for k in (TOP_K, SHOWN_K):
                values = [v.metrics.get(model, {}).get(f"{key}@{k}") for v in measured]
                if any(value is not None for value in values):
                    lines.append(Line(name=f"{MODEL_NAMES[model]} @{k}", colour=COLOURS[model], dashed=k == SHOWN_K,
                                      values=values))
        if lines:
            charts.append(line_chart(key=key, title=title, columns=columns, lines=lines))
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
