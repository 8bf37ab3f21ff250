"""Writes to the behavioural event store. Callers have checked consent (see receivers.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from shop.events import Subject

from .models import BehaviourEvent, EventKind


def behaviour_events_record(*, subject: Subject, kind: EventKind, products: Iterable[tuple[int, int]],
                            occurred_at: datetime, order_id: int | None = None) -> int:
    """Store one event per (product id, quantity) for `subject`; returns how many were stored.

    `order_id` ties purchases of one order together, so training can rebuild baskets.
    """
    rows = [BehaviourEvent(**subject.record_filter(), kind=kind, product_id=product_id,
                           quantity=max(quantity, 1), occurred_at=occurred_at, order_id=order_id)
            for product_id, quantity in products]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # A page view should not wait for the disk: this transaction alone commits without
        # waiting for its WAL flush (a crash may lose the last fraction of a second of events,
        # never an order or a consent record, whose transactions keep the default).
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            BehaviourEvent.objects.bulk_create(rows)
    else:
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
