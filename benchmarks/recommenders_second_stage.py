"""A second stage for "Recommended for you": candidates from several generators, ranked by
gradient-boosted trees trained on several time splits inside the training window, then
re-rankings of the learned score for catalog coverage (exposure costs, caps, reserved slots).

    .venv/bin/python -m benchmarks.recommenders_second_stage [--month 2011-09-01] [--splits 3]
        [--variants ... | --preset september|october] [--out PATH] [--cache DIR]

Protocol: the one of benchmarks/recommenders_coverage.py (the demo's consenting 60% of
customers; train before the cutoff; test on the new products they bought in the next 30 days,
October to the end of the file). September (cutoff 2011-09-01) chooses; October (2011-10-01) is
run once per finalist, never to tune.

Per snapshot (a cutoff t and the purchases before it) the script fits the production "for you"
model and "also bought", scores every customer by ten generators (the production blend, EASE
alone, the RP3beta graph alone, also-bought neighbours of the profile, text similarity to the
profile, category affinity x the product's popularity within its category, trending, rising
demand, new products matched to the profile, and EASE from the customer's last basket), takes
the union of each generator's top K as the candidates, and describes each candidate by every
generator's score and rank, the product (buyers in 7/30/90 days and all time, days since its
first and last sale, repeat rate, median price, novelty) and the customer (tenure, baskets,
days since the last one, history size, the candidate's category's share of the history, the
last basket's size). The labels of a snapshot are the new products each customer bought in the
30 days after t. The ranker is trained on the snapshots t = cutoff - 30, - 60, ... days (each
window ends before the cutoff) and applied to the snapshot at the cutoff.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "online-retail" / "online_retail.csv.xz"
OUT = ROOT / "benchmarks" / "results" / "recommenders_second_stage.json"
CACHE = Path("/tmp/recommenders_second_stage")
CONSENT_SHARE = 0.6
LABEL_DAYS = 30
SHOWN = 8  # products a rail shows
SEED = 7

# Top K of each generator that enters the candidate pool.
SOURCES = {
    "blend": 50, "ease": 30, "graph": 30, "also": 30, "text": 20, "category": 20,
    "last_basket": 20, "trending": 20, "rising": 20, "new_match": 20,
}


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Rank of every item in its row (0 = best), ties by position."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ranks = np.empty(order.shape, dtype=np.int32)
    np.put_along_axis(ranks, order, np.arange(scores.shape[1], dtype=np.int32)[None, :].repeat(scores.shape[0], 0),
                      axis=1)
    return ranks


def _buyers_since(frame: pd.DataFrame, index, now: pd.Timestamp, days: float | None) -> np.ndarray:
    if days is not None:
        frame = frame[frame["timestamp"] > now - pd.Timedelta(days=days)]
    pairs = frame[["user_id", "item_id"]].drop_duplicates()
    positions = index.lookup(pairs["item_id"].to_numpy())
    return np.bincount(positions[positions >= 0], minlength=len(index)).astype(np.float64)


def snapshot(raw: pd.DataFrame, purchases, cutoff: pd.Timestamp, label_end: pd.Timestamp | None) -> dict:
    """Candidates, features and labels of every customer who bought before ``cutoff`` and
    bought a product new to them in [cutoff, label_end)."""
    from personalization.recommendations.recommenders import AlsoBoughtRecommender, PersonalRecommender
    from personalization.recommendations.recommenders.data import catalog_from_transactions
    from personalization.recommendations.recommenders.evaluation import PRODUCTION
    from personalization.recommendations.recommenders.ranking import normalise_rows

    train = purchases.before(cutoff)
    test = purchases.between(cutoff, label_end)
    items = catalog_from_transactions(raw, cutoff)
    past = train.frame.groupby("user_id")["item_id"].agg(set)
    bought = test.frame.groupby("user_id", sort=True)["item_id"].agg(set)
    users, truth = [], []
    for user, got in bought.items():
        if user in past.index and got - past[user]:
            users.append(user)
            truth.append(got - past[user])
    started = time.perf_counter()
    model = PersonalRecommender(**PRODUCTION["for_you"]).fit(train, items)
    also = AlsoBoughtRecommender(**{**PRODUCTION["also_bought"], "content_fill": False}).fit(train, items)
    fit_seconds = time.perf_counter() - started
    ids = model.item_ids
    n_items = len(ids)
    positions = model.users_.lookup(users)
    rows = model.profiles_[positions]
    parts = {name: np.broadcast_to(part, (len(users), n_items)).astype(np.float32)
             for name, part in model.score_parts(rows).items()}
    frame = train.frame
    now = model.now_

    # Generators, users x items.
    valid = also.neighbours_.ravel() >= 0
    neighbours = sparse.csr_matrix(
        (also.scores_.ravel()[valid], (np.repeat(np.arange(n_items), also.neighbours_.shape[1])[valid],
                                       also.neighbours_.ravel()[valid])),
        shape=(n_items, n_items), dtype=np.float32)
    categories = pd.Index(sorted(items["category"].unique()))
    item_category = categories.get_indexer(
        items.set_index("item_id").reindex(ids)["category"].fillna("OTHER")).clip(0)
    history = model.matrix_[positions].tocoo()
    affinity = np.zeros((len(users), len(categories)))
    np.add.at(affinity, (history.row, item_category[history.col]), 1.0)
    affinity /= np.maximum(affinity.sum(axis=1, keepdims=True), 1.0)
    recent = model.trending_.buyers_
    best_in_category = np.zeros(len(categories))
    np.maximum.at(best_in_category, item_category, recent)
    category_popularity = recent / np.maximum(best_in_category[item_category], 1.0)
    last_time = frame.groupby("user_id")["timestamp"].max()
    last_lines = frame[frame["timestamp"] == frame["user_id"].map(last_time)]
    last_rows = model.users_.lookup(last_lines["user_id"].to_numpy())
    last_matrix = sparse.csr_matrix(
        (np.ones(len(last_lines), dtype=np.float32), (last_rows, model.items_.lookup(last_lines["item_id"]))),
        shape=(len(model.users_), n_items))
    last_matrix.data[:] = 1.0
    last = last_matrix[positions]
    text = model.text_match(rows)
    sources = {
        "blend": parts["personal"] + parts["trending"] + parts["new"],
        "ease": normalise_rows(model.scorer_.score(rows)),
        "graph": normalise_rows(model.graph_.score(rows)),
        "also": normalise_rows(np.asarray((rows @ neighbours).toarray(), dtype=np.float32)),
        "text": text,
        "category": (affinity[:, item_category] * category_popularity[None, :]).astype(np.float32),
        "last_basket": normalise_rows(model.scorer_.score(last)),
        "trending": np.broadcast_to(model.trending_scores_, (len(users), n_items)).astype(np.float32),
        "rising": np.broadcast_to(model.rising_scores_, (len(users), n_items)).astype(np.float32),
        "new_match": (model.novelty_scores_[None, :] * text).astype(np.float32),
    }
    excluded = model.matrix_[positions].tocoo()
    for scores in sources.values():
        scores[excluded.row, excluded.col] = -np.inf
    ranks = {name: _ranks(scores) for name, scores in sources.items()}
    in_pool = np.zeros((len(users), n_items), dtype=np.int16)
    for name, k in SOURCES.items():
        in_pool += ranks[name] < k
    user_rows, item_cols = np.nonzero(in_pool)

    # Product features.
    buyers = {days: _buyers_since(frame, model.items_, now, days) for days in (7, 30, 90, None)}
    per_item = frame.groupby("item_id")["timestamp"].agg(["min", "max"])
    first = np.full(n_items, 9999.0)
    latest = np.full(n_items, 9999.0)
    known = model.items_.lookup(per_item.index)
    first[known[known >= 0]] = ((now - per_item["min"]) / pd.Timedelta(days=1)).to_numpy()[known >= 0]
    latest[known[known >= 0]] = ((now - per_item["max"]) / pd.Timedelta(days=1)).to_numpy()[known >= 0]
    baskets_per_pair = frame.groupby(["user_id", "item_id"])["basket_id"].nunique()
    repeat = (baskets_per_pair > 1).groupby(level="item_id").mean()
    repeat_rate = np.zeros(n_items)
    known = model.items_.lookup(repeat.index)
    repeat_rate[known[known >= 0]] = repeat.to_numpy()[known >= 0]
    prices = raw.loc[raw["StockCode"].isin(set(ids)), ["StockCode", "UnitPrice", "InvoiceDate"]]
    prices = prices[pd.to_datetime(prices["InvoiceDate"], format="mixed") < cutoff]
    median_price = pd.to_numeric(prices["UnitPrice"], errors="coerce").groupby(prices["StockCode"]).median()
    price = np.log1p(median_price.reindex(ids).fillna(0).clip(lower=0).to_numpy())

    # Customer features.
    per_user = frame.groupby("user_id").agg(start=("timestamp", "min"), end=("timestamp", "max"),
                                            baskets=("basket_id", "nunique"), items=("item_id", "nunique"))
    per_user = per_user.reindex(users)
    tenure = ((now - per_user["start"]) / pd.Timedelta(days=1)).to_numpy()
    recency = ((now - per_user["end"]) / pd.Timedelta(days=1)).to_numpy()
    last_size = np.diff(last.indptr)

    columns, names = [], []
    for name in SOURCES:
        columns += [sources[name][user_rows, item_cols], np.log1p(ranks[name][user_rows, item_cols])]
        names += [f"{name}_score", f"{name}_rank"]
    for name in ("personal", "trending", "new"):
        columns.append(parts[name][user_rows, item_cols])
        names.append(f"part_{name}")
    columns += [in_pool[user_rows, item_cols]]
    names += ["sources"]
    for days, counts in buyers.items():
        columns.append(np.log1p(counts[item_cols]))
        names.append(f"buyers_{days or 'all'}")
    columns += [first[item_cols], latest[item_cols], repeat_rate[item_cols], price[item_cols],
                model.novelty_scores_[item_cols], model.rising_scores_[item_cols]]
    names += ["days_since_first_sale", "days_since_last_sale", "repeat_rate", "log_price", "novelty", "rising"]
    columns += [tenure[user_rows], np.log1p(per_user["baskets"].to_numpy()[user_rows]), recency[user_rows],
                np.log1p(per_user["items"].to_numpy()[user_rows]), affinity[user_rows, item_category[item_cols]],
                last_size[user_rows]]
    names += ["tenure", "baskets", "recency", "history", "category_share", "last_basket_size"]
    features = np.column_stack(columns).astype(np.float32)
    features[~np.isfinite(features)] = -1.0
    truth_positions = [set(model.items_.lookup(list(t))) - {-1} for t in truth]
    labels = np.array([c in truth_positions[u] for u, c in zip(user_rows, item_cols)], dtype=np.int8)
    return {
        "cutoff": str(cutoff.date()), "users": users, "truth": truth, "item_ids": ids,
        "user_rows": user_rows.astype(np.int32), "item_cols": item_cols.astype(np.int32),
        "features": features, "names": names, "labels": labels, "item_category": item_category,
        "blend_top": np.argsort(-sources["blend"], axis=1, kind="stable")[:, :50],
        "fit_seconds": round(fit_seconds, 2),
        "pool_recall": float(labels.sum(dtype=np.int64)) / max(sum(len(t) for t in truth_positions), 1),
    }


def cached_snapshot(raw, purchases, cutoff: pd.Timestamp, label_end, cache: Path) -> dict:
    path = cache / f"snapshot_{cutoff.date()}_{label_end.date() if label_end is not None else 'end'}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    result = snapshot(raw, purchases, cutoff, label_end)
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(result))
    return result


def _pairwise(features: np.ndarray, labels: np.ndarray, groups: np.ndarray, rng, per_positive: int = 8):
    """Within each customer, each bought candidate against `per_positive` random others:
    feature differences, labelled 1 (bought minus other) and 0 (other minus bought)."""
    pos, neg = [], []
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(groups)]
    for start, end in zip(starts, ends):
        block = labels[start:end]
        good = np.flatnonzero(block) + start
        bad = np.flatnonzero(block == 0) + start
        if not len(good) or not len(bad):
            continue
        for g in good:
            pos.append(np.full(per_positive, g))
            neg.append(rng.choice(bad, per_positive))
    pos, neg = np.concatenate(pos), np.concatenate(neg)
    diff = features[pos] - features[neg]
    return np.vstack([diff, -diff]), np.r_[np.ones(len(diff)), np.zeros(len(diff))]


def train_ranker(train_snaps: list[dict], kind: str, params: dict):
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    keep = _kept_columns(train_snaps[0]["names"], params.get("drop", ""))
    features = np.vstack([s["features"][:, keep] for s in train_snaps])
    labels = np.concatenate([s["labels"] for s in train_snaps])
    offset, groups = 0, []
    for s in train_snaps:
        groups.append(s["user_rows"].astype(np.int64) + offset)
        offset += len(s["users"])
    groups = np.concatenate(groups)
    common = {"max_iter": params.get("iters", 300), "learning_rate": params.get("lr", 0.05),
              "max_leaf_nodes": params.get("leaves", 31), "min_samples_leaf": params.get("min_leaf", 50),
              "l2_regularization": 1.0, "random_state": SEED, "early_stopping": False}
    if kind == "classifier":
        return HistGradientBoostingClassifier(**common).fit(features, labels)
    if kind == "weighted":
        # The classifier with each customer weighing the same in total, whatever their pool size
        # and however many products they bought.
        positives = np.bincount(groups, weights=labels, minlength=offset)
        rows = np.bincount(groups, minlength=offset)
        weight = np.where(labels == 1, 1.0 / np.maximum(positives[groups], 1), 1.0 / np.maximum(rows[groups], 1))
        return HistGradientBoostingClassifier(**common).fit(features, labels, sample_weight=weight * len(groups)
                                                            / weight.sum())
    if kind == "graded":
        # Each customer weighs the same in total, split over their bought candidates (the
        # NDCG ideal): a regressor on 1 / min(bought, 10) for bought candidates, 0 otherwise.
        positives = np.bincount(groups, weights=labels, minlength=offset)
        target = labels / np.maximum(np.minimum(positives[groups], 10), 1)
        return HistGradientBoostingRegressor(**common).fit(features, target)
    if kind == "pairwise":
        diff, target = _pairwise(features, labels, groups, np.random.default_rng(SEED))
        return HistGradientBoostingClassifier(**common).fit(diff, target)
    raise ValueError(kind)


def _kept_columns(names: list[str], drop: str) -> np.ndarray:
    """Feature columns left after dropping every name that starts with one of the '+'-separated
    prefixes in `drop` (for ablations, e.g. 'last_basket+recency')."""
    prefixes = tuple(p for p in drop.split("+") if p)
    return np.array([i for i, name in enumerate(names) if not (prefixes and name.startswith(prefixes))])


def predict(ranker, kind: str, snap: dict, drop: str = "") -> np.ndarray:
    features = snap["features"][:, _kept_columns(snap["names"], drop)]
    if kind in ("classifier", "weighted"):
        return ranker.predict_proba(features)[:, 1]
    if kind == "graded":
        return ranker.predict(features)
    # Pairwise: each candidate against the customer's mean candidate.
    groups = snap["user_rows"]
    counts = np.bincount(groups, minlength=len(snap["users"]))[:, None]
    means = np.zeros((len(snap["users"]), features.shape[1]))
    np.add.at(means, groups, features)
    means /= np.maximum(counts, 1)
    return ranker.predict_proba(features - means[groups].astype(np.float32))[:, 1]


def dense_scores(snap: dict, values: np.ndarray, scale: bool = True) -> np.ndarray:
    """Users x items, -inf outside each customer's candidates; each row scaled to a maximum of 1
    (for values that are all positive)."""
    out = np.full((len(snap["users"]), len(snap["item_ids"])), -np.inf, dtype=np.float32)
    out[snap["user_rows"], snap["item_cols"]] = values
    if not scale:
        return out
    top = np.max(np.where(np.isfinite(out), out, -np.inf), axis=1, keepdims=True)
    return out / np.where(top > 0, top, 1.0)


def exposure_rerank(scores: np.ndarray, k: int, strength: float, pool: int = 100) -> np.ndarray:
    """Greedy across customers (in id order): a product's score is lowered by `strength` x its
    share of the lists so far, so products everyone is shown make room for each one's next-best."""
    shown = np.zeros(scores.shape[1], dtype=np.float64)
    out = np.full((scores.shape[0], k), -1, dtype=np.int64)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :pool]
    for user in range(scores.shape[0]):
        candidates = order[user][np.isfinite(scores[user, order[user]])]
        adjusted = scores[user, candidates] - strength * shown[candidates] / (user + 1)
        best = candidates[np.argsort(-adjusted, kind="stable")[:k]]
        out[user, : len(best)] = best
        shown[best] += 1
    return out


def capped_assignment(scores: np.ndarray, k: int, cap: int) -> np.ndarray:
    """Across all customers at once: (customer, product) pairs are taken in order of score, a
    product at most `cap` times and a customer at most `k` times; customers left short are
    filled with their best remaining candidates regardless of the cap. Each list is then
    ordered by score. With comparable scores (a classifier's probabilities) this maximises
    the expected hits for a given spread of the catalog."""
    users, items = np.nonzero(np.isfinite(scores))
    values = scores[users, items]
    order = np.lexsort((items, users, -values))
    taken = np.zeros(scores.shape[0], dtype=np.int64)
    used = np.zeros(scores.shape[1], dtype=np.int64)
    chosen = np.zeros(len(values), dtype=bool)
    for index in order:
        user, item = users[index], items[index]
        if taken[user] < k and used[item] < cap:
            chosen[index] = True
            taken[user] += 1
            used[item] += 1
    for index in order:
        user = users[index]
        if taken[user] < k and not chosen[index]:
            chosen[index] = True
            taken[user] += 1
    picked = np.full(scores.shape, -np.inf, dtype=np.float32)
    picked[users[chosen], items[chosen]] = values[chosen]
    out = np.argsort(-picked, axis=1, kind="stable")[:, :k]
    return np.where(np.isfinite(np.take_along_axis(picked, out, axis=1)), out, -1)


def reserved_slots(scores: np.ndarray, k: int, reserve: int, cap: int = 1, extra: float = 0.0) -> np.ndarray:
    """Each list keeps its top k - `reserve` by score; its last `reserve` slots go to products no
    list holds yet, each to at most `cap` customers, assigned across all customers at once in
    order of score (so a product goes to whoever it suits best). The share `extra` of customers
    whose last kept product scores lowest gives up one more slot the same way."""
    head = np.argsort(-scores, axis=1, kind="stable")[:, : k - reserve]
    head = np.where(np.isfinite(np.take_along_axis(scores, head, axis=1)), head, -1)
    wanted = np.full(scores.shape[0], reserve)
    if extra:
        last_kept = np.take_along_axis(scores, np.maximum(head[:, -1:], 0), axis=1)[:, 0]
        weakest = np.lexsort((np.arange(scores.shape[0]), last_kept))[: int(round(extra * scores.shape[0]))]
        head[weakest, -1] = -1
        wanted[weakest] += 1
    used = np.zeros(scores.shape[1], dtype=np.int64)
    used[np.unique(head[head >= 0])] = cap
    rest = scores.copy()
    kept_users, kept_slots = np.nonzero(head >= 0)
    rest[kept_users, head[kept_users, kept_slots]] = -np.inf
    users, items = np.nonzero(np.isfinite(rest))
    values = rest[users, items]
    tail = [[] for _ in range(scores.shape[0])]
    for index in np.lexsort((items, users, -values)):
        user, item = users[index], items[index]
        if len(tail[user]) < wanted[user] and used[item] < cap:
            tail[user].append(item)
            used[item] += 1
    out = np.full((scores.shape[0], k), -1, dtype=np.int64)
    for user in range(scores.shape[0]):
        row = [i for i in head[user] if i >= 0] + tail[user]
        if len(row) < k:  # too few unused products among the candidates: the next best
            row += [i for i in np.argsort(-rest[user], kind="stable") if np.isfinite(rest[user, i])
                    and i not in row][: k - len(row)]
        out[user, : len(row)] = row[:k]
    return out


def reserved_in_shown(scores: np.ndarray, k: int, shown: int, reserve: int, cap: int = 1,
                      extra: float = 0.0) -> np.ndarray:
    """`reserved_slots` within the first `shown` products (what a rail shows), then the next
    best by score up to `k`."""
    head = reserved_slots(scores, shown, reserve, cap, extra)
    out = np.full((scores.shape[0], k), -1, dtype=np.int64)
    out[:, :shown] = head
    rest = scores.copy()
    users, slots = np.nonzero(head >= 0)
    rest[users, head[users, slots]] = -np.inf
    more = np.argsort(-rest, axis=1, kind="stable")[:, : k - shown]
    out[:, shown:] = np.where(np.isfinite(np.take_along_axis(rest, more, axis=1)), more, -1)
    return out


def calibrated_rerank(scores: np.ndarray, item_category: np.ndarray, affinity: np.ndarray, k: int,
                      strength: float, pool: int = 100) -> np.ndarray:
    """Per customer: pick greedily to keep the list's category mix near the history's
    (a pick costs `strength` x how far its category already exceeds its share of the history)."""
    out = np.full((scores.shape[0], k), -1, dtype=np.int64)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :pool]
    for user in range(scores.shape[0]):
        candidates = [c for c in order[user] if np.isfinite(scores[user, c])]
        used: dict[int, int] = {}
        for slot in range(min(k, len(candidates))):
            def value(c, user=user, used=used):
                cat = item_category[c]
                return scores[user, c] - strength * max(0.0, (used.get(cat, 0) + 1) / k - affinity[user].get(cat, 0.0))
            best = max(candidates, key=value)
            out[user, slot] = best
            used[item_category[best]] = used.get(item_category[best], 0) + 1
            candidates.remove(best)
    return out


def score_lists(snap: dict, ranked: np.ndarray) -> dict:
    from personalization.recommendations.recommenders.metrics import shown_and_top_report

    ids = snap["item_ids"]
    report = shown_and_top_report([[ids[i] for i in row if i >= 0] for row in ranked], snap["truth"], len(ids))
    return {key: round(float(value), 5) for key, value in report.items()}


def paired_difference(snap: dict, ranked: np.ndarray, reference: np.ndarray) -> dict:
    """Mean per-customer NDCG@10 of `ranked` minus that of `reference` (the production lists), and
    the standard error of that mean: how far one month's difference is from noise."""
    from personalization.recommendations.recommenders.metrics import per_user_scores

    ids = snap["item_ids"]
    diffs = np.array([
        per_user_scores([ids[i] for i in mine if i >= 0], truth, 10)["ndcg"]
        - per_user_scores([ids[i] for i in theirs if i >= 0], truth, 10)["ndcg"]
        for mine, theirs, truth in zip(ranked, reference, snap["truth"])
    ])
    return {"ndcg@10_minus_production": round(float(diffs.mean()), 5),
            "ndcg@10_minus_production_se": round(float(diffs.std(ddof=1) / np.sqrt(len(diffs))), 5)}


def _affinity(snap: dict) -> list[dict]:
    """Each customer's category shares over their candidates' `category_share` feature."""
    column = snap["names"].index("category_share")
    out = [dict() for _ in snap["users"]]
    cats = snap["item_category"][snap["item_cols"]]
    for u, c, share in zip(snap["user_rows"], cats, snap["features"][:, column]):
        out[u][int(c)] = float(share)
    return out


def _standardise(snap: dict, values: np.ndarray) -> np.ndarray:
    """Each customer's candidate values minus their mean, over their standard deviation."""
    groups = snap["user_rows"]
    counts = np.maximum(np.bincount(groups, minlength=len(snap["users"])), 1)
    mean = np.bincount(groups, weights=values, minlength=len(counts)) / counts
    spread = np.sqrt(np.bincount(groups, weights=(values - mean[groups]) ** 2, minlength=len(counts)) / counts)
    return ((values - mean[groups]) / np.maximum(spread[groups], 1e-9)).astype(np.float32)


def _reserve_options(tail: str) -> tuple[int, int, float]:
    """'reserve=R[/CAP[/EXTRA]]' -> (R, CAP, EXTRA), CAP 1 and EXTRA 0 by default."""
    given = tail.split("=")[1].split("/")
    defaults = ["1", "1", "0"]
    reserve, cap, extra = given + defaults[len(given):]
    return int(reserve), int(cap), float(extra)


def run(month: str, splits: int, variants: list[str], raw, purchases, cache: Path) -> dict:
    cutoff = pd.Timestamp(month)
    end = cutoff + pd.Timedelta(days=LABEL_DAYS) if month < "2011-10-01" else None
    started = time.perf_counter()
    target = cached_snapshot(raw, purchases, cutoff, end, cache)
    inner = []
    for step in range(1, splits + 1):
        start = cutoff - pd.Timedelta(days=LABEL_DAYS * step)
        inner.append(cached_snapshot(raw, purchases, start, start + pd.Timedelta(days=LABEL_DAYS), cache))
    snap_seconds = round(time.perf_counter() - started, 1)
    result = {"cutoff": month, "users": len(target["users"]), "inner_splits": [s["cutoff"] for s in inner],
              "inner_users": [len(s["users"]) for s in inner], "candidates_per_user":
              round(len(target["labels"]) / len(target["users"]), 1), "pool_recall": round(target["pool_recall"], 4),
              "snapshot_seconds": snap_seconds, "fit_seconds_one_snapshot": target["fit_seconds"], "variants": {}}
    print(f"{month}: {result['users']} customers, {result['candidates_per_user']} candidates each, "
          f"{result['pool_recall']:.3f} of their new products in the pool; inner splits {result['inner_splits']} "
          f"({result['inner_users']} customers)", flush=True)
    blend_column = target["names"].index("blend_score")
    learned: dict[str, np.ndarray] = {}
    raw_values: dict[str, np.ndarray] = {}
    for variant in variants:
        started = time.perf_counter()
        kind, _, tail = variant.partition("@")
        if kind == "production" and tail.startswith("reserve"):
            reserve, cap, extra = _reserve_options(tail)
            blend = dense_scores(target, target["features"][:, blend_column], scale=False)
            ranked = (reserved_in_shown(blend, 10, SHOWN, reserve, cap, extra) if tail.startswith("reserve8=")
                      else reserved_slots(blend, 10, reserve, cap, extra))
        elif kind == "production":
            ranked = target["blend_top"][:, :10]
        elif kind == "production_pool":
            ranked = np.argsort(-dense_scores(target, target["features"][:, blend_column]), axis=1,
                                kind="stable")[:, :10]
        elif kind.startswith("production_exposure"):
            strength = float(tail)
            ranked = exposure_rerank(dense_scores(target, target["features"][:, blend_column]), 10, strength)
        else:
            model_kind, _, options = kind.partition(":")
            key = f"{model_kind}:{options}"
            if key not in learned:
                params = dict(pair.split("=") for pair in options.split(",") if pair)
                params = {k: v if k == "drop" else float(v) if "." in v else int(v) for k, v in params.items()}
                fit_started = time.perf_counter()
                ranker = train_ranker(inner, model_kind, params)
                result.setdefault("ranker_fit_seconds", {})[key] = round(time.perf_counter() - fit_started, 1)
                values = predict(ranker, model_kind, target, params.get("drop", ""))
                values = values - values.min() + 1e-6  # positive, for the row scaling
                raw_values[key] = values.astype(np.float32)
                learned[key] = dense_scores(target, values.astype(np.float32))
            scores, values = learned[key], raw_values[key]
            if tail.startswith("blend="):
                # The learned score fused with the production blend, each standardised within the
                # customer's candidates: z(learned) + w x z(blend); then, after a '+', a re-ranking.
                weight, _, tail = tail.partition("+")
                values = _standardise(target, values) + float(weight.split("=")[1]) * _standardise(
                    target, target["features"][:, blend_column])
                values = values - values.min() + 1e-6
                scores = dense_scores(target, values)
            if not tail:
                ranked = np.argsort(-scores, axis=1, kind="stable")[:, :10]
            elif tail.startswith("exposure="):
                ranked = exposure_rerank(scores, 10, float(tail.split("=")[1]))
            elif tail.startswith("cap="):
                # Raw predictions, comparable across customers (not scaled per row).
                raw_scores = dense_scores(target, values, scale=False)
                ranked = capped_assignment(raw_scores, 10, int(tail.split("=")[1]))
            elif tail.startswith("reserve8="):
                reserve, cap, extra = _reserve_options(tail)
                ranked = reserved_in_shown(dense_scores(target, values, scale=False), 10, SHOWN, reserve, cap, extra)
            elif tail.startswith("reserve="):
                reserve, cap, extra = _reserve_options(tail)
                ranked = reserved_slots(dense_scores(target, values, scale=False), 10, reserve, cap, extra)
            elif tail.startswith("calibrated="):
                ranked = calibrated_rerank(scores, target["item_category"], _affinity(target), 10,
                                           float(tail.split("=")[1]))
            else:
                ranked = np.argsort(-scores, axis=1, kind="stable")[:, :10]
        figures = score_lists(target, ranked)
        figures["seconds"] = round(time.perf_counter() - started, 1)
        figures.update(paired_difference(target, ranked, target["blend_top"][:, :10]))
        result["variants"][variant] = figures
        print(f"{month} {variant:<44} NDCG@10 {figures['ndcg@10']:.4f} HR@10 {figures['hit_rate@10']:.4f} "
              f"cov@10 {figures['coverage@10']:.3f} | NDCG@8 {figures['ndcg@8']:.4f} HR@8 "
              f"{figures['hit_rate@8']:.4f} cov@8 {figures['coverage@8']:.3f} ({figures['seconds']} s)", flush=True)
    return result


DEFAULT_VARIANTS = ["production", "production_pool", "classifier:", "graded:", "pairwise:"]
CHOSEN = "classifier:iters=500,lr=0.03,leaves=15,min_leaf=100"
# What docs/recommenders.md reports for five inner splits: --preset september chooses,
# --preset october runs the finalists once.
PRESETS = {
    "september": ["production", "classifier:iters=150", "classifier:iters=300,leaves=15",
                  "classifier:iters=300,min_leaf=200", CHOSEN, "weighted:iters=500,lr=0.03,leaves=15,min_leaf=100",
                  "graded:iters=150,leaves=15,min_leaf=200", "graded:iters=500,lr=0.03,leaves=15,min_leaf=100",
                  "pairwise:iters=150", "pairwise:iters=300,leaves=15,min_leaf=200",
                  "pairwise:iters=500,lr=0.03,leaves=15,min_leaf=100", "production_exposure@8"]
    + [f"{CHOSEN}@exposure={s}" for s in (0.5, 1, 2, 4, 8)] + [f"{CHOSEN}@calibrated=0.5"]
    + [f"{CHOSEN}@cap={c}" for c in (100, 50, 30, 20, 12, 8, 5)]
    + [f"{CHOSEN}@reserve={r}" for r in ("1", "1/1/0.1", "1/1/0.2", "1/1/0.3", "2", "2/2/1", "3", "4")]
    + [f"{CHOSEN}@reserve8={r}" for r in ("1", "2", "1/1/0.3")]
    + [f"production@{r}" for r in ("reserve=1", "reserve=1/1/0.2", "reserve=2", "reserve8=1", "reserve8=2")]
    + [f"{CHOSEN}@blend={w}" for w in (0.5, 1, 2)]
    + [f"{CHOSEN}@blend=1+{r}" for r in ("reserve=1/1/0.2", "reserve=1/1/0.3", "reserve=1/1/0.5", "reserve=2",
                                         "reserve8=1/1/0.3", "reserve8=1/1/0.4", "reserve8=1/1/0.6", "reserve8=2")]
    + [f"{CHOSEN},drop=last_basket+recency", f"{CHOSEN},drop=last_basket+recency@blend=1"],
    "october": ["production", CHOSEN, f"{CHOSEN}@reserve=1/1/0.2", f"{CHOSEN}@reserve=2", f"{CHOSEN}@exposure=8",
                "graded:iters=150,leaves=15,min_leaf=200", "pairwise:iters=300,leaves=15,min_leaf=200",
                "production@reserve=1", "production@reserve=1/1/0.2", "production@reserve=2",
                "production@reserve8=1", "production@reserve8=2", f"{CHOSEN}@reserve8=1/1/0.3",
                f"{CHOSEN}@blend=1", f"{CHOSEN}@blend=1+reserve8=1/1/0.6", f"{CHOSEN}@blend=1+reserve=2"],
}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--month", default="2011-09-01")
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--variants", default=",".join(DEFAULT_VARIANTS).replace(",", ";"),
                        help="';'-separated: production, production_pool, production_exposure@S, "
                             "KIND:opts[@exposure=S|@calibrated=S] with KIND classifier, graded or pairwise "
                             "and opts like iters=300,lr=0.05,leaves=31,min_leaf=50")
    parser.add_argument("--preset", choices=sorted(PRESETS), help="the variants docs/recommenders.md reports "
                        "(overrides --variants; use with --splits 5 and the matching --month)")
    parser.add_argument("--cache", default=str(CACHE))
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    _setup()
    from benchmarks.recommenders_coverage import consented
    from personalization.recommendations.recommenders.data import load_purchases

    with threadpool_limits(limits=2):
        raw, purchases, _ = load_purchases(args.data)
        purchases = consented(purchases, CONSENT_SHARE)
        variants = PRESETS[args.preset] if args.preset else args.variants.split(";")
        result = run(args.month, args.splits, variants, raw, purchases, Path(args.cache))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous.setdefault("consent_share", CONSENT_SHARE)
    month = previous.setdefault("months", {}).setdefault(args.month, {})
    variants = {**month.get("variants", {}), **result.pop("variants")}
    month.update(result)
    month["variants"] = variants
    out.write_text(json.dumps(previous, indent=2) + "\n")
    print(f"written to {out}")
    return previous


if __name__ == "__main__":
    main()
