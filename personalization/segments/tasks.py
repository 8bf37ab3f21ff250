"""Customer segments' Celery task: it takes no personal data, and is safe to run twice."""

from celery import shared_task

from .segmentation import segments_compute


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compute_customer_segments() -> int:
    """Recompute the customer segments; returns the run's id."""
    return segments_compute().pk
