"""Staff in a real browser: the admin sends an order manager to the shop's login, then to set up
an authenticator app, and opens customer details only after the second factor."""

from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.contrib.auth.models import Group

PASSWORD = "a long staff passphrase 5521"
EMAIL = "order.manager@attuned.test"


@pytest.fixture
def order_manager_and_an_order(transactional_db, settings):
    from django.test import Client

    from shop.accounts.roles import staff_roles_sync
    from shop.orders.models import Order
    from tests.factories import ProductFactory, UserFactory
    from tests.shop.checkout_helpers import checkout_to_review, pay

    settings.STAFF_SECOND_FACTOR_REQUIRED = True
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


def test_an_order_manager_sets_up_a_second_factor_before_seeing_customer_details(journey,
                                                                                 order_manager_and_an_order):
    staff, order = order_manager_and_an_order
    page = journey.page
    journey.goto(f"/admin/orders/order/{order.pk}/change/")

    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    journey.screenshot("shop-login")
    submit(page)

    # Signed in by password alone: the admin sends them to set up an authenticator app,
    # after confirming the password once more.
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert "Grace Hopper" not in page.content()
    page.fill("input[name=password]", PASSWORD)
    submit(page)
    page.wait_for_url("**/accounts/2fa/totp/activate/**")
    secret = page.locator("#authenticator_secret").input_value()
    assert len(secret) >= 16
    journey.screenshot("activate-authenticator")
    page.fill("input[name=code]", format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time()))))
    submit(page)
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()

    # Back to the admin: this login began without the factor, so it is asked for once.
    journey.goto(f"/admin/orders/order/{order.pk}/change/")
    page.wait_for_url("**/accounts/2fa/reauthenticate/**")
    journey.screenshot("second-factor")
    codes = RecoveryCodes(Authenticator.objects.get(user=staff, type=Authenticator.Type.RECOVERY_CODES))
    page.fill("input[name=code]", codes.get_unused_codes()[0])
    submit(page)

    journey.goto(f"/admin/orders/order/{order.pk}/change/")
    assert page.get_by_text("Grace Hopper").first.is_visible()
    journey.screenshot("customer-details")
    assert journey.csp_violations() == []
