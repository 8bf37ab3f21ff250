"""Unlearning: when someone's data leaves the event store, the models follow within a deadline.

Withdrawal of personalization consent and erasure delete the person's events and stored
lists at once (receivers.py) and record a `RetrainingRequest` due within
PERSONALIZATION_RETRAIN_DEADLINE. With a broker, retraining is queued right after the
commit; the hourly `retrain-recommenders-if-requested` job catches anything left (and is
what runs it on the embedded default, where a training must not hold up the page).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import RecommendationList, RetrainingRequest


def recommendation_lists_forget(*, user_id: int) -> int:
    """Delete every stored list computed for one customer, in every version; returns how many."""
    deleted, _ = RecommendationList.objects.filter(user_id=user_id).delete()
    return deleted


def retraining_request(*, reason: str) -> RetrainingRequest:
    """Ask for a retraining due within the deadline; queued after commit where a worker runs."""
    now = timezone.now()
    request = RetrainingRequest.objects.create(
        reason=reason, requested_at=now, due_by=now + settings.PERSONALIZATION_RETRAIN_DEADLINE)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(_retraining_enqueue)
    return request


def _retraining_enqueue() -> None:
    from .tasks import retrain_recommenders_if_requested

    retrain_recommenders_if_requested.delay()


def retraining_pending() -> bool:
    return RetrainingRequest.objects.filter(fulfilled_by__isnull=True).exists()
