"""The demo's consented history: imported customers who "consented", and their purchases as events.

A fixed share of the imported customers (the import's `consent_share`, 0.6 for the demo),
chosen by a stable hash of their customer number, get a personalization consent with
source "import"; exactly their orders are recorded as purchase events, dated as the
orders, with the order id. The others stay unconsented and absent from every model.
"""

from __future__ import annotations

import hashlib
from itertools import islice

from privacy.purposes import PERSONALIZATION
from privacy.selectors import consenting_subjects
from privacy.services import consent_record_imported
from shop import events
from shop.orders.models import Order, OrderLine, OrderStatus

from .models import BehaviourEvent, EventKind

_CHUNK = 2000


def customer_in_share(customer_number: str, share: float) -> bool:
    """Whether a customer falls in the first `share` of a stable hash of their number."""
    digest = hashlib.sha256(f"demo-consent:{customer_number}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _chunks(values: list[int]):
    iterator = iter(values)
    while chunk := list(islice(iterator, _CHUNK)):
        yield chunk


def demo_history_seed(*, order_ids: list[int], consent_share: float) -> tuple[int, int]:
    """Record demo consent and purchase events for the share; returns (customers, events)."""
    if consent_share <= 0:
        return 0, 0
    orders = []
    for chunk in _chunks(order_ids):
        orders += list(Order.objects.filter(pk__in=chunk, user__imported_customer_number__isnull=False)
                       .exclude(status=OrderStatus.CANCELLED)
                       .values_list("pk", "user_id", "user__imported_customer_number", "placed_at"))
    chosen = sorted({user_id for _, user_id, number, _ in orders if customer_in_share(number, consent_share)})
    consent_record_imported(user_ids=chosen, choices={PERSONALIZATION: True})
    consenting, _ = consenting_subjects(purpose=PERSONALIZATION)  # a refusal made here stands
    placed = {pk: (user_id, placed_at) for pk, user_id, _, placed_at in orders if user_id in consenting}
    rows = []
    for chunk in _chunks(sorted(placed)):
        lines = OrderLine.objects.filter(order_id__in=chunk).values_list(
            "order_id", "variant__product_id", "quantity", "quantity_cancelled")
        for order_id, product_id, quantity, cancelled in lines:
            if quantity > cancelled:
                user_id, placed_at = placed[order_id]
                rows.append(BehaviourEvent(user_id=user_id, kind=EventKind.PURCHASED, product_id=product_id,
                                           quantity=quantity - cancelled, occurred_at=placed_at, order_id=order_id))
    BehaviourEvent.objects.bulk_create(rows, batch_size=5000)
    return len({user_id for user_id, _ in placed.values()}), len(rows)


def seed_on_import(event: events.HistoryImported) -> None:
    demo_history_seed(order_ids=list(event.order_ids), consent_share=event.consent_share)
