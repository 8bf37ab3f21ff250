from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from .emails import guest_order_links_build, order_email_build
from .models import OrderEmail
from .popularity import product_popularity_refresh
from .services import refunds_reconcile
from .selectors import guest_orders_for_links, order_detail

# How long a sent request is remembered, so a redelivered task does not send it twice.
GUEST_LINKS_SENT_TTL = 60 * 60 * 24


@shared_task(acks_late=True)
def refresh_product_popularity() -> int:
    """Recompute every product's popularity; safe to run twice."""
    return product_popularity_refresh()


@shared_task(acks_late=True)
def reconcile_refunds() -> int:
    """Send again the order refunds the shop never heard back about; safe to run twice."""
    return refunds_reconcile()


@shared_task(acks_late=True)
def send_order_email(order_id: int, kind: str) -> bool:
    """Send one transactional e-mail about an order, at most once (safe to run twice)."""
    with transaction.atomic():
        try:
            OrderEmail.objects.create(order_id=order_id, kind=kind)
        except IntegrityError:
            return False
        message = order_email_build(order=order_detail(order_id=order_id), kind=kind,
                                    base_url=settings.SHOP_BASE_URL)
        if message is not None:
            message.send()  # a failure rolls back the record, so a retry sends it
    return message is not None


@shared_task(acks_late=True)
def send_guest_order_links(order_ids: list[int], request_id: str) -> bool:
    """E-mail fresh links to guest orders, once per request (a redelivery sends nothing).

    Takes order ids, never the address: the broker sees no personal data.
    """
    if not cache.add(f"orders:guest-links-sent:{request_id}", 1, timeout=GUEST_LINKS_SENT_TTL):
        return False
    message = guest_order_links_build(orders=guest_orders_for_links(order_ids=order_ids),
                                      base_url=settings.SHOP_BASE_URL)
    if message is None:
        return False
    try:
        message.send()
    except Exception:
        cache.delete(f"orders:guest-links-sent:{request_id}")  # let a retry send it
        raise
    return True
