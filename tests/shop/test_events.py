"""Domain events: delivered after commit, never for a rolled-back change, never breaking the shop."""

import pytest
from django.db import transaction

from shop import events
from tests.factories import ProductFactory


def viewed(product_id: int = 1) -> events.ProductViewed:
    return events.ProductViewed(subject=events.Subject(user_id=7), product_id=product_id)


@pytest.mark.django_db(transaction=True)
def test_an_event_is_delivered_only_when_its_transaction_commits(captured_events):
    with transaction.atomic():
        events.emit(viewed(1))
        assert captured_events == []

    assert [event.product_id for event in captured_events] == [1]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_delivered_for_a_rolled_back_transaction(captured_events):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit(viewed(1))
        raise RuntimeError("the order failed")

    assert captured_events == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_listener_neither_breaks_the_shop_nor_starves_other_listeners(captured_events):
    def broken(event):
        raise ValueError("listener bug")

    events.subscribe(events.ProductViewed, broken)
    try:
        events.emit(viewed(3))
    finally:
        events.unsubscribe(events.ProductViewed, broken)

    assert [event.product_id for event in captured_events] == [3]


@pytest.mark.django_db
def test_viewing_a_product_emits_product_viewed_without_creating_a_session(
        client, captured_events, django_capture_on_commit_callbacks):
    product = ProductFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(product.get_absolute_url())

    assert response.status_code == 200
    assert captured_events == [events.ProductViewed(subject=None, product_id=product.pk,
                                                    occurred_at=captured_events[0].occurred_at)]
    assert "sessionid" not in response.cookies


def test_payloads_carry_ids_not_model_instances():
    fields = {name for cls in (events.AddedToCart, events.OrderPlaced, events.SearchPerformed)
              for name in cls.__dataclass_fields__}
    assert fields == {"subject", "occurred_at", "product_id", "variant_id", "quantity", "order_id", "lines",
                      "total", "currency", "query", "result_count"}
