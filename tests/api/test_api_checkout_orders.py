"""Checkout, place order and the customer's orders through the API: the pages' rules."""

import uuid
from decimal import Decimal

import pytest

from shop.orders.models import Order
from shop.payments.models import Payment
from tests.factories import OrderFactory, ProductFactory, order_line_create
from tests.shop.checkout_helpers import shipping_methods_ensure

pytestmark = pytest.mark.django_db
ADDRESS = {"full_name": "Ada Lovelace", "line1": "12 St James's Square", "city": "London",
           "postcode": "SW1Y 4JH", "country": "GB"}


@pytest.fixture
def lantern():
    shipping_methods_ensure()
    return ProductFactory(title="Tin Lantern", price=Decimal("10.00"), variant__stock=5)


def ready_to_pay(client, product, quantity=1, **headers) -> dict:
    assert client.post("/api/v1/cart/lines/", {"variant_id": product.variants.first().pk, "quantity": quantity},
                       format="json", **headers).status_code == 200
    assert client.post("/api/v1/checkout/", **headers).status_code == 201
    address = client.put("/api/v1/checkout/address/", ADDRESS, format="json", **headers)
    assert address.status_code == 200, address.content
    methods = client.get("/api/v1/checkout/shipping-methods/", **headers).json()
    chosen = client.put("/api/v1/checkout/shipping-method/", {"code": methods[0]["code"]}, format="json", **headers)
    assert chosen.status_code == 200, chosen.content
    return chosen.json()


def place(client, total, key=None, token="tok_success", **headers):
    return client.post("/api/v1/checkout/place/", {"payment_token": token, "expected_total": total},
                       format="json", HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex, **headers)


def test_account_places_an_order_once_per_key_and_sees_it(alice_api, alice, lantern):
    checkout = ready_to_pay(alice_api, lantern, 2)
    total = checkout["total"]["amount"]
    key = uuid.uuid4().hex
    placed = place(alice_api, total, key)
    assert placed.status_code == 201, placed.content
    number = placed.json()["order_number"]
    assert placed.json()["order_url"].endswith(f"/api/v1/orders/{number}/")

    again = place(alice_api, total, key)  # a retry of the same attempt: the same order, no second charge
    assert again.status_code == 201 and again.json()["order_number"] == number
    assert Payment.objects.filter(idempotency_key=key).count() == 1 and Order.objects.count() == 1

    order = alice_api.get(f"/api/v1/orders/{number}/").json()
    assert order["total"] == total and [(line["title"], line["quantity"]) for line in order["lines"]] == [
        ("Tin Lantern", 2)]
    assert [o["number"] for o in alice_api.get("/api/v1/orders/").json()["results"]] == [number]
    assert alice_api.get("/api/v1/cart/").json()["lines"] == []


def test_another_user_replaying_a_key_gets_nothing(alice_api, bob_api, lantern):
    key = uuid.uuid4().hex
    assert place(alice_api, ready_to_pay(alice_api, lantern, 1)["total"]["amount"], key).status_code == 201
    replay = place(bob_api, "10.00", key)
    assert replay.status_code == 404 and "order_number" not in replay.json()


def test_same_key_for_a_different_cart_is_a_409(alice_api, lantern):
    key = uuid.uuid4().hex
    first = ready_to_pay(alice_api, lantern, 1)
    payment = Payment.objects.create(idempotency_key=key, fingerprint="another cart", provider="test",
                                     amount=Decimal("1.00"), currency="GBP", snapshot={})
    response = place(alice_api, first["total"]["amount"], key)
    assert response.status_code == 409
    assert "different cart" in response.json()["error"]["message"]
    assert Payment.objects.filter(pk=payment.pk).exists() and not Order.objects.exists()


def test_a_changed_total_is_a_422_and_charges_nothing(alice_api, lantern):
    checkout = ready_to_pay(alice_api, lantern, 1)
    wrong = str(Decimal(checkout["total"]["amount"]) - Decimal("1.00"))
    response = place(alice_api, wrong)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(f"The total is now {checkout['total']['amount']} GBP")
    assert not Payment.objects.exists() and not Order.objects.exists()


def test_declined_card_is_a_402_with_the_reason(alice_api, lantern):
    checkout = ready_to_pay(alice_api, lantern, 1)
    response = place(alice_api, checkout["total"]["amount"], token="tok_decline")
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "payment_failed" and response.json()["error"]["message"]
    assert not Order.objects.exists()


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "has spaces in it!!"])
def test_place_needs_a_well_formed_idempotency_key(alice_api, lantern, key):
    checkout = ready_to_pay(alice_api, lantern, 1)
    response = alice_api.post("/api/v1/checkout/place/", {"payment_token": "tok_success",
                                                          "expected_total": checkout["total"]["amount"]},
                              format="json", **({"HTTP_IDEMPOTENCY_KEY": key} if key else {}))
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Idempotency-Key:")
    assert not Payment.objects.exists()


def test_guest_with_a_cart_token_checks_out(api, lantern):
    token = api.post("/api/v1/cart/").json()["cart_token"]
    headers = {"HTTP_X_CART_TOKEN": token}
    api.post("/api/v1/cart/lines/", {"variant_id": lantern.variants.first().pk}, format="json", **headers)
    api.post("/api/v1/checkout/", **headers)
    no_email = api.put("/api/v1/checkout/address/", ADDRESS, format="json", **headers)
    assert no_email.status_code == 400 and no_email.json()["error"]["message"].startswith("email:")
    assert api.put("/api/v1/checkout/address/", ADDRESS | {"email": "guest@example.com"}, format="json",
                   **headers).status_code == 200
    code = api.get("/api/v1/checkout/shipping-methods/", **headers).json()[0]["code"]
    total = api.put("/api/v1/checkout/shipping-method/", {"code": code}, format="json",
                    **headers).json()["total"]["amount"]
    placed = place(api, total, **headers)
    assert placed.status_code == 201, placed.content
    assert "/orders/" in placed.json()["order_url"]
    assert Order.objects.get().user_id is None


def test_bad_checkout_input_is_refused_and_changes_nothing(alice_api, lantern):
    empty = alice_api.post("/api/v1/checkout/")
    assert empty.status_code == 409 and empty.json()["error"]["message"] == "Your cart is empty. Add something to it first."
    assert alice_api.get("/api/v1/checkout/").status_code == 404
    alice_api.post("/api/v1/cart/lines/", {"variant_id": lantern.variants.first().pk}, format="json")
    alice_api.post("/api/v1/checkout/")
    refused = alice_api.put("/api/v1/checkout/address/", ADDRESS | {"country": "XX"}, format="json")
    assert refused.json()["error"]["fields"] == {"country": ["Sorry, we do not ship to that country."]}
    early = alice_api.put("/api/v1/checkout/shipping-method/", {"code": "standard"}, format="json")
    assert early.status_code == 409 and early.json()["error"]["message"] == "Please give a shipping address first."
    assert alice_api.get("/api/v1/checkout/").json()["has_address"] is False


def test_orders_are_only_their_owners(alice_api, bob_api, alice, bob, api):
    alices = OrderFactory(user=alice)
    order_line_create(order=alices, product=ProductFactory())
    assert bob_api.get(f"/api/v1/orders/{alices.number}/").status_code == 404
    assert bob_api.get("/api/v1/orders/").json()["results"] == []
    assert api.get("/api/v1/orders/").status_code == 401
    assert alice_api.get(f"/api/v1/orders/{alices.number}/").status_code == 200


def test_orders_query_budget_does_not_grow(alice_api, alice, django_assert_max_num_queries):
    product = ProductFactory()
    for count in (1, 10):
        while Order.objects.filter(user=alice).count() < count:
            order_line_create(order=OrderFactory(user=alice), product=product)
        with django_assert_max_num_queries(5):
            assert alice_api.get("/api/v1/orders/").json()["count"] == count


def test_a_payment_needing_confirmation_is_placed_by_repeating_the_request(alice_api, lantern):
    from shop.payments.providers import payment_provider

    total = ready_to_pay(alice_api, lantern, 1)["total"]["amount"]
    key = uuid.uuid4().hex
    waiting = place(alice_api, total, key, token="tok_requires_action")
    assert waiting.status_code == 202 and waiting.json()["action_url"]
    assert place(alice_api, total, key).status_code == 202  # not confirmed yet: still waiting, nothing charged
    assert not Order.objects.exists()

    payment_provider("test").authenticate(reference=Payment.objects.get(idempotency_key=key).reference,
                                          approve=True)
    placed = place(alice_api, total, key)
    assert placed.status_code == 201 and Order.objects.get().number == placed.json()["order_number"]


def test_another_users_key_for_an_identical_cart_reveals_nothing(alice_api, bob_api, lantern):
    key = uuid.uuid4().hex
    total = ready_to_pay(alice_api, lantern, 1)["total"]["amount"]
    assert place(alice_api, total, key).status_code == 201
    assert ready_to_pay(bob_api, lantern, 1)["total"]["amount"] == total  # the same items, the same total
    replay = place(bob_api, total, key)
    assert replay.status_code == 409 and "order_number" not in replay.json()
    assert Order.objects.count() == 1
