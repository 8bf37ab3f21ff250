"""A shopper whose password was guessed at ten times through the API token door finds the site's
login locked too, in Chromium: the right password is refused with a message saying why."""

import ipaddress
import random
import uuid

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from tests.browser.pages import dismiss_consent_banner
from tests.factories import PASSWORD, verified_user
from tests.hardening.production_settings import production_setting

FAILURES_THAT_LOCK_AN_ACCOUNT = 10


@pytest.fixture
def production_login_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = production_setting("ACCOUNT_RATE_LIMITS")


def test_ten_wrong_passwords_at_the_api_lock_the_sites_login_form(journey, transactional_db,
                                                                  production_login_limits):
    page = journey.page
    shopper = verified_user(email=f"guessed-{uuid.uuid4().hex[:8]}@example.com")
    for n in range(FAILURES_THAT_LOCK_AN_ACCOUNT):
        wrong = APIClient().post("/api/v1/auth/tokens/", {"email": shopper.email, "password": f"guess {n}"},
                                 format="json", REMOTE_ADDR=str(ipaddress.IPv4Address(random.getrandbits(32))))
        assert wrong.status_code == 401

    journey.goto("/")
    dismiss_consent_banner(page)
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(shopper.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Log in").click()

    expect(page.get_by_text("Too many failed login attempts")).to_be_visible()
    assert "/accounts/login/" in page.url
    assert page.get_by_role("link", name="Log in").count()  # still signed out
    journey.screenshot("locked")
    assert journey.csp_violations() == []
