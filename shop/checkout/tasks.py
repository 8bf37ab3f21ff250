from celery import shared_task

from .reconcile import payments_reconcile
from .services import checkouts_expired_release


@shared_task(acks_late=True)
def release_expired_checkouts() -> int:
    """Free the stock of checkouts whose hold ran out; safe to run twice."""
    return checkouts_expired_release()


@shared_task(acks_late=True)
def reconcile_payments() -> int:
    """Complete or refund payments the shop did not finish; safe to run twice."""
    return payments_reconcile()
