from celery import shared_task


@shared_task(acks_late=True)
def reconcile_refunds() -> int:
    """Send again the order refunds the shop never heard back about; safe to run twice."""
    from shop.orders.services import refunds_reconcile

    return refunds_reconcile()
