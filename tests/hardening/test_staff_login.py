"""Staff sign in through the shop's login: rate-limited, and with a second factor for roles that
reach customers' details or refunds."""

import re
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from shop.orders.models import Order
from tests.factories import ProductFactory, UserFactory
from tests.hardening.production_settings import production_setting
from tests.shop.checkout_helpers import checkout_to_review, pay

PASSWORD = "correct horse battery staple"
# Production's limits, not a copy of them: the test settings switch them off for speed.
SHOP_RATE_LIMITS = production_setting("ACCOUNT_RATE_LIMITS")
# The shop's policy: the tenth wrong password locks an account, from however many addresses.
FAILURES_THAT_LOCK_AN_ACCOUNT = 10


def staff_member(*roles: str, email: str = "merchant@attuned.test"):
    user = UserFactory(email=email, is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def enrolment_link_path(body: str) -> str:
    """The path of the second-factor enrolment link in an e-mail's body."""
    return re.search(r"https?://[^/\s]+(/accounts/2fa/enrol/\S+/)", body).group(1)


def shop_login(client: Client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def guest_order(django_capture_on_commit_callbacks):
    shopper = Client()
    lamp = ProductFactory(title="Lamp", price=Decimal("10.00"), variant__stock=4)
    with django_capture_on_commit_callbacks(execute=True):
        pay(shopper, checkout_to_review(shopper, lamp))
    return Order.objects.get()


@pytest.mark.django_db
def test_the_admin_login_sends_staff_to_the_shop_login_and_its_own_form_signs_no_one_in(client):
    staff_member("Catalog manager")

    shown = client.get("/admin/login/?next=/admin/catalog/product/")
    posted = client.post("/admin/login/", {"username": "merchant@attuned.test", "password": PASSWORD})

    assert shown.status_code == 302
    assert shown["Location"] == "/accounts/login/?next=%2Fadmin%2Fcatalog%2Fproduct%2F"
    assert posted.status_code == 302 and not signed_in(client)
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_an_offsite_next_from_the_admin_login_goes_to_the_admin_instead(client):
    response = client.get("/admin/login/?next=https://evil.example/")

    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


@pytest.mark.django_db
@override_settings(ACCOUNT_RATE_LIMITS=SHOP_RATE_LIMITS)
def test_thirty_wrong_passwords_then_the_right_one_is_refused(client):
    cache.clear()
    staff_member("Catalog manager")

    answers = [shop_login(client, "merchant@attuned.test", f"guess number {n}") for n in range(30)]
    right = shop_login(client, "merchant@attuned.test", PASSWORD)

    assert "Too many failed login attempts" not in answers[0].content.decode()
    assert "Too many failed login attempts" in answers[-1].content.decode()
    assert right.status_code == 429 and not signed_in(client)
    assert client.get("/admin/").status_code == 302
    cache.clear()


@pytest.mark.django_db
@override_settings(ACCOUNT_RATE_LIMITS=SHOP_RATE_LIMITS)
def test_guesses_spread_over_many_addresses_lock_the_account_too():
    cache.clear()
    staff_member("Order manager")
    for n in range(FAILURES_THAT_LOCK_AN_ACCOUNT):
        shop_login(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), "merchant@attuned.test", f"guess number {n}")

    owner = Client(REMOTE_ADDR="203.0.113.50")
    refused = shop_login(owner, "merchant@attuned.test", PASSWORD)

    assert "Too many failed login attempts" in refused.content.decode() and not signed_in(owner)
    # The limits live in the cache for their window, keyed by address: nothing goes to the database.
    cache.clear()
    assert shop_login(owner, "merchant@attuned.test", PASSWORD).status_code == 302 and signed_in(owner)


@pytest.mark.django_db
@override_settings(STAFF_SECOND_FACTOR_REQUIRED=True)
def test_an_order_manager_without_a_second_factor_cannot_reach_customer_details(client, guest_order):
    staff_member("Order manager")
    order_page = reverse("admin:orders_order_change", args=[guest_order.pk])

    assert shop_login(client, "merchant@attuned.test", PASSWORD).status_code == 302 and signed_in(client)
    page = client.get(order_page)
    login = client.get(page["Location"])

    assert page.status_code == 302 and "Grace Hopper" not in page.content.decode()
    assert login.status_code == 302 and login["Location"].startswith(reverse("mfa_activate_totp"))
    assert client.get(reverse("admin:orders_order_changelist")).status_code == 302


@pytest.mark.django_db
@override_settings(STAFF_SECOND_FACTOR_REQUIRED=True)
def test_an_order_manager_who_signs_in_with_a_code_sees_customer_details(client, guest_order):
    staff = staff_member("Order manager")
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    RecoveryCodes.activate(staff)

    after_password = shop_login(client, "merchant@attuned.test", PASSWORD)
    assert after_password["Location"] == reverse("mfa_authenticate") and not signed_in(client)
    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    assert not signed_in(client)
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})

    page = client.get(reverse("admin:orders_order_change", args=[guest_order.pk]))
    assert page.status_code == 200 and "Grace Hopper" in page.content.decode()


@pytest.mark.django_db
@override_settings(STAFF_SECOND_FACTOR_REQUIRED=True)
def test_staff_sent_from_the_admin_set_up_an_authenticator_and_then_get_in(client, guest_order):
    from allauth.mfa.models import Authenticator

    staff = staff_member("Order manager")
    order_page = reverse("admin:orders_order_change", args=[guest_order.pk])
    shop_login(client, "merchant@attuned.test", PASSWORD)

    to_setup = client.get(client.get(order_page)["Location"])["Location"]
    assert to_setup.startswith(reverse("mfa_activate_totp"))
    # A staff member's first factor needs the link e-mailed to the verified address.
    assert "We sent you a link" in client.get(to_setup).content.decode()
    client.post(enrolment_link_path(mail.outbox[-1].body))
    # Setting up a factor asks for the password again (allauth), then shows the secret.
    password_again = client.get(to_setup)
    assert password_again["Location"].startswith(reverse("account_reauthenticate"))
    back = client.post(password_again["Location"], {"password": PASSWORD})
    setup = client.get(back["Location"])
    assert setup.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in setup.content.decode()
    client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()

    # This login began without the factor: the admin asks for it once.
    confirm = client.get(client.get(order_page)["Location"])
    assert confirm["Location"].startswith(reverse("mfa_reauthenticate"))
    recovery = RecoveryCodes(Authenticator.objects.get(user=staff, type=Authenticator.Type.RECOVERY_CODES))
    client.post(reverse("mfa_reauthenticate"), {"code": recovery.get_unused_codes()[0]})

    page = client.get(order_page)
    assert page.status_code == 200 and "Grace Hopper" in page.content.decode()


@pytest.mark.django_db
@override_settings(STAFF_SECOND_FACTOR_REQUIRED=True)
def test_a_recovery_code_stands_in_for_a_lost_authenticator_once(client, guest_order):
    staff = staff_member("Order manager")
    TOTP.activate(staff, generate_totp_secret())
    code = RecoveryCodes.activate(staff).get_unused_codes()[0]

    shop_login(client, "merchant@attuned.test", PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.get(reverse("admin:orders_order_changelist")).status_code == 200

    client.logout()
    shop_login(client, "merchant@attuned.test", PASSWORD)
    reused = client.post(reverse("mfa_authenticate"), {"code": code})
    assert reused.status_code == 200 and not signed_in(client)


@pytest.mark.django_db
@override_settings(STAFF_SECOND_FACTOR_REQUIRED=True)
def test_a_catalog_manager_needs_no_second_factor(client):
    staff_member("Catalog manager")

    shop_login(client, "merchant@attuned.test", PASSWORD)

    assert client.get(reverse("admin:catalog_product_changelist")).status_code == 200


@pytest.mark.django_db
@override_settings(STAFF_SECOND_FACTOR_REQUIRED=True)
def test_a_superuser_signed_in_by_password_alone_is_kept_out_of_the_admin(client):
    staff_member()
    UserFactory._meta.model.objects.filter(email="merchant@attuned.test").update(is_superuser=True)

    shop_login(client, "merchant@attuned.test", PASSWORD)

    assert client.get("/admin/").status_code == 302
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302


def test_the_second_factor_is_required_outside_the_test_settings():
    source = (settings.BASE_DIR / "config" / "settings" / "base.py").read_text()

    assert re.search(r'STAFF_SECOND_FACTOR_REQUIRED = env\.bool\("STAFF_SECOND_FACTOR_REQUIRED", default=True\)',
                     source)


@pytest.mark.django_db
@override_settings(ACCOUNT_EMAIL_VERIFICATION="optional", STAFF_SECOND_FACTOR_REQUIRED=False)
def test_the_demos_printed_merchant_login_opens_the_admin_through_the_shop_login(client):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("create_merchant", stdout=out)
    email, password = re.search(r": (\S+@\S+) / (\S+)", out.getvalue()).groups()

    client.get("/admin/")
    assert shop_login(client, email, password).status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
@override_settings(STAFF_SECOND_FACTOR_REQUIRED=True)
def test_the_demo_merchant_can_set_up_the_second_factor_the_production_rule_asks_for(client):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("create_merchant", stdout=out)
    email, password = re.search(r": (\S+@\S+) / (\S+)", out.getvalue()).groups()

    shop_login(client, email, password)
    to_setup = client.get("/admin/")

    assert to_setup.status_code == 302
    client.post(reverse("account_reauthenticate"), {"password": password})
    client.get(reverse("mfa_activate_totp"))  # staff: the first factor needs the e-mailed link
    client.post(enrolment_link_path(mail.outbox[-1].body))
    setup_page = client.get(reverse("mfa_activate_totp"))
    # allauth offers an authenticator only to an account with a verified address
    assert setup_page.status_code == 200 and client.session.get("mfa.totp.secret")


@pytest.mark.django_db
def test_a_signed_in_shopper_is_refused_by_the_admin_not_sent_round_in_circles(client):
    client.force_login(UserFactory())

    to_login = client.get("/admin/")
    refused = client.get(to_login["Location"])

    assert to_login.status_code == 302 and to_login["Location"].startswith("/admin/login/")
    assert refused.status_code == 403


@pytest.mark.django_db
@override_settings(ACCOUNT_RATE_LIMITS=SHOP_RATE_LIMITS)
def test_rate_limits_key_by_a_pseudonym_never_the_raw_client_address():
    from allauth.core.internal.ratelimit import get_cache_key, parse_rates
    from django.test import RequestFactory

    from shop.accounts.adapter import client_network_pseudonym

    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="203.0.113.77")
    rate = parse_rates("5/m/ip")[0]
    key = get_cache_key(request, app="account", action="login_failed", rate=rate)

    assert "203.0.113.77" not in key and client_network_pseudonym("203.0.113.77") in key
    # one IPv6 client is one network, whatever address in its /64 it uses
    assert client_network_pseudonym("2001:db8::1") == client_network_pseudonym("2001:db8::ffff")
    assert client_network_pseudonym("2001:db8::1") != client_network_pseudonym("2001:db8:0:1::1")
