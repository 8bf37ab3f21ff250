"""The domain events the shop emits, and how another app listens to them.

The shop does not know who listens. A listener (personalization, for one)
subscribes in its `AppConfig.ready()`:

    from shop import events
    events.subscribe(events.OrderPlaced, record_order_placed)

and decides for itself whether it may keep anything (consent is checked by the
listener, on the server). Payloads carry ids and plain values, never model
instances, so a listener can hand them to a task as they are.

Services call `emit()` inside their transaction; delivery waits for the commit
(`transaction.on_commit`), so nothing is delivered for a rolled-back change. A
listener that fails is logged and never breaks the shop's request.

The subject of an event is a `primitives.subjects.Subject`: the signed-in user or, for
a visitor who has not signed in, the random visitor id kept in their session. A
visitor without a session is nobody: the event's subject is None.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from primitives.subjects import Subject  # noqa: F401  (listeners name it events.Subject)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class ShopEvent:
    subject: Subject | None
    occurred_at: datetime = field(default_factory=timezone.now)


@dataclass(frozen=True, kw_only=True)
class ProductViewed(ShopEvent):
    product_id: int


@dataclass(frozen=True, kw_only=True)
class AddedToCart(ShopEvent):
    product_id: int
    variant_id: int
    quantity: int


@dataclass(frozen=True, kw_only=True)
class RemovedFromCart(ShopEvent):
    product_id: int
    variant_id: int
    quantity: int


@dataclass(frozen=True, kw_only=True)
class EventLine:
    product_id: int
    variant_id: int
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, kw_only=True)
class CheckoutStarted(ShopEvent):
    checkout_id: int
    lines: tuple[EventLine, ...]


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(ShopEvent):
    order_id: int
    lines: tuple[EventLine, ...]
    total: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class OrderRefunded(ShopEvent):
    order_id: int
    amount: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class HistoryImported(ShopEvent):
    """Past orders came in by import (the demo data). No subject: they are many people's.

    `consent_share` is the share of the imported customers that the import declares as
    having consented to personalization (0 for none); a listener that keeps behaviour
    records it for exactly that share, and the history of exactly those customers.
    """

    order_ids: tuple[int, ...]
    consent_share: float = 0.0


@dataclass(frozen=True, kw_only=True)
class SearchPerformed(ShopEvent):
    query: str
    result_count: int


E = TypeVar("E", bound=ShopEvent)
Handler = Callable[[E], None]

_handlers: dict[type[ShopEvent], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Call `handler(event)` after the commit of every emitted `event_type` (or subclass). Idempotent."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    if handler in _handlers[event_type]:
        _handlers[event_type].remove(handler)


def emit(event: ShopEvent) -> None:
    """Deliver `event` to its subscribers once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(_deliver, event))


def _deliver(event: ShopEvent) -> None:
    for event_type in type(event).__mro__:
        for handler in list(_handlers.get(event_type, ())):
            try:
                handler(event)
            except Exception:  # a listener's failure must not break the shop
                logger.exception("event handler %r failed for %s", handler, type(event).__name__)
