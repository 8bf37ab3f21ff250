"""How privacy's rights machinery reaches the checkout app's rows, named by dotted path in
`personal_data.py` (format: privacy/registry.py): the retention purges."""

from __future__ import annotations

from datetime import datetime

from shop.orders.models import Order

from .models import Address, Checkout
from .personal_data import MODELS


def checkouts_purge(*, cutoff: datetime) -> int:
    """Checkouts last touched before `cutoff`."""
    return Checkout.objects.filter(updated_at__lt=cutoff).delete()[0]


def addresses_anonymise_expired(*, cutoff: datetime) -> int:
    """The shipping addresses of orders placed before `cutoff` lose the person, as on erasure; the
    orders keep pointing at their (now nameless) destination."""
    expired = Order.objects.filter(placed_at__lt=cutoff, shipping_address__isnull=False).values("shipping_address_id")
    return Address.objects.filter(pk__in=expired).update(**MODELS["checkout.Address"]["anonymise_fields"])
