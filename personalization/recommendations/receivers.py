"""How the recommendations listen: shop events in, consent checked on the server, events stored.

Every shop event handler is wrapped in `consent_guarded(..., purpose=PERSONALIZATION)`,
so a subject without that consent (or without any subject) stores nothing at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from primitives.subjects import Subject
from privacy.consent import consent_guarded
from privacy.purposes import PERSONALIZATION
from privacy.signals import consent_withdrawn, subject_erased, subject_linked
from shop import events

from .demo import seed_on_import
from .models import EventKind, RetrainingRequest
from .retraining import recommendation_lists_forget
from .services import behaviour_events_forget, behaviour_events_link, behaviour_events_record
from .tasks import retrain_recommenders_if_requested


def record_product_viewed(event: events.ProductViewed) -> None:
    behaviour_events_record(subject=event.subject, kind=EventKind.VIEWED, products=[(event.product_id, 1)],
                            occurred_at=event.occurred_at)


def record_added_to_cart(event: events.AddedToCart) -> None:
    behaviour_events_record(subject=event.subject, kind=EventKind.ADDED_TO_CART,
                            products=[(event.product_id, event.quantity)], occurred_at=event.occurred_at)


def record_removed_from_cart(event: events.RemovedFromCart) -> None:
    behaviour_events_record(subject=event.subject, kind=EventKind.REMOVED_FROM_CART,
                            products=[(event.product_id, event.quantity)], occurred_at=event.occurred_at)


def record_checkout_started(event: events.CheckoutStarted) -> None:
    behaviour_events_record(subject=event.subject, kind=EventKind.CHECKOUT_STARTED,
                            products=[(line.product_id, line.quantity) for line in event.lines],
                            occurred_at=event.occurred_at)


def record_order_placed(event: events.OrderPlaced) -> None:
    behaviour_events_record(subject=event.subject, kind=EventKind.PURCHASED,
                            products=[(line.product_id, line.quantity) for line in event.lines],
                            occurred_at=event.occurred_at, order_id=event.order_id)


SHOP_EVENT_RECORDERS = {
    events.ProductViewed: record_product_viewed,
    events.AddedToCart: record_added_to_cart,
    events.RemovedFromCart: record_removed_from_cart,
    events.CheckoutStarted: record_checkout_started,
    events.OrderPlaced: record_order_placed,
}
_GUARDED = {event_type: consent_guarded(recorder, purpose=PERSONALIZATION)
            for event_type, recorder in SHOP_EVENT_RECORDERS.items()}


def retraining_request(*, reason: str) -> RetrainingRequest:
    """Ask for a retraining due within the deadline; queued after commit where a worker runs."""
    now = timezone.now()
    request = RetrainingRequest.objects.create(
        reason=reason, requested_at=now, due_by=now + settings.PERSONALIZATION_RETRAIN_DEADLINE)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(retrain_recommenders_if_requested.delay)
    return request


def _forget(subject: Subject) -> int:
    """Delete the subject's events and stored lists; returns how many rows went."""
    forgotten = behaviour_events_forget(user_id=subject.user_id, visitor_id=subject.visitor_id)
    if subject.is_user:
        forgotten += recommendation_lists_forget(user_id=subject.user_id)
    return forgotten


def forget_on_withdrawal(sender, *, subject: Subject, purpose: str, **kwargs) -> None:
    """Withdrawn personalization consent: in the same transaction the subject's stored behaviour
    and recommendation lists go, and a retraining is requested so the models forget them too."""
    if purpose == PERSONALIZATION and _forget(subject):
        retraining_request(reason=RetrainingRequest.Reason.WITHDRAWAL)


def forget_on_erasure(sender, *, subject: Subject, **kwargs) -> None:
    """An erased person leaves the models: what is left of theirs goes, and retraining is requested."""
    _forget(subject)
    retraining_request(reason=RetrainingRequest.Reason.ERASURE)


def link_on_login(sender, *, visitor: Subject, user: Subject, **kwargs) -> None:
    behaviour_events_link(visitor_id=visitor.visitor_id, user_id=user.user_id)


def connect() -> None:
    for event_type, handler in _GUARDED.items():
        events.subscribe(event_type, handler)
    # The import declares who consented (not a shopper's event): see demo.py.
    events.subscribe(events.HistoryImported, seed_on_import)
    consent_withdrawn.connect(forget_on_withdrawal, dispatch_uid="recommendations.forget_on_withdrawal")
    subject_linked.connect(link_on_login, dispatch_uid="recommendations.link_on_login")
    subject_erased.connect(forget_on_erasure, dispatch_uid="recommendations.forget_on_erasure")
