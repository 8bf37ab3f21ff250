"""Behavioural events reach a store only with consent: with consent rejected, browsing stores nothing."""

import pytest

from privacy.consent import consent_guarded
from privacy.purposes import PERSONALIZATION
from shop import events
from tests.factories import ProductFactory, UserFactory
from tests.privacy.conftest import csrf_token_in, session_visitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_views():
    """A behavioural event store plugged in the way the personalization app plugs in."""
    stored: list[events.ProductViewed] = []
    handler = consent_guarded(stored.append, purpose=PERSONALIZATION)
    events.subscribe(events.ProductViewed, handler)
    yield stored
    events.unsubscribe(events.ProductViewed, handler)


def choose(client, action: str) -> None:
    html = client.get("/privacy/consent/").content.decode()
    client.post("/privacy/consent/", {"csrfmiddlewaretoken": csrf_token_in(html), "action": action,
                                      "source": "banner", "next": "/"})


def browse(client, products, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for product in products:
            assert client.get(product.get_absolute_url()).status_code == 200


def test_with_consent_rejected_browsing_stores_no_events(client, stored_views, django_capture_on_commit_callbacks):
    products = ProductFactory.create_batch(3)
    choose(client, "reject_all")

    browse(client, products, django_capture_on_commit_callbacks)

    assert stored_views == []


def test_before_any_decision_browsing_stores_no_events(client, stored_views, django_capture_on_commit_callbacks):
    browse(client, ProductFactory.create_batch(2), django_capture_on_commit_callbacks)

    assert stored_views == []


def test_with_personalization_allowed_the_visitor_s_views_are_stored(client, stored_views,
                                                                     django_capture_on_commit_callbacks):
    products = ProductFactory.create_batch(2)
    choose(client, "accept_all")

    browse(client, products, django_capture_on_commit_callbacks)

    visitor_id = session_visitor(client).visitor_id
    assert [(e.subject.visitor_key, e.product_id) for e in stored_views] == [
        (visitor_id.hex, products[0].pk), (visitor_id.hex, products[1].pk)]


def test_withdrawing_stops_storing_at_once(client, stored_views, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    product = ProductFactory()
    choose(client, "accept_all")
    browse(client, [product], django_capture_on_commit_callbacks)

    choose(client, "reject_all")
    browse(client, [product], django_capture_on_commit_callbacks)

    assert [e.subject.user_id for e in stored_views] == [user.pk]
