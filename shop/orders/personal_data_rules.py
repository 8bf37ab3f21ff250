"""How privacy's rights machinery reaches the orders app's rows, named by dotted path in
`personal_data.py` (format: privacy/registry.py): a finder, a scrubber, an erasure blocker
and the retention purge. The shop owns its rows; privacy only calls what is declared.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from primitives.subjects import SubjectIdentity

from .models import Order, OrderStatus, OrderStatusChange
from .personal_data import MODELS as ORDER_MODELS


def status_changes_by(identity: SubjectIdentity) -> QuerySet:
    """Status changes a staff member made, or whose note quotes one of the person's addresses."""
    condition = Q(changed_by_id__in=identity.user_ids)
    for email in identity.emails:
        condition |= Q(note__icontains=email)
    return OrderStatusChange.objects.filter(condition)


def status_change_notes_scrub(queryset: QuerySet, identity: SubjectIdentity) -> int:
    """Order audit notes are kept with the order; an e-mail address quoted in one (staff write
    "By <address> in the admin") is replaced."""
    changed = []
    for change in queryset.only("id", "note"):
        note = identity.redact(change.note)
        if note != change.note:
            change.note = note
            changed.append(change)
    queryset.model._base_manager.bulk_update(changed, ["note"])
    return len(changed)


def open_orders_block_erasure(queryset: QuerySet) -> list[str]:
    """Why the erasure must wait, in words for the person: their orders still being fulfilled."""
    open_orders = queryset.filter(status__in=[OrderStatus.PENDING, OrderStatus.PAID]).values_list("number", flat=True)
    return [f"Order {number} is still being fulfilled: we erase your data once it has shipped or is cancelled."
            for number in open_orders]


def orders_anonymise_expired(*, cutoff: datetime) -> int:
    """Orders placed before `cutoff` keep their amounts and lose the person, as on erasure."""
    expired = Order.objects.filter(placed_at__lt=cutoff).exclude(
        user__isnull=True, email_index__isnull=True, email__isnull=True)
    return expired.update(**ORDER_MODELS["orders.Order"]["anonymise_fields"])
