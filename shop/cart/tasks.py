from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .services import carts_abandoned_purge

VISITOR_CART_RETENTION = timedelta(days=30)


@shared_task(acks_late=True)
def purge_abandoned_carts() -> int:
    """Delete visitors' carts untouched for 30 days; safe to run twice."""
    return carts_abandoned_purge(before=timezone.now() - VISITOR_CART_RETENTION)
