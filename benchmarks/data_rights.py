"""Data-rights benchmark: export and erasure of a customer with 10,000 events and 200 orders.

    .venv/bin/python benchmarks/data_rights.py [--events N] [--orders N] [--others N] [--out FILE]

Builds a throw-away SQLite database (or uses DATABASE_URL), creates the customer
(account, verified address, orders with lines, addresses, payments, consent records,
behavioural events) among `--others` other customers with the same volumes, then
times the export (the Celery task's work: registry walk, JSON, HTML page and ZIP)
and the erasure (the due-request processing). Target: under 5 s each. Queries are
counted: they must not grow with the person's number of rows.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 5.0


def setup_django(workdir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("MEDIA_ROOT", str(workdir / "media"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("ERASURE_GRACE_DAYS", "0")
    import django

    django.setup()


def customer_create(*, number: int, events: int, orders: int, products: list) -> int:
    """One customer with `orders` shipped orders (a line, an address and a payment each) and `events` events."""
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from personalization.recommendations.models import BehaviourEvent
    from privacy.models import ConsentRecord
    from shop.accounts.models import User
    from shop.checkout.models import Address
    from shop.orders.models import Order, OrderLine, OrderStatus
    from shop.payments.models import Payment

    now = timezone.now()
    email = f"bench-{number}@example.org"
    user = User.objects.create(email=email, password="!")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    addresses = Address.objects.bulk_create([
        Address(user=user, full_name=f"Bench Person {number}", line1=f"{i} Bench Street", city="Benchton",
                postcode="BE1 1CH", country="GB", phone="+44 7700 900000") for i in range(orders)])
    order_rows = Order.objects.bulk_create([
        Order(number=f"B{number:03d}-{i:05d}", user=user, status=OrderStatus.SHIPPED, currency="GBP",
              total=Decimal("12.50"), subtotal=Decimal("8.55"), shipping_total=Decimal("3.95"),
              tax_total=Decimal("2.08"), vat_rate=Decimal("0.2"), shipping_country="GB",
              placed_at=now - timedelta(days=i), shipping_address=address,
              invoice_number=f"BI{number:03d}-{i:05d}")
        for i, address in enumerate(addresses)])
    variant = products[0].variants.first()
    OrderLine.objects.bulk_create([
        OrderLine(order=order, line_number=1, variant=variant, product_sku=variant.sku,
                  product_title=products[0].title, quantity=1, unit_price=Decimal("8.55")) for order in order_rows])
    Payment.objects.bulk_create([
        Payment(idempotency_key=f"bench-{number}-{order.pk}", fingerprint="x", order=order, provider="test",
                amount=order.total, currency="GBP", status="succeeded",
                snapshot={"user_id": user.pk, "address_id": order.shipping_address_id, "total": "12.50"})
        for order in order_rows])
    ConsentRecord.objects.bulk_create([
        ConsentRecord(user=user, purpose="personalization", granted=True, notice_version="bench",
                      text_hash="0" * 64, source="banner", created_at=now - timedelta(days=d)) for d in range(50)])
    BehaviourEvent.objects.bulk_create([
        BehaviourEvent(user=user, kind="view", product=products[i % len(products)], quantity=1,
                       occurred_at=now - timedelta(minutes=i)) for i in range(events)], batch_size=2000)
    return user.pk


def counted(function):
    from django.db import connection

    queries: list[str] = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(record):
        result = function()
    return result, time.perf_counter() - started, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--others", type=int, default=3, help="other customers of the same size around them")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "data_rights.json")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="attuned-rights-bench-"))
    setup_django(workdir)
    from django.core.management import call_command
    from django.utils import timezone

    from privacy import data_requests
    from privacy.models import LEGAL_DEADLINE, DataRequest, DataRequestKind, DataRequestStatus
    from shop.accounts.models import User
    from shop.catalog.models import Category, Product, ProductVariant

    call_command("migrate", verbosity=0)
    category = Category.objects.create(name="Bench", slug="bench")
    products = []
    for i in range(50):
        product = Product.objects.create(title=f"Bench product {i}", slug=f"bench-{i}", category=category,
                                         price=Decimal("8.55"), created_at=timezone.now())
        ProductVariant.objects.create(product=product, sku=f"BENCH-{i}", price=Decimal("8.55"), stock_quantity=10)
        products.append(product)
    started = time.perf_counter()
    people = [customer_create(number=n, events=args.events, orders=args.orders, products=products)
              for n in range(args.others + 1)]
    setup_seconds = time.perf_counter() - started
    user_id = people[0]

    # The task's work, timed in this process whatever the broker (a request as export_request makes it).
    request = DataRequest.objects.create(kind=DataRequestKind.EXPORT, status=DataRequestStatus.SCHEDULED,
                                         user_id=user_id, created_at=timezone.now(), confirmed_at=timezone.now(),
                                         deadline=timezone.now() + LEGAL_DEADLINE)
    _, export_seconds, export_queries = counted(lambda: data_requests.export_build(request_id=request.pk))
    request.refresh_from_db()
    assert request.status == DataRequestStatus.DONE, request.status
    archive_bytes = request.archive.size

    data_requests.erasure_request(user_id=user_id)
    outcome, erasure_seconds, erasure_queries = counted(data_requests.requests_process_due)
    assert outcome["erased"] == 1 and not User.objects.filter(pk=user_id).exists(), outcome
    assert User.objects.filter(pk__in=people[1:]).count() == args.others

    results = {
        "events": args.events, "orders": args.orders, "other_customers": args.others,
        "setup_seconds": round(setup_seconds, 2),
        "export_seconds": round(export_seconds, 3), "export_queries": export_queries,
        "export_zip_bytes": archive_bytes,
        "erasure_seconds": round(erasure_seconds, 3), "erasure_queries": erasure_queries,
        "target_seconds": TARGET_SECONDS,
        "database": os.environ["DATABASE_URL"].split(":", 1)[0],
        "requests": DataRequest.objects.count(),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    verdict = export_seconds < TARGET_SECONDS and erasure_seconds < TARGET_SECONDS
    print("within target" if verdict else "OVER TARGET")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    sys.exit(0 if verdict else 1)


if __name__ == "__main__":
    main()
