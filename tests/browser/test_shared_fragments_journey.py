"""A shopper on pages served from shared fragments: the cart form works, the cart is theirs,
and a price the merchant changes shows on the next visit."""

from decimal import Decimal

import pytest
from django.db import transaction

from shop.catalog.models import ProductVariant
from shop.pricing.list_prices import product_price_refresh
from tests.factories import CategoryFactory, ProductFactory


@pytest.fixture
def lantern(transactional_db, shared_fragments):
    category = CategoryFactory(name="Lighting", slug="lighting")
    return ProductFactory(title="White Metal Lantern", slug="white-metal-lantern", category=category,
                          price=Decimal("4.95"))


def test_cached_pages_keep_the_cart_form_and_the_cart_personal_and_show_a_new_price(journey, browser, lantern):
    page = journey.page
    journey.goto(lantern.get_absolute_url())
    journey.goto(lantern.get_absolute_url())  # the second visit is rendered from the shared fragments
    assert page.locator(".product__price").inner_text().startswith("£4.95")

    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/")
    assert page.get_by_test_id("cart-count").inner_text() == "2"
    journey.goto(lantern.get_absolute_url())
    assert page.get_by_test_id("cart-count").inner_text() == "2"
    journey.screenshot("product-from-fragments")

    other = browser.new_context(locale="en-GB").new_page()
    other.goto(journey.base_url + lantern.get_absolute_url())
    assert other.get_by_test_id("cart-count").inner_text() == "0"
    other.context.close()

    with transaction.atomic():  # the merchant's price change, committed
        ProductVariant.objects.filter(product=lantern).update(price=Decimal("6.50"))
        product_price_refresh(product=lantern)

    journey.goto(lantern.get_absolute_url())
    assert page.locator(".product__price").inner_text().startswith("£6.50")
    journey.goto(lantern.category.get_absolute_url())
    assert page.locator(".product-card__price").first.inner_text() == "£6.50"
    assert journey.csp_violations() == []


def test_strangers_served_one_kept_page_each_add_to_their_own_cart(journey, browser, lantern):
    """The whole page is kept for browsers that send no cookie; each still gets a token that works
    and a nonce the policy allows."""
    from tests.browser.conftest import CSP_LISTENER

    journey.goto(lantern.get_absolute_url())  # the first cookieless visit keeps the page
    for quantity in ("3", "1"):
        context = browser.new_context(locale="en-GB")
        context.add_init_script(CSP_LISTENER)
        stranger = context.new_page()
        stranger.goto(journey.base_url + lantern.get_absolute_url())
        assert stranger.get_by_test_id("cart-count").inner_text() == "0"
        stranger.get_by_label("Quantity").fill(quantity)
        stranger.get_by_role("button", name="Add to cart").click()
        stranger.wait_for_url("**/cart/")
        assert stranger.get_by_test_id("cart-count").inner_text() == quantity
        assert stranger.get_by_text("White Metal Lantern").first.is_visible()
        assert stranger.evaluate("window.__cspViolations") == []
        context.close()
    assert journey.page.get_by_test_id("cart-count").inner_text() == "0"
