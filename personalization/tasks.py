from celery import shared_task

from .services import behaviour_events_purge_expired


@shared_task(acks_late=True)
def purge_expired_behaviour_events() -> int:
    """Delete behavioural events past their retention period; safe to run twice."""
    return behaviour_events_purge_expired()
