"""Order reads for the account pages, the guest's signed link and the e-mails."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.core import signing
from django.db.models import Count, F, IntegerField, Max, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce
from django.urls import reverse

from primitives.compiled_queries import instances_for, rows_for_id
from primitives.encrypted_fields import blind_index

from .models import Order, OrderLine, OrderStatus

GUEST_LINK_SALT = "shop.orders.guest-link"
GUEST_LINK_MAX_AGE = 60 * 60 * 24 * 180  # half a year
# Orders that count as sales: placed and not cancelled or refunded (pending payment does not count).
SALE_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)


def units_sold_by_variant(*, windows: Iterable[int], now: datetime) -> dict[int, dict[int, int]]:
    """{variant id: {window days: units sold in the window before now, less cancelled units}} (one query).

    The sales demand pricing reads (registered in shop/orders/apps.py, see shop.pricing.sales)."""
    windows = sorted(set(windows))
    if not windows:
        return {}
    net = F("quantity") - F("quantity_cancelled")
    sums = {f"w{days}": Coalesce(Sum(net, filter=Q(order__placed_at__gte=now - timedelta(days=days))), 0,
                                 output_field=IntegerField())
            for days in windows}
    rows = (OrderLine.objects
            .filter(variant__isnull=False, order__status__in=SALE_STATUSES,
                    order__placed_at__gte=now - timedelta(days=windows[-1]), order__placed_at__lt=now)
            .values("variant_id").annotate(**sums).order_by())
    return {row["variant_id"]: {days: int(row[f"w{days}"]) for days in windows} for row in rows}


def orders_for_user(*, user_id: int) -> QuerySet[Order]:
    return Order.objects.filter(user_id=user_id).order_by("-placed_at", "-id")


# What the account's order list shows of each order (`OrdersOfUser` reads only these).
LISTED_FIELDS = ("number", "status", "currency", "total", "placed_at")

# No account has this id: it stands in the account's order list's kept SQL (see below).
_STAND_IN_USER_ID = -0x5E6


class OrdersOfUser:
    """`orders_for_user` as a Paginator reads it, `count()` and then a slice (a page), from SQL
    compiled once per process and shape (primitives.compiled_queries) rather than built and
    compiled for every request.

    The first page, the one nearly every visit asks for, is read together with the count in one
    query (`COUNT(*) OVER ()`) when the Paginator asks for the count, and its slice then reads
    nothing. Any other page costs a count of its own first, so that only pages the account has
    are read: LIMIT and OFFSET are written into the SQL, each page is a shape of its own and kept,
    and a made-up page number must not add one. Pages are read `page_size` orders at a time (a
    last page that the Paginator asks for shorter is cut after reading). Each order holds the
    `LISTED_FIELDS` the list shows (its other fields are read only if asked for, a query each)."""

    def __init__(self, user_id: int, *, page_size: int, page_number: object = 1):
        self.user_id, self.page_size = user_id, page_size
        self.first_page_asked = str(page_number or 1) == "1"
        self.read: dict[tuple[int, int], list[Order]] = {}

    def count(self) -> int:
        if self.first_page_asked:
            orders = self._page(0)
            return orders[0].orders_of_user if orders else 0
        rows = rows_for_id("orders.count_of_user", lambda: (
            Order.objects.filter(user_id=_STAND_IN_USER_ID).order_by().values("user_id")
            .annotate(orders=Count("pk")).values_list("orders")),
            stand_in=_STAND_IN_USER_ID, value=self.user_id)
        return rows[0][0] if rows else 0

    def __getitem__(self, page: slice) -> list[Order]:
        if not isinstance(page, slice) or page.step is not None or page.stop is None:
            raise TypeError("The account's orders are read a page (a slice with an end, without a step) at a time.")
        start = page.start or 0
        wanted = page.stop - start
        if wanted <= 0:  # the empty first page of an account without orders
            return []
        return self._page(start, max(wanted, self.page_size))[:wanted]

    def _page(self, start: int, size: int | None = None) -> list[Order]:
        size = size or self.page_size
        if (start, size) not in self.read:
            self.read[start, size] = instances_for(
                ("orders.page_of_user", start, size),
                lambda: (orders_for_user(user_id=_STAND_IN_USER_ID).only(*LISTED_FIELDS)
                         .annotate(orders_of_user=Window(Count("pk")))[start:start + size]),
                stand_ins={_STAND_IN_USER_ID: self.user_id})
        return self.read[start, size]


def _with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related("shipping_address", "user").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("variant").order_by("line_number")))


def order_detail_for_user(*, user_id: int, number: str) -> Order | None:
    return _with_details(Order.objects.filter(user_id=user_id, number=number)).first()


def order_detail(*, order_id: int) -> Order:
    return _with_details(Order.objects.filter(pk=order_id)).get()


def order_guest_token(order: Order) -> str:
    return signing.dumps({"order": order.pk, "number": order.number}, salt=GUEST_LINK_SALT, compress=True)


def order_guest_path(order: Order) -> str:
    """The signed link to an order for someone without an account (in the confirmation e-mail)."""
    return reverse("orders:guest_detail", kwargs={"token": order_guest_token(order)})


def order_from_guest_token(*, token: str) -> Order | None:
    try:
        data = signing.loads(token, salt=GUEST_LINK_SALT, max_age=GUEST_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return _with_details(Order.objects.filter(pk=data.get("order"), number=data.get("number"))).first()


GUEST_ORDERS_PER_LOOKUP = 20


def guest_order_ids_for_email(*, email: str) -> list[int]:
    """Ids of the latest orders placed without an account under ``email`` (by its blind index,
    so the address itself is never compared in the clear)."""
    return list(
        Order.objects.filter(user__isnull=True, email_index=blind_index(email))
        .order_by("-placed_at", "-id")
        .values_list("pk", flat=True)[:GUEST_ORDERS_PER_LOOKUP]
    )


def guest_orders_for_links(*, order_ids: list[int]) -> list[Order]:
    return list(Order.objects.filter(pk__in=order_ids, user__isnull=True).order_by("-placed_at", "-id"))


def order_totals_per_customer(*, user_ids) -> list[tuple[int, datetime, int, Decimal]]:
    """(user id, latest order's time, number of orders, total spent) per account among `user_ids`,
    counting every order that was not cancelled or refunded, in one query. Accounts without
    such an order are left out."""
    return list(
        Order.objects.filter(user_id__in=user_ids).exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED])
        .values("user_id").annotate(last=Max("placed_at"), orders=Count("id"), spent=Sum("total"))
        .order_by("user_id").values_list("user_id", "last", "orders", "spent")
    )


def latest_order_times(*, user_ids) -> dict[int, datetime]:
    """The time of each account's latest order (any status), in one query."""
    return dict(Order.objects.filter(user_id__in=user_ids).values("user_id").annotate(last=Max("placed_at"))
                .order_by().values_list("user_id", "last"))
