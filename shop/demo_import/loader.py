"""Write an import plan into the shop in one transaction.

Idempotent: products, customers and orders are keyed by SKU, customer number and
invoice number; whatever already exists is left exactly as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.utils.text import slugify

from shop import events
from shop.accounts.models import User
from shop.catalog.models import Category, Product, ProductVariant
from shop.orders.models import Order, OrderLine, OrderSource, OrderStatus

from .naming import CATEGORY_DESCRIPTIONS
from .source import ImportPlan

BATCH_SIZE = 2000
# Imported customers are pseudonymous: a reserved domain, so no address can ever be real.
IMPORTED_EMAIL_DOMAIN = "customers.invalid"

T = TypeVar("T")
Progress = Callable[[str, int], None]


def _batches(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# How long before the import's "now" the shifted history ends: long enough that the import's own
# commit and a training started right after it both come later than every imported order.
HISTORY_ENDS_BEFORE_NOW = timedelta(minutes=1)


def history_shift(plan: ImportPlan, *, now: datetime) -> timedelta:
    """The shift that moves the plan's last invoice to HISTORY_ENDS_BEFORE_NOW before `now`.

    Guaranteed: every shifted order is in the past at `now`, and the distance from `now` to
    each order is the same whatever the hour of the import (so a training started at the same
    distance after the import sees the same history). Whole minutes, as the source's times are.
    """
    if not plan.orders:
        return timedelta(0)
    last = max(order.placed_at for order in plan.orders)
    minutes = (now - HISTORY_ENDS_BEFORE_NOW - last) // timedelta(minutes=1)
    return timedelta(minutes=minutes)


def imported_customer_email(customer_number: str) -> str:
    return f"customer-{customer_number}@{IMPORTED_EMAIL_DOMAIN}"


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    already_present: dict[str, int] = field(default_factory=dict)


def _no_progress(stage: str, advance: int) -> None:
    return None


def _load_categories(plan: ImportPlan) -> tuple[dict[str, Category], int]:
    names = sorted({product.category for product in plan.products})
    existing = {category.slug: category for category in Category.objects.filter(slug__in=[slugify(n) for n in names])}
    created = 0
    for position, name in enumerate(sorted(CATEGORY_DESCRIPTIONS)):
        if name in names and slugify(name) not in existing:
            existing[slugify(name)] = Category.objects.create(
                name=name, slug=slugify(name), description=CATEGORY_DESCRIPTIONS.get(name, ""), position=position
            )
            created += 1
    return {name: existing[slugify(name)] for name in names}, created


def _unique_slug(title: str, sku: str, taken: set[str]) -> str:
    # Stock codes differ only by letter case at times ("85123A", "85123a"); slugs cannot.
    base = f"{slugify(title)[:200]}-{slugify(sku)}"
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    taken.add(slug)
    return slug


def _load_products(plan: ImportPlan, categories: dict[str, Category], progress: Progress,
                   shift: timedelta) -> tuple[dict[str, int], int]:
    present = dict(ProductVariant.objects.values_list("sku", "id"))
    taken_slugs = set(Product.objects.values_list("slug", flat=True))
    new = [planned for planned in plan.products if planned.sku not in present]
    for batch in _batches(new):
        products = Product.objects.bulk_create([
            Product(
                title=planned.title,
                slug=_unique_slug(planned.title, planned.sku, taken_slugs),
                category=categories[planned.category],
                price=planned.price,
                created_at=planned.first_sold_at + shift,
            )
            for planned in batch
        ])
        variants = ProductVariant.objects.bulk_create([
            ProductVariant(product=product, sku=planned.sku, price=planned.price, base_price=planned.price,
                           stock_quantity=planned.stock_quantity)
            for product, planned in zip(products, batch, strict=True)
        ])
        present.update({variant.sku: variant.id for variant in variants})
        progress("products", len(batch))
    return present, len(new)


def _load_customers(plan: ImportPlan, progress: Progress) -> tuple[dict[str, int], int]:
    present = dict(
        User.objects.filter(imported_customer_number__isnull=False).values_list("imported_customer_number", "id")
    )
    new = [number for number in plan.customer_numbers if number not in present]
    for batch in _batches(new):
        users = []
        for number in batch:
            user = User(email=imported_customer_email(number), imported_customer_number=number)
            user.set_unusable_password()  # hashing nothing: imports stay fast and logins impossible
            users.append(user)
        created = User.objects.bulk_create(users)
        present.update({user.imported_customer_number: user.id for user in created})
        progress("customers", len(batch))
    return present, len(new)


def _load_orders(plan: ImportPlan, variant_ids: dict[str, int], customer_ids: dict[str, int],
                 titles: dict[str, str], progress: Progress, shift: timedelta) -> list[int]:
    present = set(Order.objects.filter(source=OrderSource.IMPORT).values_list("number", flat=True))
    new = [planned for planned in plan.orders if planned.number not in present]
    currency = settings.SHOP_CURRENCY
    created: list[int] = []
    for batch in _batches(new, 500):
        orders = Order.objects.bulk_create([
            Order(
                number=planned.number,
                user_id=customer_ids.get(planned.customer_number) if planned.customer_number else None,
                status=OrderStatus.CANCELLED if planned.fully_cancelled else OrderStatus.DELIVERED,
                source=OrderSource.IMPORT,
                currency=currency,
                total=sum(((line.quantity - line.quantity_cancelled) * line.unit_price
                           for line in planned.lines), Decimal("0")),
                shipping_country=planned.country,
                placed_at=planned.placed_at + shift,
            )
            for planned in batch
        ])
        _insert_order_lines([
            (order.pk, number, variant_ids[line.sku], line.sku, titles[line.sku], line.quantity,
             line.quantity_cancelled, line.unit_price)
            for order, planned in zip(orders, batch, strict=True)
            for number, line in enumerate(planned.lines, start=1)
        ])
        created.extend(order.pk for order in orders)
        progress("orders", len(batch))
    return created


_ORDER_LINE_COLUMNS = ("order_id", "line_number", "variant_id", "product_sku", "product_title", "quantity",
                       "quantity_cancelled", "unit_price")


def _insert_order_lines(rows: list[tuple]) -> None:
    """Insert order lines in bulk: COPY on PostgreSQL, executemany elsewhere.

    Lines are four fifths of the import and need no ids back, so they skip the
    ORM's per-object work; model validation happened when the plan was built.
    """
    table = OrderLine._meta.db_table
    columns = ", ".join(_ORDER_LINE_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(_ORDER_LINE_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                               [(*row[:-1], str(row[-1])) for row in rows])


def load_plan(plan: ImportPlan, *, progress: Progress = _no_progress, shift: timedelta = timedelta(0),
              consent_share: float = 0.0) -> ImportResult:
    """Create what the plan holds and the shop lacks, all or nothing.

    `shift` moves every date of the new products and orders (so a demo's history can end
    just before now: `history_shift`); `consent_share` is announced with the new orders (`events.HistoryImported`).
    """
    result = ImportResult()
    with transaction.atomic():
        categories, result.created["categories"] = _load_categories(plan)
        variant_ids, result.created["products"] = _load_products(plan, categories, progress, shift)
        customer_ids, result.created["customers"] = _load_customers(plan, progress)
        titles = {planned.sku: planned.title for planned in plan.products}
        order_ids = _load_orders(plan, variant_ids, customer_ids, titles, progress, shift)
        result.created["orders"] = len(order_ids)
        if order_ids:
            events.emit(events.HistoryImported(subject=None, order_ids=tuple(order_ids),
                                               consent_share=consent_share))
    result.already_present = {
        "products": len(plan.products) - result.created["products"],
        "customers": len(plan.customer_numbers) - result.created["customers"],
        "orders": len(plan.orders) - result.created["orders"],
    }
    return result
