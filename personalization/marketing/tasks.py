"""The newsletter's Celery tasks: they take no personal data, and each is safe to run twice.

The scheduled ones are here. The two that the newsletter's own writes queue after commit are
defined beside the work they do, so that those writes need not import this module:
`newsletter.send_newsletter_confirmation` and `campaigns.send_digest_batch`.
"""

from celery import shared_task

from .campaigns import SENDING_TASK, cart_reminders_send, digest_campaign_start, send_digest_batch
from .newsletter import send_newsletter_confirmation


__all__ = ["send_cart_reminders", "send_digest_batch", "send_newsletter_confirmation", "start_weekly_digest"]


@shared_task(acks_late=True, reject_on_worker_lost=True)
def start_weekly_digest() -> dict:
    """The scheduled digest: this ISO week's campaign (the same code as `send_digest`)."""
    plan = digest_campaign_start()
    return {"campaign": plan.key, "eligible": len(plan.eligible), "skipped": dict(plan.skipped)}


@shared_task(**SENDING_TASK)
def send_cart_reminders() -> dict:
    """Remind subscribers of carts left for MARKETING_CART_REMINDER_DELAY_HOURS, once per cart."""
    return dict(cart_reminders_send())
