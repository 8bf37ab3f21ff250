"""Every e-mail names the shop in its subject and body and comes from a configured sender;
the VAT receipt names the seller."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import ProductFactory
from tests.shop.checkout_helpers import checkout_to_review, pay


@pytest.mark.django_db
def test_the_vat_receipt_names_the_shop_and_the_seller_from_settings(client, settings,
                                                                    django_capture_on_commit_callbacks):
    settings.SHOP_NAME = "Lantern & Co"
    settings.SHOP_SELLER_NAME = "Lantern and Company Ltd"
    settings.SHOP_SELLER_ADDRESS = "4 Quay Street, Bristol, BS1 4DB, United Kingdom"
    settings.SHOP_VAT_NUMBER = "GB123456789"
    settings.SHOP_TRANSACTIONAL_FROM_EMAIL = "Lantern & Co orders <orders@lantern.example>"
    form = checkout_to_review(client, ProductFactory(price=Decimal("12.50")))

    with django_capture_on_commit_callbacks(execute=True):
        pay(client, form)

    [email] = mail.outbox
    assert email.subject.startswith("Lantern & Co: Your order ")
    assert email.from_email == "Lantern & Co orders <orders@lantern.example>"
    html = email.alternatives[0][0]
    for body in (email.body, html):
        assert "Lantern and Company Ltd, 4 Quay Street, Bristol, BS1 4DB, United Kingdom" in body
        assert "VAT number: GB123456789" in body
        assert "Lantern" in body


@pytest.mark.django_db
def test_the_order_page_offers_a_next_step(client, django_capture_on_commit_callbacks):
    form = checkout_to_review(client, ProductFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = pay(client, form)

    page = client.get(response["Location"]).content.decode()

    assert "What happens next" in page and "will e-mail you when it is on its way" in page
    assert f'href="{reverse("storefront:home")}">Continue shopping</a>' in page


@pytest.mark.django_db
def test_the_checkout_review_shows_no_developer_wording(client):
    form = checkout_to_review(client, ProductFactory())

    assert "Rounding" not in form["html"] and "half up" not in form["html"]


@pytest.mark.django_db
def test_the_signup_confirmation_names_the_shop_not_the_host(client, settings):
    settings.SHOP_NAME = "Lantern & Co"
    settings.SHOP_BASE_URL = "http://127.0.0.1:8000"

    client.post("/accounts/signup/", {"email": "new@example.com", "password1": "a-long-unusual-passphrase",
                                      "password2": "a-long-unusual-passphrase"})

    [message] = mail.outbox
    assert message.subject.startswith("Lantern & Co: ")
    assert "create an account at Lantern & Co" in message.body
    assert "http://testserver/accounts/confirm-email/" in message.body  # the link, on the host used
    assert "127.0.0.1" not in message.body.replace(settings.SHOP_BASE_URL, "")
