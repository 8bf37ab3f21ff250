"""Differential privacy at the demo's size: how far the released figures are from the exact ones.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python -m benchmarks.differential_privacy [--data PATH] [--out FILE]

Reads the demo's data set (data/online-retail/, or --data), keeps the demo's consenting share of
customers (the import's stable hash, 0.6), and computes, as the training does, every "bought by N
customers" figure a rail would show: trending and popular on the home page, "bought with" on
product pages (the minimum support applied to the exact counts, as the ranking does). Each figure
is then released as production releases it (privacy.disclosure: OpenDP's discrete Laplace from the
secure sampler, the configured epsilon, rounded, withheld below the minimum support), and the
benchmark prints and writes (benchmarks/results/differential_privacy.json):
- mean absolute error (customers) and mean relative error of the figures shown, the share withheld,
  and the share shown at exactly its true value, at the configured epsilon and at others;
- the error of the dashboard's consent rate (percentage points) and of a segment's size at the
  demo's number of customers;
- seconds to import the module and microseconds per released figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "data" / "online-retail" / "online_retail.csv.xz"
RESULTS = ROOT / "benchmarks" / "results"
EPSILONS = (0.25, 0.5, 1.0, 2.0)
CONSENT_SHARE = 0.6


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def exact_rail_figures(data: Path) -> tuple[list[int], dict]:
    """Every customers' figure the rails would show on the demo data, exact, and the data's size."""
    import pandas as pd
    from django.conf import settings

    from personalization.recommendations.demo import customer_in_share
    from personalization.recommendations.recommenders import AlsoBoughtRecommender, Interactions, TrendingRecommender
    from personalization.recommendations.recommenders.data import catalog_from_transactions, load_purchases
    from personalization.recommendations.training import (
        LIST_LENGTH,
        TRENDING_WINDOW_DAYS,
        TrainedModels,
        _everyones_list,
        _support_matrix,
    )

    raw, purchases, _ = load_purchases(data)
    frame = purchases.frame
    frame = frame[frame["user_id"].map(lambda number: customer_in_share(str(number), CONSENT_SHARE))]
    items = catalog_from_transactions(raw)
    # The shop's product ids are integers: number the stock codes as the import numbers products.
    number = {code: index for index, code in enumerate(items["item_id"])}
    frame = frame.assign(item_id=frame["item_id"].map(number)).dropna(subset=["item_id"])
    frame["item_id"] = frame["item_id"].astype("int64")
    items = items.assign(item_id=np.arange(len(items), dtype="int64"))
    consented = Interactions(frame.reset_index(drop=True))
    now = pd.Timestamp(frame["timestamp"].max())
    support = _support_matrix(consented, items)
    models = TrainedModels(trending=TrendingRecommender(window_days=TRENDING_WINDOW_DAYS, now=now).fit(consented, items),
                           also_bought=AlsoBoughtRecommender(neighbours=50, content_fill=False, now=now)
                           .fit(consented, items), similar=None, for_you=None, buy_again=None, support=support)
    minimum = settings.PERSONALIZATION_MIN_SUPPORT
    item_ids = items["item_id"].to_numpy()
    figures = [entry["customers"] for entry in _everyones_list(models, item_ids, minimum)]
    buyers = support.diagonal()
    for position in range(len(item_ids)):
        if buyers[position] < minimum:
            continue
        row = support.getrow(position)
        together = dict(zip(row.indices.tolist(), row.data.tolist()))
        shown = [together[other] for other, _score, _reason in models.also_bought.similar_positions(position, LIST_LENGTH * 2)
                 if together.get(other, 0) >= minimum][:LIST_LENGTH]
        figures.extend(shown)
    size = {"customers": int(frame["user_id"].nunique()), "purchases": int(len(frame)), "products": int(len(items))}
    return [int(f) for f in figures], size


def accuracy(figures: list[int], *, epsilon: float, minimum: int) -> dict:
    from privacy.disclosure import noisy, released_count

    errors, relative, relative_large, withheld, equal, raw_errors = [], [], [], 0, 0, []
    for exact in figures:
        value = noisy(exact, epsilon=epsilon)
        raw_errors.append(abs(value - exact))
        shown = released_count(value, minimum=minimum)
        if shown is None:
            withheld += 1
            continue
        errors.append(abs(shown - exact))
        relative.append(abs(shown - exact) / exact)
        if exact >= 20:
            relative_large.append(abs(shown - exact) / exact)
        equal += shown == exact
    return {"epsilon": epsilon, "figures": len(figures), "mae_shown": round(float(np.mean(errors)), 3),
            "mean_relative_error_shown": round(float(np.mean(relative)), 4),
            "mean_relative_error_shown_from_20": round(float(np.mean(relative_large)), 4),
            "p95_absolute_error_shown": float(np.percentile(errors, 95)),
            "mae_before_rounding": round(float(np.mean(raw_errors)), 3),
            "withheld_share": round(withheld / len(figures), 4),
            "shown_at_exact_value_share": round(equal / max(len(errors), 1), 4)}


def merchant_figures(customers: int, *, draws: int = 2000) -> dict:
    """The dashboard's consent rate (two figures for each of three purposes share the epsilon) and
    a segment's size (one of six figures per person) at the demo's number of customers."""
    from django.conf import settings

    from privacy.disclosure import noisy

    families = settings.PRIVACY_DISCLOSURE_FAMILIES
    per_consent_figure = families["consent_rates"]["epsilon"] / 6
    decided, granted = customers, round(customers * CONSENT_SHARE)
    rate_errors = [abs(noisy(granted, epsilon=per_consent_figure) / noisy(decided, epsilon=per_consent_figure)
                       - granted / decided) * 100 for _ in range(draws)]
    per_segment_figure = families["segment_reports"]["epsilon"] / 6
    size = customers // 4
    size_errors = [abs(noisy(size, epsilon=per_segment_figure) - size) for _ in range(draws)]
    return {"consent_rate_mae_percentage_points": round(float(np.mean(rate_errors)), 3),
            "consent_rate_people": decided,
            "segment_size": size, "segment_size_mae": round(float(np.mean(size_errors)), 2),
            "segment_size_mean_relative_error": round(float(np.mean(size_errors)) / size, 4)}


def timings() -> dict:
    # What the module adds to a process's start: OpenDP's modules it imports (the rest is ours).
    code = ("import time; t = time.perf_counter(); import opendp.measurements, opendp.domains, opendp.metrics; "
            "print(time.perf_counter() - t)")
    imported = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    from privacy.disclosure import noisy, noisy_many

    noisy(30, epsilon=0.5)  # the measurement for this scale is built once, then cached
    rounds = 20_000
    start = time.perf_counter()
    for _ in range(rounds):
        noisy(30, epsilon=0.5)
    one_by_one = (time.perf_counter() - start) / rounds
    start = time.perf_counter()
    noisy_many([30] * rounds, epsilon=0.5)  # as a release draws its figures
    at_once = (time.perf_counter() - start) / rounds
    return {"import_seconds": round(float(imported.stdout.strip()), 3),
            "microseconds_per_figure_one_by_one": round(one_by_one * 1e6, 1),
            "microseconds_per_figure_in_a_release": round(at_once * 1e6, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=RESULTS / "differential_privacy.json")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    minimum = settings.PERSONALIZATION_MIN_SUPPORT
    configured = settings.PRIVACY_DISCLOSURE_FAMILIES["rail_customers"]["epsilon"]
    started = time.perf_counter()
    figures, size = exact_rail_figures(args.data)
    computed = time.perf_counter() - started
    results = {
        "data": str(args.data.name), "consent_share": CONSENT_SHARE, **size, "min_support": minimum,
        "seconds_to_compute_exact_figures": round(computed, 1),
        "rail_figures": {"count": len(figures), "median": float(np.median(figures)),
                         "p90": float(np.percentile(figures, 90)), "max": int(max(figures))},
        "configured_epsilon": configured,
        "accuracy": [accuracy(figures, epsilon=epsilon, minimum=minimum) for epsilon in EPSILONS],
        "merchant": merchant_figures(size["customers"]),
        "timing": timings(),
        "mechanism": "OpenDP discrete Laplace (make_laplace on integers), OS secure randomness",
    }
    print(f"Demo data: {size['customers']:,} consenting customers, {size['purchases']:,} purchase lines, "
          f"{len(figures):,} rail figures (median {results['rail_figures']['median']:g}, "
          f"90th percentile {results['rail_figures']['p90']:g}, max {results['rail_figures']['max']}).")
    for row in results["accuracy"]:
        mark = "  <- configured" if row["epsilon"] == configured else ""
        print(f"epsilon {row['epsilon']:<5g} MAE shown {row['mae_shown']:6.2f}  relative {row['mean_relative_error_shown']:.1%}"
              f" (from 20: {row['mean_relative_error_shown_from_20']:.1%})  withheld {row['withheld_share']:.1%}  exact value shown {row['shown_at_exact_value_share']:.1%}{mark}")
    merchant = results["merchant"]
    print(f"Consent rate over {merchant['consent_rate_people']:,} people: off by {merchant['consent_rate_mae_percentage_points']:.2f} "
          f"percentage points on average; a segment of {merchant['segment_size']:,}: off by {merchant['segment_size_mae']:.1f}.")
    timing = results["timing"]
    print(f"Import {timing['import_seconds']} s; {timing['microseconds_per_figure_in_a_release']} µs per figure in a "
          f"release ({timing['microseconds_per_figure_one_by_one']} µs one by one).")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"Written to {args.out}")


if __name__ == "__main__":
    main()
