"""Payment writes that need no order: refunding a payment that could not become one, and
remembering the provider events already acted on."""

import hashlib
import logging

from django.db import IntegrityError, transaction

from .models import Payment, PaymentStatus, ProviderEvent, Refund
from .providers import payment_provider

logger = logging.getLogger(__name__)


def payment_refund(*, payment: Payment, reason: str) -> bool:
    """Refund a whole payment through its provider, once. Returns whether the provider confirmed it."""
    key = f"payment-{payment.pk}-refund"
    if Refund.objects.filter(idempotency_key=key).exists():
        return True
    result = payment_provider(payment.provider).refund(reference=payment.reference, amount=payment.amount,
                                                       currency=payment.currency, idempotency_key=key)
    if not result.succeeded:
        return False
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REFUNDED, message=reason[:300])
        Refund.objects.get_or_create(idempotency_key=key, defaults={
            "payment": payment, "amount": payment.amount, "currency": payment.currency,
            "reference": result.reference or "", "reason": reason[:200]})
    return True


def provider_event_claim(*, provider: str, event_id: str) -> bool:
    """Remember a provider's event before acting on it; False when it was remembered already.

    Guarantees: of any number of deliveries of one event, sequential or at the same moment,
    exactly one claims it (the unique pair decides; a second insert waits for the first to
    commit, then fails). A replay is logged at INFO by provider and event id only.
    """
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(provider=provider, event_id=_event_key(event_id))
    except IntegrityError:
        logger.info("Payment provider %s sent event %s again: already handled, not acted on twice.",
                    provider, event_id)
        return False
    return True


def provider_event_release(*, provider: str, event_id: str) -> None:
    """Forget a claimed event whose handling failed, so the provider's retry is acted on."""
    ProviderEvent.objects.filter(provider=provider, event_id=_event_key(event_id)).delete()


def _event_key(event_id: str) -> str:
    # Providers' ids are short; an unusually long one is kept by its digest rather than refused.
    if len(event_id) <= 100:
        return event_id
    return "sha256:" + hashlib.sha256(event_id.encode()).hexdigest()
