"""'Customers also bought': item-to-item similarity from baskets bought together.

For items i and j, with C_ij the (weighted) number of baskets holding both and
c_i the baskets holding i:

    sim(i, j) = C_ij / (c_i ** (1 - alpha) * c_j ** alpha) * C_ij / (C_ij + shrinkage)

``alpha`` between 0 (conditional probability P(j | i), favours best-sellers)
and 0.5 (cosine) controls the popularity penalty; ``shrinkage`` pulls pairs
seen together in only a few baskets towards zero so a single odd basket cannot make two
items neighbours. Each basket is weighted by 1 / log2(1 + size) because a
400-line wholesale order says little about any one pair in it.

Only the top ``neighbours`` per item are kept, computed in blocks of query
items so memory stays at one dense block however large the catalog grows.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import sparse

from .content import ContentRecommender
from .interactions import IdIndex, Interactions, items_frame, time_decay
from .ranking import Recommendation, top_n_row, top_n_rows

# Rows per dense block: about 4M cells (tens of MB per temporary), so a 20k-item
# catalog is processed 200 query items at a time instead of 1,024.
def _block_rows(n_items: int) -> int:
    return max(128, min(1024, 4_000_000 // max(n_items, 1)))


def basket_item_matrix(
    interactions: Interactions,
    items: IdIndex,
    size_weighting: bool = True,
    now: pd.Timestamp | None = None,
    half_life_days: float | None = None,
) -> sparse.csr_matrix:
    """Baskets x items, one non-zero per distinct item in a basket, weighted by basket
    size and, when ``half_life_days`` is set, by the basket's age."""
    frame = interactions.frame[["basket_id", "item_id", "timestamp"]].drop_duplicates(
        ["basket_id", "item_id"]
    )
    cols = items.lookup(frame["item_id"].to_numpy())
    keep = cols >= 0
    frame = frame[keep]
    rows, _ = pd.factorize(frame["basket_id"].to_numpy(), sort=True)
    cols = cols[keep]
    sizes = np.bincount(rows)
    weights = 1.0 / np.log2(1.0 + sizes) if size_weighting else np.ones(len(sizes))
    weights = weights[rows]
    if half_life_days is not None:
        weights = weights * time_decay(frame["timestamp"], now or interactions.now, half_life_days)
    return sparse.csr_matrix(
        (weights.astype(np.float32), (rows, cols)),
        shape=(len(sizes), len(items)),
        dtype=np.float32,
    )


def neighbour_table(
    baskets: sparse.csr_matrix,
    n: int,
    alpha: float,
    shrinkage: float,
    text: sparse.csr_matrix | None = None,
    text_weight: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``n`` co-purchase neighbours of every item: (positions, scores), -1 / 0 padded."""
    n_items = baskets.shape[1]
    by_item = baskets.T.tocsr()
    counts = np.asarray(baskets.sum(axis=0)).ravel().astype(np.float64)
    penalty_cols = np.power(counts, alpha)
    positions = np.full((n_items, n), -1, dtype=np.int64)
    scores = np.zeros((n_items, n), dtype=np.float32)
    block = _block_rows(n_items)
    for start in range(0, n_items, block):
        stop = min(start + block, n_items)
        together = (by_item[start:stop] @ baskets).toarray().astype(np.float64)
        denom = np.power(counts[start:stop], 1.0 - alpha)[:, None] * penalty_cols[None, :]
        # Significance shrinkage: a pair seen in few baskets is pulled towards zero.
        sims = together / (denom + 1e-9) * (together / (together + shrinkage + 1e-9))
        if text is not None and text_weight > 0:
            # Only where there is co-purchase evidence: text similarity reorders
            # real neighbours (same range in another colour) but never invents one.
            sims += np.where(together > 0, text_weight * (text[start:stop] @ text.T).toarray(), 0.0)
        sims[np.arange(stop - start), np.arange(start, stop)] = 0.0  # never your own neighbour
        sims[sims <= 0] = -np.inf
        best = top_n_rows(sims, n)
        positions[start:stop] = best
        rows = np.arange(stop - start)[:, None]
        scores[start:stop] = np.where(best >= 0, sims[rows, np.maximum(best, 0)], 0.0)
    return positions, scores


class AlsoBoughtRecommender:
    """Top-N 'bought together' neighbours per item, optionally topped up by similar products.

    Guarantees: ``similar(item)`` never returns the item itself, returns
    co-purchase neighbours first (reason ``bought_with:<item>``) and only then,
    when ``content_fill`` is on and fewer than n exist, text-similar items
    (reason ``similar_to:<item>``). Same data gives the same lists.
    """

    def __init__(
        self,
        neighbours: int = 50,
        alpha: float = 0.1,
        shrinkage: float = 2.0,
        size_weighting: bool = True,
        content_fill: bool = True,
        text_weight: float = 0.0,
        half_life_days: float | None = None,
        now: pd.Timestamp | None = None,
    ) -> None:
        self.neighbours = neighbours
        self.alpha = alpha
        self.shrinkage = shrinkage
        self.size_weighting = size_weighting
        self.content_fill = content_fill
        self.text_weight = text_weight
        self.half_life_days = half_life_days
        self.now = now

    def fit(self, interactions: Interactions, items: pd.DataFrame | None = None) -> AlsoBoughtRecommender:
        catalog = items_frame(items, interactions)
        self.items_ = IdIndex(catalog["item_id"].to_numpy())
        self.now_ = pd.Timestamp(self.now) if self.now is not None else interactions.now
        baskets = basket_item_matrix(
            interactions, self.items_, self.size_weighting, self.now_, self.half_life_days
        )
        self.content_ = None
        if self.content_fill or self.text_weight > 0:
            self.content_ = ContentRecommender(neighbours=self.neighbours).fit(interactions, catalog)
        self.neighbours_, self.scores_ = neighbour_table(
            baskets,
            self.neighbours,
            self.alpha,
            self.shrinkage,
            self.content_.vectors_ if self.content_ is not None else None,
            self.text_weight,
        )
        if not self.content_fill:
            self.content_ = None
        return self

    @property
    def item_ids(self) -> np.ndarray:
        return self.items_.ids

    def similar_positions(self, position: int, n: int, exclude: Iterable[int] = ()) -> list[tuple[int, float, str]]:
        """(position, score, reason) of the neighbours of the item at ``position``."""
        skip = set(exclude) | {position}
        out: list[tuple[int, float, str]] = []
        anchor = self.items_.ids[position]
        for other, score in zip(self.neighbours_[position], self.scores_[position]):
            if other < 0 or len(out) >= n:
                break
            if other not in skip:
                out.append((int(other), float(score), f"bought_with:{anchor}"))
                skip.add(int(other))
        if self.content_ is not None and len(out) < n:
            for other, score in self.content_.similar_positions(position, n + len(skip)):
                if len(out) >= n:
                    break
                if other not in skip:
                    # Below every co-purchase score so the fill never outranks real evidence.
                    out.append((other, float(score) * 1e-3, f"similar_to:{anchor}"))
                    skip.add(other)
        return out

    def similar(self, item_id: object, n: int = 10, exclude: Iterable = ()) -> list[Recommendation]:
        """Items most often bought together with ``item_id``; empty for an unknown item."""
        position = self.items_.position(item_id)
        if position < 0:
            return []
        skip = [p for p in self.items_.lookup(list(exclude)) if p >= 0] if exclude else []
        return [
            Recommendation(self.items_.ids[p], s, r)
            for p, s, r in self.similar_positions(position, n, skip)
        ]

    def recommend_for_basket(self, item_ids: Iterable, n: int = 10) -> list[Recommendation]:
        """Neighbours of a whole basket: scores summed over its items, basket items left out."""
        positions = [p for p in self.items_.lookup(list(item_ids)) if p >= 0]
        totals = np.zeros(len(self.items_), dtype=np.float64)
        reasons: dict[int, tuple[float, int]] = {}
        for p in positions:
            for other, score in zip(self.neighbours_[p], self.scores_[p]):
                if other < 0:
                    break
                totals[other] += score
                if score > reasons.get(other, (-1.0, -1))[0]:
                    reasons[other] = (float(score), p)
        totals[totals <= 0] = -np.inf
        best = top_n_row(totals, n, np.array(positions, dtype=np.int64))
        return [
            Recommendation(
                self.items_.ids[i], float(totals[i]), f"bought_with:{self.items_.ids[reasons[i][1]]}"
            )
            for i in best
        ]


def neighbour_lists(model: AlsoBoughtRecommender | ContentRecommender, n: int) -> np.ndarray:
    """Every item's top ``n`` neighbours as a (items x n) position matrix, -1 padded."""
    out = np.full((len(model.item_ids), n), -1, dtype=np.int64)
    for position in range(len(model.item_ids)):
        found = [entry[0] for entry in model.similar_positions(position, n)]
        out[position, : len(found)] = found
    return out
