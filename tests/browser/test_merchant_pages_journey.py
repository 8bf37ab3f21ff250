"""The merchant reads a segment run and a customer's page in Chromium at 1,280 and 390 px: titled by
what they are, spend in pounds, the released JSON behind "Details", axe clean, screenshots kept."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from django.urls import reverse
from django.utils import timezone

from personalization.segments.released import segment_report
from tests.browser.test_accessibility import check, log_in
from tests.personalization.test_admin_pages_explain_themselves import run  # noqa: F401  (fixture)
from tests.factories import OrderFactory, UserFactory, verified_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner():
    """The shop's merchant as `create_merchant` makes them: a superuser with a verified address."""
    owner = verified_user(email="owner@example.com", is_staff=True)
    owner.is_superuser = True
    owner.save()
    return owner


def test_the_merchant_reads_a_segment_run_and_opens_its_details(journey, owner, run):  # noqa: F811
    segment_report(run)  # released here, without noise (the fixture's), before the server's first look
    journey.findings = []
    log_in(journey, owner.email)
    page = journey.page

    journey.goto(reverse("admin:segments_segmentrun_change", args=[run.pk]))

    assert page.title().startswith("Customer segments of 6 Dec 2026 04:00")
    assert page.locator("h1").inner_text() == "Customer segments of 6 Dec 2026 04:00"
    assert page.get_by_test_id("segment-spent").all_inner_texts() == ["£461.00", "£37.00"]
    assert "0.417" in page.locator("#content-main").inner_text()
    stored = page.get_by_test_id("stored-details").locator("pre")
    assert not stored.is_visible()  # the JSON waits behind the toggle
    check(journey, "segment-run")
    page.get_by_text("Details: the run as released").click()
    assert stored.is_visible() and '"monetary": 461.0' in stored.inner_text()
    check(journey, "segment-run-details-open")

    assert journey.findings == [], "\n".join(journey.findings)


def test_the_merchant_reads_a_customer_page_titled_by_number_and_account_age(journey, owner):
    customer = UserFactory(email="ada@example.com", date_joined=timezone.make_aware(datetime(2025, 3, 14, 9, 0)))
    OrderFactory(user=customer, number="C1", total=Decimal("12.50"))
    journey.findings = []
    log_in(journey, owner.email)
    page = journey.page

    journey.goto(reverse("merchant_customer", args=[customer.pk]))

    title = f"Customer #{customer.pk}, account since 14 Mar 2025"
    assert page.title().startswith(title) and "ada" not in page.title()
    assert page.locator("h1").inner_text() == title
    assert page.get_by_test_id("customer-spend").inner_text() == "£12.50"
    check(journey, "customer")

    assert journey.findings == [], "\n".join(journey.findings)


def test_the_merchant_picks_a_product_to_preview_by_typing_part_of_its_title(journey, owner):
    from tests.factories import ProductFactory

    ProductFactory(title="Brass lantern")
    ProductFactory(title="Enamel mug")
    journey.findings = []
    log_in(journey, owner.email)
    page = journey.page

    journey.goto(reverse("admin:recommendations_modelversion_preview"))
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("lant")
    # The list first shows every product, then "Searching…", then the matches: wait for the matches.
    expect(page.locator(".select2-results__option")).to_have_text(["Brass lantern"])
    page.locator(".select2-results__option", has_text="Brass lantern").click()
    journey.screenshot("preview-product-chosen")
    with page.expect_navigation():
        page.get_by_role("button", name="Preview").click()

    assert "No stored lists for Brass lantern in the serving version." in page.locator("#content").inner_text()
    assert page.locator(".select2-selection__rendered").inner_text().strip().endswith("Brass lantern")
    check(journey, "preview-product")

    assert journey.findings == [], "\n".join(journey.findings)
