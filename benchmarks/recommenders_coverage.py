"""Coverage experiments for "Recommended for you": re-rankings of the production scores, tuned on
September and run once on October, on the consented share of customers as the shop trains.

    .venv/bin/python -m benchmarks.recommenders_coverage [--data PATH] [--months 2011-09-01,2011-10-01]

Protocol: train on the consenting customers' purchases before the cutoff, test on the new
products those customers bought in the next 30 days (October: to the end of the file); the
consenting share is the demo's (0.6, the same stable hash of the customer number). Every
variant re-ranks the production model's blended scores of the same users, so the figures
differ only by the re-ranking. Prints and writes NDCG, hit rate and catalog coverage at 8 and 10.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "online-retail" / "online_retail.csv.xz"
OUT = ROOT / "benchmarks" / "results" / "recommenders_coverage.json"
CONSENT_SHARE = 0.6


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def consented(purchases, share: float):
    from personalization.recommendations.demo import customer_in_share
    from personalization.recommendations.recommenders import Interactions

    frame = purchases.frame
    users = frame["user_id"].unique()
    keep = {u for u in users if customer_in_share(str(u), share)}
    return Interactions(frame[frame["user_id"].isin(keep)].reset_index(drop=True))


def _popularity_penalty(model, strength: float) -> np.ndarray:
    """log(1 + distinct buyers), scaled to [0, 1], times `strength`."""
    buyers = np.asarray((model.matrix_ > 0).sum(axis=0)).ravel().astype(np.float64)
    scaled = np.log1p(buyers) / max(np.log1p(buyers).max(), 1e-9)
    return (strength * scaled).astype(np.float32)


def _exposure_rerank(scores: np.ndarray, k: int, strength: float, pool: int = 50) -> np.ndarray:
    """Greedy across users: each pick's score is lowered by `strength` x (times already shown /
    users so far), so products every list names make room for the next-best of each person."""
    shown = np.zeros(scores.shape[1], dtype=np.float64)
    out = np.full((scores.shape[0], k), -1, dtype=np.int64)
    order = np.argsort(-scores, axis=1)[:, :pool]
    for user in range(scores.shape[0]):
        candidates = order[user]
        adjusted = scores[user, candidates] - strength * shown[candidates] / (user + 1)
        best = candidates[np.argsort(-adjusted, kind="stable")[:k]]
        out[user] = best
        shown[best] += 1
    return out


def _mmr_rerank(scores: np.ndarray, categories: np.ndarray, k: int, strength: float, pool: int = 50):
    """Within each list: every further product from an already-used category costs `strength`
    per product of that category already picked (a calibrated spread over the person's categories)."""
    out = np.full((scores.shape[0], k), -1, dtype=np.int64)
    order = np.argsort(-scores, axis=1)[:, :pool]
    for user in range(scores.shape[0]):
        candidates = list(order[user])
        base = {c: float(scores[user, c]) for c in candidates}
        used: dict[int, int] = {}
        for slot in range(k):
            best = max(candidates, key=lambda c: base[c] - strength * used.get(categories[c], 0))
            out[user, slot] = best
            used[categories[best]] = used.get(categories[best], 0) + 1
            candidates.remove(best)
    return out


POOL = 50
INNER_DAYS = 28


def _candidate_features(model, positions: np.ndarray, categories: np.ndarray, pool: int = POOL):
    """Top-`pool` candidates per user from the production blend and one feature row each:
    the blend and its three shares, the rank, the product's buyers (all-time, recent), its
    novelty, the customer's history length and their share of purchases in its category."""
    rows = model.profiles_[positions]
    parts = {name: np.broadcast_to(part, (len(positions), len(model.item_ids)))
             for name, part in model.score_parts(rows).items()}
    scores = np.asarray(parts["personal"] + parts["trending"] + parts["new"], dtype=np.float32)
    bought = model.matrix_[positions].tocoo()
    scores[bought.row, bought.col] = -np.inf
    candidates = np.argsort(-scores, axis=1, kind="stable")[:, :pool]
    buyers = np.asarray((model.matrix_ > 0).sum(axis=0)).ravel().astype(np.float64)
    recent = model.trending_.buyers_
    history = np.diff(model.matrix_[positions].indptr)
    n_categories = int(categories.max()) + 1
    affinity = np.zeros((len(positions), n_categories))
    np.add.at(affinity, (bought.row, categories[bought.col]), 1.0)
    affinity /= np.maximum(affinity.sum(axis=1, keepdims=True), 1.0)
    user_rows = np.repeat(np.arange(len(positions)), pool)
    items = candidates.ravel()
    features = np.column_stack([
        scores[user_rows, items], parts["personal"][user_rows, items], parts["trending"][user_rows, items],
        parts["new"][user_rows, items], np.tile(np.arange(pool), len(positions)),
        np.log1p(buyers[items]), np.log1p(recent[items]), model.novelty_scores_[items],
        np.log1p(history[user_rows]), affinity[user_rows, categories[items]],
    ]).astype(np.float32)
    return candidates, features


def learned_rerank(split, users: list, categories_of, exposure: float = 0.0, seed: int = 7):
    """A second stage: gradient-boosted trees (scikit-learn) trained on a time split inside the
    training window (fit on all but its last INNER_DAYS, labels: the new products bought in
    them), then applied to the candidates of the model fitted on the whole window."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from personalization.recommendations.recommenders import PersonalRecommender
    from personalization.recommendations.recommenders.evaluation import PRODUCTION

    inner_cut = split.cutoff - pd.Timedelta(days=INNER_DAYS)
    inner_train = split.train.before(inner_cut)
    inner_test = split.train.frame[split.train.frame["timestamp"] >= inner_cut]
    inner = PersonalRecommender(**PRODUCTION["for_you"]).fit(inner_train, split.items)
    past = inner_train.frame.groupby("user_id")["item_id"].agg(set)
    truth = {u: items - past.get(u, set()) for u, items in inner_test.groupby("user_id")["item_id"].agg(set).items()
             if u in past.index}
    truth = {u: t for u, t in truth.items() if t}
    learn_users = sorted(truth)
    positions = inner.users_.lookup(learn_users)
    candidates, features = _candidate_features(inner, positions, categories_of(inner))
    labels = np.array([inner.item_ids[i] in truth[u] for u, row in zip(learn_users, candidates) for i in row])
    ranker = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=31,
                                            random_state=seed).fit(features, labels)
    model = PersonalRecommender(**PRODUCTION["for_you"]).fit(split.train, split.items)
    positions = model.users_.lookup(users)
    candidates, features = _candidate_features(model, positions, categories_of(model))
    predicted = ranker.predict_proba(features)[:, 1].reshape(candidates.shape).astype(np.float32)
    if exposure:
        full = np.full((len(users), len(model.item_ids)), -np.inf, dtype=np.float32)
        np.put_along_axis(full, candidates, predicted / max(float(predicted.max()), 1e-9), axis=1)
        ranked = _exposure_rerank(full, 10, exposure)
    else:
        order = np.argsort(-predicted, axis=1, kind="stable")[:, :10]
        ranked = np.take_along_axis(candidates, order, axis=1)
    return model, ranked


def evaluate_month(raw, purchases, cutoff: str, variants: dict, learned: tuple = ()) -> dict:
    from personalization.recommendations.recommenders import PersonalRecommender
    from personalization.recommendations.recommenders.evaluation import (
        PRODUCTION,
        for_you_users,
        split_by_time,
    )
    from personalization.recommendations.recommenders.metrics import shown_and_top_report

    days = 30 if cutoff < "2011-10-01" else None
    split = split_by_time(raw, purchases, pd.Timestamp(cutoff), days)
    users, truth, _, _ = for_you_users(split)
    started = time.perf_counter()
    model = PersonalRecommender(**PRODUCTION["for_you"]).fit(split.train, split.items)
    fit_seconds = time.perf_counter() - started
    positions = model.users_.lookup(users)
    scores = np.asarray(model.score_users(positions), dtype=np.float32)
    bought = model.matrix_[positions].tocoo()
    scores[bought.row, bought.col] = -np.inf
    category_index = pd.Index(sorted(split.items["category"].fillna("").unique()))

    def categories_of(fitted) -> np.ndarray:
        names = split.items.set_index("item_id").reindex(fitted.item_ids)["category"].fillna("")
        return category_index.get_indexer(names).astype(np.int64)

    categories = categories_of(model)
    ids = model.item_ids
    results = {"users": len(users), "fit_seconds": round(fit_seconds, 2), "variants": {}}
    for name, rerank in variants.items():
        started = time.perf_counter()
        ranked = rerank(model, scores, categories)
        report = shown_and_top_report([[ids[i] for i in row if i >= 0] for row in ranked], truth, len(ids))
        report["rerank_seconds"] = round(time.perf_counter() - started, 2)
        results["variants"][name] = {key: round(float(value), 4) for key, value in report.items()}
        figures = results["variants"][name]
        print(f"{cutoff} {name:<28} NDCG@10 {figures['ndcg@10']:.4f} HR@10 {figures['hit_rate@10']:.4f} "
              f"cov@10 {figures['coverage@10']:.3f} | NDCG@8 {figures['ndcg@8']:.4f} "
              f"HR@8 {figures['hit_rate@8']:.4f} cov@8 {figures['coverage@8']:.3f}", flush=True)
    for exposure in learned:
        started = time.perf_counter()
        fitted, ranked = learned_rerank(split, users, categories_of, exposure=exposure)
        name = f"learned_gbdt_exposure_{exposure}" if exposure else "learned_gbdt"
        report = shown_and_top_report([[fitted.item_ids[i] for i in row if i >= 0] for row in ranked], truth,
                                      len(fitted.item_ids))
        report["rerank_seconds"] = round(time.perf_counter() - started, 2)
        results["variants"][name] = figures = {key: round(float(value), 4) for key, value in report.items()}
        print(f"{cutoff} {name:<28} NDCG@10 {figures['ndcg@10']:.4f} HR@10 {figures['hit_rate@10']:.4f} "
              f"cov@10 {figures['coverage@10']:.3f} | NDCG@8 {figures['ndcg@8']:.4f} "
              f"HR@8 {figures['hit_rate@8']:.4f} cov@8 {figures['coverage@8']:.3f} "
              f"({report['rerank_seconds']} s)", flush=True)
    return results


def variants() -> dict:
    def top(scores, k=10):
        return np.argsort(-scores, axis=1, kind="stable")[:, :k]

    found = {"production": lambda model, scores, categories: top(scores)}
    for strength in (0.1, 0.2, 0.3, 0.5):
        found[f"popularity_debias_{strength}"] = (
            lambda model, scores, categories, s=strength: top(scores - _popularity_penalty(model, s)[None, :]))
    for strength in (0.5, 1.0, 2.0, 4.0):
        found[f"exposure_{strength}"] = (
            lambda model, scores, categories, s=strength: _exposure_rerank(scores, 10, s))
    for strength in (0.05, 0.1, 0.2):
        found[f"category_mmr_{strength}"] = (
            lambda model, scores, categories, s=strength: _mmr_rerank(scores, categories, 10, s))
    return found


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--months", default="2011-09-01,2011-10-01")
    parser.add_argument("--only", default="", help="comma-separated variant names (default: all)")
    parser.add_argument("--learned", default="", help="comma-separated exposure strengths for the learned "
                                                      "second stage (0: none), e.g. 0,2 (default: not run)")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    _setup()
    from personalization.recommendations.recommenders.data import load_purchases

    chosen = variants()
    if args.only:
        chosen = {name: chosen[name] for name in args.only.split(",")}
    with threadpool_limits(limits=2):
        raw, purchases, _ = load_purchases(args.data)
        purchases = consented(purchases, CONSENT_SHARE)
        learned = tuple(float(x) for x in args.learned.split(",") if x)
        result = {"consent_share": CONSENT_SHARE,
                  "months": {month: evaluate_month(raw, purchases, month, chosen, learned)
                             for month in args.months.split(",")}}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out}")
    return result


if __name__ == "__main__":
    main()
