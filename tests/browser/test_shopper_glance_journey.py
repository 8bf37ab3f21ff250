"""What a shopper reads at a glance, in Chromium at 1,280 and 390 px: a misspelt search still finds
lanterns and offers "Did you mean lantern?"; a personal price shows the public price struck through
with a short label on a card, the product page, the cart, the order page and the receipt; on a phone the cart's suggestions
scroll sideways instead of stacking; every form puts its errors below the field."""

import json
import re
from decimal import Decimal

import pytest
from django.core import mail

from personalization.segments.models import SegmentDiscount, SegmentMembership, SegmentRun
from personalization.recommendations.training import recommenders_train
from primitives.subjects import Subject
from privacy.disclosure import noise_source
from privacy.services import consent_decide
from shop.recommendations import SHOWN_PER_RAIL
from tests.browser.axe import axe_violations
from tests.browser.pages import dismiss_consent_banner
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse: the receipt is sent)
from tests.factories import PASSWORD, CategoryFactory, ProductFactory, verified_user
from tests.personalization.worlds import NOW, bought, customer
from tests.privacy.disclosure.sources import offset
from tests.shop.checkout_helpers import shipping_methods_ensure

REASON = "Thank you for being a loyal customer"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# A phone cart with three lines and a full rail of suggestions stays about three screens long (2,502 px
# with the reasons' released figures, "by about 20 customers", on three lines); a rail stacked card
# under card instead of scrolling sideways would add about 300 px per card.
PHONE_CART_MAX_HEIGHT = 2600


def log_in(journey, email: str) -> None:
    page = journey.page
    journey.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def box(locator) -> dict:
    locator.scroll_into_view_if_needed()
    return locator.bounding_box()


@pytest.fixture
def lanterns(transactional_db):
    lighting = CategoryFactory(name="Lighting", slug="lighting")
    ProductFactory(title="White Metal Lantern", slug="white-metal-lantern", category=lighting)
    ProductFactory(title="Paper Star Lanterns", slug="paper-star-lanterns", category=lighting)
    ProductFactory(title="Red Retrospot Mug", slug="red-retrospot-mug", category=CategoryFactory(name="Kitchen"))


def test_a_misspelt_search_finds_lanterns_and_offers_did_you_mean(journey, lanterns):
    page = journey.page
    journey.goto("/")
    dismiss_consent_banner(page)
    page.get_by_role("searchbox").fill("lanturn")
    with page.expect_navigation():
        page.get_by_role("searchbox").press("Enter")

    titles = page.locator("main .product-card__title").all_inner_texts()
    assert {"White Metal Lantern", "Paper Star Lanterns"} <= set(titles) and "Red Retrospot Mug" not in titles
    suggestion = page.locator(".search-suggestion")
    assert suggestion.inner_text() == "Did you mean lantern?"
    journey.screenshot("did-you-mean")

    with page.expect_navigation():
        suggestion.get_by_role("link", name="lantern").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Results for “lantern”"
    assert page.locator(".search-suggestion").count() == 0
    assert axe_violations(page) == []


@pytest.fixture
def loyal_customer(transactional_db):
    lighting = CategoryFactory(name="Lighting", slug="lighting")
    ProductFactory(title="Brass Reading Lamp", slug="brass-reading-lamp", category=lighting, price=Decimal("40.00"))
    customer = verified_user(email="loyal@example.com")
    consent_decide(subject=Subject.for_user(customer), source="settings",
                   choices={"personalization": True, "analytics": False, "marketing": False, "preferences": False})
    run = SegmentRun.objects.create(computed_at="2026-11-29T06:00:00Z", customers=1, k=2, min_size=1)
    SegmentMembership.objects.create(run=run, user=customer, segment="loyal")
    SegmentDiscount.objects.create(segment="loyal", percent=Decimal("10"), reason=REASON)
    return customer


def assert_reads_at_a_glance(price) -> None:
    """The amount, the public price struck through (read out as "was"), the label and the reason
    on a line of its own below them."""
    assert price.locator(".price__amount").inner_text() == "£36.00"
    public = price.locator("s.price__public")
    assert public.inner_text().endswith("£40.00") and "was" in public.inner_text()
    assert "line-through" in public.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert price.locator(".price__label").inner_text() == "Your price"
    amount, label, reason = (box(price.locator(part)) for part in (".price__amount", ".price__label",
                                                                     ".price__reason"))
    assert label["y"] >= amount["y"] - 1  # the label after the price (on its line, or the next on a narrow card)
    assert reason["y"] >= label["y"] + label["height"] - 1  # the reason on a line below
    assert price.locator(".price__reason").inner_text() == REASON


@pytest.mark.parametrize("size", SIZES)
def test_a_personal_price_reads_at_a_glance_on_card_product_page_and_cart(journey, loyal_customer, size):
    page = journey.page
    page.set_viewport_size(SIZES[size])
    log_in(journey, "loyal@example.com")

    journey.goto("/c/lighting/")
    assert_reads_at_a_glance(page.locator(".product-card .price--personal").first)
    assert axe_violations(page) == []
    journey.screenshot(f"{size}-card-your-price")

    journey.goto("/p/brass-reading-lamp/")
    price = page.locator(".product__price .price--personal")
    assert_reads_at_a_glance(price)
    vat = box(price.locator(".price__vat"))
    assert vat["x"] < box(price.locator(".price__public"))["x"] or vat["y"] < box(price.locator(".price__public"))["y"]
    offers = json.loads(page.locator('script[type="application/ld+json"]').first.inner_text())["offers"]
    assert [offer["price"] for offer in (offers if isinstance(offers, list) else [offers])] == ["40.00"]
    assert axe_violations(page) == []
    journey.screenshot(f"{size}-product-your-price")

    with page.expect_navigation():
        page.get_by_role("button", name="Add to cart").click()
    journey.goto("/cart/")
    assert_reads_at_a_glance(page.locator(".cart-line__price .price--personal").first)
    assert axe_violations(page) == []
    journey.screenshot(f"{size}-cart-your-price")


def test_a_personal_price_paid_reads_the_same_on_the_order_page_and_the_receipt(journey, loyal_customer):
    shipping_methods_ensure()
    page = journey.page
    log_in(journey, "loyal@example.com")
    journey.goto("/p/brass-reading-lamp/")
    with page.expect_navigation():
        page.get_by_role("button", name="Add to cart").click()
    journey.goto("/cart/")
    page.get_by_role("button", name="Go to checkout").click()
    page.get_by_label("Full name").fill("Lena Loyal")
    page.get_by_label("Address line 1").fill("1 Lamp Lane")
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_label("Postcode").fill("LS1 1AA")
    page.get_by_role("button", name="Continue to shipping").click()
    page.get_by_label(re.compile("Standard delivery")).check()
    page.get_by_role("button", name="Continue to review").click()
    page.get_by_label(re.compile("Test card that succeeds")).check()
    page.get_by_role("button", name=re.compile("^Pay ")).click()
    page.wait_for_url("**/account/orders/*/")

    line = page.locator(".order-line")
    public = line.locator("s.price__public")
    assert "£36.00" in line.inner_text() and public.text_content() == "Public price, was £40.00"
    assert public.locator(".visually-hidden").inner_text() == "Public price, was"  # read out, not shown
    assert "line-through" in public.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert line.locator(".price__label").inner_text() == "Your price"
    assert axe_violations(page) == []
    journey.screenshot("order-your-price")

    [receipt] = mail.outbox
    page.set_content(receipt.alternatives[0][0])
    assert page.locator("s", has_text="£40.00").count() == 1 and "Your price" in page.content()
    assert "@ £36.00 (your price; public price £40.00)" in receipt.body  # the plain-text part in words
    journey.screenshot("receipt-your-price")


@pytest.fixture
def full_rail(transactional_db):
    """Three products, each bought with four others of its own by three consenting customers: the
    cart holding the three has twelve suggestions, a full rail."""
    category = CategoryFactory(name="Home", slug="home")
    in_cart = [ProductFactory(title=f"Cart Item {n}", slug=f"cart-item-{n}", category=category) for n in range(3)]
    companions = [ProductFactory(title=f"Companion {n}", slug=f"companion-{n}", category=category)
                  for n in range(12)]
    for _ in range(3):
        buyer = customer()
        for n, product in enumerate(in_cart):
            bought(buyer, product, *companions[4 * n:4 * n + 4], days_ago=3 + n)
    # The reasons' figures are released with noise: a known one here ("by about 20 customers", the
    # longer wording), so the page's height does not depend on a random draw.
    with noise_source(offset(17)):
        recommenders_train(until=NOW)
    return in_cart


def test_on_a_phone_the_carts_rail_scrolls_sideways_and_the_page_stays_short(journey, full_rail):
    page = journey.page
    page.set_viewport_size(SIZES["phone"])
    journey.goto("/")
    dismiss_consent_banner(page)
    for product in full_rail:
        journey.goto(product.get_absolute_url())
        with page.expect_navigation():
            page.get_by_role("button", name="Add to cart").click()
    journey.goto("/cart/")
    journey.screenshot("phone-cart-rail")

    rail = page.locator('[data-rail="complete_your_order"] .product-grid')
    cards = rail.locator(".product-card")
    assert cards.count() == SHOWN_PER_RAIL
    tops = {round(card.bounding_box()["y"]) for card in cards.all()}
    assert len(tops) == 1  # one row
    assert rail.evaluate("e => e.scrollWidth > e.clientWidth + 100")
    assert rail.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    assert rail.evaluate("e => e.getBoundingClientRect().right") <= SIZES["phone"]["width"]
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < PHONE_CART_MAX_HEIGHT, height
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"]["width"]  # no page scroll
    assert axe_violations(page) == []


def assert_below(error, field) -> None:
    error_box, field_box = box(error), box(field)
    assert error_box["y"] >= field_box["y"] + field_box["height"] - 1, (error_box, field_box)
    assert error_box["x"] < field_box["x"] + field_box["width"] / 2, (error_box, field_box)


@pytest.mark.parametrize("size", SIZES)
def test_every_form_puts_its_errors_below_the_field(journey, transactional_db, size):
    page = journey.page
    page.set_viewport_size(SIZES[size])
    journey.goto("/")
    dismiss_consent_banner(page)

    journey.goto("/accounts/signup/")
    page.get_by_label("Email").fill("new@example.com")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password (again)").fill("short")
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Create account").click()
    error = page.locator("main .field--error .errorlist").first
    assert "too short" in error.inner_text()
    assert_below(error, page.locator("main .field--error input").first)
    assert axe_violations(page) == []
    journey.screenshot(f"{size}-signup-errors")

    journey.goto("/privacy/requests/")
    email = page.get_by_label("E-mail address you ordered with")
    assert email.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"  # the shop's field style
    email.fill("not-an-address")
    with page.expect_navigation():
        page.get_by_role("button", name="Send me the link").click()
    assert_below(page.get_by_text("Enter an e-mail address like name@example.com."),
                 page.get_by_label("E-mail address you ordered with"))
    assert_below(page.get_by_text("Choose a copy of your data or its deletion."),
                 page.get_by_label("Delete my data"))
    assert page.get_by_label("E-mail address you ordered with").input_value() == "not-an-address"
    assert axe_violations(page) == []
    journey.screenshot(f"{size}-guest-request-errors")

    shipping_methods_ensure()
    ProductFactory(title="Brass Reading Lamp", slug="brass-reading-lamp")
    journey.goto("/p/brass-reading-lamp/")
    with page.expect_navigation():
        page.get_by_role("button", name="Add to cart").click()
    journey.goto("/cart/")
    with page.expect_navigation():
        page.get_by_role("button", name="Go to checkout").click()
    button = box(page.get_by_role("button", name="Continue to shipping"))
    newsletter = box(page.get_by_role("region", name="Newsletter"))
    assert newsletter["y"] - (button["y"] + button["height"]) >= 24
    assert axe_violations(page) == []
    journey.screenshot(f"{size}-checkout-newsletter-gap")
