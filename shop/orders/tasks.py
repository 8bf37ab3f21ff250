from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction

from .emails import order_email_build
from .models import OrderEmail
from .selectors import order_detail


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
