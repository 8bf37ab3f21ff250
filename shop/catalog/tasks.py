from celery import shared_task

from .services import product_popularity_refresh


@shared_task(acks_late=True)
def refresh_product_popularity() -> int:
    """Recompute every product's popularity; safe to run twice."""
    return product_popularity_refresh()
