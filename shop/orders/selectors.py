"""Order reads for the account pages, the guest's signed link and the e-mails."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.core import signing
from django.db.models import Count, F, IntegerField, Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

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
