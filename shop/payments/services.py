"""Payment writes that need no order: refunding a payment that could not become one."""

from django.db import transaction

from .models import Payment, PaymentStatus, Refund
from .providers import payment_provider


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
