"""One price everywhere: every page, the API and the e-mails show the price the shopper's strategy gives.

A member of the test strategy's segment (tests/shop/price_strategies.py) pays 10% less than the
public price, shown with the public price struck through (read as "Public price, was …"), labelled
"Your price" and given its reason on a line below; search
engines and link previews get the public price; a page rendered for one price group is never
served to another.
"""

import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from personalization.marketing.campaigns import digest_items
from shop.catalog.fragments import catalog_version_bump
from shop.catalog.models import ProductVariant
from shop.orders.models import OrderLine
from shop.pricing import price_strategy_for_customer
from tests.factories import CategoryFactory, ProductFactory, UserFactory
from tests.shop.checkout_helpers import checkout_to_review, pay
from tests.shop.price_strategies import REASON, RULE, members_price  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

MEMBER_PRICE = "£9.00 Public price, was £10.00 Your price Thank you for being a loyal customer"


def text(html: str) -> str:
    """What a reader (or a screen reader) gets: the words without the tags (cells and lines apart)."""
    html = re.sub(r"<(?:/?(?:td|th|tr|li|p|dd|dt|div)\b[^>]*|br\s*/?)>", " ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html))).strip()


def card_text(html: str, title: str) -> str:
    cards = [card for card in html.split('<li class="product-card">')[1:] if f">{title}<" in card]
    assert cards, f"no card for {title}"
    return text(cards[0].split("</li>")[0])


def product_price_text(html: str) -> str:
    return text(re.search(r'<p class="product__price">(.*?)</p>', html, re.S).group(1))


def variant_texts(html: str) -> list[str]:
    return [text(label) for label in re.findall(r'<label class="variant">(.*?)</label>', html, re.S)]


def structured_data(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1))


def meta_description(html: str) -> str:
    return unescape(re.search(r'<meta name="description" content="([^"]*)"', html).group(1))


@pytest.fixture
def lamp():
    """A lamp at £10.00 with a large one at £12.00, in its own category."""
    product = ProductFactory(title="Harbour Lamp", price=Decimal("10.00"), category=CategoryFactory(name="Lamps"))
    ProductVariant.objects.create(product=product, sku="LAMP-L", name="Large", price=Decimal("12.00"),
                                  stock_quantity=5)
    ProductVariant.objects.filter(product=product, sku=f"SKU-{product.pk}").update(name="Small")
    return product


@pytest.fixture
def member(client, members_price):  # noqa: F811
    user = UserFactory()
    members_price.add(user.pk)
    client.force_login(user)
    return user


def listing_urls(product) -> list[str]:
    return ["/", product.category.get_absolute_url(), reverse("storefront:search") + "?q=Harbour"]


def test_a_member_sees_their_price_labelled_on_every_card_and_on_the_product_page(client, lamp, member):
    for url in listing_urls(lamp):
        assert card_text(client.get(url).content.decode(), "Harbour Lamp").endswith(MEMBER_PRICE), url

    html = client.get(lamp.get_absolute_url()).content.decode()

    assert product_price_text(html) == ("£9.00 incl. VAT Public price, was £10.00 Your price "
                                        "Thank you for being a loyal customer")
    assert variant_texts(html) == [
        f"Small — {MEMBER_PRICE} SKU SKU-{lamp.pk}",
        "Large — £10.80 Public price, was £12.00 Your price Thank you for being a loyal customer SKU LAMP-L",
    ]


def test_search_engines_and_link_previews_get_the_public_price_even_on_a_members_page(client, lamp, member):
    html = client.get(lamp.get_absolute_url()).content.decode()

    assert sorted(offer["price"] for offer in structured_data(html)["offers"]) == ["10.00", "12.00"]
    assert meta_description(html).endswith("£10.00.")
    assert "9.00" not in meta_description(html)


def test_a_visitor_without_a_personal_price_sees_the_public_price_without_a_label(client, lamp, members_price):  # noqa: F811
    html = client.get(lamp.category.get_absolute_url()).content.decode()

    assert card_text(html, "Harbour Lamp").endswith("Harbour Lamp £10.00")
    assert "Your price" not in html


def test_a_page_rendered_for_one_price_group_is_never_served_to_another(client, lamp, members_price,  # noqa: F811
                                                                         shared_fragments):
    visitor = type(client)()
    member_user = UserFactory()
    members_price.add(member_user.pk)
    client.force_login(member_user)
    urls = [*listing_urls(lamp), lamp.get_absolute_url()]

    # The member first, then a visitor: the visitor gets the public price.
    for url in urls:
        assert "£9.00" in text(client.get(url).content.decode()), url
        visitor_page = visitor.get(url).content.decode()
        assert "£10.00" in text(visitor_page) and "£9.00" not in visitor_page and "Your price" not in visitor_page, url

    # And the reverse, on pages the visitor renders first (a new catalog version: a price change).
    ProductVariant.objects.filter(product=lamp, sku="LAMP-L").update(price=Decimal("14.00"))
    catalog_version_bump()  # what a recompute does once it commits
    for url in urls:
        assert "Your price" not in visitor.get(url).content.decode(), url
        assert "£9.00 Public price, was £10.00 Your price" in text(client.get(url).content.decode()), url


def test_visitors_at_public_prices_keep_sharing_the_rendered_listing(client, lamp, members_price, shared_fragments):  # noqa: F811
    ProductFactory.create_batch(5, category=lamp.category)
    url = lamp.category.get_absolute_url()
    member = type(client)()
    member_user = UserFactory()
    members_price.add(member_user.pk)
    member.force_login(member_user)

    def product_reads(browser) -> tuple[list[str], str]:
        with CaptureQueriesContext(connection) as captured:
            html = browser.get(url).content.decode()
        return [q["sql"] for q in captured.captured_queries if 'FROM "catalog_productimage"' in q["sql"]], html

    assert product_reads(client)[0]  # the first visitor renders the grid
    reads, html = product_reads(type(client)())
    assert not reads and "Harbour Lamp £10.00" in text(html)  # the next one is served that copy
    reads, html = product_reads(member)
    assert reads and "£9.00 Public price, was £10.00 Your price" in text(html)  # a member's grid is their price group's own
    assert not product_reads(member)[0]


def test_an_announced_reduction_shows_the_lowest_price_of_the_30_days_before_it(client, lamp, members_price):  # noqa: F811
    ProductVariant.objects.filter(product=lamp, sku=f"SKU-{lamp.pk}").update(
        price=Decimal("8.00"), reduced_from=Decimal("9.50"))
    lamp.price, lamp.reduced_from = Decimal("8.00"), Decimal("9.50")
    lamp.save()
    note = "Lowest price in the 30 days before this reduction: £9.50"

    assert card_text(client.get(lamp.category.get_absolute_url()).content.decode(), "Harbour Lamp").endswith(
        f"£8.00 {note}")
    html = client.get(lamp.get_absolute_url()).content.decode()
    assert product_price_text(html) == f"£8.00 incl. VAT {note}"
    assert variant_texts(html)[0] == f"Small — £8.00 {note} SKU SKU-{lamp.pk}"
    assert variant_texts(html)[1] == "Large — £12.00 SKU LAMP-L"  # not reduced: no note


def test_cart_checkout_order_page_and_receipt_charge_and_show_the_members_price(
        client, lamp, member, django_capture_on_commit_callbacks):
    form = checkout_to_review(client, lamp, quantity=2)  # the small lamp, £9.00 for the member

    cart = text(client.get(reverse("cart:detail")).content.decode())
    assert MEMBER_PRICE in cart and "£18.00" in cart
    assert MEMBER_PRICE in text(form["html"])
    assert form["expected_total"] == Decimal("18.00") + Decimal("3.95")  # standard shipping

    with django_capture_on_commit_callbacks(execute=True):
        response = pay(client, form)
    assert response.status_code == 302

    line = OrderLine.objects.get()
    assert (line.unit_price, line.public_unit_price, line.price_rule, line.price_personalized,
            line.price_reason) == (Decimal("9.00"), Decimal("10.00"), RULE, True, REASON)
    order_page = text(client.get(response["Location"], follow=True).content.decode())
    assert "Harbour Lamp — Small SKU-" in order_page
    assert " 2 £9.00 Public price, was £10.00 Your price £18.00 " in order_page
    receipt = mail.outbox[-1]
    assert "2 × Harbour Lamp" in receipt.body
    assert "@ £9.00 (your price; public price £10.00) = £18.00" in receipt.body
    [(receipt_html, _)] = receipt.alternatives
    assert "£9.00 was £10.00 Your price" in text(receipt_html)


def test_a_public_price_order_line_records_the_rule_that_produced_it(client, lamp, members_price):  # noqa: F811
    ProductVariant.objects.filter(product=lamp).update(price_rule="demand:7")
    form = checkout_to_review(client, lamp)
    assert pay(client, form).status_code == 302

    line = OrderLine.objects.get()
    assert (line.unit_price, line.price_rule, line.price_personalized) == (Decimal("10.00"), "demand:7", False)


def test_the_api_returns_the_prices_the_pages_show(client, lamp, member):
    detail = client.get(f"/api/v1/products/{lamp.slug}/").json()
    assert detail["price"] == {"amount": "9.00", "currency": "GBP", "public_amount": "10.00", "personalized": True,
                               "reason": REASON, "reduced_from": None}
    assert [v["price"]["amount"] for v in detail["variants"]] == ["9.00", "10.80"]
    listing = client.get("/api/v1/products/", {"category": lamp.category.slug}).json()
    assert listing["results"][0]["price"]["amount"] == "9.00"

    client.post(reverse("cart:add"), {"variant": lamp.variants.get(sku="LAMP-L").pk, "quantity": 1})
    line = client.get("/api/v1/cart/").json()["lines"][0]
    assert (line["unit_price"]["amount"], line["public_unit_price"]["amount"], line["personalized"],
            line["price_reason"]) == ("10.80", "12.00", True, REASON)
    assert "£10.80 Public price, was £12.00 Your price" in text(client.get(reverse("cart:detail")).content.decode())


def test_e_mails_price_items_as_the_customer_would_see_them_in_the_shop(lamp, members_price):  # noqa: F811
    member, other = UserFactory(), UserFactory()
    members_price.add(member.pk)
    entries = [("for_you", {"product": lamp.pk, "reason": "bought_before"})]

    [for_member] = digest_items(entries, {lamp.pk: lamp}, price_strategy_for_customer(member))
    [for_other] = digest_items(entries, {lamp.pk: lamp}, price_strategy_for_customer(other))

    assert (for_member["quote"].amount.amount, for_member["quote"].personalized) == (Decimal("9.00"), True)
    assert (for_other["quote"].amount.amount, for_other["quote"].personalized) == (Decimal("10.00"), False)
    from django.template.loader import render_to_string

    body = render_to_string("marketing/emails/digest.txt", {"items": [for_member], "personal": True})
    assert f"- Harbour Lamp (£9.00 (your price: {REASON}; public price £10.00))" in body


def page_queries(browser, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured.captured_queries)


def test_listing_and_product_pages_cost_the_same_queries_with_a_personal_price_for_10_or_100_products(
        client, members_price, django_assert_max_num_queries):  # noqa: F811
    member, other = UserFactory(), UserFactory()
    members_price.add(member.pk)
    costs = {}
    for count in (10, 100):
        category = CategoryFactory()
        ProductFactory.create_batch(count, category=category)
        urls = ("/", category.get_absolute_url(), reverse("storefront:search") + "?q=Product",
                category.products.first().get_absolute_url())
        for user in (member, other):
            client.force_login(user)
            for url in urls:
                # An anonymous page's budget is 8 (tests/shop/storefront/test_storefront_pages.py); a signed-in
                # shopper's adds their consent, recommendations and cart count.
                with django_assert_max_num_queries(11):
                    html = client.get(url).content.decode()
                assert ("Your price" in html) == (user == member), url
            costs[count, user.pk] = [page_queries(client, url) for url in urls]
    # The personal price costs no query of its own, and none grows with the catalog.
    assert costs[10, member.pk] == costs[10, other.pk] == costs[100, member.pk] == costs[100, other.pk]


@pytest.mark.parametrize("count", [10, 60])
def test_cart_and_checkout_keep_their_query_budget_with_a_personal_price(
        client, members_price, django_assert_max_num_queries, count):  # noqa: F811
    user = UserFactory()
    members_price.add(user.pk)
    client.force_login(user)
    products = ProductFactory.create_batch(count)
    for product in products:
        client.post(reverse("cart:add"), {"variant": product.variants.get().pk, "quantity": 1})

    with django_assert_max_num_queries(8):  # the cart page's budget (tests/shop/cart/test_cart.py)
        html = client.get(reverse("cart:detail")).content.decode()
    assert html.count("Your price") == count
