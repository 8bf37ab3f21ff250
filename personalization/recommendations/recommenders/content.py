"""'Similar products': TF-IDF over product title and category.

Works for every product in the catalog, including ones nobody has bought yet,
because it reads only the text. Titles here are short upper-case names, so
words and word pairs carry the signal ('JUMBO BAG', 'T-LIGHT HOLDER'); the
category is added as an extra token so items of one kind stay close even when
their names share little else.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from .interactions import IdIndex, Interactions, items_frame
from .ranking import Recommendation, top_n_rows

# Rows per dense block: about 4M cells (tens of MB per temporary), so a 20k-item
# catalog is processed 200 query items at a time instead of 1,024.
def _block_rows(n_items: int) -> int:
    return max(128, min(1024, 4_000_000 // max(n_items, 1)))


def item_text_vectors(
    catalog: pd.DataFrame, ngram_range: tuple[int, int] = (1, 2)
) -> sparse.csr_matrix | None:
    """L2-normalised TF-IDF rows of title plus a category token, one per catalog row.

    None when the catalog has no usable words at all (a catalog of codes only).
    """
    text = (catalog["title"].astype(str) + " category_" + catalog["category"].astype(str)).str.lower()
    vectorizer = TfidfVectorizer(
        ngram_range=ngram_range,
        sublinear_tf=True,
        token_pattern=r"(?u)\b[a-z][a-z0-9_\-]+\b",
        dtype=np.float32,
    )
    try:
        return vectorizer.fit_transform(text).tocsr()
    except ValueError:
        return None


class ContentRecommender:
    """Top-N text-similar neighbours for every catalog item (cosine over TF-IDF).

    Guarantees: every item gets a list (possibly short when its text shares no
    word with any other item), an item is never its own neighbour, and results
    depend only on the catalog, not on row order.
    """

    def __init__(self, neighbours: int = 50, ngram_range: tuple[int, int] = (1, 2)) -> None:
        self.neighbours = neighbours
        self.ngram_range = ngram_range

    def fit(self, interactions: Interactions | None, items: pd.DataFrame | None = None) -> ContentRecommender:
        if interactions is None:
            catalog = items.sort_values("item_id", kind="mergesort").reset_index(drop=True)
        else:
            catalog = items_frame(items, interactions)
        self.items_ = IdIndex(catalog["item_id"].to_numpy())
        vectors = item_text_vectors(catalog, self.ngram_range)
        self.vectors_ = vectors
        n_items = len(self.items_)
        self.neighbours_ = np.full((n_items, self.neighbours), -1, dtype=np.int64)
        self.scores_ = np.zeros((n_items, self.neighbours), dtype=np.float32)
        if vectors is None:
            return self
        block = _block_rows(n_items)
        for start in range(0, n_items, block):
            stop = min(start + block, n_items)
            sims = (vectors[start:stop] @ vectors.T).toarray()
            sims[np.arange(stop - start), np.arange(start, stop)] = 0.0
            sims[sims <= 0] = -np.inf
            best = top_n_rows(sims, self.neighbours)
            self.neighbours_[start:stop] = best
            rows = np.arange(stop - start)[:, None]
            self.scores_[start:stop] = np.where(best >= 0, sims[rows, np.maximum(best, 0)], 0.0)
        return self

    @property
    def item_ids(self) -> np.ndarray:
        return self.items_.ids

    def similar_positions(self, position: int, n: int) -> list[tuple[int, float]]:
        return [
            (int(p), float(s))
            for p, s in zip(self.neighbours_[position][:n], self.scores_[position][:n])
            if p >= 0
        ]

    def similar(self, item_id: object, n: int = 10, exclude: Iterable = ()) -> list[Recommendation]:
        """Items whose text is closest to ``item_id``'s; empty for an unknown item."""
        position = self.items_.position(item_id)
        if position < 0:
            return []
        skip = set(exclude)
        out = []
        for p, s in self.similar_positions(position, self.neighbours):
            if self.items_.ids[p] in skip:
                continue
            out.append(Recommendation(self.items_.ids[p], s, f"similar_to:{item_id}"))
            if len(out) >= n:
                break
        return out
