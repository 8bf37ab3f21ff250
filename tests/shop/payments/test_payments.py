"""Paying: declines, errors, authentication, idempotency, tampering, webhooks, reconciliation."""

import json
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.cart.models import CartLine
from shop.catalog.models import ProductVariant, StockReservation
from shop.checkout.reconcile import payments_reconcile
from shop.orders.models import Order
from shop.payments.models import Payment, PaymentStatus
from shop.payments.models import TestProviderCharge as Charge
from shop.payments.test_provider import TestProvider, sign_webhook
from tests.factories import ProductFactory
from tests.shop.checkout_helpers import add_to_cart, checkout_to_review, pay, review_form


def stock(product) -> int:
    return ProductVariant.objects.get(product=product).stock_quantity


def webhook(client, payload, *, timestamp=None, headers=None):
    body, signed = sign_webhook(payload, timestamp=timestamp)
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (signed if headers is None else headers).items()}
    return client.post(reverse("checkout:webhook", kwargs={"provider": "test"}), body,
                       content_type="application/json", **extra)


@pytest.mark.django_db
def test_a_declined_card_says_so_and_changes_nothing_else(client):
    lamp = ProductFactory(title="Lamp", variant__stock=4)
    form = checkout_to_review(client, lamp, quantity=2)

    response = pay(client, form, token="tok_decline")

    assert response.status_code == 402
    assert "Your card was declined." in response.content.decode()
    assert not Order.objects.exists() and stock(lamp) == 4
    assert not StockReservation.objects.exists(), "a decline releases the held units"
    assert CartLine.objects.get().quantity == 2
    retry = review_form(client)
    assert pay(client, retry).status_code == 302 and Order.objects.count() == 1 and stock(lamp) == 2


@pytest.mark.django_db
def test_a_provider_error_says_nothing_was_charged(client):
    response = pay(client, checkout_to_review(client, ProductFactory()), token="tok_error")

    assert response.status_code == 402 and "nothing was charged" in response.content.decode()
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_a_payment_that_needs_authentication_completes_after_the_bank_step(client):
    lamp = ProductFactory(variant__stock=3)
    response = pay(client, checkout_to_review(client, lamp), token="tok_requires_action")
    assert response.status_code == 302 and "/payments/test-provider/authenticate/" in response["Location"]
    assert not Order.objects.exists() and StockReservation.objects.get().quantity == 1

    bank = client.post(response["Location"], {"outcome": "approve"})
    back = client.get(bank["Location"])

    order = Order.objects.get()
    assert back.status_code == 302 and back["Location"].startswith("/orders/")
    assert order.status == "paid" and stock(lamp) == 2


@pytest.mark.django_db
def test_a_failed_authentication_is_reported_and_frees_the_stock(client):
    response = pay(client, checkout_to_review(client, ProductFactory()), token="tok_requires_action")

    bank = client.post(response["Location"], {"outcome": "fail"})
    back = client.get(bank["Location"])

    assert back.status_code == 402 and "did not confirm the payment" in back.content.decode()
    assert not Order.objects.exists() and not StockReservation.objects.exists()


@pytest.mark.django_db
def test_the_same_request_twice_returns_the_first_order_and_charges_once(client):
    lamp = ProductFactory(variant__stock=5)
    form = checkout_to_review(client, lamp)

    first = pay(client, form)
    second = pay(client, form)

    assert first.status_code == second.status_code == 302
    # Both go to the one order's page (each link is signed when it is made, so the two may differ
    # in their timestamp when the requests fall either side of a second).
    order = Order.objects.get()
    for answer in (first, second):
        page = client.get(answer["Location"])
        assert page.status_code == 200 and order.number in page.content.decode()
    assert Order.objects.count() == 1 and Charge.objects.count() == 1 and stock(lamp) == 4


@pytest.mark.django_db
def test_the_same_key_for_a_different_cart_is_refused_with_409(client):
    lamp, mug = ProductFactory(title="Lamp"), ProductFactory(title="Mug")
    form = checkout_to_review(client, lamp)
    assert pay(client, form, token="tok_decline").status_code == 402
    add_to_cart(client, mug)
    changed = review_form(client)

    response = pay(client, {**form, "expected_total": changed["expected_total"]})

    assert response.status_code == 409
    assert "already used for a different cart" in unescape(response.content.decode())
    assert not Order.objects.exists() and Charge.objects.count() == 1


@pytest.mark.django_db
def test_the_stale_review_form_resent_after_a_decline_and_a_cart_change_is_refused_with_409(client):
    """The key is looked up before the total is checked: the shopper is told the attempt is used up
    (409), not that the total changed (422), and nothing is charged again."""
    lamp, mug = ProductFactory(title="Lamp"), ProductFactory(title="Mug")
    original = checkout_to_review(client, lamp)
    assert pay(client, original, token="tok_decline").status_code == 402
    add_to_cart(client, mug)

    response = pay(client, original)  # the back button: the first review page, its key and its total

    assert response.status_code == 409
    assert "already used for a different cart" in unescape(response.content.decode())
    assert not Order.objects.exists() and Charge.objects.count() == 1
    assert Payment.objects.get().status == PaymentStatus.DECLINED


@pytest.mark.django_db
def test_someone_else_s_key_with_an_identical_cart_never_gets_their_order(client):
    from django.test import Client

    lamp = ProductFactory(title="Lamp")
    first = checkout_to_review(client, lamp)
    assert pay(client, first).status_code == 302
    order = Order.objects.get()
    other = Client()
    checkout_to_review(other, lamp)  # the same item, country and shipping: the same total

    response = pay(other, first)  # a key that leaked from the first shopper's page

    assert response.status_code == 409
    assert "already used for a different cart" in unescape(response.content.decode())
    assert order.number not in response.content.decode() and "Location" not in response
    assert Order.objects.count() == 1 and Charge.objects.count() == 1


@pytest.mark.django_db
def test_a_tampered_total_is_refused_before_anything_is_charged(client):
    form = checkout_to_review(client, ProductFactory(price=Decimal("10.00")))

    response = pay(client, {**form, "expected_total": Decimal("0.01")})

    assert response.status_code == 422 and "The total is now 13.95 GBP, not 0.01" in response.content.decode()
    assert not Payment.objects.exists() and not Charge.objects.exists() and not Order.objects.exists()


@pytest.mark.django_db
def test_a_price_posted_with_the_cart_form_is_ignored(client):
    lamp = ProductFactory(price=Decimal("10.00"))

    client.post(reverse("cart:add"), {"variant": lamp.variants.get().pk, "quantity": 1, "price": "0.01"})

    assert review_form_total(client) == Decimal("13.95")


def review_form_total(client) -> Decimal:
    return checkout_to_review(client)["expected_total"]


@pytest.mark.django_db
def test_a_forged_or_stale_webhook_is_refused_and_changes_nothing(client):
    response = pay(client, checkout_to_review(client, ProductFactory()), token="tok_requires_action")
    payment = Payment.objects.get()
    TestProvider().authenticate(reference=payment.reference, approve=True)
    payload = {"id": "evt_1", "type": "payment.succeeded", "reference": payment.reference}

    forged = webhook(client, payload, headers={"Attuned-Test-Signature": "t=1,v1=deadbeef"})
    stale = webhook(client, payload, timestamp=int(timezone.now().timestamp()) - 3600)
    unsigned = webhook(client, payload, headers={})

    assert [r.status_code for r in (forged, stale, unsigned)] == [400, 400, 400]
    assert json.loads(forged.content) == {"error": "The webhook signature does not match."}
    assert not Order.objects.exists() and response.status_code == 302


@pytest.mark.django_db
def test_a_genuine_webhook_completes_an_order_the_shopper_never_came_back_for(client):
    lamp = ProductFactory(variant__stock=2)
    pay(client, checkout_to_review(client, lamp), token="tok_requires_action")
    payment = Payment.objects.get()
    TestProvider().authenticate(reference=payment.reference, approve=True)  # at the bank; the tab is closed
    payload = {"id": "evt_2", "type": "payment.succeeded", "reference": payment.reference}

    first, again = webhook(client, payload), webhook(client, payload)

    assert first.status_code == again.status_code == 200
    assert Order.objects.count() == 1 and stock(lamp) == 1


@pytest.mark.django_db
def test_a_payment_that_succeeded_while_the_order_commit_failed_is_completed_by_reconciliation(client):
    lamp = ProductFactory(variant__stock=2)
    pay(client, checkout_to_review(client, lamp), token="tok_requires_action")
    payment = Payment.objects.get()
    TestProvider().authenticate(reference=payment.reference, approve=True)
    # The shop heard "succeeded" and then failed before the order was written:
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.SUCCEEDED,
                                                 updated_at=timezone.now() - timezone.timedelta(minutes=5))

    assert payments_reconcile() == 1
    assert payments_reconcile() == 0
    assert Order.objects.count() == 1 and Payment.objects.get().order is not None and stock(lamp) == 1


@pytest.mark.django_db
def test_units_sold_out_while_authenticating_are_refunded_never_oversold(client):
    lamp = ProductFactory(title="Lamp", variant__stock=1)
    response = pay(client, checkout_to_review(client, lamp), token="tok_requires_action")
    # The hold runs out while the shopper is at the bank, and someone else buys the last one.
    StockReservation.objects.update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    other = client.__class__()
    assert pay(other, checkout_to_review(other, lamp)).status_code == 302

    bank = client.post(response["Location"], {"outcome": "approve"})
    back = client.get(bank["Location"])

    assert back.status_code == 402
    assert "Lamp is sold out" in unescape(back.content.decode()) and "refunded in full" in back.content.decode()
    assert Order.objects.count() == 1 and stock(lamp) == 0
    assert Charge.objects.filter(status="refunded").count() == 1


@pytest.mark.django_db
def test_checkout_and_order_events_carry_the_shopper_and_the_lines_and_a_decline_places_nothing(
        client, captured_events, django_capture_on_commit_callbacks):
    from shop import events
    from tests.factories import PASSWORD, verified_user

    ada = verified_user(email="ada@example.com")
    client.login(email="ada@example.com", password=PASSWORD)
    lamp = ProductFactory(price=Decimal("10.00"))
    with django_capture_on_commit_callbacks(execute=True):
        form = checkout_to_review(client, lamp, quantity=2)
        pay(client, form, token="tok_decline")
    assert not [e for e in captured_events if isinstance(e, events.OrderPlaced)]

    with django_capture_on_commit_callbacks(execute=True):
        pay(client, review_form(client))

    started = [e for e in captured_events if isinstance(e, events.CheckoutStarted)]
    [placed] = [e for e in captured_events if isinstance(e, events.OrderPlaced)]
    assert started and started[0].subject == events.Subject(user_id=ada.pk)
    assert (placed.subject, placed.order_id, placed.total, placed.currency) == (
        events.Subject(user_id=ada.pk), Order.objects.get().pk, Decimal("23.95"), "GBP")
    assert [(line.variant_id, line.quantity, line.unit_price) for line in placed.lines] == [
        (lamp.variants.get().pk, 2, Decimal("10.00"))]
