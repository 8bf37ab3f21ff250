"""axe-core on every page a shopper or merchant relies on, at desktop and phone size, on the sample
catalog: no serious or critical violation, no CSP violation, and a screenshot of each."""

from django.contrib.auth.models import Group
from django.urls import reverse

from shop.accounts.roles import staff_roles_sync
from shop.catalog.models import Category, Product
from shop.orders.models import Order
from tests.browser.axe import axe_violations
from tests.factories import PASSWORD, verified_user
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)
from tests.shop.checkout_helpers import shipping_methods_ensure

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def check(journey, label: str) -> None:
    """Screenshot and axe at desktop then phone size; every finding is collected, then asserted.

    The page's own CSP violations are read before axe runs: axe adds <style> elements of its own
    for some checks, which the policy rightly blocks, and those are forgotten afterwards."""
    page = journey.page
    findings = [f"{label}: CSP {violation}" for violation in journey.csp_violations()]
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        journey.screenshot(f"{label}-{size_name}")
        findings += [f"{label} ({size_name}) {finding}" for finding in axe_violations(page)]
        page.evaluate("window.__cspViolations = []")
        journey.console_errors.clear()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            findings.append(f"{label} ({size_name}) is {overflow}px wider than the window")
    page.set_viewport_size(DESKTOP)
    journey.findings.extend(findings)


def log_in(journey, email: str) -> None:
    page = journey.page
    journey.goto(reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_shop_pages_have_no_serious_accessibility_violations(journey, sample_catalog):
    shipping_methods_ensure()
    journey.findings = []
    page = journey.page
    product = Product.objects.filter(is_published=True, variants__stock_quantity__gte=5).order_by(
        "-popularity", "id").first()
    category = Category.objects.filter(parent__isnull=True).order_by("position", "id").first()
    shopper = verified_user(email="ada@example.com")

    journey.goto("/")
    check(journey, "home-with-banner")
    page.locator(".consent-banner").get_by_role("button", name="Reject all").click()
    check(journey, "home")
    journey.goto(category.get_absolute_url())
    check(journey, "category")
    journey.goto(reverse("storefront:search") + "?q=lantern")
    check(journey, "search")
    journey.goto(product.get_absolute_url())
    check(journey, "product")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/")
    check(journey, "cart")

    for name in ("account_signup", "account_reset_password", "account_login"):
        journey.goto(reverse(name))
        check(journey, name.replace("_", "-"))
    log_in(journey, shopper.email)
    journey.goto(reverse("accounts:overview"))
    check(journey, "account-overview")
    for name in ("account_email", "account_change_password"):
        journey.goto(reverse(name))
        check(journey, name.replace("_", "-"))
    journey.goto(reverse("accounts:address_add"))
    check(journey, "address-form")
    journey.goto(reverse("privacy:account"))
    check(journey, "privacy-settings")

    journey.goto(reverse("cart:detail"))
    page.get_by_role("button", name="Go to checkout").click()
    page.wait_for_url("**/checkout/details/")
    check(journey, "checkout-address")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address line 1").fill("12 St James's Square")
    page.get_by_label("Town or city").fill("London")
    page.get_by_label("Postcode").fill("SW1Y 4JH")
    page.get_by_role("button", name="Continue to shipping").click()
    page.wait_for_url("**/checkout/shipping/")
    check(journey, "checkout-shipping")
    page.get_by_role("button", name="Continue to review").click()
    page.wait_for_url("**/checkout/review/")
    check(journey, "checkout-review")

    assert journey.findings == [], "\n".join(journey.findings)


def test_admin_dashboard_has_no_serious_accessibility_violations(journey, sample_catalog):
    staff_roles_sync()
    owner = verified_user(email="owner@example.com", is_staff=True)
    owner.groups.set(Group.objects.filter(name="Owner"))
    journey.findings = []

    log_in(journey, owner.email)
    journey.goto(reverse("admin:index"))
    assert journey.page.get_by_test_id("merchant-dashboard").is_visible()
    check(journey, "admin-dashboard")
    journey.goto(reverse("admin:catalog_product_change", args=[Product.objects.order_by("id").first().pk]))
    check(journey, "admin-product")
    journey.goto(reverse("admin:catalog_product_changelist") + "?stock=low")
    check(journey, "admin-low-stock")
    order = Order.objects.filter(user__isnull=False).order_by("-placed_at").first()
    journey.goto(reverse("admin:orders_order_change", args=[order.pk]))
    check(journey, "admin-order")
    journey.goto(reverse("merchant_customer", args=[order.user_id]))
    check(journey, "admin-customer")

    assert journey.findings == [], "\n".join(journey.findings)


def test_the_check_catches_a_real_violation(journey, transactional_db):
    """The check can fail: a picture without a text alternative is reported as critical."""
    journey.goto("/")
    journey.page.evaluate("""() => {
        const img = document.createElement('img');
        img.src = '/static/missing.png';
        document.querySelector('main').appendChild(img);
    }""")

    assert any("critical: image-alt" in finding for finding in axe_violations(journey.page))


def test_category_bar_fits_or_scrolls_visibly_at_every_width(journey, transactional_db):
    from shop.demo_import.naming import CATEGORY_DESCRIPTIONS
    from tests.factories import CategoryFactory

    for position, name in enumerate(CATEGORY_DESCRIPTIONS):
        CategoryFactory(name=name, position=position)
    page = journey.page
    journey.goto("/")
    bar = page.locator(".category-nav ul")

    for width in (1920, 1280, 1024):
        page.set_viewport_size({"width": width, "height": 800})
        boxes = [link.bounding_box() for link in bar.locator("a").all()]
        assert len(boxes) == 11 and all(box["x"] >= 0 and box["x"] + box["width"] <= width for box in boxes), width

    for width in (768, 390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        assert bar.evaluate("el => getComputedStyle(el).overflowX") == "auto"
        assert bar.evaluate("el => el.scrollWidth > el.clientWidth"), width
        bar.evaluate("el => el.scrollLeft = el.scrollWidth")
        last = bar.locator("a").last.bounding_box()
        assert last["x"] + last["width"] <= width, width  # every category can be scrolled into view
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # the page itself does not scroll
