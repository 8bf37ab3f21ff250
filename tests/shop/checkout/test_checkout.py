"""Checkout: address, shipping, VAT by country, stock held while paying, and what a guest gets."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from primitives.encrypted_fields import blind_index
from shop.catalog.models import ProductVariant, StockReservation
from shop.checkout.models import Address, Checkout
from shop.checkout.services import checkouts_expired_release
from shop.orders.models import Order, OrderStatus
from tests.factories import ProductFactory
from tests.shop.checkout_helpers import ADDRESS, add_to_cart, checkout_to_review, pay
from tests.shop.querycount import queries_for


def stock(product) -> int:
    return ProductVariant.objects.get(product=product).stock_quantity


@pytest.mark.django_db
def test_a_guest_checks_out_and_gets_a_receipt_and_a_signed_link(client, django_capture_on_commit_callbacks):
    lamp = ProductFactory(title="Lamp", price=Decimal("12.50"), variant__stock=5)
    form = checkout_to_review(client, lamp, quantity=2)
    assert form["expected_total"] == Decimal("28.95")  # 2 × 12.50 + 3.95 standard delivery

    with django_capture_on_commit_callbacks(execute=True):
        response = pay(client, form)

    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"].startswith("/orders/")
    assert (order.status, order.total, order.tax_total, order.invoice_number) == (
        OrderStatus.PAID, Decimal("28.95"), Decimal("4.83"), "INV-000001")
    assert stock(lamp) == 3 and not StockReservation.objects.exists()
    page = unescape(client.get(response["Location"]).content.decode())
    assert f"Order {order.number}" in page and "Grace Hopper" in page and "Invoice INV-000001" in page
    assert client.get(reverse("cart:detail")).content.decode().count("cart-line__title") == 0
    [email] = mail.outbox
    assert email.to == ["grace@example.com"] and "INV-000001" in email.subject
    assert "VAT included at 20%: £4.83" in email.body
    link = re.search(r"See your order: http://[^/]+(/orders/\S+)", email.body).group(1)
    assert f"Order {order.number}" in client.__class__().get(link).content.decode()
    assert email.alternatives[0][1] == "text/html" and "£28.95" in email.alternatives[0][0]
    assert email.extra_headers["X-Attuned-Category"] == "transactional"


@pytest.mark.django_db
def test_the_receipt_states_the_vat_of_each_line_and_the_shipping_added_up(client,
                                                                          django_capture_on_commit_callbacks):
    # Two £1.04 lines hold 0.17 VAT each and £3.95 shipping 0.66: 1.00, where the £6.03 total alone holds 1.01.
    cup, saucer = ProductFactory(title="Cup", price=Decimal("1.04")), ProductFactory(title="Saucer",
                                                                                     price=Decimal("1.04"))
    form = checkout_to_review(client, cup, saucer)
    assert "£1.00" in re.search(r"of which VAT at 20%.*?</tr>", form["html"], re.S).group(0)

    with django_capture_on_commit_callbacks(execute=True):
        response = pay(client, {**form, "expected_total": Decimal("6.03")})

    assert Order.objects.get().tax_total == Decimal("1.00")
    [email] = mail.outbox
    assert "Total: £6.03" in email.body and "VAT included at 20%: £1.00" in email.body
    page = unescape(client.get(response["Location"]).content.decode())
    assert "£1.00" in re.search(r"of which VAT at 20%.*?</tr>", page, re.S).group(0)


@pytest.mark.django_db
def test_guest_e_mail_and_address_are_stored_encrypted_and_found_by_blind_index(client):
    form = checkout_to_review(client, ProductFactory())
    pay(client, form)

    order = Order.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM orders_order WHERE id = %s", [order.pk])
        raw_email = bytes(cursor.fetchone()[0])
        cursor.execute("SELECT full_name, postcode FROM checkout_address")
        raw_address = b"".join(bytes(value) for value in cursor.fetchone())
    assert b"grace" not in raw_email and b"Grace" not in raw_address and b"YO21" not in raw_address
    assert order.email == "grace@example.com"
    assert Order.objects.get(email_index=blind_index("Grace@Example.com")) == order


@pytest.mark.django_db
def test_a_signed_link_that_was_tampered_with_shows_nothing(client):
    link = pay(client, checkout_to_review(client, ProductFactory()))["Location"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = link.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))

    assert client.__class__().get(link).status_code == 200
    assert client.__class__().get(forged).status_code == 404


@pytest.mark.django_db
def test_shipping_abroad_shows_the_vat_change_before_payment_and_charges_it(client):
    lamp = ProductFactory(title="Lamp", price=Decimal("12.00"))
    form = checkout_to_review(client, lamp, country="DE")

    # 12.00 / 1.20 × 1.19 = 11.90; Tracked Europe 12.50 / 1.20 × 1.19 = 12.40 (rounded half up)
    assert form["expected_total"] == Decimal("24.30")
    assert ("Shipping to Germany, VAT is 19%, so your total changes by −£0.20 (from £24.50 to £24.30)"
            in unescape(form["html"]))
    pay(client, form)
    order = Order.objects.get()
    assert (order.total, order.vat_rate, order.tax_total, order.shipping_country) == (
        Decimal("24.30"), Decimal("0.1900"), Decimal("3.88"), "DE")


@pytest.mark.django_db
def test_an_export_outside_the_vat_area_is_charged_without_vat(client):
    form = checkout_to_review(client, ProductFactory(price=Decimal("12.00")), country="US", method="worldwide")

    assert form["expected_total"] == Decimal("26.63")  # 10.00 + 16.63 (19.95 without 20 % VAT)
    assert "(an export: no VAT)" in form["html"]


@pytest.mark.django_db
def test_starting_checkout_holds_the_stock_for_others(client):
    lamp = ProductFactory(title="Lamp", variant__stock=3)
    checkout_to_review(client, lamp, quantity=3)
    other = client.__class__()

    response = other.post(reverse("cart:add"), {"variant": lamp.variants.get().pk, "quantity": 1})

    assert response.status_code == 409 and "Lamp is out of stock" in response.content.decode()
    assert stock(lamp) == 3


@pytest.mark.django_db
def test_a_hold_that_timed_out_is_released(client, settings):
    lamp = ProductFactory(title="Lamp", variant__stock=1)
    checkout_to_review(client, lamp)
    Checkout.objects.update(reserved_until=timezone.now() - timedelta(seconds=1))
    StockReservation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert checkouts_expired_release() == 1
    assert not StockReservation.objects.exists()
    other = client.__class__()
    assert other.post(reverse("cart:add"), {"variant": lamp.variants.get().pk, "quantity": 1}).status_code == 302


@pytest.mark.django_db
def test_checkout_refuses_more_than_is_in_stock_and_changes_nothing(client):
    lamp = ProductFactory(title="Lamp", variant__stock=2)
    add_to_cart(client, lamp, 2)
    ProductVariant.objects.filter(product=lamp).update(stock_quantity=1)

    response = client.post(reverse("checkout:start"), follow=True)

    assert "Not enough stock — Lamp: only 1 left." in unescape(response.content.decode())
    assert not Checkout.objects.exists() and not StockReservation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "not-an-address", "Enter a valid e-mail address"),
    ("country", "XX", "Sorry, we do not ship to that country."),
    ("full_name", "", "This field is required."),
])
def test_a_bad_address_is_refused_with_the_reason(client, field, value, message):
    add_to_cart(client, ProductFactory())
    client.post(reverse("checkout:start"))

    response = client.post(reverse("checkout:details"), {**ADDRESS, field: value})

    assert response.status_code == 400 and message in unescape(response.content.decode())
    assert not Address.objects.exists()


@pytest.mark.django_db
def test_a_shipping_method_for_another_country_is_refused(client):
    checkout_to_review(client, ProductFactory())

    response = client.post(reverse("checkout:shipping"), {"method": "europe"})

    assert response.status_code == 400 and "not available for your country" in response.content.decode()


@pytest.mark.django_db
def test_checkout_pages_without_a_checkout_send_the_shopper_back_to_the_cart(client):
    for name in ("checkout:details", "checkout:shipping", "checkout:review"):
        response = client.get(reverse(name), follow=True)
        assert response.redirect_chain[-1][0] == reverse("cart:detail")
        assert "Your checkout has expired or your cart is empty" in unescape(response.content.decode())


@pytest.mark.django_db
def test_checkout_pages_cost_the_same_queries_for_10_and_100_items(client):
    products = ProductFactory.create_batch(100)
    counts = {}
    for size in (10, 100):
        shopper = client.__class__()
        checkout_to_review(shopper, *products[:size])
        counts[size] = [queries_for(shopper, reverse(name)) for name in
                        ("checkout:details", "checkout:shipping", "checkout:review")]
    assert counts[10] == counts[100]
    assert max(counts[100]) <= 12
