"""Demand pricing benchmark: recomputing the whole catalog's demand prices.

    .venv/bin/python -m benchmarks.pricing [--data PATH | --sample] [--out FILE]

Builds a throw-away SQLite database (or uses DATABASE_URL), imports the data set (the full
Online Retail set shipped with the project, or with --sample the committed one-month sample)
with its dates moved to end today, enables the demo's demand rule, then times:
- the first recompute (every price starts at its list price: most variants move and are written),
- a dry run (the same computation, nothing written),
- a second recompute an hour later (the daily limit holds: nothing more to move),
- a recompute a day later (the next day's step: prices move again and are written),
- the admin's preview of the rule on the whole catalog,
each with its query count (which must not depend on the catalog's size).
Target (issue 12): a recompute of the whole catalog under 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "data" / "online-retail" / "online_retail.csv.xz"  # shipped with the project
SAMPLE_DATA = ROOT / "tests" / "data" / "online_retail_sample.csv.xz"
TARGET_SECONDS = 10.0


def setup_django(database_file: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database_file}")
    import django

    django.setup()


def measured(function):
    """(seconds, queries, result) of one call."""
    from django.db import connection

    queries = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        started = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - started
    return round(seconds, 3), len(queries), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sample", action="store_true", help="Use the committed one-month sample instead.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "pricing.json")
    args = parser.parse_args()
    data = SAMPLE_DATA if args.sample else args.data

    workdir = Path(tempfile.mkdtemp(prefix="attuned-bench-"))
    setup_django(workdir / "bench.sqlite3")
    from django.core.management import call_command
    from django.utils import timezone

    from shop.catalog.models import Product, ProductVariant
    from shop.pricing.management.commands.create_demo_demand_rule import DEMO_RULE
    from shop.pricing.models import DemandRule, PriceChange
    from shop.pricing.services import demand_rule_preview, prices_recompute

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("import_online_retail", str(data), "--no-progress", "--end-today", stdout=open(os.devnull, "w"))
    import_seconds = time.perf_counter() - started
    rule = DemandRule.objects.create(**DEMO_RULE)
    now = timezone.now()

    def recompute(at, **options):
        def run():
            result = prices_recompute(now=at, **options)
            return {"up": result.summary.up, "down": result.summary.down, "held_by_guardrail": result.clamped}
        seconds, queries, moved = measured(run)
        return {"seconds": seconds, "queries": queries, **moved}

    results = {
        "data": str(data.relative_to(ROOT)) if data.is_relative_to(ROOT) else str(data),
        "database": os.environ["DATABASE_URL"].split(":", 1)[0],
        "products": Product.objects.count(), "variants": ProductVariant.objects.count(),
        "import_seconds": round(import_seconds, 1), "target_seconds": TARGET_SECONDS,
    }
    results["dry_run"] = recompute(now, dry_run=True)
    results["first_recompute"] = recompute(now)
    results["recompute_an_hour_later"] = recompute(now + timedelta(hours=1))
    results["recompute_a_day_later"] = recompute(now + timedelta(days=1, minutes=1))
    seconds, queries, preview = measured(lambda: demand_rule_preview(rule=rule, now=now + timedelta(days=1)))
    results["preview"] = {"seconds": seconds, "queries": queries, "products_in_scope": preview.products_in_scope,
                          "up": preview.summary.up, "down": preview.summary.down, "same": preview.summary.same}
    results["price_changes_recorded"] = PriceChange.objects.count()
    results["meets_target"] = all(results[key]["seconds"] < TARGET_SECONDS for key in
                                  ("first_recompute", "recompute_an_hour_later", "recompute_a_day_later"))

    print(f"{results['products']} products, {results['variants']} variants ({results['data']}, "
          f"{results['database']}); import {results['import_seconds']} s")
    for key in ("dry_run", "first_recompute", "recompute_an_hour_later", "recompute_a_day_later", "preview"):
        row = results[key]
        moves = f"{row['up']} up, {row['down']} down"
        print(f"  {key.replace('_', ' '):26} {row['seconds']:7.3f} s  {row['queries']:3} queries  {moves}")
    print(f"  target: under {TARGET_SECONDS:g} s for the whole catalog: {'met' if results['meets_target'] else 'MISSED'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
