"""Small hand-made shops for training tests: who consented, and who bought what, when."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from personalization.recommendations.models import EventKind
from personalization.recommendations.services import behaviour_events_record
from primitives.subjects import Subject
from privacy.services import consent_decide
from tests.factories import ProductFactory, UserFactory

# A frozen "now" for every training in these tests.
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=timezone.utc)


def customer(*, consents: bool = True, **kwargs):
    user = UserFactory(**kwargs)
    consent_decide(subject=Subject.for_user(user), choices={"personalization": consents}, source="settings")
    return user


def bought(user, *products, days_ago: float = 3, order_id: int | None = None) -> None:
    """One basket: `user` bought `products` together, `days_ago` before NOW."""
    behaviour_events_record(subject=Subject.for_user(user), kind=EventKind.PURCHASED,
                            products=[(product.pk, 1) for product in products],
                            occurred_at=NOW - timedelta(days=days_ago), order_id=order_id)


def products(count: int, **kwargs):
    return [ProductFactory(**kwargs) for _ in range(count)]


def lamps_and_candles(*, buyers: int):
    """Lanterns go with mugs and candles with holders: four products so titled, and `buyers`
    consenting customers who each bought a lantern with a mug, and a candle with a holder."""
    lamp, mug, candle, holder = products(4)
    for product, title in zip((lamp, mug, candle, holder),
                              ("White Metal Lantern", "Red Retrospot Mug", "Vanilla Candle", "Candle Holder")):
        product.title = title
        product.save()
    for _ in range(buyers):
        buyer = customer()
        bought(buyer, lamp, mug)
        bought(buyer, candle, holder, days_ago=2)
    return lamp, mug, candle, holder
