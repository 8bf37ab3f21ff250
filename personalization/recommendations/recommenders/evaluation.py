"""Offline evaluation on a time split of a file in the Online Retail format.

``evaluate`` is what ``manage.py evaluate_recommenders`` runs; it needs no
database. Protocol (every number in docs/recommenders.md comes from here):

- Train on purchases before the cutoff; test on purchases from the cutoff for
  ``test_days`` days (default: to the end of the file).
- The catalog is every real product sold to anyone before the cutoff.
- "For you": test users bought before the cutoff and bought at least one item
  in the test window that they had not bought before; those new items are the
  truth. Each model ranks the whole catalog minus the user's past purchases.
  Cold users (no purchase before the cutoff) are scored separately against
  everything they bought.
- "Also bought": every test basket with two or more distinct items; each of
  its items in turn is the query and the other items are the truth; a
  basket's score is the mean over its queries (the expected score of a query
  picked at random), and the report is the mean over baskets.
- "Buy again": users who re-bought something in the test window; the truth is
  the re-bought items; the candidates are the user's past items.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .buy_again import BuyAgainRecommender
from .content import ContentRecommender
from .cooccurrence import AlsoBoughtRecommender, neighbour_lists
from .data import catalog_from_transactions, load_purchases
from .errors import RecommenderDataError
from .interactions import IdIndex, Interactions
from .metrics import SHOWN_K, per_user_scores, ranking_report, shown_and_top_report
from .personal import PersonalRecommender
from .ranking import top_n_rows
from .trending import TrendingRecommender

K = 10

# The production configuration, tuned on the September 2011 window only
# (train before 2011-09-01); October and later are held out.
PRODUCTION = {
    "trending": {"window_days": 30},
    "for_you": {
        "method": "auto", "l2": 200.0, "half_life_days": 120.0, "trending_weight": 0.1,
        "graph_weight": 0.4, "graph_alpha": 0.6, "graph_beta": 0.8,
        "novelty_weight": 0.3, "novelty_days": 90.0, "new_match_weight": 0.3,
        "rising_weight": 0.1, "rising_days": 14.0, "rising_baseline_days": 42.0, "rising_cap": 16.0,
        "profile": "buy_again", "profile_repeat_weight": 2.0,
    },
    "also_bought": {"alpha": 0.1, "shrinkage": 2.0, "content_fill": True},
    "buy_again": {"half_life_days": 120.0, "repeat_weight": 2.0},
}


# EASE and SVD reported alone: no graph, no blends, scored from the decayed matrix.
_MODEL_ALONE = {
    "graph_weight": 0.0, "trending_weight": 0.0, "novelty_weight": 0.0, "new_match_weight": 0.0,
    "rising_weight": 0.0, "profile": "decayed",
}


@dataclass(frozen=True)
class TimeSplit:
    """Train and test purchases around ``cutoff`` plus the catalog known at the cutoff."""

    train: Interactions
    test: Interactions
    items: pd.DataFrame
    cutoff: pd.Timestamp
    end: pd.Timestamp | None


def parse_cutoff(text: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d"))
    except (ValueError, TypeError) as exc:
        raise RecommenderDataError(f"cutoff must be a date like 2011-10-01, got {text!r}") from exc


def split_by_time(
    raw: pd.DataFrame, purchases: Interactions, cutoff: pd.Timestamp, test_days: int | None
) -> TimeSplit:
    """Split at ``cutoff``; raises ``RecommenderDataError`` when either side is empty."""
    if test_days is not None and test_days <= 0:
        raise RecommenderDataError(f"--test-days must be a positive number of days, got {test_days}")
    first = purchases.frame["timestamp"].iloc[0]
    last = purchases.frame["timestamp"].iloc[-1]
    if cutoff > last:
        raise RecommenderDataError(
            f"cutoff {cutoff.date()} is after the data: the last purchase is on {last.date()}"
        )
    train = purchases.before(cutoff)
    if len(train) == 0:
        raise RecommenderDataError(
            f"no purchases before the cutoff {cutoff.date()}: the first purchase is on {first.date()}"
        )
    end = cutoff + pd.Timedelta(days=test_days) if test_days is not None else None
    test = purchases.between(cutoff, end)
    if len(test) == 0:
        raise RecommenderDataError(
            f"no purchases in the test window starting {cutoff.date()}"
            + (f" and lasting {test_days} days" if test_days else "")
        )
    return TimeSplit(train, test, catalog_from_transactions(raw, cutoff), cutoff, end)


def _timed(fits: dict[str, float], name: str, fit: Callable[[], object]):
    start = time.perf_counter()
    model = fit()
    fits[name] = round(time.perf_counter() - start, 3)
    return model


def _rank_static(scores: np.ndarray, users: list, train_matrix, users_index: IdIndex) -> list[list[int]]:
    """Top-K of one shared score vector per user, leaving out each user's past items."""
    positions = users_index.lookup(users)
    out = []
    for start in range(0, len(users), 1024):
        block = positions[start : start + 1024]
        tiled = np.broadcast_to(scores, (len(block), len(scores)))
        excluded = train_matrix[np.maximum(block, 0)]
        excluded = excluded.multiply((block >= 0)[:, None]).tocsr()
        excluded.eliminate_zeros()
        out.extend([[i for i in row if i >= 0] for row in top_n_rows(tiled, K, excluded)])
    return out


def for_you_users(split: TimeSplit) -> tuple[list, list[set], list, list[set]]:
    """(warm users, their new items, cold users, their items), sorted by user id."""
    past = split.train.frame.groupby("user_id")["item_id"].agg(set)
    bought = split.test.frame.groupby("user_id", sort=True)["item_id"].agg(set)
    warm, warm_truth, cold, cold_truth = [], [], [], []
    for user, items in bought.items():
        if user in past.index:
            new = items - past[user]
            if new:
                warm.append(user)
                warm_truth.append(new)
        else:
            cold.append(user)
            cold_truth.append(items)
    return warm, warm_truth, cold, cold_truth


def also_bought_report(neighbours: np.ndarray, index: IdIndex, test: Interactions) -> dict:
    """Hit rate and NDCG at K for 'also bought' lists, protocol in the module docstring."""
    frame = test.frame[["basket_id", "item_id"]].drop_duplicates()
    hit_rates, ndcgs, queries = [], [], 0
    for _, group in frame.groupby("basket_id", sort=True):
        items = group["item_id"].tolist()
        if len(items) < 2:
            continue
        positions = index.lookup(items)
        basket_hits, basket_ndcg = [], []
        for query, position in zip(items, positions):
            truth = set(items) - {query}
            ranked = [] if position < 0 else [index.ids[p] for p in neighbours[position] if p >= 0]
            scores = per_user_scores(ranked, truth, K)
            basket_hits.append(scores["hit_rate"])
            basket_ndcg.append(scores["ndcg"])
        queries += len(items)
        hit_rates.append(float(np.mean(basket_hits)))
        ndcgs.append(float(np.mean(basket_ndcg)))
    return {
        f"hit_rate@{K}": float(np.mean(hit_rates)) if hit_rates else 0.0,
        f"ndcg@{K}": float(np.mean(ndcgs)) if ndcgs else 0.0,
        "baskets": len(hit_rates),
        "queries": queries,
    }


def evaluate(
    path: str | Path,
    cutoff: str,
    test_days: int | None = None,
    recommendations_path: str | Path | None = None,
    blas_threads: int = 2,
) -> dict:
    """Fit every model on the train side and score it on the test side; JSON-ready result.

    Raises ``RecommenderDataError`` for unusable input (missing columns, empty
    train or test side, malformed cutoff).
    """
    when = parse_cutoff(cutoff)
    raw, purchases, cleaning = load_purchases(path)
    split = split_by_time(raw, purchases, when, test_days)
    fits: dict[str, float] = {}
    with threadpool_limits(limits=blas_threads):
        models = _fit_all(split, fits)
        warm, warm_truth, cold, cold_truth = for_you_users(split)
        result = {
            "data": _describe(path, split, cleaning.as_dict()),
            "config": PRODUCTION,
            "for_you": _for_you(models, split, warm, warm_truth),
            "cold_users": _cold(models, cold, cold_truth),
            "also_bought": _also_bought(models, split),
            "buy_again": _buy_again(models, split),
            "fit_seconds": fits | {"total": round(sum(fits.values()), 3)},
            "for_you_method": models["for_you"].method_,
        }
        if recommendations_path is not None:
            result["recommendations"] = write_recommendations(
                models["for_you"], warm + cold + _repeat_only(split, warm, cold), recommendations_path
            )
    return result


def _fit_all(split: TimeSplit, fits: dict[str, float]) -> dict:
    train, items = split.train, split.items
    c = PRODUCTION
    fitters = {
        "popularity": ("popularity_all_time", lambda: TrendingRecommender(None)),
        "trending": ("trending", lambda: TrendingRecommender(**c["trending"])),
        "svd": ("svd", lambda: PersonalRecommender(method="svd", **_MODEL_ALONE)),
        "ease": ("ease", lambda: PersonalRecommender(method="ease", **_MODEL_ALONE)),
        "for_you": ("for_you", lambda: PersonalRecommender(**c["for_you"])),
        "also_bought": ("also_bought", lambda: AlsoBoughtRecommender(**c["also_bought"])),
        "content": ("similar_products", lambda: ContentRecommender()),
        "buy_again": ("buy_again", lambda: BuyAgainRecommender(**c["buy_again"])),
    }
    return {
        key: _timed(fits, label, lambda make=make: make().fit(train, items))
        for key, (label, make) in fitters.items()
    }


def _describe(path, split: TimeSplit, cleaning: dict) -> dict:
    return {
        "path": str(path),
        "cutoff": str(split.cutoff.date()),
        "test_end": str(split.end.date()) if split.end is not None else "end of file",
        "cleaning": cleaning,
        "train_purchases": len(split.train),
        "test_purchases": len(split.test),
        "train_users": int(split.train.frame["user_id"].nunique()),
        "catalog_items": len(split.items),
    }


def _for_you(models: dict, split: TimeSplit, users: list, truth: list[set]) -> dict:
    personal: PersonalRecommender = models["for_you"]
    ids = personal.item_ids
    report = {"users": len(users), "models": {}}
    for name in ("popularity", "trending"):
        ranked = _rank_static(models[name].scores(), users, personal.matrix_, personal.users_)
        label = "popularity_all_time" if name == "popularity" else "trending_30d"
        report["models"][label] = shown_and_top_report([[ids[i] for i in r] for r in ranked], truth, len(ids))
    for name in ("svd", "ease", "for_you"):
        ranked = models[name].recommend_many(users, K)
        report["models"][name] = shown_and_top_report(
            [[ids[i] for i in ranked[u]] for u in users], truth, len(ids)
        )
    return report


def _cold(models: dict, users: list, truth: list[set]) -> dict:
    report = {"users": len(users), "models": {}}
    for name, label in (("popularity", "popularity_all_time"), ("trending", "trending_30d")):
        model = models[name]
        ranked = [r.item_id for r in model.recommend(None, K)]
        report["models"][label] = shown_and_top_report([ranked] * len(users), truth, len(model.item_ids))
    personal = models["for_you"]
    ranked = personal.recommend_many(users, K)
    report["models"]["for_you"] = shown_and_top_report(
        [[personal.item_ids[i] for i in ranked[u]] for u in users], truth, len(personal.item_ids)
    )
    return report


def _also_bought(models: dict, split: TimeSplit) -> dict:
    also: AlsoBoughtRecommender = models["also_bought"]
    index = also.items_
    popular = models["popularity"].scores()
    top = np.argsort(-popular, kind="stable")[: K + 1]
    # Popularity baseline: the K best-sellers other than the query itself.
    baseline = np.array([[p for p in top if p != q][:K] for q in range(len(index))])
    content = models["content"]
    return {
        "also_bought": also_bought_report(neighbour_lists(also, K), index, split.test),
        "co_purchase_only": also_bought_report(also.neighbours_[:, :K], index, split.test),
        "similar_products": also_bought_report(neighbour_lists(content, K), content.items_, split.test),
        "popularity_all_time": also_bought_report(baseline, index, split.test),
    }


def _buy_again(models: dict, split: TimeSplit) -> dict:
    past = split.train.frame.groupby("user_id")["item_id"].agg(set)
    bought = split.test.frame.groupby("user_id", sort=True)["item_id"].agg(set)
    users, truth = [], []
    for user, items in bought.items():
        again = items & past.get(user, set())
        if again:
            users.append(user)
            truth.append(again)
    model: BuyAgainRecommender = models["buy_again"]
    ranked = [[model.item_ids[i] for i in model.rank_positions(u, K)] for u in users]
    # Baseline: the user's past items, most baskets first.
    frequency = BuyAgainRecommender(half_life_days=None, repeat_weight=0.0).fit(split.train, split.items)
    ranked_freq = [[frequency.item_ids[i] for i in frequency.rank_positions(u, K)] for u in users]
    test_buyers = max(len(bought), 1)
    return {
        "users": len(users),
        "share_of_test_buyers_rebuying": len(users) / test_buyers,
        "models": {
            "buy_again": ranking_report(ranked, truth, K),
            "most_frequent": ranking_report(ranked_freq, truth, K),
        },
    }


def _repeat_only(split: TimeSplit, warm: list, cold: list) -> list:
    """Test-window buyers who are neither warm test users nor cold: they re-bought only."""
    seen = set(warm) | set(cold)
    return sorted(u for u in split.test.frame["user_id"].unique() if u not in seen)


def write_recommendations(model: PersonalRecommender, users: list, path: str | Path) -> dict:
    """``user_id,rank,item_id`` rows, top K per user, ids exactly as read from the file."""
    users = sorted(set(users))
    ranked = model.recommend_many(users, K)
    rows = 0
    with Path(path).open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "rank", "item_id"])
        for user in users:
            for rank, position in enumerate(ranked[user], start=1):
                writer.writerow([user, rank, model.item_ids[position]])
                rows += 1
    return {"path": str(path), "users": len(users), "rows": rows}


def format_report(result: dict) -> str:
    """A compact plain-text table of the headline numbers."""
    lines = [
        f"cutoff {result['data']['cutoff']} -> {result['data']['test_end']}: "
        f"{result['data']['train_purchases']} train / {result['data']['test_purchases']} test purchases, "
        f"{result['data']['catalog_items']} items",
        "",
        f"For you ({result['for_you']['users']} users with new items; production = "
        f"for_you/{result['for_you_method']})",
        (f"{'model':<22}{'P@10':>8}{'R@10':>8}{'NDCG@10':>9}{'HR@10':>8}{'MAP@10':>8}{'cov@10':>8}"
         f"{'NDCG@8':>8}{'HR@8':>8}{'cov@8':>8}"),
    ]
    lines += [_ranking_row(name, m) + _shown_columns(m) for name, m in result["for_you"]["models"].items()]
    lines += ["", f"Cold users ({result['cold_users']['users']})"]
    lines += [_ranking_row(name, m) + _shown_columns(m) for name, m in result["cold_users"]["models"].items()]
    first = next(iter(result["also_bought"].values()))
    lines += [
        "",
        f"Also bought ({first['baskets']} baskets, {first['queries']} queries)",
        f"{'model':<22}{'HR@10':>8}{'NDCG@10':>9}",
    ]
    for name, m in result["also_bought"].items():
        lines.append(f"{name:<22}{m['hit_rate@10']:>8.4f}{m['ndcg@10']:>9.4f}")
    lines += ["", f"Buy again ({result['buy_again']['users']} users re-buying)"]
    lines += [_ranking_row(name, m) for name, m in result["buy_again"]["models"].items()]
    fits = ", ".join(f"{k} {v:.2f}s" for k, v in result["fit_seconds"].items())
    lines += ["", f"fit: {fits}"]
    return "\n".join(lines)


def _shown_columns(m: dict) -> str:
    """Coverage at 10, then NDCG, hit rate and coverage at the length a rail shows."""
    return (f"{m['coverage@10']:>8.3f}{m[f'ndcg@{SHOWN_K}']:>8.4f}{m[f'hit_rate@{SHOWN_K}']:>8.4f}"
            f"{m[f'coverage@{SHOWN_K}']:>8.3f}")


def _ranking_row(name: str, m: dict) -> str:
    return (
        f"{name:<22}{m['precision@10']:>8.4f}{m['recall@10']:>8.4f}{m['ndcg@10']:>9.4f}"
        f"{m['hit_rate@10']:>8.4f}{m['map@10']:>8.4f}"
    )
