"""One count of failed password attempts per account, and one per client network, whatever the
door: the site's login, an API token login, re-authentication, the password change form, the
privacy API's password re-check and the admin's login.

The limits are production's own (ACCOUNT_RATE_LIMITS as production reads it); the counts in
these tests are the shop's policy: the tenth wrong password locks the account, the fifth locks
the network. Loosening either in production makes a test here fail."""

import ipaddress
import random
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from privacy.models import DataRequest
from shop.accounts.models import ApiToken
from tests.factories import PASSWORD, verified_user
from tests.hardening.log_capture import ConfiguredHandlersCaptured
from tests.hardening.production_settings import production_setting

FAILURES_THAT_LOCK_AN_ACCOUNT = 10
FAILURES_THAT_LOCK_A_NETWORK = 5
LOCKED = "Too many failed login attempts"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_login_limits(settings, monkeypatch):
    """Production's login limits (the test settings switch them off for speed); DRF's own
    per-address and per-user throttles count under keys of this test only."""
    from rest_framework.throttling import SimpleRateThrottle

    settings.ACCOUNT_RATE_LIMITS = production_setting("ACCOUNT_RATE_LIMITS")
    monkeypatch.setattr(SimpleRateThrottle, "cache_format", f"throttle_{uuid.uuid4().hex}_%(scope)s_%(ident)s")


def new_address() -> str:
    """A client address no other test used: each IPv4 address is a network of its own."""
    return str(ipaddress.IPv4Address(random.getrandbits(32)))


@pytest.fixture
def shopper(rf):
    from allauth.core.internal import ratelimit

    user = verified_user(email=f"shopper-{uuid.uuid4().hex[:10]}@example.com")
    # allauth's per-person limits on these pages outlive a test in the cache, and a rolled-back
    # test's account id comes round again.
    for action in ("reauthenticate", "change_password"):
        ratelimit.clear(rf.post("/"), app="allauth.account", action=action, user=user)
    return user


def web_login(email: str, password: str, *, address: str | None = None) -> tuple[Client, str]:
    client = Client(REMOTE_ADDR=address or new_address())
    page = client.post(reverse("account_login"), {"login": email, "password": password}, follow=True)
    return client, page.content.decode()


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def token_login(email: str, password: str, *, address: str | None = None):
    return APIClient().post("/api/v1/auth/tokens/", {"email": email, "password": password, "name": "phone"},
                            format="json", REMOTE_ADDR=address or new_address())


def wrong_web_logins(email: str, count: int) -> None:
    for n in range(count):
        client, page = web_login(email, f"wrong guess {n}")
        assert not signed_in(client) and LOCKED not in page


def wrong_token_logins(email: str, count: int) -> None:
    for n in range(count):
        assert token_login(email, f"wrong guess {n}").status_code == 401


def assert_api_locked(email: str) -> None:
    tokens_before = ApiToken.objects.count()
    refused = token_login(email, PASSWORD)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_failed_logins"
    assert refused.json()["error"]["message"].startswith(LOCKED)
    assert ApiToken.objects.count() == tokens_before


def assert_web_locked(email: str) -> None:
    client, page = web_login(email, PASSWORD)
    assert LOCKED in page and not signed_in(client)


def test_ten_wrong_passwords_on_the_site_lock_the_api_token_door(shopper):
    wrong_web_logins(shopper.email, FAILURES_THAT_LOCK_AN_ACCOUNT)

    assert_api_locked(shopper.email)
    assert_api_locked(shopper.email.upper())  # the same account, however it is typed


def test_ten_wrong_passwords_on_the_api_lock_the_site_login(shopper):
    with ConfiguredHandlersCaptured() as written:
        wrong_token_logins(shopper.email, FAILURES_THAT_LOCK_AN_ACCOUNT)
        assert_web_locked(shopper.email)
        assert_api_locked(shopper.email)

    # The refusals are logged (django.request), naming neither the account nor a password.
    assert "Too Many Requests: /api/v1/auth/tokens/" in written.getvalue()
    assert shopper.email not in written.getvalue() and "wrong guess" not in written.getvalue()


def test_the_tenth_wrong_password_is_still_checked_and_the_eleventh_attempt_is_refused(shopper):
    wrong_web_logins(shopper.email, FAILURES_THAT_LOCK_AN_ACCOUNT - 1)
    right_at_nine = token_login(shopper.email, PASSWORD)
    tenth = token_login(shopper.email, "wrong guess 10")

    assert right_at_nine.status_code == 201 and right_at_nine.json()["key"]
    # A right password gives its attempt back: the account has one wrong guess left.
    assert tenth.status_code == 401 and tenth.json()["error"]["code"] == "authentication_failed"
    assert_api_locked(shopper.email)
    assert_web_locked(shopper.email)


def test_re_authentication_counts_toward_the_same_lock(shopper):
    client = Client()
    client.force_login(shopper)
    for n in range(FAILURES_THAT_LOCK_AN_ACCOUNT):
        page = client.post(reverse("account_reauthenticate"), {"password": f"wrong guess {n}"},
                           REMOTE_ADDR=new_address())
        assert page.status_code == 200 and "Incorrect password" in page.content.decode()

    assert_api_locked(shopper.email)
    assert_web_locked(shopper.email)


def test_re_authentication_is_refused_once_the_account_is_locked(shopper):
    wrong_token_logins(shopper.email, FAILURES_THAT_LOCK_AN_ACCOUNT)
    client = Client()
    client.force_login(shopper)

    refused = client.post(reverse("account_reauthenticate"), {"password": PASSWORD}, REMOTE_ADDR=new_address())

    assert refused.status_code == 200 and LOCKED in refused.content.decode()


def change_password(client: Client, old: str):
    return client.post(reverse("account_change_password"), {
        "oldpassword": old, "password1": "a new long passphrase", "password2": "a new long passphrase"},
        REMOTE_ADDR=new_address())


def test_password_change_counts_toward_the_same_lock(shopper):
    client = Client()
    client.force_login(shopper)
    # allauth allows five password changes a minute per person: the other five come from the API.
    for n in range(5):
        page = change_password(client, f"wrong guess {n}")
        assert page.status_code == 200 and "Please type your current password" in page.content.decode()
    wrong_token_logins(shopper.email, FAILURES_THAT_LOCK_AN_ACCOUNT - 5)

    assert_web_locked(shopper.email)


def test_password_change_is_refused_once_the_account_is_locked(shopper):
    wrong_web_logins(shopper.email, FAILURES_THAT_LOCK_AN_ACCOUNT)
    client = Client()
    client.force_login(shopper)

    refused = change_password(client, PASSWORD)

    assert refused.status_code == 200 and LOCKED in refused.content.decode()
    shopper.refresh_from_db()
    assert shopper.check_password(PASSWORD)


def test_the_privacy_apis_password_re_check_counts_and_is_refused_once_locked(shopper, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "export": "100/day"}}
    api = APIClient()
    api.force_authenticate(shopper)
    for n in range(FAILURES_THAT_LOCK_AN_ACCOUNT):
        wrong = api.post("/api/v1/privacy/export/", {"password": f"wrong guess {n}"}, format="json",
                         REMOTE_ADDR=new_address())
        assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "wrong_password"

    assert_web_locked(shopper.email)
    refused = api.post("/api/v1/privacy/export/", {"password": PASSWORD}, format="json", REMOTE_ADDR=new_address())
    assert refused.status_code == 429 and refused.json()["error"]["message"].startswith(LOCKED)
    assert not DataRequest.objects.filter(user=shopper).exists()


def test_the_admin_login_is_no_way_round_the_lock(shopper):
    from django.contrib.auth.models import Group

    shopper.is_staff = True
    shopper.save()
    shopper.groups.set(Group.objects.filter(name="Catalog manager"))
    wrong_token_logins(shopper.email, FAILURES_THAT_LOCK_AN_ACCOUNT)

    client = Client(REMOTE_ADDR=new_address())
    posted = client.post("/admin/login/", {"username": shopper.email, "password": PASSWORD})
    page = client.post(posted["Location"], {"login": shopper.email, "password": PASSWORD}, follow=True)

    assert posted["Location"].startswith(reverse("account_login"))
    assert LOCKED in page.content.decode() and not signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_five_wrong_passwords_from_one_network_lock_that_network_on_every_door():
    address = new_address()
    guessed = [verified_user(email=f"guessed-{n}-{uuid.uuid4().hex[:8]}@example.com")
               for n in range(FAILURES_THAT_LOCK_A_NETWORK)]
    bystander = verified_user(email=f"bystander-{uuid.uuid4().hex[:8]}@example.com")
    for n, account in enumerate(guessed[:-1]):
        web_login(account.email, f"wrong guess {n}", address=address)
    right_at_four = token_login(bystander.email, PASSWORD, address=address)
    fifth = token_login(guessed[-1].email, "wrong guess 5", address=address)

    assert right_at_four.status_code == 201
    assert fifth.status_code == 401
    locked = token_login(bystander.email, PASSWORD, address=address)
    assert locked.status_code == 429 and locked.json()["error"]["message"].startswith(LOCKED)
    client, page = web_login(bystander.email, PASSWORD, address=address)
    assert LOCKED in page and not signed_in(client)
    # Another network is not locked, and neither is the account.
    assert token_login(bystander.email, PASSWORD).status_code == 201


def test_the_lock_is_production_setting_read_as_production_reads_it():
    from django.conf import settings

    assert settings.ACCOUNT_RATE_LIMITS == production_setting("ACCOUNT_RATE_LIMITS")
    assert settings.ACCOUNT_FORMS["change_password"] == "shop.accounts.forms.PasswordChangeForm"


def test_the_password_checks_refuse_a_locked_account_themselves_whoever_calls_them(shopper, rf):
    from shop.accounts import login_limits

    wrong_web_logins(shopper.email, FAILURES_THAT_LOCK_AN_ACCOUNT)
    request = rf.post("/", REMOTE_ADDR=new_address())

    with pytest.raises(login_limits.TooManyFailedLogins):
        login_limits.password_confirm(request, user=shopper, password=PASSWORD)
    with pytest.raises(login_limits.TooManyFailedLogins):
        login_limits.authenticate_by_password(request, email=f"  {shopper.email.upper()} ", password=PASSWORD)
