"""How privacy's rights machinery reaches the checkout app's rows, named by dotted path in
`personal_data.py` (format: privacy/registry.py): the retention purge."""

from __future__ import annotations

from datetime import datetime

from .models import Checkout


def checkouts_purge(*, cutoff: datetime) -> int:
    """Checkouts last touched before `cutoff`."""
    return Checkout.objects.filter(updated_at__lt=cutoff).delete()[0]
