"""Staff in a real browser: the admin sends an order manager to the shop's login, then to set up
an authenticator app, which a password alone cannot do: the link e-mailed to the verified address,
opened in a fresh browser context (as from a mail client), unlocks the setup there. Customer
details open only after the second factor."""

import re

from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.contrib.auth.models import Group
from django.core import mail

from tests.browser.conftest import CSP_LISTENER, Journey

PASSWORD = "a long staff passphrase 5521"
EMAIL = "order.manager@attuned.test"


@pytest.fixture
def order_manager_and_an_order(transactional_db, settings, live_server):
    from django.test import Client

    from shop.accounts.roles import staff_roles_sync
    from shop.orders.models import Order
    from tests.factories import ProductFactory, UserFactory
    from tests.shop.checkout_helpers import checkout_to_review, pay

    settings.STAFF_SECOND_FACTOR_REQUIRED = True
    settings.SHOP_BASE_URL = live_server.url  # links in e-mails point at the live server
    mail.outbox = []
    staff_roles_sync()
    staff = UserFactory(email=EMAIL, is_staff=True)
    staff.set_password(PASSWORD)
    staff.save()
    staff.groups.set(Group.objects.filter(name="Order manager"))
    EmailAddress.objects.create(user=staff, email=EMAIL, verified=True, primary=True)
    shopper = Client()
    pay(shopper, checkout_to_review(shopper, ProductFactory(title="Lamp", price=Decimal("10.00"))))
    return staff, Order.objects.get()


def submit(page):
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()


@pytest.fixture
def mail_client_browser(browser, live_server, request):
    """A new browser context per link, as a link opened from a mail client: no session, no cookies."""
    contexts = []

    def open_context(label: str) -> Journey:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return Journey(page, live_server.url, f"{request.node.name}-{label}")

    yield open_context
    for context in contexts:
        context.close()


def log_in(page) -> None:
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    submit(page)


def test_an_order_manager_sets_up_a_second_factor_before_seeing_customer_details(
        journey, mail_client_browser, order_manager_and_an_order):
    staff, order = order_manager_and_an_order
    page = journey.page
    journey.goto(f"/admin/orders/order/{order.pk}/change/")
    page.wait_for_url("**/accounts/login/**")
    journey.screenshot("shop-login")
    log_in(page)

    # Signed in by password alone: the admin sends them to set up an authenticator app, and the
    # password is not enough for that: a link goes to the verified address instead.
    page.wait_for_url("**/accounts/2fa/totp/activate/**")
    assert "We sent you a link at o…@attuned.test" in page.content()
    assert page.locator("#authenticator_secret").count() == 0 and "Grace Hopper" not in page.content()
    journey.screenshot("check-your-inbox")
    [message] = [m for m in mail.outbox if m.to == [EMAIL]]
    [link] = re.findall(r"https?://\S+/accounts/2fa/enrol/\S+/", message.body)
    assert link.startswith(journey.base_url + "/")

    # The link, opened from the mail client in a new browser: log in there, then continue.
    mailbox = mail_client_browser("from-the-mail")
    mail_page = mailbox.page
    mail_page.goto(link)
    log_in(mail_page)
    mail_page.wait_for_url("**/accounts/2fa/enrol/**")
    mailbox.screenshot("enrolment-link")
    posted_origins = []
    mail_page.on("request", lambda r: r.method == "POST" and posted_origins.append(r.headers.get("origin")))
    submit(mail_page)
    assert posted_origins[-1] == mailbox.base_url  # the link page keeps the shop's Origin for its form
    if "/accounts/reauthenticate/" in mail_page.url:  # allauth asks for the password once more
        mail_page.fill("input[name=password]", PASSWORD)
        submit(mail_page)
    mail_page.wait_for_url("**/accounts/2fa/totp/activate/**")
    secret = mail_page.locator("#authenticator_secret").input_value()
    assert len(secret) >= 16
    mailbox.screenshot("activate-authenticator")
    mail_page.fill("input[name=code]", format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time()))))
    submit(mail_page)
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()

    # The same link again is refused, with the reason.
    mail_page.goto(link)
    assert "This link has already been used (each link works once)" in mail_page.content()

    # Back to the admin: this login began without the factor, so it is asked for once.
    mailbox.goto(f"/admin/orders/order/{order.pk}/change/")
    mail_page.wait_for_url("**/accounts/2fa/reauthenticate/**")
    mailbox.screenshot("second-factor")
    codes = RecoveryCodes(Authenticator.objects.get(user=staff, type=Authenticator.Type.RECOVERY_CODES))
    mail_page.fill("input[name=code]", codes.get_unused_codes()[0])
    submit(mail_page)

    mailbox.goto(f"/admin/orders/order/{order.pk}/change/")
    assert mail_page.get_by_text("Grace Hopper").first.is_visible()
    mailbox.screenshot("customer-details")
    assert journey.csp_violations() == [] and mailbox.csp_violations() == []
