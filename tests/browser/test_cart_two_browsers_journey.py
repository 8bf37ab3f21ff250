"""The cart page keeps what it read in the shopper's session; in a real browser it still shows every
change at once: one made on the account's other device, and stock that another shopper's checkout
holds and then gives back."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.catalog.models import ProductVariant
from shop.catalog.stock import stock_release, stock_reserve
from tests.browser.pages import dismiss_consent_banner
from tests.factories import PASSWORD, CategoryFactory, ProductFactory, verified_user
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)


@pytest.fixture
def shop_items(transactional_db, shared_fragments):
    category = CategoryFactory(name="Lighting", slug="lighting")
    lantern = ProductFactory(title="Storm Lantern", slug="storm-lantern", category=category, price=Decimal("8.00"))
    candle = ProductFactory(title="Beeswax Candle", slug="beeswax-candle", category=category, price=Decimal("3.00"))
    ProductVariant.objects.filter(product=lantern).update(stock_quantity=5)
    return lantern, candle


def log_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/login/")
    dismiss_consent_banner(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Log in").click()


def add_to_cart(page, base_url: str, product, quantity: int) -> None:
    page.goto(base_url + product.get_absolute_url())
    page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/")


def cart_lines(page) -> dict[str, str]:
    return {row.locator(".cart-line__title").inner_text(): row.locator('input[name="quantity"]').input_value()
            for row in page.locator(".cart-line").all()}


def test_a_cart_seen_on_two_devices_and_stock_held_by_another_checkout(journey, browser, shop_items):
    lantern, candle = shop_items
    shopper = verified_user(email="ada@example.com")
    laptop = journey.page
    log_in(laptop, journey.base_url, shopper.email)
    add_to_cart(laptop, journey.base_url, lantern, 2)
    journey.goto("/cart/")
    assert cart_lines(laptop) == {"Storm Lantern": "2"}

    phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    log_in(phone, journey.base_url, shopper.email)
    add_to_cart(phone, journey.base_url, candle, 1)
    add_to_cart(phone, journey.base_url, lantern, 1)
    assert cart_lines(phone) == {"Storm Lantern": "3", "Beeswax Candle": "1"}
    phone.context.close()

    journey.goto("/cart/")
    assert cart_lines(laptop) == {"Storm Lantern": "3", "Beeswax Candle": "1"}
    assert laptop.get_by_test_id("cart-count").inner_text() == "4"
    journey.screenshot("cart-changed-on-the-phone")

    holder = uuid.uuid4()
    stock_reserve(holder=holder, quantities={lantern.variants.get().pk: 4}, until=timezone.now() + timedelta(minutes=15))
    journey.goto("/cart/")
    assert "Only 1 in stock" in laptop.locator(".cart-line").first.inner_text()
    assert laptop.get_by_role("button", name="Go to checkout").count() == 0
    journey.screenshot("cart-with-stock-held-elsewhere")

    stock_release(holder=holder)
    journey.goto("/cart/")
    assert "in stock" not in laptop.locator(".cart-line").first.inner_text()
    assert laptop.get_by_role("button", name="Go to checkout").count() == 1
    assert journey.csp_violations() == []
