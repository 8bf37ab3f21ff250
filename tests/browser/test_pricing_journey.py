"""The price shown is the price charged, in Chromium: a shopper sees an announced reduction with the
lowest price of the 30 days before it, adds the item, the public price rises meanwhile, and the
cart, the checkout and the order still charge the price they saw."""

import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from shop.catalog.fragments import catalog_changed
from shop.catalog.models import Product, ProductVariant
from shop.orders.models import Order
from tests.browser.pages import dismiss_consent_banner
from tests.factories import CategoryFactory, ProductFactory
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)
from tests.shop.checkout_helpers import shipping_methods_ensure

REDUCTION_NOTE = "Lowest price in the 30 days before this reduction: £9.50"


@pytest.fixture
def lantern(transactional_db, shared_fragments):
    """A lantern reduced to £8.00; the lowest price of the 30 days before the reduction was £9.50."""
    shipping_methods_ensure()
    category = CategoryFactory(name="Lighting", slug="lighting")
    product = ProductFactory(title="Storm Lantern", slug="storm-lantern", category=category,
                             price=Decimal("8.00"), reduced_from=Decimal("9.50"))
    ProductVariant.objects.filter(product=product).update(reduced_from=Decimal("9.50"), price_rule="demand:1",
                                                          price_changed_at=timezone.now())
    return product


def public_price_rises(product: Product, amount: str) -> None:
    """What a demand recompute does, committed: stored prices change, fragments are renewed."""
    with transaction.atomic():
        ProductVariant.objects.filter(product=product).update(price=Decimal(amount), reduced_from=None,
                                                              price_rule="demand:1",
                                                              price_changed_at=timezone.now())
        Product.objects.filter(pk=product.pk).update(price=Decimal(amount), reduced_from=None)
        catalog_changed()


def test_the_price_seen_with_its_reduction_is_the_price_charged_after_the_public_price_rises(
        journey, browser, lantern):
    page = journey.page
    journey.goto(lantern.category.get_absolute_url())
    dismiss_consent_banner(page)
    card_price = page.locator(".product-card__price").first
    assert card_price.inner_text().startswith("£8.00")
    assert REDUCTION_NOTE in card_price.inner_text()
    journey.screenshot("card-with-reduction")

    page.get_by_role("link", name="Storm Lantern").click()
    assert page.locator(".product__price").inner_text().startswith("£8.00")
    assert REDUCTION_NOTE in page.locator(".product__price").inner_text()
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/")
    journey.screenshot("cart-at-the-reduced-price")

    public_price_rises(lantern, "11.00")
    newcomer = browser.new_context(locale="en-GB").new_page()
    newcomer.goto(journey.base_url + lantern.get_absolute_url())
    assert newcomer.locator(".product__price").inner_text().startswith("£11.00")  # new shoppers pay more
    newcomer.context.close()

    journey.goto("/cart/")
    line_price = page.locator(".cart-line__price").first
    assert line_price.inner_text().startswith("£8.00")
    assert "Price held for you until" in line_price.inner_text()
    assert page.locator(".cart-subtotal").inner_text() == "£16.00"
    journey.screenshot("cart-price-held")

    page.get_by_role("button", name="Go to checkout").click()
    page.get_by_label("E-mail for your order confirmation").fill("grace@example.com")
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Address line 1").fill("1 Harbour Street")
    page.get_by_label("Town or city").fill("Whitby")
    page.get_by_label("Postcode").fill("YO21 3PU")
    page.get_by_role("button", name="Continue to shipping").click()
    page.get_by_label(re.compile("Standard delivery")).check()
    page.get_by_role("button", name="Continue to review").click()
    assert page.get_by_test_id("order-total").inner_text() == "£19.95"  # 2 × 8.00 + 3.95
    journey.screenshot("review-at-the-price-seen")

    page.get_by_label(re.compile("Test card that succeeds")).check()
    page.get_by_role("button", name="Pay £19.95").click()
    page.wait_for_url("**/orders/**")
    order = Order.objects.get()
    assert order.total == Decimal("19.95")
    assert [(line.unit_price, line.price_rule) for line in order.lines.all()] == [(Decimal("8.00"), "demand:1")]
    assert page.locator(".order-line").first.inner_text().split("\t")[-2:] == ["£8.00", "£16.00"]
    journey.screenshot("order")
    assert journey.csp_violations() == []
