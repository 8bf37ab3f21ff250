"""Shopping journeys in Chromium: search, filter, cart as a guest, log in and merge, pay, see the order
and its e-mail. Forms are plain HTML: nothing here needs JavaScript."""

import re
import uuid
from decimal import Decimal

import pytest
from django.core import mail

from shop.cart.models import Cart, CartLine
from shop.orders.models import Order, OrderStatus
from tests.browser.pages import dismiss_consent_banner
from tests.factories import PASSWORD, CategoryFactory, OrderFactory, ProductFactory, verified_user
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)
from tests.shop.checkout_helpers import shipping_methods_ensure


@pytest.fixture
def shop(transactional_db):
    shipping_methods_ensure()
    lighting = CategoryFactory(name="Lighting", slug="lighting")
    home = CategoryFactory(name="Home", slug="home")
    products = {
        "white": ProductFactory(title="White Metal Lantern", category=lighting, price=Decimal("3.75"),
                                variant__stock=6, popularity=9),
        "tall": ProductFactory(title="Tall Glass Lantern", category=lighting, price=Decimal("24.00"),
                               variant__stock=3, popularity=5),
        "sold": ProductFactory(title="Sold Out Lantern", category=lighting, price=Decimal("5.00"),
                               variant__stock=0, popularity=7),
        "mug": ProductFactory(title="Spotty Mug", category=home, price=Decimal("2.50"), variant__stock=10),
    }
    return products


def cart_count(page) -> int:
    return int(page.get_by_test_id("cart-count").inner_text())


def test_search_filter_cart_login_merge_and_pay(journey, shop):
    page = journey.page
    ada = verified_user(email="ada@example.com")
    CartLine.objects.create(cart=Cart.objects.create(user=ada), variant=shop["mug"].variants.get(), quantity=1)

    journey.goto("/")
    dismiss_consent_banner(page)
    page.get_by_label("Search products").fill("lantern")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=lantern")
    titles = page.locator(".product-card__title").all_inner_texts()
    assert len(titles) == 3 and all("Lantern" in title for title in titles)
    journey.screenshot("search")

    page.get_by_label("In stock only").check()
    page.get_by_label("to £").fill("10")
    page.get_by_role("button", name="Apply").click()
    assert page.locator(".product-card__title").all_inner_texts() == ["White Metal Lantern"]
    journey.screenshot("filtered")

    page.get_by_role("link", name="White Metal Lantern").click()
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/")
    assert "Added 2 × White Metal Lantern to your cart." in page.locator(".messages").inner_text()
    assert cart_count(page) == 2
    journey.screenshot("guest-cart")

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form").get_by_role("button", name=re.compile("Sign In|Log in", re.I)).click()
    page.wait_for_load_state()
    assert "White Metal Lantern: 2 added from before you logged in." in page.locator(".messages").inner_text()
    journey.goto("/cart/")
    assert page.locator(".cart-line__title").all_inner_texts() == ["Spotty Mug", "White Metal Lantern"]
    assert cart_count(page) == 3
    journey.screenshot("merged-cart")

    page.get_by_role("button", name="Go to checkout").click()
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address line 1").fill("12 St James's Square")
    page.get_by_label("Town or city").fill("London")
    page.get_by_label("Postcode").fill("SW1Y 4JH")
    journey.screenshot("address")
    page.get_by_role("button", name="Continue to shipping").click()
    page.get_by_label(re.compile("Standard delivery")).check()
    page.get_by_role("button", name="Continue to review").click()
    assert page.get_by_test_id("order-total").inner_text() == "£13.95"  # 2 × 3.75 + 2.50 + 3.95
    journey.screenshot("review")

    page.get_by_label(re.compile("Test card that succeeds")).check()
    page.get_by_role("button", name="Pay £13.95").click()
    page.wait_for_url("**/account/orders/*/")
    order = Order.objects.get()
    assert page.locator("h1").inner_text() == f"Order {order.number}"
    assert page.get_by_test_id("order-status").inner_text() == "Paid"
    assert cart_count(page) == 0
    journey.screenshot("order")

    page.get_by_role("link", name="Orders").first.click()
    assert order.number in page.locator(".orders-table").inner_text()
    assert journey.csp_violations() == []

    [email] = mail.outbox
    assert email.to == ["ada@example.com"] and order.invoice_number in email.subject
    page.set_content(email.alternatives[0][0])
    assert "Thank you for your order" in page.locator("h1").inner_text()
    journey.screenshot("confirmation-email")


def test_a_guest_pays_with_a_card_that_asks_for_authentication(journey, shop):
    page = journey.page
    journey.goto(shop["tall"].get_absolute_url())
    dismiss_consent_banner(page)
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("button", name="Go to checkout").click()
    page.get_by_label("E-mail for your order confirmation").fill("grace@example.com")
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Address line 1").fill("Rue de Rivoli 1")
    page.get_by_label("Town or city").fill("Paris")
    page.get_by_label("Postcode").fill("75001")
    page.get_by_label("Country").select_option("FR")
    page.get_by_role("button", name="Continue to shipping").click()
    page.get_by_role("button", name="Continue to review").click()
    assert "Shipping to France, VAT is 20%" not in page.content()  # same rate as at home: nothing changes
    journey.screenshot("review-france")

    page.get_by_label(re.compile("asks for authentication")).check()
    page.get_by_role("button", name=re.compile("^Pay ")).click()
    page.wait_for_url("**/payments/test-provider/authenticate/**")
    journey.screenshot("bank")
    page.get_by_role("button", name="Confirm payment").click()
    page.wait_for_url("**/orders/**")

    order = Order.objects.get()
    assert order.status == OrderStatus.PAID and order.email == "grace@example.com"
    assert page.locator("h1").inner_text() == f"Order {order.number}"
    assert "Grace Hopper" in page.locator("address").inner_text()
    journey.screenshot("guest-order")
    assert journey.csp_violations() == []
    assert len(mail.outbox) == 1


def test_a_guest_who_lost_the_confirmation_finds_their_order_by_e_mail(journey, shop):
    # The hourly limit per address lives in the cache, which outlives a run on Redis: one address per run.
    address = f"grace-{uuid.uuid4().hex[:10]}@example.com"
    order = OrderFactory(user=None, email=address)
    page = journey.page
    journey.goto("/")
    dismiss_consent_banner(page)

    page.get_by_role("link", name="Find your order").click()
    page.get_by_role("button", name="E-mail me my order links").click()
    assert "Enter the e-mail address you gave at checkout." in page.content()  # nothing typed yet
    page.get_by_label("E-mail address you ordered with").fill(address.upper())
    page.get_by_role("button", name="E-mail me my order links").click()
    assert "we have e-mailed it a link to each" in page.locator(".messages").inner_text()
    journey.screenshot("find-your-order")

    [email] = mail.outbox
    assert email.to == [address]
    link = re.search(r"https?://\S+?(/orders/\S+/)", email.body).group(1)
    journey.goto(link)
    assert page.locator("h1").inner_text() == f"Order {order.number}"
    journey.screenshot("found-order")
    assert journey.csp_violations() == []


def test_a_declined_card_keeps_the_cart_and_says_why(journey, shop):
    page = journey.page
    journey.goto(shop["mug"].get_absolute_url())
    dismiss_consent_banner(page)
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("button", name="Go to checkout").click()
    for label, value in (("E-mail for your order confirmation", "x@example.com"), ("Full name", "X"),
                         ("Address line 1", "1 Road"), ("Town or city", "York"), ("Postcode", "YO1 1AA")):
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Continue to shipping").click()
    page.get_by_role("button", name="Continue to review").click()
    page.get_by_label(re.compile("is declined")).check()
    page.get_by_role("button", name=re.compile("^Pay ")).click()

    assert "Your card was declined." in page.get_by_role("alert").inner_text()
    assert cart_count(page) == 1 and not Order.objects.exists()
    journey.screenshot("declined")
    assert journey.csp_violations() == []
