"""Storefront benchmark: import time and page latency on the real catalog.

    .venv/bin/python benchmarks/storefront.py [--data PATH] [--requests N] [--out FILE]

Builds a throw-away SQLite database (or uses DATABASE_URL), imports the data set,
then times each page through Django's test client. Absolute milliseconds depend on
the machine, so each page is also reported as a ratio to a baseline measured in the
same process: robots.txt, a page that renders no template and reads no table.
Query counts are printed too: they must not depend on the catalog's size.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "data" / "online-retail" / "online_retail.csv.xz"  # shipped with the project


def setup_django(database_file: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("MEDIA_ROOT", str(database_file.parent / "media"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database_file}")
    import django

    django.setup()


def timed_requests(client, path: str, count: int) -> tuple[list[float], int]:
    from django.db import connection

    client.get(path)  # warm caches and template loading
    queries = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "storefront.json")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="attuned-bench-"))
    setup_django(workdir / "bench.sqlite3")
    from django.core.management import call_command
    from django.test import Client

    from shop.catalog.models import Category, Product

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("import_online_retail", str(args.data), "--no-progress", stdout=open(os.devnull, "w"))
    import_seconds = time.perf_counter() - started

    category = Category.objects.order_by("-id").first()
    product = Product.objects.order_by("-popularity").first()
    pages = {
        "baseline robots.txt": "/robots.txt",
        "home": "/",
        "category": category.get_absolute_url(),
        "category page 5, by price": category.get_absolute_url() + "?sort=price-asc&page=5",
        "product": product.get_absolute_url(),
        "search 'lantern'": "/search/?q=lantern",
    }
    client = Client(HTTP_HOST="localhost")
    results = {}
    for name, path in pages.items():
        samples, queries = timed_requests(client, path, args.requests)
        results[name] = {"path": path, "median_ms": statistics.median(samples),
                         "p95_ms": sorted(samples)[int(len(samples) * 0.95) - 1], "queries": queries}
    baseline = results["baseline robots.txt"]["median_ms"]
    for result in results.values():
        result["ratio_to_baseline"] = result["median_ms"] / baseline

    print(f"import of {args.data.name}: {import_seconds:.1f} s "
          f"({Product.objects.count():,} products)")
    print(f"{'page':30}{'median ms':>11}{'p95 ms':>9}{'x baseline':>12}{'queries':>9}")
    for name, result in results.items():
        print(f"{name:30}{result['median_ms']:>11.1f}{result['p95_ms']:>9.1f}"
              f"{result['ratio_to_baseline']:>12.1f}{result['queries']:>9}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"import_seconds": import_seconds, "requests_per_page": args.requests,
                                    "pages": results}, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
