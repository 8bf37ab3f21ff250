"""Placing an order: idempotent, never overselling, never losing a payment.

1. The attempt's key is looked up: the same key with the same cart returns the
   first attempt's outcome; with a different cart it is refused (409).
2. Under row locks (variants in primary-key order) the stock is checked again
   and held for this checkout; a Payment row is written with a snapshot of what
   is being paid for. Both commit before the provider is called.
3. The provider is called outside any lock or transaction.
4. On success the order is created in one transaction that takes the stock
   (checked again under the lock) and an invoice number. If the units are gone
   meanwhile, the payment is refunded. If the shop fails between 3 and 4, the
   Payment row says "succeeded, no order": `payments_reconcile` (scheduled, and
   every webhook) completes the order or refunds it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db import IntegrityError, transaction

from shop import events
from shop.cart.models import CartLine
from shop.catalog.stock import OutOfStock, stock_release, stock_take
from shop.orders.models import Order
from shop.orders.services import order_create_paid
from shop.payments.models import Payment, PaymentStatus
from shop.payments.services import payment_refund
from shop.payments.providers import (
    ChargeRequest,
    ChargeResult,
    ChargeStatus,
    ProviderUnavailable,
    payment_provider,
)
from shop.pricing import PriceStrategy
from shop.pricing.lines import PricedLine

from .models import Checkout, CheckoutStatus
from .selectors import CheckoutSummary, checkout_summary
from .services import CheckoutError, checkout_reserve

logger = logging.getLogger(__name__)


class IdempotencyConflict(CheckoutError):
    def __init__(self):
        super().__init__("This payment attempt was already used for a different cart. Please review your order "
                         "and pay again.", status=409)


@dataclass(frozen=True)
class PlacementResult:
    payment: Payment
    order: Order | None = None
    action_url: str | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.order is not None


def _snapshot(checkout: Checkout, summary: CheckoutSummary, subject: events.Subject | None) -> dict:
    return {
        "checkout_token": str(checkout.token),
        "user_id": checkout.user_id,
        "address_id": checkout.shipping_address_id,
        "country": summary.country,
        "shipping_method": summary.shipping_method.name if summary.shipping_method else "",
        "lines": [line.priced.to_json() for line in summary.lines],
        "subtotal": str(summary.subtotal.amount), "shipping_total": str(summary.shipping.amount),
        "tax_total": str(summary.tax.amount), "vat_rate": str(summary.vat_rate),
        "total": str(summary.total.amount), "currency": summary.currency,
        "subject": subject.as_payload() if subject else None,
    }


def _outcome(payment: Payment) -> PlacementResult:
    if payment.order_id:
        return PlacementResult(payment=payment, order=payment.order)
    if payment.status == PaymentStatus.REQUIRES_ACTION:
        return PlacementResult(payment=payment, action_url=payment.action_url)
    if payment.status == PaymentStatus.CREATED:
        return PlacementResult(payment=payment, error="This payment is still being processed. Please wait a "
                                                      "moment and reload.")
    return PlacementResult(payment=payment, error=payment.message or "The payment did not go through.")


def _check_ready(checkout: Checkout, summary: CheckoutSummary, expected_total: Decimal) -> None:
    if checkout.status != CheckoutStatus.OPEN:
        raise CheckoutError("This checkout is already finished.", status=409)
    if not summary.lines:
        raise CheckoutError("Your cart is empty, or it has expired.", status=409)
    if checkout.shipping_address_id is None or summary.shipping_method is None:
        raise CheckoutError("Please give a shipping address and choose a shipping method first.", status=409)
    if checkout.user_id is None and not checkout.email:
        raise CheckoutError("Please give an e-mail address for your order confirmation.", status=409)
    if expected_total != summary.total.amount:
        raise CheckoutError(f"The total is now {summary.total.amount} {summary.currency}, not {expected_total}. "
                            "Please check your order and pay again.", status=422)


def order_place(*, checkout: Checkout, idempotency_key: str, payment_token: str, expected_total: Decimal,
                return_url: str, strategy: PriceStrategy, subject: events.Subject | None) -> PlacementResult:
    """Pay for the checkout and create its order (see the module's docstring for the guarantees)."""
    summary = checkout_summary(checkout=checkout, strategy=strategy)
    fingerprint = summary.fingerprint()
    existing = Payment.objects.select_related("order").filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.checkout_id != checkout.pk:
            # A key belongs to one checkout: someone else's answer (their order, their order
            # link) is never handed out, however alike the carts.
            raise IdempotencyConflict()
        if existing.order_id:
            return _outcome(existing)  # this attempt already bought the cart
        if existing.fingerprint != fingerprint:
            raise IdempotencyConflict()
        return _outcome(existing)
    _check_ready(checkout, summary, expected_total)
    provider = payment_provider()
    try:
        with transaction.atomic():
            checkout_reserve(checkout=checkout, quantities=summary.quantities)
            payment = Payment.objects.create(
                idempotency_key=idempotency_key, fingerprint=fingerprint, checkout=checkout,
                provider=provider.name, amount=summary.total.amount, currency=summary.currency,
                snapshot=_snapshot(checkout, summary, subject),
            )
    except IntegrityError:  # the same key, submitted twice at once: the first one answers
        payment = Payment.objects.select_related("order").get(idempotency_key=idempotency_key)
        if payment.checkout_id != checkout.pk or payment.fingerprint != fingerprint:
            raise IdempotencyConflict() from None
        return _outcome(payment)
    try:
        result = provider.charge(ChargeRequest(
            amount=payment.amount, currency=payment.currency, token=payment_token,
            idempotency_key=payment.idempotency_key, return_url=return_url,
            description=f"Checkout {checkout.pk}",
        ))
    except ProviderUnavailable as error:
        result = ChargeResult(status=ChargeStatus.ERROR, reference=None, message=str(error))
    return payment_result_apply(payment_id=payment.pk, result=result)


def payment_result_apply(*, payment_id: int, result: ChargeResult) -> PlacementResult:
    """Record what the provider said; complete the order on success, free the stock on failure. Idempotent."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.order_id or payment.status in (PaymentStatus.REFUNDED,):
            return _outcome(Payment.objects.select_related("order").get(pk=payment_id))
        payment.reference = result.reference or payment.reference
        payment.message = result.message[:300]
        payment.status = {
            ChargeStatus.SUCCEEDED: PaymentStatus.SUCCEEDED,
            ChargeStatus.REQUIRES_ACTION: PaymentStatus.REQUIRES_ACTION,
            ChargeStatus.DECLINED: PaymentStatus.DECLINED,
            ChargeStatus.ERROR: PaymentStatus.ERROR,
        }[result.status]
        payment.action_url = result.action_url or ""
        payment.save()
        if payment.status in (PaymentStatus.DECLINED, PaymentStatus.ERROR) and payment.checkout_id:
            stock_release(holder=payment.checkout.token)
    if payment.status == PaymentStatus.SUCCEEDED:
        return payment_complete(payment_id=payment.pk)
    return _outcome(payment)


def payment_complete(*, payment_id: int) -> PlacementResult:
    """Turn a succeeded payment into its order, once; refund it when the stock is gone."""
    try:
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            if payment.order_id or payment.status != PaymentStatus.SUCCEEDED:
                return _outcome(Payment.objects.select_related("order").get(pk=payment_id))
            order = _order_from_snapshot(payment)
            payment.order = order
            payment.save(update_fields=["order", "updated_at"])
            Checkout.objects.filter(token=payment.snapshot["checkout_token"]).update(
                status=CheckoutStatus.COMPLETED, reserved_until=None)
            _cart_lines_bought_remove(payment)
    except OutOfStock as shortage:
        return _refund_unfulfillable(payment_id, shortage)
    return PlacementResult(payment=payment, order=order)


def snapshot_lines(payment: Payment) -> list[PricedLine]:
    """The priced lines a payment paid for, as its snapshot keeps them (also in the earlier shape)."""
    return [PricedLine.from_json(line, currency=payment.snapshot["currency"]) for line in payment.snapshot["lines"]]


def _order_from_snapshot(payment: Payment) -> Order:
    snap = payment.snapshot
    token = UUID(snap["checkout_token"])
    lines = snapshot_lines(payment)
    stock_take(holder=token, quantities={line.variant_id: line.quantity for line in lines})
    checkout = Checkout.objects.filter(token=token).first()
    return order_create_paid(
        checkout_token=token, user_id=snap["user_id"], email=checkout.email if checkout else None,
        address_id=snap["address_id"], country=snap["country"], shipping_method=snap["shipping_method"],
        lines=lines, subtotal=Decimal(snap["subtotal"]), shipping_total=Decimal(snap["shipping_total"]),
        tax_total=Decimal(snap["tax_total"]), vat_rate=Decimal(snap["vat_rate"]), total=Decimal(snap["total"]),
        currency=snap["currency"], subject=events.Subject.from_payload(snap["subject"]),
    )


def _cart_lines_bought_remove(payment: Payment) -> None:
    checkout = payment.checkout
    if checkout is None or checkout.cart_id is None:
        return
    for line in payment.snapshot["lines"]:
        cart_line = CartLine.objects.filter(cart_id=checkout.cart_id, variant_id=line["variant_id"]).first()
        if cart_line is None:
            continue
        if cart_line.quantity <= line["quantity"]:
            cart_line.delete()
        else:
            cart_line.quantity -= line["quantity"]
            cart_line.save(update_fields=["quantity"])


def _refund_unfulfillable(payment_id: int, shortage: OutOfStock) -> PlacementResult:
    payment = Payment.objects.get(pk=payment_id)
    refunded = payment_refund(payment=payment, reason="Sold out while paying")
    if payment.checkout_id:
        stock_release(holder=payment.checkout.token)
    logger.warning("payment %s refunded: stock gone before the order was created", payment.pk)
    message = (f"{shortage.message} Your payment was refunded in full." if refunded
               else f"{shortage.message} Your payment will be refunded; we are on it.")
    return PlacementResult(payment=payment, error=message)
