"""Trending: what many different customers bought recently.

Counting distinct buyers, not units, keeps one wholesaler ordering 2,000 of
something from making it 'trending'. On this shop's data a 30-day window
beats all-time popularity by about 2x on NDCG@10 (see docs/recommenders.md).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .interactions import IdIndex, Interactions, items_frame
from .ranking import Recommendation, top_n_row


class TrendingRecommender:
    """Items ranked by distinct buyers in the ``window_days`` before ``now``.

    ``window_days=None`` gives all-time popularity. Items with the same recent
    count are ordered by all-time distinct buyers, so the ranking is total and
    reaches past the window. Same data and ``now`` give the same ranking.
    """

    reason = "trending"

    def __init__(self, window_days: float | None = 30, now: pd.Timestamp | None = None) -> None:
        self.window_days = window_days
        self.now = now

    def fit(self, interactions: Interactions, items: pd.DataFrame | None = None) -> TrendingRecommender:
        catalog = items_frame(items, interactions)
        self.items_ = IdIndex(catalog["item_id"].to_numpy())
        self.now_ = pd.Timestamp(self.now) if self.now is not None else interactions.now
        frame = interactions.frame[interactions.frame["timestamp"] <= self.now_]
        all_time = self._distinct_buyers(frame)
        if self.window_days is None:
            recent = all_time
        else:
            start = self.now_ - pd.Timedelta(days=self.window_days)
            recent = self._distinct_buyers(frame[frame["timestamp"] > start])
        # Recent count dominates; the all-time count (scaled below 1) only breaks ties.
        self.buyers_ = recent
        self.scores_ = (recent + all_time / (all_time.max() + 1.0)).astype(np.float64)
        return self

    def _distinct_buyers(self, frame: pd.DataFrame) -> np.ndarray:
        pairs = frame[["user_id", "item_id"]].drop_duplicates()
        positions = self.items_.lookup(pairs["item_id"].to_numpy())
        positions = positions[positions >= 0]
        return np.bincount(positions, minlength=len(self.items_)).astype(np.float64)

    @property
    def item_ids(self) -> np.ndarray:
        return self.items_.ids

    def scores(self) -> np.ndarray:
        """One score per catalog item (position order); higher is more trending."""
        return self.scores_

    def recommend(
        self, user_id: object = None, n: int = 10, exclude: Iterable = ()
    ) -> list[Recommendation]:
        """Top ``n`` trending items not in ``exclude``. ``user_id`` is ignored: same list for all."""
        skip = self.items_.lookup(list(exclude)) if exclude else None
        if skip is not None:
            skip = skip[skip >= 0]
        best = top_n_row(self.scores_, n, skip)
        reason = self.reason if self.window_days is not None else "popular"
        return [Recommendation(self.items_.ids[i], float(self.scores_[i]), reason) for i in best]


def rising_demand(
    frame: pd.DataFrame,
    items: IdIndex,
    now: pd.Timestamp,
    recent_days: float = 14,
    baseline_days: float = 42,
    cap: float = 16.0,
) -> np.ndarray:
    """How fast each item's demand is growing, from 0 (flat or falling) to 1 (``cap`` times).

    Distinct buyers in the last ``recent_days`` against the rate of the
    ``baseline_days`` before them, as ``log((recent + 1) / (expected + 1))``,
    clipped to [0, log(cap)] and scaled to [0, 1]. Seasonal products picking up
    before a holiday rise here weeks before they top the trending list.
    """
    scores = np.zeros(len(items), dtype=np.float32)
    if frame.empty:
        return scores
    age_days = ((now - frame["timestamp"]) / pd.Timedelta(days=1)).to_numpy()
    window = frame.assign(age=age_days, position=items.lookup(frame["item_id"].to_numpy()))
    window = window[(window["position"] >= 0) & (window["age"] >= 0) & (window["age"] < recent_days + baseline_days)]

    def buyers(selected: pd.DataFrame) -> np.ndarray:
        pairs = selected[["user_id", "position"]].drop_duplicates()
        return np.bincount(pairs["position"].to_numpy(), minlength=len(items)).astype(np.float64)

    recent = buyers(window[window["age"] < recent_days])
    expected = buyers(window[window["age"] >= recent_days]) * recent_days / baseline_days
    growth = np.log((recent + 1.0) / (expected + 1.0))
    return (np.clip(growth, 0.0, np.log(cap)) / np.log(cap)).astype(np.float32)
