"""Order writes: create a paid order, change its status, refund it. Side effects wait for the commit."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from primitives.audit import audit_append
from primitives.encrypted_fields import blind_index
from shop import events
from shop.catalog.stock import stock_return
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from shop.payments.providers import ProviderUnavailable, payment_provider
from shop.pricing.lines import PricedLine

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


def order_create_paid(*, checkout_token: UUID, user_id: int | None, email: str | None, address_id: int | None,
                      country: str, shipping_method: str, lines: list[PricedLine], subtotal: Decimal,
                      shipping_total: Decimal, tax_total: Decimal, vat_rate: Decimal, total: Decimal,
                      currency: str, subject: events.Subject | None) -> Order:
    """Record a paid order with its invoice number; after commit, announce it and send the confirmation.

    Must run inside the transaction that took the stock. One order per checkout. Each line keeps
    what its `PricedLine` says: the unit price, the public price, the rule and reason of a personal
    price and an announced reduction.
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
                  product_title=line.title, quantity=line.quantity, unit_price=line.unit_price.amount,
                  public_unit_price=line.public_unit_price.amount, price_rule=line.rule[:60],
                  price_personalized=line.personalized, price_reason=line.reason[:120],
                  reduced_from=line.reduced_from.amount if line.reduced_from is not None else None)
        for number, line in enumerate(lines, start=1)
    ])
    audit_append(OrderStatusChange, order=order, from_status="", to_status=OrderStatus.PAID, note="Paid online")
    events.emit(events.OrderPlaced(
        subject=subject, order_id=order.pk, total=total, currency=currency,
        lines=tuple(events.EventLine(product_id=line.product_id, variant_id=line.variant_id,
                                     quantity=line.quantity, unit_price=line.unit_price.amount)
                    for line in lines),
    ))
    _email_after_commit(order.pk, "confirmation")
    return order


def _email_after_commit(order_id: int, kind: str) -> None:
    from .tasks import send_order_email

    transaction.on_commit(lambda: send_order_email.delay(order_id, kind))


def _restock(order: Order) -> None:
    lines = list(order.lines.select_for_update().filter(variant__isnull=False))
    stock_return(quantities={line.variant_id: line.quantity - line.quantity_cancelled for line in lines})
    for line in lines:
        if line.quantity_cancelled != line.quantity:
            line.quantity_cancelled = line.quantity
            line.save(update_fields=["quantity_cancelled"])


EMAIL_FOR_STATUS = {OrderStatus.SHIPPED: "shipped", OrderStatus.CANCELLED: "cancelled",
                    OrderStatus.REFUNDED: "refunded"}


def _refund_key(order_id: int) -> str:
    return f"order-{order_id}-refund"  # one per order: the provider and our unique key both see it


def _already_refunded(order: Order) -> OrderTransitionError:
    return OrderTransitionError(f"Order {order.number} is already refunded.")


def _being_refunded(order: Order) -> OrderTransitionError:
    return OrderTransitionError(f"Order {order.number} is already being refunded; the payment provider "
                                "has not confirmed it yet.")


def _status_apply(order: Order, *, to_status: str, by_user_id: int | None, note: str) -> None:
    """The status change itself, in the caller's transaction with the order row locked."""
    from_status = order.status
    if to_status in MONEY_BACK and order.source == OrderSource.WEB:
        _restock(order)
    order.status = to_status
    order.save(update_fields=["status"])
    audit_append(OrderStatusChange, order=order, from_status=from_status, to_status=to_status,
                 changed_by_id=by_user_id, note=note[:300])
    if to_status in EMAIL_FOR_STATUS and order.source == OrderSource.WEB:
        _email_after_commit(order.pk, EMAIL_FOR_STATUS[to_status])


def _refund_request(order: Order, payment: Payment, *, to_status: str, by_user_id: int | None,
                    note: str) -> int:
    """Write the intent to return the order's money; raises the clean 409 when another request has.

    The unique key decides between two requests even without the order's row lock: the
    second insert waits for the first to commit, then fails, and is answered here.
    """
    key = _refund_key(order.pk)
    intent = {"status": RefundStatus.REQUESTED, "order_status": to_status, "requested_by_id": by_user_id,
              "reason": (note or f"Order {OrderStatus(to_status).label.lower()}")[:200], "message": "",
              "amount": order.total, "currency": order.currency}
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.status == RefundStatus.SUCCEEDED:
            raise _already_refunded(order)
        # A refund the provider refused may be asked for again; only one request takes it.
        if not Refund.objects.filter(pk=existing.pk, status=RefundStatus.REFUSED).update(**intent):
            raise _being_refunded(order)
        return existing.pk
    try:
        with transaction.atomic():
            return Refund.objects.create(payment=payment, idempotency_key=key, **intent).pk
    except IntegrityError:
        raise _being_refunded(order) from None


@transaction.atomic
def _status_change_begin(*, order_id: int, to_status: str, by_user_id: int | None, note: str) -> int | None:
    """Make the change, or, where money goes back, record the refund intent: its id (the change waits)."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status == to_status:
        raise OrderTransitionError(f"Order {order.number} is already {order.get_status_display().lower()}.")
    refund = Refund.objects.filter(idempotency_key=_refund_key(order.pk)).only("status").first()
    if refund is not None and refund.status == RefundStatus.REQUESTED:
        raise _being_refunded(order)  # nothing else happens to an order while its money is on the way back
    transition_check(order.status, to_status)
    if to_status in MONEY_BACK and order.status != OrderStatus.PENDING:
        payment = order.payments.filter(status=PaymentStatus.SUCCEEDED).first()
        if payment is not None:
            return _refund_request(order, payment, to_status=to_status, by_user_id=by_user_id, note=note)
        if refund is not None and refund.status == RefundStatus.SUCCEEDED:
            raise _already_refunded(order)
    _status_apply(order, to_status=to_status, by_user_id=by_user_id, note=note)
    return None


def order_status_change(*, order_id: int, to_status: str, by_user_id: int | None = None, note: str = "") -> Order:
    """Move an order along the table in `orders.status`.

    Cancelling a paid order or refunding one returns the money through the
    provider and the units to stock, exactly once, without holding any lock
    while the provider answers: under the order's row lock the refund's intent
    is recorded (one per order, by its unique key); the provider is called
    after that commit; the status changes and the units go back when it
    confirms (`order_refund_complete`). A second request meanwhile, or after,
    is refused with a 409 ("already being refunded" / "already refunded"), also
    without the lock. If the shop never hears back, `refunds_reconcile` asks again.
    """
    refund_id = _status_change_begin(order_id=order_id, to_status=to_status, by_user_id=by_user_id, note=note)
    if refund_id is not None:
        return order_refund_complete(refund_id=refund_id)
    return Order.objects.get(pk=order_id)


def order_refund(*, order_id: int, by_user_id: int | None = None, reason: str = "") -> Order:
    return order_status_change(order_id=order_id, to_status=OrderStatus.REFUNDED, by_user_id=by_user_id,
                               note=reason)


def order_refund_complete(*, refund_id: int) -> Order:
    """Send a recorded refund intent to the provider (outside any lock) and apply its answer. Idempotent.

    Raises OrderTransitionError (502) when the provider refuses (the intent is marked refused, the
    order unchanged) or cannot be reached (the intent stays for `refunds_reconcile`).
    """
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.REQUESTED:
        return Order.objects.get(pk=refund.payment.order_id)
    try:
        result = payment_provider(refund.payment.provider).refund(
            reference=refund.payment.reference, amount=refund.amount, currency=refund.currency,
            idempotency_key=refund.idempotency_key)
    except ProviderUnavailable:
        raise OrderTransitionError("The payment provider could not be reached. The refund is recorded and "
                                   "will be sent again shortly.", status=502) from None
    order = _refund_result_apply(refund_id=refund.pk, succeeded=result.succeeded,
                                 reference=result.reference or "", message=result.message)
    if not result.succeeded:
        raise OrderTransitionError(f"The payment provider refused the refund: {result.message}", status=502)
    return order


@transaction.atomic
def _refund_result_apply(*, refund_id: int, succeeded: bool, reference: str, message: str) -> Order:
    order_id = Refund.objects.filter(pk=refund_id).values_list("payment__order_id", flat=True).get()
    order = Order.objects.select_for_update().get(pk=order_id)  # the order first, as everywhere
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status != RefundStatus.REQUESTED:
        return order  # answered already (the request and the reconciler raced)
    if not succeeded:
        refund.status, refund.message = RefundStatus.REFUSED, message[:300]
        refund.save(update_fields=["status", "message", "updated_at"])
        return order
    refund.status, refund.reference = RefundStatus.SUCCEEDED, reference
    refund.save(update_fields=["status", "reference", "updated_at"])
    Payment.objects.filter(pk=refund.payment_id).update(status=PaymentStatus.REFUNDED)
    if order.status not in MONEY_BACK:
        _status_apply(order, to_status=refund.order_status or OrderStatus.REFUNDED,
                      by_user_id=refund.requested_by_id, note=refund.reason)
    events.emit(events.OrderRefunded(subject=events.Subject(user_id=order.user_id) if order.user_id else None,
                                     order_id=order.pk, amount=refund.amount, currency=refund.currency))
    return order


def refunds_reconcile(*, grace: timedelta = timedelta(minutes=2)) -> int:
    """Send again the refunds whose answer the shop never recorded (it stopped, or the provider was
    unreachable). The provider sees the same key, so money goes back once. Safe to run twice."""
    handled = 0
    stale = Refund.objects.filter(status=RefundStatus.REQUESTED, updated_at__lt=timezone.now() - grace)
    for refund_id in stale.values_list("pk", flat=True):
        try:
            order_refund_complete(refund_id=refund_id)
        except OrderTransitionError:
            continue  # refused (marked so, for the merchant) or still unreachable (next run)
        handled += 1
    return handled


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
