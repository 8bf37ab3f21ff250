"""The merchant's prices: list prices within each product's floor and ceiling, a product's
'from' price, and the price in force brought inside new bounds. Each change is recorded in the
price history with its 30-day reference."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from primitives.audit import audit_append
from primitives.money import format_money
from shop.catalog.fragments import catalog_changed
from shop.catalog.models import Product, ProductVariant

from . import LIST_PRICE_RULE
from .guardrails import CEILING, FLOOR
from .models import PriceChange, PriceChangeSource
from .reductions import reduced_from_after
from .selectors import lowest_price_before
from .services import product_from_price


def product_price_refresh(*, product: Product) -> Product:
    """Keep a product's listed price at its lowest variant price, with that variant's announced
    reduction (listings sort and filter on it).

    Called after a product's variants were edited: shared fragments showing it are
    renewed once the edit commits, whether or not the lowest price moved.
    """
    catalog_changed()
    # Read from the database: a prefetched `product.variants` (the admin's) predates the edit.
    variants = list(ProductVariant.objects.filter(product=product).only("id", "price", "reduced_from"))
    if not variants:
        return product
    price, reduced_from = product_from_price(variants)
    if (product.price, product.reduced_from) != (price, reduced_from):
        product.price, product.reduced_from = price, reduced_from
        product.save(update_fields=["price", "reduced_from", "updated_at"])
    return product


class ListPriceRefused(ValueError):
    """A list price the product's guardrails do not allow; the message says why."""


def list_price_check(*, list_price: Decimal, floor: Decimal | None, ceiling: Decimal | None) -> None:
    """Raise ListPriceRefused when a list price is negative or outside the product's own bounds."""
    if list_price is None or list_price < 0:
        raise ListPriceRefused("A list price cannot be negative.")
    if floor is not None and list_price < floor:
        raise ListPriceRefused(f"The list price {format_money(list_price)} is below this product's floor ({format_money(floor)}): "
                               "raise it or lower the floor.")
    if ceiling is not None and list_price > ceiling:
        raise ListPriceRefused(f"The list price {format_money(list_price)} is above this product's ceiling "
                               f"({format_money(ceiling)}): lower it or raise the ceiling.")


def _price_change_record(*, variant: ProductVariant, old_price: Decimal, new_price: Decimal, now, reason: str,
                         list_price: Decimal, clamps: list[str] | None = None) -> None:
    variant.reduced_from = reduced_from_after(
        old_price=old_price, new_price=new_price, current_reduced_from=variant.reduced_from,
        lowest_before=lowest_price_before(variant_id=variant.pk, current_price=old_price, now=now))
    variant.price, variant.price_changed_at = new_price, now
    audit_append(PriceChange, variant=variant, product_id=variant.product_id, old_price=old_price,
                 new_price=new_price, reduced_from=variant.reduced_from, rule=variant.price_rule,
                 source=PriceChangeSource.MERCHANT, changed_at=now,
                 inputs={"reason": reason, "list_price": str(list_price), "clamps": clamps or []})


@transaction.atomic
def variant_list_price_set(*, variant: ProductVariant, list_price: Decimal, now=None) -> ProductVariant:
    """The merchant sets a variant's list price: the price in force becomes it at once (the daily
    limit governs rules, not the merchant), recorded as a change by rule "list", with the 30-day
    reference when it is a reduction; then the product's 'from' price follows.

    Raises ListPriceRefused (nothing changed) outside the product's floor and ceiling."""
    now = now or timezone.now()
    locked = ProductVariant.objects.select_for_update().select_related("product").get(pk=variant.pk)
    product = locked.product
    list_price_check(list_price=list_price, floor=product.price_floor, ceiling=product.price_ceiling)
    old_price = locked.price
    locked.base_price, locked.price_rule = list_price, LIST_PRICE_RULE
    if old_price != list_price:
        _price_change_record(variant=locked, old_price=old_price, new_price=list_price, now=now,
                             reason="the merchant set the list price", list_price=list_price)
    locked.save(update_fields=["base_price", "price", "price_rule", "price_changed_at", "reduced_from"])
    product_price_refresh(product=product)
    variant.base_price, variant.price, variant.price_rule = locked.base_price, locked.price, locked.price_rule
    variant.price_changed_at, variant.reduced_from = locked.price_changed_at, locked.reduced_from
    return locked


@transaction.atomic
def product_prices_within_bounds(*, product: Product, now=None) -> int:
    """After the merchant changed a product's floor or ceiling: bring every variant's current price
    inside them at once (recorded as changes). Returns how many moved."""
    now = now or timezone.now()
    moved = 0
    for variant in ProductVariant.objects.select_for_update().filter(product=product).order_by("pk"):
        if product.price_floor is not None and variant.price < product.price_floor:
            new_price, clamp = product.price_floor, FLOOR
        elif product.price_ceiling is not None and variant.price > product.price_ceiling:
            new_price, clamp = product.price_ceiling, CEILING
        else:
            continue
        _price_change_record(variant=variant, old_price=variant.price, new_price=new_price, now=now,
                             reason=f"the merchant changed the product's {clamp}", list_price=variant.base_price,
                             clamps=[clamp])
        variant.save(update_fields=["price", "price_changed_at", "reduced_from"])
        moved += 1
    if moved:
        product_price_refresh(product=product)
    return moved
