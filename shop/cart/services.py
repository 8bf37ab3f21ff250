"""Cart writes: add, change, remove, merge on login. Each validates and changes nothing on bad input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from shop import events
from shop.catalog.models import ProductVariant
from shop.catalog.stock import stock_available
from shop.pricing import PriceStrategy, price_strategy_for
from shop.pricing.locks import cart_line_lock, cart_line_lock_copy, cart_line_price, lock_in_force

from .models import Cart, CartLine

MAX_LINE_QUANTITY = 99


class CartError(Exception):
    """A request the cart refuses, with a message for the shopper and an HTTP status."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def cart_get_or_create(*, user_id: int | None = None, visitor_key: str | None = None) -> Cart:
    if user_id is not None:
        return Cart.objects.get_or_create(user_id=user_id)[0]
    if not visitor_key:
        raise ValueError("a cart belongs to a user or a visitor key")
    return Cart.objects.get_or_create(visitor_key=visitor_key)[0]


def _variant_for_sale(variant_id: int) -> ProductVariant:
    variant = (ProductVariant.objects.select_related("product")
               .filter(pk=variant_id, product__is_published=True).first())
    if variant is None:
        raise CartError("That product is not for sale, or no longer.", status=404)
    return variant


def _check_quantity(quantity: int) -> None:
    if quantity < 1:
        raise CartError("Choose a quantity of at least 1. To take something out of your cart, use Remove.")
    if quantity > MAX_LINE_QUANTITY:
        raise CartError(f"You can buy at most {MAX_LINE_QUANTITY} of one item at a time.")


def _check_stock(variant: ProductVariant, quantity: int) -> None:
    available = stock_available(variants=[variant])[variant.pk]
    if quantity > available:
        if available == 0:
            raise CartError(f"Sorry, {variant} is out of stock.", status=409)
        raise CartError(f"Sorry, only {available} of {variant} in stock.", status=409)


@transaction.atomic
def cart_line_add(*, cart: Cart, variant_id: int, quantity: int, subject: events.Subject | None,
                  strategy: PriceStrategy | None = None) -> CartLine:
    """Add `quantity` units to the cart (on top of what it holds), within the stock.

    The line holds the unit price `strategy` quotes now (shop.pricing.locks). Adding to a line
    whose quoted price still holds keeps it (unless the current price is lower); a line whose
    lock ran out, or whose personal price no longer applies, is quoted afresh.
    Without a strategy, the public price (callers outside a request)."""
    _check_quantity(quantity)
    strategy = strategy or price_strategy_for(None)
    variant = _variant_for_sale(variant_id)
    line = CartLine.objects.select_for_update().filter(cart=cart, variant=variant).first()
    new_quantity = quantity + (line.quantity if line else 0)
    _check_quantity(new_quantity)
    _check_stock(variant, new_quantity)
    if line is None:
        line = CartLine(cart=cart, variant=variant, quantity=new_quantity)
        cart_line_lock(line, strategy.variant_quote(variant))
        line.save()
    else:
        line.variant = variant
        line.quantity = new_quantity
        fields = ["quantity"]
        price = cart_line_price(line=line, strategy=strategy)
        if not price.is_locked:  # the quoted price no longer holds, or the current one is lower
            fields += cart_line_lock(line, price.quote)
        line.save(update_fields=fields)
    cart.save(update_fields=["updated_at"])
    events.emit(events.AddedToCart(subject=subject, product_id=variant.product_id, variant_id=variant.pk,
                                   quantity=quantity))
    return line


@transaction.atomic
def cart_line_set_quantity(*, cart: Cart, variant_id: int, quantity: int, subject: events.Subject | None) -> CartLine:
    """Set a line's quantity (at least 1, within the stock)."""
    _check_quantity(quantity)
    line = CartLine.objects.select_for_update().select_related("variant__product").filter(
        cart=cart, variant_id=variant_id).first()
    if line is None:
        raise CartError("That item is not in your cart (any more).", status=404)
    if quantity > line.quantity:
        _check_stock(_variant_for_sale(variant_id), quantity)
    change, line.quantity = quantity - line.quantity, quantity
    line.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])
    if change:
        event_type = events.AddedToCart if change > 0 else events.RemovedFromCart
        events.emit(event_type(subject=subject, product_id=line.variant.product_id, variant_id=variant_id,
                               quantity=abs(change)))
    return line


@transaction.atomic
def cart_line_remove(*, cart: Cart, variant_id: int, subject: events.Subject | None) -> None:
    line = CartLine.objects.select_related("variant").filter(cart=cart, variant_id=variant_id).first()
    if line is None:
        raise CartError("That item is not in your cart (any more).", status=404)
    line.delete()
    cart.save(update_fields=["updated_at"])
    events.emit(events.RemovedFromCart(subject=subject, product_id=line.variant.product_id, variant_id=variant_id,
                                       quantity=line.quantity))


@transaction.atomic
def cart_clear(*, cart: Cart) -> None:
    cart.lines.all().delete()


@dataclass(frozen=True)
class MergeNote:
    """One thing that changed when a visitor's cart joined their account's cart."""

    text: str
    limited: bool = False


@transaction.atomic
def cart_merge(*, visitor_key: str, user_id: int) -> list[MergeNote]:
    """Move a visitor's cart into the account's cart; say what changed.

    Quantities of the same item add up, capped at the stock; items no longer for
    sale are left out. The visitor's cart is deleted. Safe to call twice.
    """
    source = Cart.objects.filter(visitor_key=visitor_key).first()
    if source is None:
        return []
    incoming = list(source.lines.select_related("variant__product"))
    if not incoming:
        source.delete()
        return []
    target = Cart.objects.select_for_update().get_or_create(user_id=user_id)[0]
    present = {line.variant_id: line for line in target.lines.select_for_update()}
    available = stock_available(variants=[line.variant for line in incoming])
    notes: list[MergeNote] = []
    for line in incoming:
        variant, name = line.variant, str(line.variant)
        if not variant.product.is_published:
            notes.append(MergeNote(f"{name} is no longer for sale and was left out.", limited=True))
            continue
        existing = present.get(variant.pk)
        had = existing.quantity if existing else 0
        wanted = min(had + line.quantity, MAX_LINE_QUANTITY)
        allowed = max(had, min(wanted, available[variant.pk]))
        if allowed == had:
            text = (f"{name}: your cart already holds the {had} we have in stock." if had
                    else f"{name} is out of stock, so we could not add it.")
            notes.append(MergeNote(text, limited=True))
            continue
        if existing:
            existing.quantity = allowed
            fields = ["quantity"]
            if _lock_better(line, existing):
                fields += cart_line_lock_copy(line, existing)
            existing.save(update_fields=fields)
        else:
            merged = CartLine(cart=target, variant=variant, quantity=allowed)
            cart_line_lock_copy(line, merged)  # the price quoted before logging in still holds
            merged.save()
        if allowed < wanted:
            notes.append(MergeNote(f"{name}: only {allowed} in stock, so your cart now holds {allowed}.",
                                   limited=True))
        elif had:
            notes.append(MergeNote(f"{name}: {line.quantity} added to the {had} already in your cart "
                                   f"({allowed} in all)."))
        else:
            notes.append(MergeNote(f"{name}: {allowed} added from before you logged in."))
    source.delete()
    target.save(update_fields=["updated_at"])
    return notes


def _lock_better(incoming: CartLine, existing: CartLine) -> bool:
    """Whether the visitor's line holds a lower quoted price than the account's line (or the
    account's holds none): the merged line keeps the lock that is better for the shopper."""
    if not lock_in_force(incoming):
        return False
    return not lock_in_force(existing) or incoming.quoted_price < existing.quoted_price


def carts_abandoned_purge(*, before: datetime) -> int:
    """Delete visitors' carts untouched since `before`. Safe to run twice."""
    _, deleted = Cart.objects.filter(user__isnull=True, updated_at__lt=before).delete()
    return deleted.get("cart.Cart", 0)
