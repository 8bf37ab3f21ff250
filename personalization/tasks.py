"""Personalization's Celery tasks: they take no personal data, and each is safe to run twice."""

import logging
import smtplib
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


# --- Newsletter, marketing e-mails and segments ------------------------------------------------

_SENDING_TASK = {"acks_late": True, "reject_on_worker_lost": True,
                 "rate_limit": settings.MARKETING_SEND_RATE_LIMIT}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_newsletter_confirmation(subscriber_id: int) -> bool:
    """E-mail the double opt-in link to a pending subscriber; nothing for anyone else."""
    from django.utils import timezone

    from .mail import confirmation_build
    from .models import Subscriber, SubscriberStatus

    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=SubscriberStatus.PENDING).first()
    if subscriber is None:
        return False
    if subscriber.confirmation_sent_at and (timezone.now() - subscriber.confirmation_sent_at).days >= 1:
        return False  # a stale message (a long outage): the person can sign up again
    try:
        confirmation_build(subscriber=subscriber).send()
    except smtplib.SMTPRecipientsRefused:
        # The address does not exist: nothing to retry, and the subscription stays unconfirmed.
        logger.warning("Newsletter confirmation to subscriber %s refused by the mail server.", subscriber_id)
        return False
    logger.info("Newsletter confirmation sent to subscriber %s.", subscriber_id)
    return True


@shared_task(**_SENDING_TASK)
def send_digest_batch(campaign_id: int, subscriber_ids: list[int]) -> dict:
    """Send one batch of a digest campaign; a redelivery sends nobody's e-mail twice."""
    from .campaigns import digest_batch_send

    return dict(digest_batch_send(campaign_id=campaign_id, subscriber_ids=subscriber_ids))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def start_weekly_digest() -> dict:
    """The scheduled digest: this ISO week's campaign (the same code as `send_digest`)."""
    from .campaigns import digest_campaign_start

    plan = digest_campaign_start()
    return {"campaign": plan.key, "eligible": len(plan.eligible), "skipped": dict(plan.skipped)}


@shared_task(**_SENDING_TASK)
def send_cart_reminders() -> dict:
    """Remind subscribers of carts left for MARKETING_CART_REMINDER_DELAY_HOURS, once per cart."""
    from .campaigns import cart_reminders_send

    return dict(cart_reminders_send())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compute_customer_segments() -> int:
    """Recompute the customer segments; returns the run's id."""
    from .segments import segments_compute

    return segments_compute().pk
