"""The recommendations' Celery tasks: they take no personal data, and each is safe to run twice."""

import logging
import uuid
from datetime import datetime

from celery import shared_task
from django.conf import settings

from .retraining import retraining_pending
from .services import behaviour_events_purge_expired
from .training import recommenders_train
from .training_lock import TrainingLock

logger = logging.getLogger(__name__)

_TRAINING_TASK = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "time_limit": settings.CELERY_LONG_TASK_TIME_LIMIT,
    "soft_time_limit": settings.CELERY_LONG_TASK_TIME_LIMIT - 60,
}


@shared_task(acks_late=True)
def purge_expired_behaviour_events() -> int:
    """Delete behavioural events past their retention period; safe to run twice."""
    return behaviour_events_purge_expired()


def _train_once(task_id: str | None, until: str | None) -> int | None:
    """Train unless another training holds the lock (then skip, with a log line).

    The lock is held under the task id, so a redelivery of the same task after its
    worker died takes over instead of waiting for the dead run's lock to expire.
    """
    lock = TrainingLock(task_id or f"local-{uuid.uuid4()}")
    if not lock.acquire():
        logger.info("Training skipped: another training is running.")
        return None
    try:
        frozen = datetime.fromisoformat(until) if until else None
        version = recommenders_train(task_id=task_id or "", until=frozen)
        return version.pk if version else None
    finally:
        lock.release()


@shared_task(**_TRAINING_TASK)
def train_recommenders(self, until: str | None = None) -> int | None:
    """Train every rail and switch the shop to the new version; returns its id (None if skipped).

    `until` (ISO 8601) freezes the models' "now" for a reproducible training; by default, now.
    """
    return _train_once(self.request.id, until)


@shared_task(**_TRAINING_TASK)
def retrain_recommenders_if_requested(self, until: str | None = None) -> int | None:
    """Train when a withdrawal or an erasure asked for it and no later training has done it."""
    if not retraining_pending():
        return None
    return _train_once(self.request.id, until)
