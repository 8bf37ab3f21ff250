"""Order writes: create a paid order, change its status, refund it. Side effects wait for the commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID, uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from privacy.fields import blind_index

from shop import events
from shop.catalog.stock import stock_return
from shop.payments.models import Payment, PaymentStatus, Refund
from shop.payments.providers import payment_provider

from .models import InvoiceSequence, Order, OrderLine, OrderSource, OrderStatus, OrderStatusChange
from .selectors import guest_order_ids_for_email
from .status import MONEY_BACK, OrderTransitionError, transition_check

NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def order_number_new() -> str:
    return "W" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(9))


def invoice_number_next() -> str:
    """The next invoice number, gapless: must run inside the transaction that issues the invoice."""
    prefix = settings.SHOP_INVOICE_PREFIX
    InvoiceSequence.objects.get_or_create(prefix=prefix)
    sequence = InvoiceSequence.objects.select_for_update().get(prefix=prefix)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{prefix}{sequence.last_number:06d}"


@dataclass(frozen=True, kw_only=True)
class NewOrderLine:
    variant_id: int
    product_id: int
    sku: str
    title: str
    quantity: int
    unit_price: Decimal


def order_create_paid(*, checkout_token: UUID, user_id: int | None, email: str | None, address_id: int | None,
                      country: str, shipping_method: str, lines: list[NewOrderLine], subtotal: Decimal,
                      shipping_total: Decimal, tax_total: Decimal, vat_rate: Decimal, total: Decimal,
                      currency: str, subject: events.Subject | None) -> Order:
    """Record a paid order with its invoice number; after commit, announce it and send the confirmation.

    Must run inside the transaction that took the stock. One order per checkout.
    """
    order = Order.objects.create(
        number=order_number_new(), user_id=user_id, status=OrderStatus.PAID, source=OrderSource.WEB,
        currency=currency, total=total, subtotal=subtotal, shipping_total=shipping_total, tax_total=tax_total,
        vat_rate=vat_rate, shipping_country=country, shipping_method=shipping_method,
        shipping_address_id=address_id, email=None if user_id else email, placed_at=timezone.now(),
        invoice_number=invoice_number_next(), checkout_token=checkout_token,
    )
    OrderLine.objects.bulk_create([
        OrderLine(order=order, line_number=number, variant_id=line.variant_id, product_sku=line.sku,
                  product_title=line.title, quantity=line.quantity, unit_price=line.unit_price)
        for number, line in enumerate(lines, start=1)
    ])
    OrderStatusChange.objects.create(order=order, from_status="", to_status=OrderStatus.PAID, note="Paid online")
    events.emit(events.OrderPlaced(
        subject=subject, order_id=order.pk, total=total, currency=currency,
        lines=tuple(events.EventLine(product_id=line.product_id, variant_id=line.variant_id,
                                     quantity=line.quantity, unit_price=line.unit_price) for line in lines),
    ))
    _email_after_commit(order.pk, "confirmation")
    return order


def _email_after_commit(order_id: int, kind: str) -> None:
    from .tasks import send_order_email

    transaction.on_commit(lambda: send_order_email.delay(order_id, kind))


def _refund_payment(order: Order, *, reason: str) -> Refund | None:
    """Return the order's money through the provider, once (the provider sees one key per order)."""
    payment = order.payments.filter(status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED]).first()
    if payment is None:
        return None
    key = f"order-{order.pk}-refund"
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing:
        return existing
    result = payment_provider(payment.provider).refund(reference=payment.reference, amount=order.total,
                                                       currency=order.currency, idempotency_key=key)
    if not result.succeeded:
        raise OrderTransitionError(f"The payment provider refused the refund: {result.message}", status=502)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REFUNDED)
    return Refund.objects.create(payment=payment, idempotency_key=key, amount=order.total,
                                 currency=order.currency, reference=result.reference or "", reason=reason)


def _restock(order: Order) -> None:
    lines = list(order.lines.select_for_update().filter(variant__isnull=False))
    stock_return(quantities={line.variant_id: line.quantity - line.quantity_cancelled for line in lines})
    for line in lines:
        if line.quantity_cancelled != line.quantity:
            line.quantity_cancelled = line.quantity
            line.save(update_fields=["quantity_cancelled"])


EMAIL_FOR_STATUS = {OrderStatus.SHIPPED: "shipped", OrderStatus.CANCELLED: "cancelled",
                    OrderStatus.REFUNDED: "refunded"}


@transaction.atomic
def order_status_change(*, order_id: int, to_status: str, by_user_id: int | None = None, note: str = "") -> Order:
    """Move an order along the table in `orders.status`.

    Cancelling a paid order or refunding one returns the money through the
    provider and the units to stock, exactly once: the order row is locked, and
    a second request finds the order already cancelled or refunded and is refused.
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status == to_status:
        raise OrderTransitionError(f"Order {order.number} is already {order.get_status_display().lower()}.")
    transition_check(order.status, to_status)
    from_status = order.status
    refund = None
    if to_status in MONEY_BACK and from_status != OrderStatus.PENDING:
        refund = _refund_payment(order, reason=note or f"Order {OrderStatus(to_status).label.lower()}")
    if to_status in MONEY_BACK and order.source == OrderSource.WEB:
        _restock(order)
    order.status = to_status
    order.save(update_fields=["status"])
    OrderStatusChange.objects.create(order=order, from_status=from_status, to_status=to_status,
                                     changed_by_id=by_user_id, note=note[:300])
    if refund is not None:
        events.emit(events.OrderRefunded(subject=events.Subject(user_id=order.user_id) if order.user_id else None, order_id=order.pk,
                                         amount=refund.amount, currency=refund.currency))
    if to_status in EMAIL_FOR_STATUS and order.source == OrderSource.WEB:
        _email_after_commit(order.pk, EMAIL_FOR_STATUS[to_status])
    return order


def order_refund(*, order_id: int, by_user_id: int | None = None, reason: str = "") -> Order:
    return order_status_change(order_id=order_id, to_status=OrderStatus.REFUNDED, by_user_id=by_user_id,
                               note=reason)


# E-mails of guest order links per address and hour: enough for someone who
# lost one, too few to flood an inbox that someone else typed in.
GUEST_LINK_REQUESTS_PER_HOUR = 3


def guest_order_links_request(*, email: str) -> None:
    """E-mail the address links to the orders placed under it without an account, if any.

    The caller learns nothing either way (the form answers the same), so the form
    cannot tell anyone whether an address has shopped here. Past the hourly limit
    for the address, nothing is sent.
    """
    throttle_key = f"orders:guest-links:{blind_index(email)}"
    if not cache.add(throttle_key, 1, timeout=60 * 60):
        try:
            if cache.incr(throttle_key) > GUEST_LINK_REQUESTS_PER_HOUR:
                return
        except ValueError:  # expired between add and incr: a new hour
            cache.add(throttle_key, 1, timeout=60 * 60)
    order_ids = guest_order_ids_for_email(email=email)
    if order_ids:
        from .tasks import send_guest_order_links

        request_id = uuid4().hex
        transaction.on_commit(lambda: send_guest_order_links.delay(order_ids, request_id))
