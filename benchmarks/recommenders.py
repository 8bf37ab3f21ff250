"""Recommender benchmarks: fit time, peak memory and scoring time as data grows.

    python -m benchmarks.recommenders --quick          # a few minutes
    python -m benchmarks.recommenders                  # 100k and 1M interactions, 4k and 20k items
    python -m benchmarks.recommenders --with-10m       # adds 10M interactions (tens of minutes)

Sections:
- shared: every model fitted on the shop's data (train before 2011-10-01);
  fit seconds, peak traced memory, scoring time per user.
- als: implicit's ALS on the same split as the production "for you" model,
  its settings picked on the September window; NDCG@10 ratio, and NDCG, hit
  rate and catalog coverage at the rail's shown length (8) and at 10.
- scale: synthetic interactions grown from the shop's distributions (basket
  sizes, baskets per customer, item popularity, themed baskets).
- switch: EASE against SVD as the catalog grows, to place EASE_MAX_ITEMS.

The machine is shared and noisy, so every time is also given as a ratio to a
baseline measured in the same process: all-time popularity on the same data,
and a fixed 2048x2048 float32 matrix product (``calibration_seconds``).
Memory is the tracemalloc peak (NumPy and SciPy arrays are traced; BLAS
workspace and implicit's C++ buffers are not), measured in a second pass so
tracing does not slow the timed pass.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from personalization.recommendations.recommenders import (
    AlsoBoughtRecommender,
    BuyAgainRecommender,
    ContentRecommender,
    Interactions,
    PersonalRecommender,
    TrendingRecommender,
)
from personalization.recommendations.recommenders.data import catalog_from_transactions, load_purchases
from personalization.recommendations.recommenders.evaluation import PRODUCTION, for_you_users, split_by_time
from personalization.recommendations.recommenders.metrics import shown_and_top_report

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "online-retail" / "online_retail.csv.xz"
RESULTS = Path(__file__).resolve().parent / "results"
MB = 1024 * 1024


def measure(fit: Callable[[], object], memory: bool = True) -> dict:
    """Seconds for one call, then (optionally) the traced peak of a second call, in MB."""
    start = time.perf_counter()
    fit()
    seconds = time.perf_counter() - start
    out = {"seconds": round(seconds, 3)}
    if memory:
        tracemalloc.start()
        fit()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["peak_mb"] = round(peak / MB, 1)
    return out


def calibration() -> float:
    """A fixed BLAS workload: how fast this machine is right now."""
    rng = np.random.default_rng(0)
    a = rng.random((2048, 2048), dtype=np.float32)
    a @ a  # warm up
    start = time.perf_counter()
    for _ in range(3):
        a @ a
    return round((time.perf_counter() - start) / 3, 4)


def with_ratios(results: dict[str, dict], baseline: str) -> dict[str, dict]:
    base = results[baseline]["seconds"] or 1e-9
    for entry in results.values():
        entry["ratio_to_" + baseline] = round(entry["seconds"] / base, 2)
    return results


def models(catalog_text: bool = True) -> dict[str, Callable]:
    """Fitters for each production model, configured as in PRODUCTION."""
    c = PRODUCTION
    return {
        "popularity_all_time": lambda tr, it: TrendingRecommender(None).fit(tr, it),
        "trending": lambda tr, it: TrendingRecommender(**c["trending"]).fit(tr, it),
        "also_bought": lambda tr, it: AlsoBoughtRecommender(
            **(c["also_bought"] | {"content_fill": catalog_text})
        ).fit(tr, it),
        "similar_products": lambda tr, it: ContentRecommender().fit(tr, it),
        "buy_again": lambda tr, it: BuyAgainRecommender(**c["buy_again"]).fit(tr, it),
        "for_you_ease": lambda tr, it: PersonalRecommender(**(c["for_you"] | {"method": "ease"})).fit(tr, it),
        "for_you_svd": lambda tr, it: PersonalRecommender(**(c["for_you"] | {"method": "svd"})).fit(tr, it),
    }


def scoring(model: PersonalRecommender, users: list) -> dict:
    start = time.perf_counter()
    model.recommend_many(users, 10)
    batch = (time.perf_counter() - start) / max(len(users), 1)
    sample = users[:200]
    start = time.perf_counter()
    for user in sample:
        model.recommend(user, 10)
    single = (time.perf_counter() - start) / max(len(sample), 1)
    return {"batch_ms_per_user": round(batch * 1000, 3), "single_ms_per_user": round(single * 1000, 3), "users": len(users)}


def bench_shared(raw: pd.DataFrame, purchases: Interactions, memory: bool) -> dict:
    split = split_by_time(raw, purchases, pd.Timestamp("2011-10-01"), None)
    fits = {name: measure(lambda f=f: f(split.train, split.items), memory) for name, f in models().items()}
    fits["all_production_models"] = {
        "seconds": round(sum(v["seconds"] for k, v in fits.items() if k != "for_you_svd"), 3)
    }
    with_ratios(fits, "popularity_all_time")
    warm, *_ = for_you_users(split)
    model = PersonalRecommender(**PRODUCTION["for_you"]).fit(split.train, split.items)
    return {"train_interactions": len(split.train), "items": len(split.items), "fit": fits,
            "scoring": scoring(model, warm), "for_you_method": model.method_}


def report_for(ranked_positions, ids, truth) -> dict:
    """Every metric at the rail's shown length (8) and at 10, coverage at both."""
    ranked = [[ids[i] for i in row if i >= 0] for row in ranked_positions]
    return shown_and_top_report(ranked, truth, len(ids))


# ALS settings are chosen on September; the other months show how steady the
# comparison is (each: train before the cutoff, test the next 30 days; October
# runs to the end of the file and was held out of every choice).
ALS_TUNING_CUTOFF = "2011-09-01"
ALS_MONTHS = ("2011-05-01", "2011-06-01", "2011-07-01", "2011-08-01", "2011-09-01", "2011-10-01")


def bench_als(raw: pd.DataFrame, purchases: Interactions, quick: bool) -> dict:
    """implicit's ALS against the production model on the same splits.

    The grid reaches past the best cell in every direction it was found at the
    edge of (regularisation up to 50, confidence alpha down to 0.1).
    """
    grid = [(128, 10.0, 1.0)] if quick else [
        (f, r, a) for f in (32, 64, 128, 256) for r in (1.0, 5.0, 10.0, 20.0, 50.0) for a in (0.1, 0.25, 0.5, 1.0)
    ]
    tuning = _als_comparison(raw, purchases, ALS_TUNING_CUTOFF, grid)
    chosen = max(tuning["als_grid"].values(), key=lambda r: (r["ndcg@10"], r["params"]))["params"]
    out: dict = {"chosen_on": f"{ALS_TUNING_CUTOFF} split (test 30 days)", "chosen": chosen,
                 "grid": tuning.pop("als_grid"), "months": {}}
    for cutoff in (ALS_MONTHS[-2:] if quick else ALS_MONTHS):
        result = _als_comparison(raw, purchases, cutoff, [tuple(chosen)])
        result["als"] = next(iter(result.pop("als_grid").values()))
        result["ndcg_ratio"] = round(result["for_you"]["ndcg@10"] / result["als"]["ndcg@10"], 3)
        out["months"][cutoff] = result
    return out


def _als_comparison(raw: pd.DataFrame, purchases: Interactions, cutoff: str, grid: list) -> dict:
    """The production model and ALS at each grid setting on one split, scored alike."""
    from implicit.als import AlternatingLeastSquares

    days = None if cutoff == ALS_MONTHS[-1] else 30
    split = split_by_time(raw, purchases, pd.Timestamp(cutoff), days)
    users, truth, _, _ = for_you_users(split)
    model = PersonalRecommender(**PRODUCTION["for_you"]).fit(split.train, split.items)
    ours = model.recommend_many(users, 10)
    binary = model.matrix_.copy()
    binary.data[:] = 1.0
    positions = model.users_.lookup(users)
    results = {}
    for factors, reg, alpha in grid:
        als = AlternatingLeastSquares(
            factors=factors, regularization=reg, alpha=alpha, iterations=15,
            random_state=7, num_threads=2, use_gpu=False,
        )
        # implicit runs its own threads; BLAS threads inside them oversubscribe the cores.
        with threadpool_limits(limits=1, user_api="blas"):
            start = time.perf_counter()
            als.fit(binary, show_progress=False)
            seconds = time.perf_counter() - start
            ids, _ = als.recommend(positions, binary[positions], N=10, filter_already_liked_items=True)
        results[f"f{factors}_r{reg}_a{alpha}"] = report_for(ids, model.item_ids, truth) | {
            "fit_seconds": round(seconds, 2), "params": [factors, reg, alpha],
        }
    return {"users": len(users), "test_end": str(split.end.date()) if split.end is not None else "end of file",
            "for_you": report_for([ours[u] for u in users], model.item_ids, truth), "als_grid": results}


def synthetic(purchases: Interactions, n_interactions: int, n_items: int, titles: pd.Series, seed: int = 11):
    """Interactions and items grown from the shop's distributions (see module docstring).

    Each customer has a favourite theme (a block of items); a basket draws most
    lines from its theme and the rest from overall popularity, so co-purchase
    structure resembles the shop's rather than uniform noise.
    """
    rng = np.random.default_rng(seed)
    frame = purchases.frame
    basket_sizes = frame.groupby("basket_id")["item_id"].nunique().to_numpy()
    baskets_per_user = frame.groupby("user_id")["basket_id"].nunique().to_numpy()
    popularity = frame.groupby("item_id")["user_id"].nunique().to_numpy().astype(float)

    sizes = rng.choice(basket_sizes, size=int(n_interactions / basket_sizes.mean() * 1.05) + 1)
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), n_interactions) + 1]
    n_baskets = len(sizes)
    n_users = max(1, int(n_baskets / baskets_per_user.mean()))
    activity = rng.choice(baskets_per_user, size=n_users).astype(float)
    basket_user = rng.choice(n_users, size=n_baskets, p=activity / activity.sum())
    n_themes = max(1, n_items // 40)
    user_theme = rng.integers(0, n_themes, size=n_users)
    item_weight = rng.choice(popularity, size=n_items)
    item_weight /= item_weight.sum()
    item_theme = rng.integers(0, n_themes, size=n_items)

    line_basket = np.repeat(np.arange(n_baskets), sizes)[:n_interactions]
    line_user = basket_user[line_basket]
    from_theme = rng.random(len(line_basket)) < 0.6
    items = rng.choice(n_items, size=len(line_basket), p=item_weight)
    # Theme draws: pick a random item of the user's theme, weighted by popularity within it.
    order = np.argsort(item_theme, kind="stable")
    starts = np.searchsorted(item_theme[order], np.arange(n_themes))
    counts = np.bincount(item_theme, minlength=n_themes)
    themes = user_theme[line_user[from_theme]]
    pick = starts[themes] + (rng.random(len(themes)) * np.maximum(counts[themes], 1)).astype(np.int64)
    items[from_theme] = np.where(counts[themes] > 0, order[np.minimum(pick, n_items - 1)], items[from_theme])

    day = rng.random(n_baskets) * 330.0
    interactions = Interactions(pd.DataFrame({
        "user_id": line_user,
        "item_id": items,
        "timestamp": pd.Timestamp("2010-12-01") + pd.to_timedelta(day[line_basket], unit="D"),
        "quantity": 1.0,
        "basket_id": line_basket,
    }))
    words = titles.str.split().explode().dropna().to_numpy()
    catalog = pd.DataFrame({
        "item_id": np.arange(n_items),
        "title": [" ".join(rng.choice(words, size=4)) for _ in range(n_items)],
        "category": [str(t) for t in item_theme],
    })
    return interactions, catalog


def bench_scale(purchases, titles, sizes, catalogs, ease_limit: int, memory: bool) -> list[dict]:
    rows = []
    for n in sizes:
        for n_items in catalogs:
            data, catalog = synthetic(purchases, n, n_items, titles)
            fits = {}
            for name, fit in models().items():
                if name == "for_you_ease" and n_items > ease_limit:
                    continue  # measured in the switch section; would dominate the run
                fits[name] = measure(lambda fit=fit: fit(data, catalog), memory)  # noqa: B023 (called at once)
            with_ratios(fits, "popularity_all_time")
            model = PersonalRecommender(**(PRODUCTION["for_you"] | {"method": "svd"})).fit(data, catalog)
            users = model.users_.ids[:2000].tolist()
            row = {"interactions": len(data), "items": n_items, "users": len(model.users_), "fit": fits,
                   "scoring_svd": scoring(model, users)}
            print(json.dumps(row), flush=True)
            rows.append(row)
    return rows


def bench_switch(purchases, titles, catalogs, n: int, memory: bool) -> list[dict]:
    rows = []
    for n_items in catalogs:
        data, catalog = synthetic(purchases, n, n_items, titles)
        # measure() calls each function before the loop moves on, so the loop's data is the one meant.
        fits = {
            "popularity_all_time": measure(lambda: TrendingRecommender(None).fit(data, catalog), False),  # noqa: B023
            "ease": measure(lambda: PersonalRecommender(method="ease").fit(data, catalog), memory),  # noqa: B023
            "svd": measure(lambda: PersonalRecommender(method="svd").fit(data, catalog), memory),  # noqa: B023
        }
        with_ratios(fits, "popularity_all_time")
        row = {"interactions": len(data), "items": n_items, "fit": fits,
               "ease_dense_mb_per_copy": round(4 * n_items**2 / MB, 1)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(SHARED))
    parser.add_argument("--quick", action="store_true", help="shared data, ALS at one setting, 100k synthetic")
    parser.add_argument("--with-10m", action="store_true", help="add 10M synthetic interactions")
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads")
    parser.add_argument("--no-memory", action="store_true", help="skip the traced-memory pass")
    parser.add_argument("--sections", default="shared,als,scale,switch", help="comma-separated subset to run")
    parser.add_argument("--out", default=str(RESULTS / "recommenders.json"))
    args = parser.parse_args(argv)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
    memory = not args.no_memory

    with threadpool_limits(limits=args.threads):
        result: dict = {
            "machine": {"cpus": os.cpu_count(), "threads": args.threads, "python": platform.python_version()},
            "mode": "quick" if args.quick else ("with-10m" if args.with_10m else "default"),
            "calibration_seconds": calibration(),
        }
        start = time.perf_counter()
        raw, purchases, _ = load_purchases(args.data)
        result["load_seconds"] = round(time.perf_counter() - start, 2)
        titles = catalog_from_transactions(raw)["title"]
        sections = set(args.sections.split(","))
        if "shared" in sections:
            result["shared"] = bench_shared(raw, purchases, memory)
            print(json.dumps({"shared": result["shared"]}), flush=True)
        if "als" in sections:
            result["als"] = bench_als(raw, purchases, args.quick)
            months = {m: {"ndcg_ratio": r["ndcg_ratio"], **{
                f"{model} {metric}": round(r[model][metric], 4) for model in ("for_you", "als")
                for metric in ("ndcg@8", "ndcg@10", "hit_rate@8", "hit_rate@10", "coverage@8", "coverage@10")}}
                for m, r in result["als"]["months"].items()}
            print(json.dumps({"als": {"chosen": result["als"]["chosen"], "months": months}}), flush=True)
        sizes = [100_000] if args.quick else [100_000, 1_000_000] + ([10_000_000] if args.with_10m else [])
        catalogs = [4_000] if args.quick else [4_000, 20_000]
        if "scale" in sections:
            # EASE at 20k items is measured once, in the switch section.
            result["scale"] = bench_scale(purchases, titles, sizes, catalogs, 4_000, memory)
        switch_items = [1_000, 2_000, 4_000] if args.quick else [2_000, 4_000, 8_000, 12_000, 16_000, 20_000]
        if "switch" in sections:
            n = 100_000 if args.quick else 1_000_000
            result["switch"] = bench_switch(purchases, titles, switch_items, n, memory)
        result["calibration_seconds_end"] = calibration()

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"written to {out}")
    return result


if __name__ == "__main__":
    main()
