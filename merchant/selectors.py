"""What the merchant's dashboard shows: aggregates only, each in a fixed number of queries.

Periods end at the latest order (not today), so an imported history shows its own last weeks.
Sales, orders, units and stock are the shop's own bookkeeping: exact. Consent rates are counted
from people: released with noise once a week (privacy.disclosure) and read back from that release,
shown only for purposes that the release says at least SEGMENT_MIN_SIZE people decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from privacy.disclosure import figures_release, week_key
from privacy.models import ConsentRecord
from privacy.notice import notice_version
from privacy.purposes import CONSENT_PURPOSES, PURPOSES_BY_KEY
from privacy.selectors import consent_window_start
from shop.catalog.models import ProductVariant
from shop.orders.models import Order, OrderLine, OrderStatus

# Orders that count as sales: paid and not taken back.
SOLD_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
DAYS = 14
WEEKS = 12
TOP_PRODUCTS = 10
LOW_STOCK_THRESHOLD = 5
LOW_STOCK_ROWS = 10


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    revenue: Decimal
    orders: int


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    orders: int


@dataclass(frozen=True)
class TopProduct:
    sku: str
    title: str
    units: int
    revenue: Decimal


@dataclass(frozen=True)
class LowStock:
    variant_id: int
    product_id: int
    sku: str
    title: str
    stock: int


@dataclass(frozen=True)
class ConsentRate:
    purpose: str
    label: str
    decided: int
    granted: int
    shown: bool  # False below the minimum group size

    @property
    def rate(self) -> Decimal | None:
        if not self.shown or not self.decided:
            return None
        return (Decimal(self.granted) / Decimal(self.decided)).quantize(Decimal("0.001"))


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def sales_end() -> date | None:
    """The day of the latest sale: the dashboard's periods end there."""
    latest = Order.objects.filter(status__in=SOLD_STATUSES).aggregate(latest=Max("placed_at"))["latest"]
    return _local_date(latest) if latest else None


def _daily(start: date, end: date) -> dict[date, tuple[Decimal, int]]:
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(start, time.min), tz)
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz)
    rows = (Order.objects.filter(status__in=SOLD_STATUSES, placed_at__gte=since, placed_at__lt=until)
            .annotate(day=TruncDate("placed_at", tzinfo=tz)).values("day")
            .annotate(revenue=Sum("total"), orders=Count("id")))
    # SQLite returns decimal sums as floats: back to Decimal through str, to the penny.
    return {row["day"]: (Decimal(str(row["revenue"] or 0)).quantize(Decimal("0.01")), row["orders"])
            for row in rows}


def sales_by_day(*, end: date, days: int = DAYS) -> list[Period]:
    start = end - timedelta(days=days - 1)
    daily = _daily(start, end)
    periods = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        revenue, orders = daily.get(day, (Decimal("0.00"), 0))
        periods.append(Period(label=day.strftime("%-d %b"), start=day, revenue=revenue, orders=orders))
    return periods


def sales_by_week(*, end: date, weeks: int = WEEKS) -> list[Period]:
    """Weeks from Monday, the last one holding `end`."""
    last_monday = end - timedelta(days=end.weekday())
    start = last_monday - timedelta(weeks=weeks - 1)
    daily = _daily(start, end)
    periods = []
    for index in range(weeks):
        monday = start + timedelta(weeks=index)
        days = [monday + timedelta(days=n) for n in range(7)]
        revenue = sum((daily.get(day, (Decimal("0"), 0))[0] for day in days), Decimal("0.00"))
        orders = sum(daily.get(day, (Decimal("0"), 0))[1] for day in days)
        periods.append(Period(label=monday.strftime("%-d %b"), start=monday, revenue=revenue, orders=orders))
    return periods


def orders_by_status() -> list[StatusCount]:
    counts = dict(Order.objects.values_list("status").annotate(n=Count("id")).order_by())
    return [StatusCount(status=value, label=label, orders=counts.get(value, 0))
            for value, label in OrderStatus.choices]


def top_products(*, end: date, days: int = 30, limit: int = TOP_PRODUCTS) -> list[TopProduct]:
    """Best sellers by units over the `days` to `end` (cancelled units do not count)."""
    since = timezone.make_aware(datetime.combine(end - timedelta(days=days - 1), time.min))
    units = F("quantity") - F("quantity_cancelled")
    rows = (OrderLine.objects.filter(order__status__in=SOLD_STATUSES, order__placed_at__gte=since)
            .values("product_sku", "product_title")
            .annotate(units=Sum(units),
                      revenue=Sum(ExpressionWrapper(units * F("unit_price"),
                                                    output_field=DecimalField(max_digits=14, decimal_places=2))))
            .order_by("-units", "product_sku")[:limit])
    return [TopProduct(sku=row["product_sku"], title=row["product_title"], units=row["units"] or 0,
                       revenue=Decimal(str(row["revenue"] or 0)).quantize(Decimal("0.01"))) for row in rows]


def low_stock(*, threshold: int = LOW_STOCK_THRESHOLD, limit: int = LOW_STOCK_ROWS) -> tuple[list[LowStock], int]:
    """Published variants at or below `threshold` units, fewest first, and how many there are in all."""
    variants = ProductVariant.objects.filter(product__is_published=True, stock_quantity__lte=threshold)
    rows = variants.select_related("product").order_by("stock_quantity", "sku")[:limit]
    return ([LowStock(variant_id=v.pk, product_id=v.product_id, sku=v.sku,
                      title=v.product.title + (f" ({v.name})" if v.name else ""), stock=v.stock_quantity)
             for v in rows], variants.count())


def consent_counts_exact() -> dict[str, int]:
    """How many people decided each purpose, and how many granted it, with the rule the shop applies
    (latest decision under the current notice, within the consent lifetime). One query. Exact:
    only for a release, never for a page."""
    latest: dict[tuple, bool] = {}
    records = (ConsentRecord.objects.filter(notice_version=notice_version(),
                                            created_at__gte=consent_window_start())
               .order_by("created_at", "id").values_list("purpose", "user_id", "visitor_id", "granted"))
    for purpose, user_id, visitor_id, granted in records.iterator(chunk_size=5000):
        latest[(purpose, user_id, visitor_id)] = granted
    counts = {}
    for purpose in CONSENT_PURPOSES:
        decisions = [granted for (key, _, _), granted in latest.items() if key == purpose]
        counts[f"{purpose}:decided"], counts[f"{purpose}:granted"] = len(decisions), sum(decisions)
    return counts


def consent_rates(*, now: datetime | None = None) -> list[ConsentRate]:
    """Share of people whose decision in force grants each purpose, from this week's release (made by
    the first look of the week: one query after it). One person can change both figures of every
    purpose, so the family's epsilon is shared by all of them. A purpose the release says fewer than
    SEGMENT_MIN_SIZE people decided is not shown."""
    release = figures_release(family_key="consent_rates", release_key=week_key(now), now=now,
                              compute=consent_counts_exact, figures_per_person=2 * len(CONSENT_PURPOSES))
    floor = settings.SEGMENT_MIN_SIZE
    rates = []
    for purpose in CONSENT_PURPOSES:
        decided = release.values.get(f"{purpose}:decided")
        # Noise can take a count below zero or the granted above the decided: clamp for the page.
        decided = max(decided, 0) if decided is not None else 0
        granted = min(max(release.values.get(f"{purpose}:granted") or 0, 0), decided)
        rates.append(ConsentRate(purpose=purpose, label=PURPOSES_BY_KEY[purpose].label, decided=decided,
                                 granted=granted, shown=decided >= floor))
    return rates


@dataclass(frozen=True)
class Dashboard:
    end: date | None
    by_day: list[Period]
    by_week: list[Period]
    by_status: list[StatusCount]
    top: list[TopProduct]
    low: list[LowStock]
    low_total: int
    consent: list[ConsentRate]
    min_group: int


def merchant_dashboard() -> Dashboard:
    end = sales_end()
    low, low_total = low_stock()
    return Dashboard(
        end=end,
        by_day=sales_by_day(end=end) if end else [],
        by_week=sales_by_week(end=end) if end else [],
        by_status=orders_by_status(),
        top=top_products(end=end) if end else [],
        low=low, low_total=low_total,
        consent=consent_rates(),
        min_group=settings.SEGMENT_MIN_SIZE,
    )
