"""The cart through the API: own cart only, token carts for clients without a session,
refusals that change nothing, behavioural events only with personalization consent."""

import pytest

from personalization.recommendations.models import BehaviourEvent
from primitives.subjects import Subject
from privacy.purposes import PERSONALIZATION
from privacy.services import consent_decide
from shop.cart.models import Cart, CartLine
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
OMIT = object()


@pytest.fixture
def lantern():
    return ProductFactory(title="Tin Lantern", variant__stock=3)


def add(client, product, quantity=1, **headers):
    return client.post("/api/v1/cart/lines/", {"variant_id": product.variants.first().pk, "quantity": quantity},
                       format="json", **headers)


def test_token_user_adds_and_sees_only_their_own_cart(alice_api, bob_api, alice, lantern):
    response = add(alice_api, lantern, 2)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(line["product"]["title"], line["quantity"]) for line in body["lines"]] == [("Tin Lantern", 2)]
    assert body["subtotal"] == {"amount": "9.90", "currency": "GBP"} and body["cart_token"] is None

    assert bob_api.get("/api/v1/cart/").json()["lines"] == []
    # Bob's changes reach only Bob's cart, whatever variant id he names.
    variant_id = lantern.variants.first().pk
    assert bob_api.patch(f"/api/v1/cart/lines/{variant_id}/", {"quantity": 1}, format="json").status_code == 404
    assert bob_api.delete(f"/api/v1/cart/lines/{variant_id}/").status_code == 404
    assert CartLine.objects.get(cart__user=alice).quantity == 2


def test_signed_in_user_cannot_reach_a_visitors_cart_by_its_token(api, alice_api, alice, lantern):
    token = api.post("/api/v1/cart/").json()["cart_token"]
    add(api, lantern, 1, HTTP_X_CART_TOKEN=token)
    mine = alice_api.get("/api/v1/cart/", HTTP_X_CART_TOKEN=token).json()
    assert mine["lines"] == [] and mine["cart_token"] is None


def test_anonymous_client_without_cookies_keeps_a_cart_by_its_token(api, lantern):
    created = api.post("/api/v1/cart/")
    assert created.status_code == 201
    token = created.json()["cart_token"]
    assert len(token) == 32

    assert add(api, lantern, 2, HTTP_X_CART_TOKEN=token).status_code == 200
    assert api.get("/api/v1/cart/", HTTP_X_CART_TOKEN=token).json()["item_count"] == 2
    # Without the token another client sees no cart; a token the API never issued is a 404.
    assert api.get("/api/v1/cart/").json()["lines"] == []
    unknown = api.get("/api/v1/cart/", HTTP_X_CART_TOKEN="0" * 32)
    assert unknown.status_code == 404 and "X-Cart-Token" in unknown.json()["error"]["message"]


def test_browser_session_cart_is_the_pages_cart(client, lantern):
    response = client.post("/api/v1/cart/lines/", {"variant_id": lantern.variants.first().pk, "quantity": 1},
                           content_type="application/json")
    assert response.status_code == 200
    assert "Tin Lantern" in client.get("/cart/").content.decode()


def test_signed_in_session_needs_the_csrf_token(alice, lantern):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.post("/api/v1/cart/lines/", {"variant_id": lantern.variants.first().pk, "quantity": 1},
                            content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("payload, status, field, message", [
    ({"variant_id": 987654, "quantity": 1}, 404, None, "That product is not for sale, or no longer."),
    ({"variant_id": "x", "quantity": 1}, 400, "variant_id", "A valid integer is required."),
    ({"variant_id": OMIT, "quantity": 1}, 400, "variant_id", "This field is required."),
    ({"variant_id": None, "quantity": 1}, 400, "variant_id", "This field may not be null."),
    ({"quantity": 0}, 400, "quantity", "Ensure this value is greater than or equal to 1."),
    ({"quantity": 10**30}, 400, "quantity", "Ensure this value is less than or equal to 99."),
    ({"quantity": 4}, 409, None, "Sorry, only 3 of Tin Lantern in stock."),
    ([1, 2], 400, "non_field_errors", "Invalid data. Expected a dictionary, but got list."),
])
def test_refusals_are_clear_and_change_nothing(alice_api, lantern, payload, status, field, message):
    if isinstance(payload, dict):
        payload = {"variant_id": lantern.variants.first().pk, **payload}
        payload = {name: value for name, value in payload.items() if value is not OMIT}
    response = alice_api.post("/api/v1/cart/lines/", payload, format="json")
    assert response.status_code == status
    error = response.json()["error"]
    if field:
        assert error["fields"][field] == [message]
    else:
        assert error["message"] == message
    assert not CartLine.objects.exists()


def test_quantity_changes_and_removal(alice_api, lantern):
    add(alice_api, lantern, 1)
    variant_id = lantern.variants.first().pk
    assert alice_api.patch(f"/api/v1/cart/lines/{variant_id}/", {"quantity": 3},
                           format="json").json()["item_count"] == 3
    too_many = alice_api.patch(f"/api/v1/cart/lines/{variant_id}/", {"quantity": 4}, format="json")
    assert too_many.status_code == 409
    assert alice_api.delete(f"/api/v1/cart/lines/{variant_id}/").json()["lines"] == []


def test_cart_events_are_stored_only_with_personalization_consent(alice_api, bob_api, alice, bob, lantern,
                                                                  django_capture_on_commit_callbacks):
    consent_decide(subject=Subject.for_user(alice), choices={PERSONALIZATION: True}, source="settings")
    consent_decide(subject=Subject.for_user(bob), choices={PERSONALIZATION: False}, source="settings")
    with django_capture_on_commit_callbacks(execute=True):
        add(alice_api, lantern, 1)
        add(bob_api, lantern, 1)
        alice_api.get(f"/api/v1/products/{lantern.slug}/")
        bob_api.get(f"/api/v1/products/{lantern.slug}/")
    stored = sorted(BehaviourEvent.objects.values_list("user_id", "kind"))
    assert {user for user, _ in stored} == {alice.pk}
    assert len(stored) == 2


def test_anonymous_token_carts_store_no_events(api, lantern, django_capture_on_commit_callbacks):
    token = api.post("/api/v1/cart/").json()["cart_token"]
    with django_capture_on_commit_callbacks(execute=True):
        add(api, lantern, 1, HTTP_X_CART_TOKEN=token)
        api.get(f"/api/v1/products/{lantern.slug}/", HTTP_X_CART_TOKEN=token)
    assert not BehaviourEvent.objects.exists()
    assert Cart.objects.get(visitor_key=token).lines.count() == 1


def test_cart_query_budget_does_not_grow_with_its_lines(alice_api, django_assert_max_num_queries):
    for count in (1, 8):
        for product in ProductFactory.create_batch(count if count == 1 else count - 1):
            add(alice_api, product, 1)
        with django_assert_max_num_queries(6):
            assert alice_api.get("/api/v1/cart/").json()["item_count"] == count
