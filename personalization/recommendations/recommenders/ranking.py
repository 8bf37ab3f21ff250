"""Deterministic top-N selection shared by every model.

Ties are broken by the lower item position (items are sorted by id), so two
fits on the same data return identical lists even where scores tie.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Recommendation:
    """One recommended item, its score and a short reason the shop can show or log.

    Reason codes: ``trending``, ``popular``, ``bought_before``,
    ``bought_with:<item_id>``, ``similar_to:<item_id>``, ``because_you_bought:<item_id>``.
    """

    item_id: str
    score: float
    reason: str


def top_n_row(scores: np.ndarray, n: int, excluded: np.ndarray | None = None) -> np.ndarray:
    """Positions of the ``n`` highest scores, highest first, lower position wins ties.

    ``excluded`` holds positions that must not be returned. Items scored -inf
    are never returned, so a model can mark 'no opinion' that way.
    """
    scores = np.asarray(scores, dtype=np.float64).copy()
    if excluded is not None and len(excluded):
        scores[excluded] = -np.inf
    valid = np.flatnonzero(np.isfinite(scores))
    if len(valid) == 0 or n <= 0:
        return np.empty(0, dtype=np.int64)
    if len(valid) > n:
        # Keep every item tied with the n-th best so the tie-break sees them all.
        kth = np.partition(scores[valid], len(valid) - n)[len(valid) - n]
        valid = valid[scores[valid] >= kth]
    order = np.lexsort((valid, -scores[valid]))
    return valid[order[:n]].astype(np.int64)


def top_n_rows(
    scores: np.ndarray, n: int, excluded: sparse.csr_matrix | None = None
) -> np.ndarray:
    """``top_n_row`` for each row of a dense score block; short rows are padded with -1.

    ``excluded`` is a users x items sparse matrix whose non-zeros are removed.
    """
    out = np.full((scores.shape[0], n), -1, dtype=np.int64)
    for row in range(scores.shape[0]):
        skip = None
        if excluded is not None:
            skip = excluded.indices[excluded.indptr[row] : excluded.indptr[row + 1]]
        best = top_n_row(scores[row], n, skip)
        out[row, : len(best)] = best
    return out


def normalise_rows(scores: np.ndarray) -> np.ndarray:
    """Scale each row so its largest finite value is 1 (rows of zeros stay zero).

    Used before blending two models so neither dominates by scale alone.
    """
    scores = np.asarray(scores, dtype=np.float32)
    top = np.max(np.where(np.isfinite(scores), scores, 0.0), axis=1, keepdims=True)
    top[top <= 0] = 1.0
    return scores / top
