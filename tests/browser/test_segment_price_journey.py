"""A loyal customer's segment price in Chromium: labelled with its reason on the product page and in the
cart while personalization consent is in force; withdrawn in the privacy settings, the public price
comes back without the label."""

from decimal import Decimal

import pytest

from personalization.segments.models import SegmentDiscount, SegmentMembership, SegmentRun
from privacy.services import consent_decide
from primitives.subjects import Subject
from tests.factories import PASSWORD, CategoryFactory, ProductFactory, verified_user

REASON = "Thank you for being a loyal customer"


@pytest.fixture
def loyal_customer(transactional_db):
    lighting = CategoryFactory(name="Lighting", slug="lighting")
    ProductFactory(title="Brass Reading Lamp", slug="brass-reading-lamp", category=lighting,
                   price=Decimal("40.00"))
    customer = verified_user(email="loyal@example.com")
    consent_decide(subject=Subject.for_user(customer), source="settings",
                   choices={"personalization": True, "analytics": False, "marketing": False, "preferences": False})
    run = SegmentRun.objects.create(computed_at="2026-11-29T06:00:00Z", customers=1, k=2, min_size=1)
    SegmentMembership.objects.create(run=run, user=customer, segment="loyal")
    SegmentDiscount.objects.create(segment="loyal", percent=Decimal("10"), reason=REASON)
    return customer


def test_a_loyal_customer_sees_the_labelled_segment_price_until_withdrawing_consent(journey, loyal_customer):
    page = journey.page
    journey.goto("/accounts/login/")
    page.get_by_label("Email").fill("loyal@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    journey.goto("/p/brass-reading-lamp/")
    price = page.locator("main .price--personal").first
    assert price.is_visible()
    assert "£36.00" in price.inner_text() and "Your price" in price.inner_text()
    assert REASON in price.inner_text() and price.locator("s.price__public").inner_text().endswith("£40.00")
    journey.screenshot("product-segment-price")

    with page.expect_navigation():
        page.get_by_role("button", name="Add to cart").click()
    journey.goto("/cart/")
    line_price = page.locator(".cart-line__price").first
    assert "£36.00" in line_price.inner_text() and "Your price" in line_price.inner_text()
    assert REASON in line_price.inner_text()
    journey.screenshot("cart-segment-price")

    journey.goto("/privacy/consent/")
    settings_form = page.locator("form.consent-settings")
    settings_form.get_by_role("checkbox", name="Personalised recommendations").uncheck()
    with page.expect_navigation():
        settings_form.get_by_role("button", name="Save my choices").click()
    assert page.get_by_text("Your privacy choices are saved.").is_visible()
    journey.screenshot("personalization-withdrawn")

    journey.goto("/p/brass-reading-lamp/")
    main = page.locator("main")
    assert "£40.00" in main.inner_text()
    assert page.locator("main .price--personal").count() == 0
    assert "Your price" not in main.inner_text() and REASON not in main.inner_text()
    journey.screenshot("product-public-price")

    journey.goto("/cart/")
    line_price = page.locator(".cart-line__price").first
    assert "£40.00" in line_price.inner_text()
    assert "Your price" not in page.locator("main").inner_text() and REASON not in page.locator("main").inner_text()
    journey.screenshot("cart-public-price")
    assert not SegmentMembership.objects.filter(user=loyal_customer).exists()
    assert journey.csp_violations() == []
