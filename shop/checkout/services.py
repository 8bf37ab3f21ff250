"""Checkout writes: start (reserving stock), address, shipping method, abandonment."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shop import events
from shop.cart.models import Cart
from shop.catalog.stock import OutOfStock, stock_release, stock_reserve
from shop.pricing import tax

from .models import Address, Checkout, CheckoutStatus, ShippingMethod
from .selectors import checkout_summary, shipping_methods_for


class CheckoutError(Exception):
    """A step the checkout refuses, with a message for the shopper and an HTTP status."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def reservation_deadline() -> datetime:
    return timezone.now() + timedelta(minutes=settings.SHOP_STOCK_RESERVATION_MINUTES)


def checkout_reserve(*, checkout: Checkout, quantities: dict[int, int]) -> datetime:
    """(Re)hold the units for this checkout, checked under lock. Raises CheckoutError when short."""
    until = reservation_deadline()
    try:
        stock_reserve(holder=checkout.token, quantities=quantities, until=until)
    except OutOfStock as shortage:
        raise CheckoutError(shortage.message, status=409) from shortage
    Checkout.objects.filter(pk=checkout.pk).update(reserved_until=until)
    checkout.reserved_until = until
    return until


@transaction.atomic
def checkout_start(*, cart: Cart, user_id: int | None, subject: events.Subject | None, strategy) -> Checkout:
    """Open (or reopen) the cart's checkout and hold its units for the configured minutes."""
    checkout = Checkout.objects.select_for_update().filter(cart=cart, status=CheckoutStatus.OPEN).first()
    if checkout is None:
        checkout = Checkout.objects.create(cart=cart, user_id=user_id)
    elif user_id and checkout.user_id != user_id:
        checkout.user_id = user_id
        checkout.save(update_fields=["user", "updated_at"])
    summary = checkout_summary(checkout=checkout, strategy=strategy)
    if not summary.lines:
        raise CheckoutError("Your cart is empty, or it has expired. Add something to it first.", status=409)
    checkout_reserve(checkout=checkout, quantities=summary.quantities)
    events.emit(events.CheckoutStarted(subject=subject, checkout_id=checkout.pk, lines=tuple(
        events.EventLine(product_id=line.product_id, variant_id=line.variant_id, quantity=line.quantity,
                         unit_price=line.home_unit_price.amount)
        for line in summary.lines)))
    return checkout


@transaction.atomic
def checkout_address_set(*, checkout: Checkout, email: str | None, full_name: str, line1: str, line2: str,
                         city: str, postcode: str, country: str, phone: str) -> Checkout:
    """Record where to ship (and, for a guest, where to write). A country we do not ship to is refused."""
    if country not in settings.SHOP_SHIPPING_COUNTRIES:
        raise CheckoutError("Sorry, we do not ship to that country.")
    if checkout.user_id is None and not email:
        raise CheckoutError("Please give an e-mail address for your order confirmation.")
    address = checkout.shipping_address or Address(user_id=checkout.user_id)
    for name, value in (("full_name", full_name), ("line1", line1), ("line2", line2), ("city", city),
                        ("postcode", postcode), ("country", country), ("phone", phone)):
        setattr(address, name, value.strip())
    address.save()
    checkout.shipping_address = address
    if checkout.user_id is None:
        checkout.email = email
    if checkout.shipping_method_id and not checkout.shipping_method.serves(country):
        checkout.shipping_method = None
    checkout.save()
    return checkout


@transaction.atomic
def checkout_shipping_method_set(*, checkout: Checkout, code: str) -> Checkout:
    if checkout.shipping_address_id is None:
        # The checkout's state, not the request, is what is missing: a conflict, as for its shipping methods.
        raise CheckoutError("Please give a shipping address first.", status=409)
    method = next((m for m in shipping_methods_for(country=checkout.country) if m.code == code), None)
    if method is None:
        raise CheckoutError(f"That shipping method is not available for {tax.country_name(checkout.country)}.")
    checkout.shipping_method = method
    checkout.save(update_fields=["shipping_method", "updated_at"])
    return checkout


@transaction.atomic
def checkout_abandon(*, checkout: Checkout) -> None:
    """Give up a checkout: its reservation ends at once."""
    stock_release(holder=checkout.token)
    Checkout.objects.filter(pk=checkout.pk).update(status=CheckoutStatus.ABANDONED, reserved_until=None)


def checkouts_expired_release(*, now: datetime | None = None) -> int:
    """Release the stock of open checkouts whose time ran out (they stay open: paying re-checks the
    stock); mark checkouts untouched for a day abandoned. Safe to run twice. Returns releases."""
    now = now or timezone.now()
    released = 0
    for checkout in Checkout.objects.filter(status=CheckoutStatus.OPEN, reserved_until__lte=now):
        stock_release(holder=checkout.token)
        Checkout.objects.filter(pk=checkout.pk).update(reserved_until=None)
        released += 1
    for checkout in Checkout.objects.filter(status=CheckoutStatus.OPEN, updated_at__lt=now - timedelta(days=1)):
        checkout_abandon(checkout=checkout)
    return released


def shipping_method_get(code: str) -> ShippingMethod | None:
    return ShippingMethod.objects.filter(code=code, is_active=True).first()
