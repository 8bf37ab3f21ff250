"""'Recommended for you': a personalized model over the user-item matrix, blended
with trending.

Two personalized scorers, chosen by catalog size measured at fit time:

- ``EaseScorer`` (Steck 2019): item-item weights B from the closed form
  B = I - P / diag(P), P = (X'X + l2 I)^-1. Best accuracy on this data, but P
  is a dense items x items matrix: 4 bytes x items^2 per copy in float32 and
  cubic time. At 4k items that is 64 MB and a second or two; at 20k items
  1.6 GB and about a minute (see docs/recommenders.md for the measured switch point).
- ``SvdScorer``: PureSVD, scores = x_u V V' from a truncated SVD of X. Memory
  grows with items x factors, so it takes over on large catalogs.
- ``Rp3BetaScorer`` (Paudel et al. 2017, "RP3beta"): two-step random walk
  item -> buyer -> item, divided by the target item's buyers^beta. Blended
  with EASE (same items x items float32 cost, so only on the EASE path).

A user is scored from a profile row: each past item weighted by its buy-again
score (how often, how lately, and how habitually people re-order it), so the
items a customer keeps coming back to say most about what they will try next.

The blend adds a share of trending, of rising demand and of novelty (weighted
once flat and once by how closely a new product's text matches the user's
profile) so new and seasonal items reach people whose history says little
about them; cold users (no history) get trending alone.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import linalg, sparse
from sklearn.utils.extmath import randomized_svd

from .buy_again import repeat_purchase_scores
from .content import item_text_vectors
from .interactions import IdIndex, Interactions, items_frame, user_item_matrix
from .ranking import Recommendation, normalise_rows, top_n_row, top_n_rows
from .trending import TrendingRecommender, rising_demand

# Measured on 2 cores (benchmarks/recommenders.py, docs/recommenders.md): the
# EASE path (EASE + RP3beta, two dense items x items float32 matrices) fits in
# about 3 s and 140 MB at the shop's 3.9k items, 24 s and 1.2 GB at 12k, 84 s
# and 3.1 GB at 20k (time ~ items^3, memory ~ items^2), while the SVD path stays
# near 5 s and 140 MB. EASE is 14-16% better on NDCG@10 here, so it is kept
# while a fit stays under half a minute.
EASE_MAX_ITEMS = 12_000

# Users scored at once: at most 2,048, and about 8M cells per dense users x items
# block, since scoring holds a few such blocks (the models' scores, the text match).
_SCORE_BLOCK = 2048
_SCORE_BLOCK_CELLS = 8_000_000
_GRAM_BLOCK = 256


class EaseScorer:
    """Embarrassingly shallow autoencoder: dense item-item weights, zero diagonal."""

    def __init__(self, l2: float = 200.0) -> None:
        self.l2 = l2

    def fit(self, matrix: sparse.csr_matrix) -> EaseScorer:
        n_items = matrix.shape[1]
        # The Gram matrix in float32, built dense in column blocks so that the
        # sparse product never holds more than one block.
        # Fortran order so LAPACK works in place: one n x n float32 buffer is the
        # whole memory cost (G, then its factor, then P, then B).
        gram = np.empty((n_items, n_items), dtype=np.float32, order="F")
        by_item = matrix.T.tocsr()
        columns = matrix.tocsc()
        # Narrow column blocks: the sparse product of a block costs ~12 bytes per
        # cell before it is densified, so wide blocks would double the peak.
        for start in range(0, n_items, _GRAM_BLOCK):
            stop = min(start + _GRAM_BLOCK, n_items)
            gram[:, start:stop] = (by_item @ columns[:, start:stop]).toarray()
        gram[np.diag_indices(n_items)] += np.float32(self.l2)
        # Cholesky inverse: G is symmetric positive definite, and potrf/potri
        # need half the flops of a general inverse.
        factor, info = linalg.lapack.spotrf(gram, lower=False, overwrite_a=True, clean=False)
        if info != 0:
            raise np.linalg.LinAlgError(f"Gram matrix is not positive definite (info={info})")
        precision, info = linalg.lapack.spotri(factor, lower=False, overwrite_c=True)
        if info != 0:
            raise np.linalg.LinAlgError(f"cannot invert the Gram matrix (info={info})")
        _mirror_upper(precision)
        # P is symmetric, so its transpose is the same matrix as a C-ordered
        # view; scoring (sparse rows @ B) needs C order to avoid a full copy.
        precision = precision.T
        diagonal = np.diag(precision).copy()
        precision /= -diagonal[None, :]
        precision[np.diag_indices(n_items)] = 0.0
        assert precision.flags.c_contiguous
        self.weights_ = precision  # B: score(u) = x_u B
        return self

    def score(self, rows: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(rows @ self.weights_, dtype=np.float32)

    @property
    def nbytes(self) -> int:
        return self.weights_.nbytes


def _mirror_upper(square: np.ndarray, block: int = 1024) -> None:
    """Copy the upper triangle onto the lower one, a block at a time (no full copy)."""
    n = square.shape[0]
    for start in range(0, n, block):
        stop = min(start + block, n)
        square[start:stop, :start] = square[:start, start:stop].T
        tile = square[start:stop, start:stop]
        upper = np.triu(tile)
        square[start:stop, start:stop] = upper + np.triu(tile, 1).T


class Rp3BetaScorer:
    """Item-item random walk weights with a popularity penalty, zero diagonal.

    W[i, j] = sum_u P(u | i)^alpha P(j | u)^alpha / buyers_j^beta, where P(u | i)
    and P(j | u) are the (time-decayed) user-item matrix normalised by item and
    by user. ``beta`` > 0 pushes down items that are reached only because
    everybody buys them.
    """

    def __init__(self, alpha: float = 0.6, beta: float = 0.8) -> None:
        self.alpha = alpha
        self.beta = beta

    def fit(self, matrix: sparse.csr_matrix) -> Rp3BetaScorer:
        n_items = matrix.shape[1]
        matrix = sparse.csr_matrix(matrix, dtype=np.float32)
        by_user = _scale_rows(matrix).power(self.alpha).tocsc()  # P(j | u), users x items
        by_item = _scale_rows(matrix.T.tocsr()).power(self.alpha).tocsr()  # P(u | i), items x users
        buyers = np.diff(matrix.tocsc().indptr).astype(np.float32)
        penalty = np.power(np.maximum(buyers, 1.0), -self.beta, dtype=np.float32)
        weights = np.empty((n_items, n_items), dtype=np.float32)
        for start in range(0, n_items, _GRAM_BLOCK):
            stop = min(start + _GRAM_BLOCK, n_items)
            weights[:, start:stop] = (by_item @ by_user[:, start:stop]).toarray() * penalty[None, start:stop]
        weights[np.diag_indices(n_items)] = 0.0
        self.weights_ = weights
        return self

    def score(self, rows: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(rows @ self.weights_, dtype=np.float32)

    @property
    def nbytes(self) -> int:
        return self.weights_.nbytes


def _scale_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Each row divided by its sum (rows of zeros stay zero)."""
    totals = np.asarray(matrix.sum(axis=1)).ravel()
    inverse = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
    return sparse.csr_matrix(sparse.diags(inverse.astype(np.float32)) @ matrix, dtype=np.float32)


class SvdScorer:
    """PureSVD: project a user's row on the top ``factors`` right singular vectors."""

    def __init__(self, factors: int = 128, seed: int = 7) -> None:
        self.factors = factors
        self.seed = seed

    def fit(self, matrix: sparse.csr_matrix) -> SvdScorer:
        rank = max(1, min(self.factors, min(matrix.shape) - 1))
        _, _, vt = randomized_svd(
            matrix.astype(np.float32), rank, n_iter=5, random_state=self.seed
        )
        self.components_ = np.ascontiguousarray(vt.T, dtype=np.float32)  # items x factors
        return self

    def score(self, rows: sparse.csr_matrix) -> np.ndarray:
        return np.asarray((rows @ self.components_) @ self.components_.T, dtype=np.float32)

    @property
    def nbytes(self) -> int:
        return self.components_.nbytes


class PersonalRecommender:
    """Personalized scores blended with trending; already-bought items are left out.

    ``method``: "ease", "svd" or "auto" (EASE up to ``ease_max_items`` items).
    ``half_life_days`` down-weights old purchases in the user-item matrix.
    ``profile``: what a user is scored from, "buy_again" (each past item's
    buy-again score with ``profile_repeat_weight``, scaled to a maximum of 1) or
    "decayed" (the user's row of the time-decayed matrix the models were fitted on).
    ``graph_weight`` is the share of the (row-normalised) RP3beta score in the
    personal score, the rest being (row-normalised) EASE; it needs the EASE path
    and is ignored under SVD. ``graph_alpha``/``graph_beta`` are RP3beta's
    exponents. ``trending_weight`` is the share of (row-normalised) trending
    added to the personal score. ``novelty_weight`` adds ``exp(-age / novelty_days)``
    of each item's age since its first sale, so products new to the shop, which
    the personal models have barely seen, can reach the people likely to want them.
    ``new_match_weight`` adds that novelty once more, multiplied by how closely the
    item's text matches the user's profile (TF-IDF of title and category), so new
    products go first to the people who buy their kind. ``rising_weight`` adds
    ``rising_demand`` (buyers in the last ``rising_days`` against the
    ``rising_baseline_days`` before, 0 to 1 at ``rising_cap`` times). ``now`` freezes
    time; by default it is the last interaction, so two fits on the same data give
    identical lists.
    """

    def __init__(
        self,
        method: str = "auto",
        l2: float = 200.0,
        factors: int = 128,
        half_life_days: float | None = 120.0,
        trending_weight: float = 0.1,
        trending_window_days: float | None = 30,
        graph_weight: float = 0.4,
        graph_alpha: float = 0.6,
        graph_beta: float = 0.8,
        novelty_weight: float = 0.3,
        novelty_days: float = 90.0,
        new_match_weight: float = 0.3,
        rising_weight: float = 0.1,
        rising_days: float = 14.0,
        rising_baseline_days: float = 42.0,
        rising_cap: float = 16.0,
        profile: str = "buy_again",
        profile_repeat_weight: float = 2.0,
        ease_max_items: int = EASE_MAX_ITEMS,
        seed: int = 7,
        now: pd.Timestamp | None = None,
    ) -> None:
        if method not in {"auto", "ease", "svd"}:
            raise ValueError(f"unknown method {method!r}: use auto, ease or svd")
        if profile not in {"buy_again", "decayed"}:
            raise ValueError(f"unknown profile {profile!r}: use buy_again or decayed")
        self.method = method
        self.l2 = l2
        self.factors = factors
        self.half_life_days = half_life_days
        self.trending_weight = trending_weight
        self.trending_window_days = trending_window_days
        self.graph_weight = graph_weight
        self.graph_alpha = graph_alpha
        self.graph_beta = graph_beta
        self.novelty_weight = novelty_weight
        self.novelty_days = novelty_days
        self.new_match_weight = new_match_weight
        self.rising_weight = rising_weight
        self.rising_days = rising_days
        self.rising_baseline_days = rising_baseline_days
        self.rising_cap = rising_cap
        self.profile = profile
        self.profile_repeat_weight = profile_repeat_weight
        self.ease_max_items = ease_max_items
        self.seed = seed
        self.now = now

    def fit(self, interactions: Interactions, items: pd.DataFrame | None = None) -> PersonalRecommender:
        catalog = items_frame(items, interactions)
        self.items_ = IdIndex(catalog["item_id"].to_numpy())
        self.users_ = IdIndex(np.sort(interactions.frame["user_id"].unique()))
        self.now_ = pd.Timestamp(self.now) if self.now is not None else interactions.now
        self.matrix_ = user_item_matrix(
            interactions, self.users_, self.items_, self.now_, self.half_life_days
        )
        # Measured size: items anybody bought, not the listed catalog.
        self.active_items_ = int(np.count_nonzero(np.diff(self.matrix_.tocsc().indptr)))
        use_ease = self.method == "ease" or (
            self.method == "auto" and self.active_items_ <= self.ease_max_items
        )
        self.method_ = "ease" if use_ease else "svd"
        scorer = EaseScorer(self.l2) if use_ease else SvdScorer(self.factors, self.seed)
        self.scorer_ = scorer.fit(self.matrix_)
        self.graph_ = (
            Rp3BetaScorer(self.graph_alpha, self.graph_beta).fit(self.matrix_)
            if use_ease and self.graph_weight
            else None
        )
        self.trending_ = TrendingRecommender(self.trending_window_days, self.now_).fit(
            interactions, catalog
        )
        trend = self.trending_.scores()
        self.trending_scores_ = (trend / trend.max() if trend.max() > 0 else trend).astype(np.float32)
        self.novelty_scores_ = self._novelty(interactions)
        self.rising_scores_ = (
            rising_demand(
                interactions.frame, self.items_, self.now_,
                self.rising_days, self.rising_baseline_days, self.rising_cap,
            )
            if self.rising_weight
            else np.zeros(len(self.items_), dtype=np.float32)
        )
        self.profiles_ = self._profiles(interactions) if self.profile == "buy_again" else self.matrix_
        self.text_vectors_ = item_text_vectors(catalog) if self.new_match_weight else None
        if self.text_vectors_ is not None:
            # |v_i|^2: 1 for items with any usable word, 0 for the rest.
            self.text_self_similarity_ = np.asarray(
                self.text_vectors_.multiply(self.text_vectors_).sum(axis=1), dtype=np.float32
            ).ravel()
        return self

    def _profiles(self, interactions: Interactions) -> sparse.csr_matrix:
        """Users x items: each past item's buy-again score, each row scaled to a maximum of 1."""
        history = repeat_purchase_scores(
            interactions.frame, self.now_, self.half_life_days, self.profile_repeat_weight
        )
        rows = self.users_.lookup(history["user_id"].to_numpy())
        cols = self.items_.lookup(history["item_id"].to_numpy())
        keep = (rows >= 0) & (cols >= 0)
        scores = history["score"].to_numpy(np.float64)[keep]
        rows, cols = rows[keep], cols[keep]
        top = np.zeros(len(self.users_), dtype=np.float64)
        np.maximum.at(top, rows, scores)
        values = np.divide(scores, top[rows], out=np.zeros_like(scores), where=top[rows] > 0)
        return sparse.csr_matrix(
            (values.astype(np.float32), (rows, cols)), shape=self.matrix_.shape, dtype=np.float32
        )

    def _novelty(self, interactions: Interactions) -> np.ndarray:
        """exp(-days since the item's first sale / novelty_days); 0 for items never sold."""
        scores = np.zeros(len(self.items_.ids), dtype=np.float32)
        first_sold = interactions.frame.groupby("item_id")["timestamp"].min()
        positions = self.items_.lookup(list(first_sold.index))
        known = positions >= 0
        age_days = ((self.now_ - first_sold[known]) / pd.Timedelta(days=1)).to_numpy(dtype=np.float64)
        scores[positions[known]] = np.exp(-np.clip(age_days, 0, None) / self.novelty_days)
        return scores

    @property
    def item_ids(self) -> np.ndarray:
        return self.items_.ids

    def score_users(self, user_positions: np.ndarray) -> np.ndarray:
        """Blended scores, users x items, for known users' positions (not excluding anything)."""
        parts = self.score_parts(self.profiles_[user_positions])
        return parts["personal"] + parts["trending"] + parts["new"]

    def score_parts(self, rows: sparse.csr_matrix) -> dict[str, np.ndarray]:
        """The blend's three shares for profile ``rows``, each users x items (or broadcastable):
        ``personal`` (EASE/RP3beta or SVD), ``trending`` (trending and rising demand) and
        ``new`` (novelty, flat and matched to the profile). Their sum is the score."""
        personal = normalise_rows(self.scorer_.score(rows))
        if self.graph_ is not None:
            personal *= 1.0 - self.graph_weight
            personal += self.graph_weight * normalise_rows(self.graph_.score(rows))
        trending = (
            self.trending_weight * self.trending_scores_ + self.rising_weight * self.rising_scores_
        )[None, :]
        new = self.novelty_weight * self.novelty_scores_[None, :]
        if self.new_match_weight and self.text_vectors_ is not None:
            new = new + self.new_match_weight * self.novelty_scores_[None, :] * self.text_match(rows)
        return {"personal": personal, "trending": trending, "new": new}

    def text_match(self, rows: sparse.csr_matrix) -> np.ndarray:
        """Row-normalised TF-IDF similarity of every item to each profile row, an item's
        similarity to itself left out (so a profile does not simply match its own items)."""
        vectors = self.text_vectors_
        match = np.asarray(((rows @ vectors) @ vectors.T).toarray(), dtype=np.float32)
        match -= rows.multiply(self.text_self_similarity_[None, :]).toarray()
        return normalise_rows(np.maximum(match, 0.0))

    def recommend_many(self, user_ids: Iterable, n: int = 10) -> dict[object, list[int]]:
        """Top ``n`` item positions per user, already-bought items left out; cold users
        get trending. Scored in blocks so memory stays bounded."""
        user_ids = list(user_ids)
        positions = self.users_.lookup(user_ids)
        out: dict[object, list[int]] = {}
        cold = [u for u, p in zip(user_ids, positions) if p < 0]
        trending = top_n_row(self.trending_.scores(), n).tolist()
        for user in cold:
            out[user] = trending
        known = [(u, p) for u, p in zip(user_ids, positions) if p >= 0]
        block_users = max(64, min(_SCORE_BLOCK, _SCORE_BLOCK_CELLS // max(len(self.items_), 1)))
        for start in range(0, len(known), block_users):
            chunk = known[start : start + block_users]
            block = np.array([p for _, p in chunk], dtype=np.int64)
            best = top_n_rows(self.score_users(block), n, self.matrix_[block])
            for (user, _), row in zip(chunk, best):
                out[user] = [int(i) for i in row if i >= 0]
        return out

    def recommend(self, user_id: object, n: int = 10, exclude: Iterable = ()) -> list[Recommendation]:
        """Top ``n`` for one user with a reason each, from the largest share of its score:
        ``because_you_bought:<item>`` names the past item contributing most to the personal
        share, ``new_in`` for the novelty share, ``trending`` for trending and rising demand
        (and for every item of a user with no history)."""
        position = self.users_.position(user_id)
        extra = [p for p in self.items_.lookup(list(exclude)) if p >= 0] if exclude else []
        if position < 0:
            best = top_n_row(self.trending_.scores(), n, np.array(extra, dtype=np.int64))
            return [Recommendation(self.items_.ids[i], float(self.trending_.scores()[i]), "trending") for i in best]
        row = self.profiles_[position]
        parts = {
            name: np.broadcast_to(part, (1, len(self.items_)))[0]
            for name, part in self.score_parts(row).items()
        }
        scores = parts["personal"] + parts["trending"] + parts["new"]
        skip = np.concatenate([self.matrix_[position].indices, np.array(extra, dtype=np.int64)])
        best = top_n_row(scores, n, skip)
        return [
            Recommendation(self.items_.ids[i], float(scores[i]), self._reason(row, i, parts))
            for i in best
        ]

    def recommend_with_reasons(self, user_ids: Iterable, n: int = 10) -> dict[object, list[Recommendation]]:
        """``recommend(user, n)`` for many users at once, scored in blocks (the same lists and
        reasons, several times faster than one call per user)."""
        user_ids = list(user_ids)
        positions = self.users_.lookup(user_ids)
        out: dict[object, list[Recommendation]] = {}
        known = []
        for user, position in zip(user_ids, positions):
            if position < 0:
                out[user] = self.recommend(user, n)
            else:
                known.append((user, int(position)))
        block_users = max(64, min(_SCORE_BLOCK, _SCORE_BLOCK_CELLS // max(len(self.items_), 1)))
        for start in range(0, len(known), block_users):
            chunk = known[start : start + block_users]
            block = np.array([p for _, p in chunk], dtype=np.int64)
            rows = self.profiles_[block]
            parts = {name: np.broadcast_to(part, (len(chunk), len(self.items_)))
                     for name, part in self.score_parts(rows).items()}
            scores = parts["personal"] + parts["trending"] + parts["new"]
            best = top_n_rows(scores, n, self.matrix_[block])
            for j, (user, _) in enumerate(chunk):
                own = {name: part[j] for name, part in parts.items()}
                row = rows[j]
                out[user] = [
                    Recommendation(self.items_.ids[i], float(scores[j, i]), self._reason(row, i, own))
                    for i in best[j] if i >= 0
                ]
        return out

    def _reason(self, row: sparse.csr_matrix, item: int, parts: dict[str, np.ndarray]) -> str:
        """The largest share names the reason; a personal one names the past item that
        contributes most to it."""
        personal, trending, new = (parts[name][item] for name in ("personal", "trending", "new"))
        if personal >= max(trending, new) and personal > 0 and len(row.indices):
            if isinstance(self.scorer_, EaseScorer):
                contributions = row.data * self.scorer_.weights_[row.indices, item]
            else:
                factors = self.scorer_.components_
                contributions = row.data * (factors[row.indices] @ factors[item])
            if contributions.max() > 0:
                return f"because_you_bought:{self.items_.ids[row.indices[int(np.argmax(contributions))]]}"
        return "new_in" if new > trending else "trending"
