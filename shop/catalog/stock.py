"""Stock: what is available, reserving it for a checkout, taking it for an order, putting it back.

Every write locks the variants' rows first (`variants_locked_for_update`, in
primary-key order) and re-checks availability under the lock, so two buyers of
the last unit cannot both get it, and the stock never goes below zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.db.models import DateTimeField, F, IntegerField, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .fragments import catalog_changed, stock_holds_changed
from .locking import variants_locked_for_update
from .models import ProductVariant, StockReservation


@dataclass(frozen=True)
class Shortage:
    variant_id: int
    name: str
    requested: int
    available: int


class OutOfStock(Exception):
    def __init__(self, shortages: list[Shortage]):
        self.shortages = shortages
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [
            f"{shortage.name}: only {shortage.available} left" if shortage.available
            else f"{shortage.name} is sold out"
            for shortage in self.shortages
        ]
        return "Not enough stock — " + "; ".join(parts) + "."


def reserved_by_others(*, variant_ids: Iterable[int], holder: UUID | None,
                       now: datetime | None = None) -> dict[int, int]:
    """Units of each variant held by unexpired reservations of other holders (one query)."""
    reservations = StockReservation.objects.filter(variant_id__in=set(variant_ids),
                                                   expires_at__gt=now or timezone.now())
    if holder is not None:
        reservations = reservations.exclude(holder=holder)
    held: dict[int, int] = defaultdict(int)
    for variant_id, quantity in reservations.values_list("variant_id", "quantity"):
        held[variant_id] += quantity
    return held


def units_reserved(variant: OuterRef, *, now: datetime | None = None) -> Coalesce:
    """An expression for the units of `variant` held by unexpired reservations (of any holder), to
    annotate rows that refer to a variant, so that availability comes with them in one query."""
    held = (StockReservation.objects.filter(variant=variant, expires_at__gt=now or timezone.now())
            .order_by().values("variant").annotate(units=Sum("quantity")).values("units"))
    return Coalesce(Subquery(held, output_field=IntegerField()), Value(0))


def holds_end(variant: OuterRef, *, now: datetime | None = None) -> Subquery:
    """An expression for when the first unexpired reservation of `variant` ends (None: nothing is
    held), beside `units_reserved`: until then the units it counts stay held."""
    ends = (StockReservation.objects.filter(variant=variant, expires_at__gt=now or timezone.now())
            .order_by().values("variant").annotate(first=Min("expires_at")).values("first"))
    return Subquery(ends, output_field=DateTimeField())


def stock_available(*, variants: Iterable[ProductVariant], holder: UUID | None = None) -> dict[int, int]:
    """Units each variant can still sell to `holder`: stock minus others' reservations, never negative."""
    variants = list(variants)
    held = reserved_by_others(variant_ids=[v.pk for v in variants], holder=holder)
    return {v.pk: max(0, v.stock_quantity - held[v.pk]) for v in variants}


def _check(variants: list[ProductVariant], quantities: Mapping[int, int], holder: UUID | None) -> None:
    available = stock_available(variants=variants, holder=holder)
    found = {variant.pk for variant in variants}
    shortages = [
        Shortage(variant.pk, str(variant), quantities[variant.pk], available[variant.pk])
        for variant in variants if quantities[variant.pk] > available[variant.pk]
    ]
    shortages += [Shortage(pk, "A product no longer sold", quantities[pk], 0) for pk in quantities if pk not in found]
    if shortages:
        raise OutOfStock(shortages)


def stock_reserve(*, holder: UUID, quantities: Mapping[int, int], until: datetime) -> None:
    """Hold `quantities` (variant id -> units) for `holder` until `until`, replacing what it held.

    Raises OutOfStock (and holds nothing new) when any variant falls short.
    """
    with transaction.atomic():
        variants = variants_locked_for_update(quantities)
        _check(variants, quantities, holder)
        StockReservation.objects.filter(holder=holder).delete()
        StockReservation.objects.bulk_create([
            StockReservation(variant_id=variant_id, holder=holder, quantity=quantity, expires_at=until)
            for variant_id, quantity in sorted(quantities.items()) if quantity > 0
        ])
        stock_holds_changed()  # what others can buy changed (a cart's "only 2 left")


def stock_release(*, holder: UUID) -> int:
    """Give back whatever `holder` held. Returns the number of reservations dropped."""
    deleted, _ = StockReservation.objects.filter(holder=holder).delete()
    if deleted:
        stock_holds_changed()
    return deleted


def stock_take(*, holder: UUID, quantities: Mapping[int, int]) -> list[ProductVariant]:
    """Take units out of stock for an order, under lock, and drop the holder's reservations.

    Must run inside the transaction that creates the order. Raises OutOfStock
    when the units are no longer there (for instance after a reservation expired
    and someone else bought them).
    """
    variants = variants_locked_for_update(quantities)
    _check(variants, quantities, holder)
    for variant in variants:
        ProductVariant.objects.filter(pk=variant.pk).update(stock_quantity=F("stock_quantity") - quantities[variant.pk])
    if StockReservation.objects.filter(holder=holder).delete()[0]:
        stock_holds_changed()
    catalog_changed()  # pages show what is in stock
    return variants


def stock_return(*, quantities: Mapping[int, int]) -> None:
    """Put units back into stock (a refund or a cancellation), under lock."""
    variants_locked_for_update(quantities)
    for variant_id, quantity in quantities.items():
        if quantity > 0:
            ProductVariant.objects.filter(pk=variant_id).update(stock_quantity=F("stock_quantity") + quantity)
    catalog_changed()


def stock_reservations_purge(*, now: datetime | None = None) -> int:
    """Delete expired reservations (they already count for nothing). Safe to run twice."""
    deleted, _ = StockReservation.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
