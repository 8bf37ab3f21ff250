"""Top-k ranking metrics with binary relevance.

All functions take ``ranked`` (a list of item sequences, best first, possibly
shorter than k) and ``truth`` (a list of sets), aligned by user, and return the
mean over users. Definitions:

- precision@k = hits in the top k / k
- recall@k    = hits in the top k / |truth|
- hit rate@k  = share of users with at least one hit
- NDCG@k      = DCG of the list / DCG of a perfect list of min(|truth|, k) hits,
                gain 1/log2(rank + 1)
- MAP@k       = mean of AP@k = sum over hit ranks r of precision@r / min(|truth|, k)
- coverage    = distinct items recommended to anyone / catalog size

Pages show SHOWN_K products of a rail (shop.recommendations.SHOWN_PER_RAIL; a test
holds the two equal), so every report also gives the metrics at SHOWN_K.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

_DISCOUNT = 1.0 / np.log2(np.arange(2, 1002))
SHOWN_K = 8  # what a rail shows
TOP_K = 10


def _hits(ranked: Sequence, truth: set, k: int) -> np.ndarray:
    return np.array([item in truth for item in list(ranked)[:k]], dtype=bool)


def per_user_scores(ranked: Sequence, truth: set, k: int) -> dict[str, float]:
    """Every metric for one user; empty truth counts as zero everywhere."""
    hits = _hits(ranked, truth, k)
    n_hits = int(hits.sum())
    if not truth:
        return {"precision": 0.0, "recall": 0.0, "ndcg": 0.0, "hit_rate": 0.0, "map": 0.0}
    ideal = min(len(truth), k)
    dcg = float(_DISCOUNT[: len(hits)][hits].sum())
    idcg = float(_DISCOUNT[:ideal].sum())
    ranks = np.flatnonzero(hits) + 1
    ap = float(np.sum(np.arange(1, n_hits + 1) / ranks)) / ideal if n_hits else 0.0
    return {
        "precision": n_hits / k,
        "recall": n_hits / len(truth),
        "ndcg": dcg / idcg,
        "hit_rate": 1.0 if n_hits else 0.0,
        "map": ap,
    }


def ranking_report(
    ranked: Sequence[Sequence], truth: Sequence[set], k: int = 10, catalog_size: int | None = None
) -> dict[str, float]:
    """Mean of ``per_user_scores`` over users, plus catalog coverage and the user count."""
    if len(ranked) != len(truth):
        raise ValueError("ranked and truth must be aligned by user")
    keys = ("precision", "recall", "ndcg", "hit_rate", "map")
    totals = dict.fromkeys(keys, 0.0)
    for items, relevant in zip(ranked, truth):
        for key, value in per_user_scores(items, relevant, k).items():
            totals[key] += value
    users = len(ranked)
    report = {f"{key}@{k}": (totals[key] / users if users else 0.0) for key in keys}
    if catalog_size:
        report["coverage"] = report[f"coverage@{k}"] = coverage(ranked, k, catalog_size)
    report["users"] = users
    return report


def coverage(ranked: Iterable[Sequence], k: int, catalog_size: int) -> float:
    shown = {item for items in ranked for item in list(items)[:k]}
    return len(shown) / catalog_size if catalog_size else 0.0


def shown_and_top_report(
    ranked: Sequence[Sequence], truth: Sequence[set], catalog_size: int | None = None,
    ks: Sequence[int] = (SHOWN_K, TOP_K),
) -> dict[str, float]:
    """``ranking_report`` at every k of ``ks`` (the rail's shown length and 10) in one dict;
    ``coverage`` is the one at the largest k."""
    report: dict[str, float] = {}
    for k in sorted(ks):
        report.update(ranking_report(ranked, truth, k, catalog_size))
    return report
