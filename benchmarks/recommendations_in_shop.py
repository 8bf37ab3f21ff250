"""Recommendations in the shop: training on the full demo data, reading a rail, recording an event.

    .venv/bin/python -m benchmarks.recommendations_in_shop [--data PATH] [--reads N] [--out FILE]

Builds a throw-away SQLite database (or uses DATABASE_URL), imports the data set with the
demo's consented history, then measures:
- training: `manage.py train_recommenders` in a child process, its wall time and peak
  memory (the child's maximum resident set), against a child that only starts Django;
- reading a rail: `shop.recommendations.rails_for` for product pages and for a consenting
  customer's home page, against a one-row primary-key read in the same process;
- recording an event: a product page viewed by a consenting visitor (whose view is
  stored) against the same page viewed by a visitor who refused (nothing stored).
Targets (issue): training under 60 s and 1 GB on 2 cores, a rail read under 2 ms, and
recording an event adds under 1 ms to a page view.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "data" / "online-retail" / "online_retail.csv.xz"


def setup_django(database_file: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database_file}")
    import django

    django.setup()


def child(*args: str) -> tuple[float, float]:
    """Run manage.py in a child process; returns (wall seconds, peak resident MB of that child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, env=os.environ.copy(),
                   stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def timed(function, count: int) -> list[float]:
    function()  # warm
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": statistics.median(ordered), "p95_ms": ordered[int(len(ordered) * 0.95) - 1]}


def page_request(user=None):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from privacy.middleware import RequestConsent

    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request.privacy_consent = RequestConsent(request)
    request.privacy_consent.state  # noqa: B018 (resolved once per request by the middleware, not by the rail)
    return request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--out", type=Path,
                        default=ROOT / "benchmarks" / "results" / "recommendations_in_shop.json")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="attuned-bench-"))
    setup_django(workdir / "bench.sqlite3")
    from django.core.management import call_command
    from django.test import Client

    from personalization.recommendations.models import ModelVersion, Rail, RecommendationList
    from shop.catalog.models import Product
    from shop.recommendations import rails_for

    call_command("migrate", verbosity=0)
    call_command("import_online_retail", str(args.data), "--no-progress", "--end-today",
                 stdout=open(os.devnull, "w"))
    results: dict[str, dict] = {}

    startup_seconds, startup_mb = child("check")
    train_seconds, train_mb = child("train_recommenders", "--no-progress")
    version = ModelVersion.objects.get(status="active")
    results["training"] = {
        "wall_seconds": round(train_seconds, 2), "training_seconds": version.duration_seconds,
        "peak_resident_mb": round(train_mb, 1), "django_startup_seconds": round(startup_seconds, 2),
        "django_startup_mb": round(startup_mb, 1), "counts": version.counts, "metrics": version.metrics,
    }

    random.seed(7)
    product_ids = random.sample(list(Product.objects.values_list("pk", flat=True)), 100)
    customer_ids = list(RecommendationList.objects.filter(version=version, rail=Rail.FOR_YOU)
                        .values_list("user_id", flat=True)[:100])
    from shop.accounts.models import User

    customers = {user.pk: user for user in User.objects.filter(pk__in=customer_ids)}
    anonymous = page_request()
    signed_in = [page_request(customers[pk]) for pk in customer_ids]
    cycle = iter(range(10**9))

    def baseline():
        Product.objects.filter(pk=product_ids[next(cycle) % 100]).first()

    def product_rails():
        rails_for(anonymous, page="product", product_id=product_ids[next(cycle) % 100])

    def home_for_you():
        rails_for(signed_in[next(cycle) % len(signed_in)], page="home")

    for name, function in (("baseline: one product by primary key", baseline),
                           ("rails of a product page", product_rails),
                           ("for you on a customer's home page", home_for_you)):
        results[name] = summary(timed(function, args.reads))
    base = results["baseline: one product by primary key"]["median_ms"]
    for name in ("rails of a product page", "for you on a customer's home page"):
        results[name]["ratio_to_baseline"] = results[name]["median_ms"] / base

    def browsing(choice: str) -> list[float]:
        client = Client(HTTP_HOST="localhost")
        page = client.get("/privacy/consent/").content.decode()
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        response = client.post("/privacy/consent/", {"csrfmiddlewaretoken": token, "action": choice,
                                                      "source": "settings", "next": "/"})
        assert response.status_code == 302, response.status_code
        urls = [p.get_absolute_url() for p in Product.objects.filter(pk__in=product_ids[:20])]
        position = iter(range(10**9))
        return timed(lambda: client.get(urls[next(position) % len(urls)]), args.reads // 3)

    from django.utils import timezone

    from personalization.recommendations.models import EventKind
    from personalization.recommendations.services import behaviour_events_record
    from primitives.subjects import Subject

    viewer = Subject.for_user(customers[customer_ids[0]])
    results["recording one view (insert and commit)"] = summary(timed(
        lambda: behaviour_events_record(subject=viewer, kind=EventKind.VIEWED,
                                        products=[(product_ids[0], 1)], occurred_at=timezone.now()),
        args.reads))
    refused = summary(browsing("reject_all"))
    stored = summary(browsing("accept_all"))
    results["product page, visitor who refused (nothing stored)"] = refused
    results["product page, consenting visitor (view stored)"] = stored
    results["page with its view stored minus page without"] = {"median_ms": stored["median_ms"] - refused["median_ms"]}

    training = results["training"]
    print(f"training on {training['counts']['events']:,} events of {training['counts']['subjects']:,} "
          f"consenting customers: {training['training_seconds']:.1f} s inside the task, "
          f"{training['wall_seconds']:.1f} s for the command, peak {training['peak_resident_mb']:.0f} MB "
          f"(Django alone: {training['django_startup_seconds']:.1f} s, {training['django_startup_mb']:.0f} MB)")
    if "for_you" in training["metrics"]:
        for model in ("for_you", "trending"):
            m = training["metrics"][model]
            print(f"  held-out {model}: " + ", ".join(
                f"{name}@{k} {m[f'{key}@{k}']:.4f}" for k in (8, 10)
                for key, name in (("ndcg", "NDCG"), ("hit_rate", "HR"), ("coverage", "coverage"))
                if f"{key}@{k}" in m))
    print(f"{'measure':55}{'median ms':>11}{'p95 ms':>9}{'x baseline':>12}")
    for name, result in results.items():
        if name == "training":
            continue
        print(f"{name:55}{result['median_ms']:>11.3f}{result.get('p95_ms', float('nan')):>9.3f}"
              f"{result.get('ratio_to_baseline', float('nan')):>12.1f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
