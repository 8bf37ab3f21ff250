"""A shopper without personalization consent never gets a segment price, on any page; the same shopper
with consent does, labelled with its reason; a withdrawal switches back at the next request; the
strategy costs at most one query per request, never one per product."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from personalization.segments.models import SegmentDiscount, SegmentMembership
from shop import pricing
from shop.catalog.models import Product, ProductVariant
from tests.api.conftest import token_client
from tests.factories import CategoryFactory, ProductFactory, UserFactory
from tests.personalization.segments.test_segment_pricing import LOYAL_REASON, consenting, discount, segment_run
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse: the receipt is a task)
from tests.shop.checkout_helpers import add_to_cart, checkout_to_review

pytestmark = pytest.mark.django_db

PUBLIC, SEGMENT = "£40.00", "£36.00"  # 10% off for loyal customers


@pytest.fixture
def lamp():
    return ProductFactory(title="Brass reading lamp", slug="brass-reading-lamp", price=Decimal("40.00"))


@pytest.fixture
def customer(lamp):
    """A signed-up customer in the loyal segment of the latest run, which has a 10% discount."""
    person = UserFactory(email="loyal@example.com")
    segment_run({person: "loyal"})
    discount("loyal", "10", LOYAL_REASON)
    return person


def page(client, name: str, lamp) -> str:
    if name == "home":
        response = client.get("/")
    elif name == "category":
        response = client.get(reverse("storefront:category", args=[lamp.category.slug]))
    elif name == "search":
        response = client.get(reverse("storefront:search"), {"q": "brass lamp"})
    elif name == "product":
        response = client.get(reverse("storefront:product", args=[lamp.slug]))
    elif name == "cart":
        add_to_cart(client, lamp)
        response = client.get(reverse("cart:detail"))
    elif name == "checkout review":
        return checkout_to_review(client, lamp)["html"]
    else:  # the REST API's product detail, signed in by the session
        response = client.get(f"/api/v1/products/{lamp.slug}/")
    assert response.status_code == 200, name
    return response.content.decode()


PAGES = ["home", "category", "search", "product", "cart", "checkout review", "api"]


def money_in(html: str, amount: str, api_amount: str) -> bool:
    return amount in html or f'"{api_amount}"' in html


@pytest.mark.parametrize("name", PAGES)
def test_a_consenting_customer_in_the_segment_sees_the_segment_price_with_its_reason(client, customer, lamp, name):
    consenting(customer)
    client.force_login(customer)

    html = page(client, name, lamp)

    assert money_in(html, SEGMENT, "36.00"), f"{name}: no segment price"
    assert LOYAL_REASON in html, f"{name}: the personalized price has no reason"
    if name != "api":
        assert "Your price" in html, f"{name}: the personalized price is not labelled"


@pytest.mark.parametrize("consents", [False, None], ids=["refused", "never decided"])
@pytest.mark.parametrize("name", PAGES)
def test_a_customer_without_consent_never_gets_the_segment_price(client, customer, lamp, name, consents):
    if consents is not None:
        consenting(customer, consents=consents)
    client.force_login(customer)

    html = page(client, name, lamp)

    assert money_in(html, PUBLIC, "40.00"), f"{name}: no public price"
    assert not money_in(html, SEGMENT, "36.00"), f"{name}: a segment price without consent"
    assert LOYAL_REASON not in html and "Your price" not in html


@pytest.mark.parametrize("name", ["product", "category"])
def test_a_visitor_who_is_not_signed_in_gets_the_public_price_even_with_consent(client, customer, lamp, name):
    client.post("/privacy/consent/", {"action": "accept_all", "source": "banner", "next": "/"})

    html = page(client, name, lamp)

    assert PUBLIC in html and SEGMENT not in html and LOYAL_REASON not in html


def test_an_api_client_signed_in_by_token_gets_the_segment_price_only_with_consent(customer, lamp):
    refused = json.loads(token_client(consenting(customer, consents=False)).get(
        f"/api/v1/products/{lamp.slug}/").content)
    consenting(customer)
    segment_run({customer: "loyal"})  # the withdrawal above removed the membership; a new run has it again
    granted = json.loads(token_client(customer).get(f"/api/v1/products/{lamp.slug}/").content)

    assert "36.00" not in json.dumps(refused) and LOYAL_REASON not in json.dumps(refused)
    assert "36.00" in json.dumps(granted) and LOYAL_REASON in json.dumps(granted)


def test_withdrawing_consent_in_the_privacy_settings_shows_the_public_price_at_the_next_request(
        client, customer, lamp):
    consenting(customer)
    client.force_login(customer)
    product_url = reverse("storefront:product", args=[lamp.slug])
    assert SEGMENT in client.get(product_url).content.decode()
    add_to_cart(client, lamp)

    client.post("/privacy/consent/", {"action": "save", "source": "settings", "next": "/",
                                      "purposes": ["preferences"]})

    product_page = client.get(product_url).content.decode()
    cart_page = client.get(reverse("cart:detail")).content.decode()
    assert not SegmentMembership.objects.filter(user=customer).exists()
    assert PUBLIC in product_page and SEGMENT not in product_page and LOYAL_REASON not in product_page
    assert "Your price" not in cart_page and LOYAL_REASON not in cart_page
    assert PUBLIC in cart_page


def test_a_global_privacy_control_signal_refuses_the_segment_price_on_that_very_request(client, customer, lamp):
    consenting(customer)
    client.force_login(customer)

    html = client.get(reverse("storefront:product", args=[lamp.slug]), HTTP_SEC_GPC="1").content.decode()

    assert PUBLIC in html and SEGMENT not in html and LOYAL_REASON not in html
    assert not SegmentMembership.objects.filter(user=customer).exists()


def test_the_customers_e_mail_strategy_gives_the_segment_price_only_with_consent(customer, lamp):
    variant = ProductVariant.objects.select_related("product").get(product=lamp)
    consenting(customer, consents=False)
    without = pricing.price_strategy_for_customer(customer).variant_quote(variant)
    consenting(customer)
    segment_run({customer: "loyal"})
    granted = pricing.price_strategy_for_customer(customer).variant_quote(variant)

    assert (without.amount.amount, without.personalized) == (Decimal("40.00"), False)
    assert (granted.amount.amount, granted.personalized, granted.reason) == (Decimal("36.00"), True, LOYAL_REASON)


def _category_page_queries(client, category) -> int:
    url = reverse("storefront:category", args=[category.slug])
    client.get(url)  # warm caches (category tree, session)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_strategy_adds_at_most_one_query_to_a_listing_whatever_the_number_of_products(
        client, customer, django_assert_max_num_queries):
    category = CategoryFactory(slug="lamps")
    for number in range(12):
        ProductFactory(title=f"Lamp {number}", category=category, price=Decimal("20.00") + number)
    consenting(customer)
    client.force_login(customer)
    previous = pricing.price_strategy_register(None)  # the public price, to measure the page without the strategy
    try:
        public_only = _category_page_queries(client, category)
    finally:
        pricing.price_strategy_register(previous)
    url = reverse("storefront:category", args=[category.slug])

    with django_assert_max_num_queries(public_only + 1):  # with the discount: one query, not one per product
        html = client.get(url).content.decode()
    assert html.count("Your price") >= 12

    SegmentDiscount.objects.update(enabled=False)
    with django_assert_max_num_queries(public_only + 1):  # without a discount: the same one query
        html = client.get(url).content.decode()
    assert "Your price" not in html

    consenting(customer, consents=False)
    client.get(url)  # the first page after a decision made elsewhere keeps it in the session
    with django_assert_max_num_queries(public_only):  # without consent: no query at all
        client.get(url)
    for number in range(12, 24):
        ProductFactory(title=f"Lamp {number}", category=category, price=Decimal("20.00") + number)
    consenting(customer)
    segment_run({customer: "loyal"})
    SegmentDiscount.objects.update(enabled=True)
    client.get(url)  # keeps the new decision in the session
    with django_assert_max_num_queries(public_only + 1):  # twice the products, still one query
        html = client.get(url).content.decode()
    assert html.count("Your price") >= 24 and Product.objects.filter(category=category).count() == 24


@pytest.mark.parametrize("name", ["product", "category", "home"])
def test_cached_shared_fragments_never_carry_a_segment_price_to_another_price_group(
        client, customer, lamp, name, shared_fragments):
    consenting(customer)
    client.force_login(customer)
    assert SEGMENT in page(client, name, lamp)  # rendered, and cached, for the loyal 10% group

    stranger = consenting(UserFactory(email="stranger@example.com"), consents=False)
    client.force_login(stranger)
    html = page(client, name, lamp)
    assert PUBLIC in html and SEGMENT not in html and LOYAL_REASON not in html

    client.logout()
    html = page(client, name, lamp)
    assert PUBLIC in html and SEGMENT not in html and LOYAL_REASON not in html


@pytest.mark.parametrize("consents", [True, False], ids=["consenting", "without consent"])
def test_the_order_charges_what_the_pages_showed_and_records_the_segment_rule(
        client, customer, lamp, consents, django_capture_on_commit_callbacks):
    from django.core import mail

    from shop.checkout.models import ShippingMethod
    from shop.orders.models import Order
    from tests.shop.checkout_helpers import pay

    consenting(customer, consents=consents)
    client.force_login(customer)
    form = checkout_to_review(client, lamp, quantity=2)
    shipping = ShippingMethod.objects.get(code="standard").price

    with django_capture_on_commit_callbacks(execute=True):
        assert pay(client, form).status_code == 302

    line = Order.objects.get(user=customer).lines.get()
    expected = (Decimal("36.00"), "segment:loyal", True) if consents else (Decimal("40.00"), "list", False)
    assert (line.unit_price, line.price_rule, line.price_personalized) == expected
    assert form["expected_total"] == 2 * expected[0] + shipping
    [receipt] = mail.outbox
    assert ("Your price" in receipt.alternatives[0][0]) is consents
