"""The consent banner in a real browser: reject, then accept from the footer; keyboard; no JavaScript."""

import pytest

from privacy.models import ConsentRecord

CONSENT_COOKIE = "attuned_consent"
NECESSARY_COOKIES = {"csrftoken", "sessionid"}


@pytest.fixture
def shop_pages(transactional_db):
    from tests.factories import ProductFactory

    ProductFactory(title="White Metal Lantern")


def cookie_names(page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


def decisions() -> list[tuple[str, bool, str]]:
    return list(ConsentRecord.objects.order_by("created_at", "purpose").values_list("purpose", "granted", "source"))


def test_reject_on_the_banner_then_accept_from_the_footer(journey, shop_pages):
    page = journey.page
    journey.goto("/")
    banner = page.get_by_role("region", name="Your privacy, your choice")
    assert banner.is_visible()
    assert cookie_names(page) <= NECESSARY_COOKIES
    accept = banner.get_by_role("button", name="Accept all")
    reject = banner.get_by_role("button", name="Reject all")
    assert accept.bounding_box()["height"] == reject.bounding_box()["height"]
    assert accept.evaluate("e => getComputedStyle(e).backgroundColor") == reject.evaluate(
        "e => getComputedStyle(e).backgroundColor")
    journey.screenshot("banner")

    with page.expect_navigation():
        reject.click()
    assert page.get_by_role("region", name="Your privacy, your choice").count() == 0
    assert page.get_by_text("Your privacy choices are saved.").is_visible()
    assert CONSENT_COOKIE in cookie_names(page)
    assert decisions() == [("analytics", False, "banner"), ("marketing", False, "banner"),
                           ("personalization", False, "banner"), ("preferences", False, "banner")]
    journey.screenshot("rejected")

    page.get_by_role("navigation", name="Privacy").get_by_role("link", name="Cookie settings").click()
    page.wait_for_url("**/privacy/consent/")
    assert page.get_by_text("Allowed now: only what is necessary.").is_visible()
    journey.screenshot("settings")
    with page.expect_navigation():
        page.locator(".consent-settings").get_by_role("button", name="Accept all").click()
    assert page.get_by_text("Allowed now: preferences, analytics, personalization, marketing.").is_visible()
    assert sorted(d for d in decisions() if d[1]) == [
        ("analytics", True, "settings"), ("marketing", True, "settings"),
        ("personalization", True, "settings"), ("preferences", True, "settings")]
    journey.screenshot("accepted")

    assert journey.csp_violations() == []


def test_customize_with_the_keyboard_alone(journey, shop_pages):
    page = journey.page
    journey.goto("/")

    customize = page.locator(".consent-banner summary")
    customize.focus()
    page.keyboard.press("Enter")
    analytics = page.get_by_role("checkbox", name="Analytics")
    assert analytics.is_visible()
    assert page.get_by_role("checkbox", name="Necessary (always on)").is_disabled()
    analytics.focus()
    page.keyboard.press("Space")
    assert analytics.is_checked()
    journey.screenshot("customize")
    page.get_by_role("button", name="Save my choices").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Your privacy choices are saved.").is_visible()

    granted = {purpose for purpose, allowed, _ in decisions() if allowed}
    assert granted == {"analytics"}
    assert journey.csp_violations() == []


def test_the_banner_works_with_javascript_switched_off(browser, live_server, shop_pages):
    from tests.browser.conftest import SCREENSHOTS

    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        with page.expect_navigation():
            page.get_by_role("button", name="Reject all").click()
        assert page.locator(".consent-banner").count() == 0
        assert {purpose for purpose, allowed, _ in decisions() if not allowed} == {
            "analytics", "marketing", "personalization", "preferences"}

        page.goto(live_server.url + "/privacy/consent/")
        with page.expect_navigation():
            page.locator(".consent-settings").get_by_role("button", name="Accept all").click()
        assert page.get_by_text("Your privacy choices are saved.").is_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "consent-without-javascript.png"), full_page=True)
    finally:
        context.close()
    assert [granted for _, granted, _ in decisions()][-4:] == [True, True, True, True]
