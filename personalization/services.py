"""Writes to the behavioural event store. Callers have checked consent (see receivers.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from shop.events import Subject

from .models import BehaviourEvent, EventKind


def _subject_columns(subject: Subject) -> dict[str, object] | None:
    if subject.user_id is not None:
        return {"user_id": subject.user_id, "visitor_id": None}
    if subject.visitor_key:
        try:
            return {"user_id": None, "visitor_id": uuid.UUID(hex=subject.visitor_key)}
        except ValueError:
            return None  # not a key the shop made: store nothing rather than guess
    return None


def behaviour_events_record(*, subject: Subject, kind: EventKind, products: Iterable[tuple[int, int]],
                            occurred_at: datetime) -> int:
    """Store one event per (product id, quantity) for `subject`; returns how many were stored.

    Stores nothing for a subject without a user id or a well-formed visitor key.
    """
    columns = _subject_columns(subject)
    if columns is None:
        return 0
    rows = [BehaviourEvent(**columns, kind=kind, product_id=product_id, quantity=max(quantity, 1),
                           occurred_at=occurred_at)
            for product_id, quantity in products]
    BehaviourEvent.objects.bulk_create(rows)
    return len(rows)


def behaviour_events_forget(*, user_id: int | None = None, visitor_id: uuid.UUID | None = None) -> int:
    """Delete every stored event of one subject; returns how many were deleted."""
    if user_id is None and visitor_id is None:
        raise ValueError("Name the user or the visitor whose events to forget.")
    deleted, _ = BehaviourEvent.objects.of_subject(user_id=user_id, visitor_id=visitor_id).delete()
    return deleted


def behaviour_events_link(*, visitor_id: uuid.UUID, user_id: int) -> int:
    """Move a visitor's events to the account they logged in to; returns how many moved."""
    return BehaviourEvent.objects.filter(visitor_id=visitor_id).update(user_id=user_id, visitor_id=None)


def behaviour_events_purge_expired(*, now: datetime | None = None) -> int:
    """Delete events older than PERSONALIZATION_EVENT_RETENTION_DAYS; safe to run any number of times."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.PERSONALIZATION_EVENT_RETENTION_DAYS)
    deleted, _ = BehaviourEvent.objects.filter(occurred_at__lt=cutoff).delete()
    return deleted
