"""How privacy's rights machinery reaches the payments app's rows, named by dotted path in
`personal_data.py` (format: privacy/registry.py): a scrubber and the retention purge."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from primitives.subjects import SubjectIdentity
from shop.pricing.personal_prices import priced_line_json_generalise

from .models import ProviderEvent


def payment_snapshot_ids_scrub(queryset: QuerySet, identity: SubjectIdentity) -> int:
    """A payment's snapshot is kept for accounting; the account, address and browser ids in it go,
    and its lines' personal prices keep their amounts but no longer name a segment or its reason."""
    changed = []
    for payment in queryset.only("id", "snapshot"):
        snapshot = dict(payment.snapshot or {})
        before = dict(snapshot)
        for key in ("user_id", "address_id"):
            if snapshot.get(key) is not None:
                snapshot[key] = None
        if snapshot.get("subject"):
            snapshot["subject"] = {"user_id": None, "visitor_key": None}
        if snapshot.get("lines"):
            snapshot["lines"] = [priced_line_json_generalise(line) for line in snapshot["lines"]]
        if snapshot != before:
            payment.snapshot = snapshot
            changed.append(payment)
    queryset.model._base_manager.bulk_update(changed, ["snapshot"])
    return len(changed)


def provider_events_purge(*, cutoff: datetime) -> int:
    """Provider event ids received before `cutoff`: a replay that old fails its signature's age check."""
    return ProviderEvent.objects.filter(received_at__lt=cutoff).delete()[0]
