"""Payments the shop did not finish: completed or refunded, never lost. Driven by webhooks and a schedule."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shop.payments.models import Payment, PaymentStatus
from shop.payments.providers import ChargeRequest, WebhookEvent, payment_provider
from shop.payments.services import provider_event_claim, provider_event_release

from .placement import PlacementResult, payment_complete, payment_result_apply

WEBHOOK_TYPES = {"payment.succeeded", "payment.failed", "refund.succeeded"}


def payment_sync(*, payment: Payment) -> PlacementResult:
    """Ask the provider where a payment stands and act on it (complete, release, or wait)."""
    provider = payment_provider(payment.provider)
    if payment.reference:
        result = provider.retrieve(payment.reference)
    else:  # the shop stopped before hearing back: the same key never charges twice, so ask again
        result = provider.charge(ChargeRequest(amount=payment.amount, currency=payment.currency, token="",
                                               idempotency_key=payment.idempotency_key, return_url=""))
    return payment_result_apply(payment_id=payment.pk, result=result)


def payments_reconcile(*, grace: timedelta = timedelta(minutes=2),
                       abandon_after: timedelta = timedelta(minutes=30)) -> int:
    """Finish payments left half-way: succeeded without an order, or never heard back. Safe to run twice."""
    now = timezone.now()
    handled = 0
    for payment in Payment.objects.filter(status=PaymentStatus.SUCCEEDED, order__isnull=True,
                                          updated_at__lt=now - grace):
        payment_complete(payment_id=payment.pk)
        handled += 1
    for payment in Payment.objects.filter(status__in=[PaymentStatus.CREATED, PaymentStatus.REQUIRES_ACTION],
                                          updated_at__lt=now - abandon_after):
        payment_sync(payment=payment)
        handled += 1
    return handled


def webhook_handle(*, provider_name: str, body: bytes, headers: dict[str, str]) -> str:
    """Verify a provider's webhook and bring the payment up to date, once per provider event id.

    Raises WebhookVerificationError.
    """
    provider = payment_provider(provider_name)
    event: WebhookEvent = provider.verify_webhook(body=body, headers=headers)
    if event.type not in WEBHOOK_TYPES:
        return "ignored"
    payment = Payment.objects.filter(provider=provider.name, reference=event.reference).first()
    if payment is None:
        return "unknown payment"
    if event.type == "refund.succeeded":
        return "noted"
    # A replay (the same signed event again, inside the provider's tolerance) is answered, not acted on.
    if not provider_event_claim(provider=provider.name, event_id=event.id):
        return "already processed"
    # The body only says "look": the payment's state is read from the provider itself.
    try:
        payment_sync(payment=payment)
    except Exception:
        provider_event_release(provider=provider.name, event_id=event.id)  # the provider's retry acts
        raise
    return "processed"
