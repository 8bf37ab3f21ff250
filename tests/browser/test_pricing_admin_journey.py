"""A catalog manager in a real browser: drafts a demand rule, previews its effect on the catalog,
saves it enabled from the preview, and reads a product's price history chart; no page breaks the
Content Security Policy or has a serious accessibility violation (axe)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.browser.axe import axe_violations

PASSWORD = "a long staff passphrase 7731"
EMAIL = "catalog.manager@attuned.test"


@pytest.fixture
def catalog_manager_and_shelves(transactional_db):
    from shop.accounts.roles import staff_roles_sync
    from shop.orders.models import OrderStatus
    from shop.pricing.models import PriceChange
    from tests.factories import OrderFactory, ProductFactory, UserFactory, order_line_create

    staff_roles_sync()
    staff = UserFactory(email=EMAIL, is_staff=True)
    staff.set_password(PASSWORD)
    staff.save()
    staff.groups.set(Group.objects.filter(name="Catalog manager"))
    EmailAddress.objects.create(user=staff, email=EMAIL, verified=True, primary=True)
    hot = ProductFactory(title="Hot lamp", price=Decimal("10.00"), variant__stock=5)
    order_line_create(order=OrderFactory(placed_at=timezone.now() - timedelta(days=3), status=OrderStatus.DELIVERED),
                      product=hot, quantity=28)
    cold = ProductFactory(title="Cold vase", price=Decimal("10.00"), variant__stock=100)
    variant = cold.variants.get()
    for days_ago, old, new in ((30, "10.00", "9.50"), (12, "9.50", "10.00")):
        PriceChange.objects.create(variant=variant, product=cold, old_price=Decimal(old), new_price=Decimal(new),
                                   rule="list", source="merchant", inputs={"reason": "the merchant set the list price"},
                                   changed_at=timezone.now() - timedelta(days=days_ago))
    return cold


def checked(journey, label: str) -> list[str]:
    """The page's CSP violations (read first: axe adds styles the policy blocks), then axe's findings."""
    findings = [f"{label}: CSP {violation}" for violation in journey.csp_violations()]
    findings += [f"{label}: {finding}" for finding in axe_violations(journey.page)]
    journey.page.evaluate("window.__cspViolations = []")
    journey.console_errors.clear()
    return findings


def submit(page, selector="main form button[type=submit]"):
    with page.expect_navigation():
        page.locator(selector).last.click()


def test_a_catalog_manager_previews_a_rule_then_enables_it_and_reads_a_price_history(journey,
                                                                                   catalog_manager_and_shelves):
    from shop.pricing.models import DemandRule

    cold = catalog_manager_and_shelves
    page = journey.page
    journey.goto("/admin/pricing/demandrule/add/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    submit(page)
    page.wait_for_url("**/admin/pricing/demandrule/add/")

    page.fill("input[name=name]", "Velocity and cover")
    page.check("input[name=enabled]")
    page.fill("input[name=max_decrease_percent]", "20")
    page.fill("input[name=ample_cover_days]", "60")
    with page.expect_navigation():
        page.click("input[name=_preview]")
    page.wait_for_url("**/admin/pricing/demandrule/preview/")
    preview = page.locator("[data-testid=rule-preview]")
    assert "It prices 2 of 2 products" in preview.inner_text()
    assert page.locator("[data-testid=preview-down] td").first.inner_text() == "1"
    assert page.locator("[data-testid=preview-up] td").first.inner_text() == "1"
    assert not DemandRule.objects.exists()
    journey.screenshot("rule-preview")
    findings = checked(journey, "preview")

    with page.expect_navigation():
        page.click("input[name=_save]")
    rule = DemandRule.objects.get()
    assert (rule.name, rule.enabled, rule.max_decrease_percent) == ("Velocity and cover", True, Decimal("20"))
    assert "No recompute has run yet" in page.locator("[data-testid=last-run]").inner_text()  # back on the list
    findings += checked(journey, "rule list")

    journey.goto(f"/admin/catalog/product/{cold.pk}/change/")
    chart = page.locator("[data-testid=price-history] svg")
    assert chart.get_attribute("aria-label") == "Price history of Cold vase: from £9.50 to £10.00"
    assert chart.bounding_box()["height"] > 100  # drawn, not collapsed
    page.locator("[data-testid=price-history] summary").click()
    assert page.locator("[data-testid=price-change]").count() == 2
    journey.screenshot("price-history")
    findings += checked(journey, "product")
    assert findings == []
