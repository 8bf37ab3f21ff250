"""A shopper's account in Chromium: the overview from the header, saving, editing and deleting
addresses, and checking out with a saved one through to the order's next step."""

import re
from decimal import Decimal

import pytest

from shop.accounts.models import SavedAddress
from shop.orders.models import Order, OrderStatus
from tests.factories import PASSWORD, CategoryFactory, OrderFactory, ProductFactory, verified_user
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)
from tests.shop.checkout_helpers import shipping_methods_ensure


@pytest.fixture
def shop(transactional_db):
    shipping_methods_ensure()
    lighting = CategoryFactory(name="Lighting", slug="lighting")
    return ProductFactory(title="White Metal Lantern", category=lighting, price=Decimal("3.75"), variant__stock=6)


def fill_address(page, **values):
    for label, value in values.items():
        page.get_by_label(label).fill(value)


def test_account_overview_saved_addresses_and_checkout_with_one(journey, shop):
    page = journey.page
    ada = verified_user(email="ada@example.com")
    OrderFactory(user=ada, number="HIST0001", total=Decimal("12.00"), status=OrderStatus.DELIVERED)

    journey.goto("/")
    page.locator(".consent-banner").get_by_role("button", name="Reject all").click()
    page.get_by_role("link", name="Log in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.get_by_role("navigation", name="Account").get_by_role("link", name="Account").click()
    page.wait_for_url("**/account/")
    assert "HIST0001" in page.get_by_test_id("recent-orders").inner_text()
    assert page.locator("main").get_by_role("link", name="Your privacy settings").is_visible()
    journey.screenshot("overview")

    page.get_by_role("link", name="Add an address").click()
    fill_address(page, **{"Full name": "Ada Lovelace", "Address line 1": "12 St James's Square",
                          "Town or city": "London", "Postcode": "SW1Y 4JH"})
    page.get_by_role("button", name="Save address").click()
    page.wait_for_url("**/account/addresses/")
    assert "Address saved." in page.locator(".messages").inner_text()

    page.get_by_role("link", name="Add an address").click()
    fill_address(page, **{"Full name": "Ada Lovelace", "Address line 1": "1 Analytical Row",
                          "Town or city": "Leeds", "Postcode": "LS1 1AA"})
    page.get_by_role("button", name="Save address").click()
    page.get_by_role("link", name=re.compile("Edit the address of Ada Lovelace, 1 Analytical Row")).click()
    page.get_by_label("Address line 2 (optional)").fill("Engine House")
    page.get_by_role("button", name="Save address").click()
    assert "Engine House" in page.get_by_test_id("saved-addresses").inner_text()
    journey.screenshot("addresses")

    page.get_by_role("link", name=re.compile("Delete the address of Ada Lovelace, 12 St James")).click()
    page.get_by_role("button", name="Delete address").click()
    saved = page.get_by_test_id("saved-addresses").inner_text()
    assert "St James" not in saved and "Analytical Row" in saved
    assert SavedAddress.objects.filter(user=ada).count() == 1

    journey.goto(shop.get_absolute_url())
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/")
    page.get_by_role("button", name="Go to checkout").click()
    page.wait_for_url("**/checkout/details/")
    page.get_by_label(re.compile("1 Analytical Row")).check()
    journey.screenshot("checkout-saved-address")
    page.get_by_role("button", name="Ship to this address").click()
    page.wait_for_url("**/checkout/shipping/")
    page.get_by_label(re.compile("Standard delivery")).check()
    page.get_by_role("button", name="Continue to review").click()
    page.wait_for_url("**/checkout/review/")
    assert "1 Analytical Row" in page.locator("address").inner_text()
    page.get_by_label(re.compile("Test card that succeeds")).check()
    page.get_by_role("button", name=re.compile("^Pay ")).click()
    page.wait_for_url("**/account/orders/**")

    order = Order.objects.exclude(number="HIST0001").get(user=ada)
    assert order.status == OrderStatus.PAID and order.shipping_address.line2 == "Engine House"
    next_steps = page.get_by_test_id("next-steps")
    assert "will e-mail you when it is on its way" in next_steps.inner_text()
    journey.screenshot("order-next-steps")
    next_steps.get_by_role("link", name="Continue shopping").click()
    page.wait_for_url(journey.base_url + "/")
    assert journey.csp_violations() == []
