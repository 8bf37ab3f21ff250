"""Reads for the account pages: the overview and the saved addresses."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from shop.orders.models import Order

from .models import SavedAddress

OVERVIEW_RECENT_ORDERS = 3


def saved_addresses_for_user(*, user_id: int) -> QuerySet[SavedAddress]:
    return SavedAddress.objects.filter(user_id=user_id)


def saved_address_for_user(*, user_id: int, address_id: int) -> SavedAddress | None:
    """The address only when it belongs to this account: another account's id reads as missing."""
    return SavedAddress.objects.filter(user_id=user_id, pk=address_id).first()


@dataclass(frozen=True)
class AccountOverview:
    recent_orders: list[Order]
    order_count: int
    addresses: list[SavedAddress]


def account_overview(*, user_id: int) -> AccountOverview:
    """What the overview shows, in three queries whatever the size of the history."""
    orders = Order.objects.filter(user_id=user_id)
    return AccountOverview(
        recent_orders=list(orders.order_by("-placed_at", "-id")[:OVERVIEW_RECENT_ORDERS]),
        order_count=orders.count(),
        addresses=list(saved_addresses_for_user(user_id=user_id)),
    )
