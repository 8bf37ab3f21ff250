"""A superuser made with `createsuperuser` can sign in under production's rules at once: its address
is verified, so the login is not stopped at "confirm your e-mail" and the second factor's enrolment
link can be sent to it."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from shop.accounts.models import User
from tests.factories import UserFactory
from tests.hardening.production_settings import production_setting

EMAIL = "owner@attuned.test"
PASSWORD = "a long and proper passphrase"
# As production reads them, not a copy.
PRODUCTION_LOGIN = {"ACCOUNT_EMAIL_VERIFICATION": production_setting("ACCOUNT_EMAIL_VERIFICATION"),
                    "STAFF_SECOND_FACTOR_REQUIRED": True}


def test_production_requires_a_verified_address_to_sign_in():
    assert PRODUCTION_LOGIN["ACCOUNT_EMAIL_VERIFICATION"] == "mandatory"


@pytest.fixture
def made_with_createsuperuser(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", EMAIL)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", verbosity=0)
    return User.objects.get(email=EMAIL)


@pytest.mark.django_db
@override_settings(**PRODUCTION_LOGIN)
def test_a_createsuperuser_account_gets_past_e_mail_verification_to_the_second_factor(made_with_createsuperuser):
    client = Client()
    login = client.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})

    assert login.status_code == 302
    assert login["Location"] != reverse("account_email_verification_sent")
    assert "_auth_user_id" in client.session
    opened = client.get("/admin/login/?next=/admin/")
    assert opened["Location"].startswith(reverse("mfa_activate_totp"))
    setup = client.get(opened["Location"], follow=True)
    assert setup.status_code == 200
    assert [message.to for message in mail.outbox] == [[EMAIL]]  # the enrolment link, to the verified address


@pytest.mark.django_db
def test_createsuperuser_records_the_given_address_as_verified_and_primary(made_with_createsuperuser):
    address = EmailAddress.objects.get(user=made_with_createsuperuser)

    assert (address.email, address.verified, address.primary) == (EMAIL, True, True)


@pytest.mark.django_db
def test_an_ordinary_sign_up_is_not_verified_by_the_hook():
    shopper = UserFactory(email="shopper@attuned.test")

    assert not EmailAddress.objects.filter(user=shopper).exists()


@pytest.mark.django_db
def test_staff_made_superuser_later_are_not_verified_behind_their_back():
    staff = UserFactory(email="clerk@attuned.test", is_staff=True)
    staff.is_superuser = True
    staff.save()

    assert not EmailAddress.objects.filter(user=staff).exists()


@pytest.mark.django_db
@override_settings(**PRODUCTION_LOGIN)
def test_an_unverified_staff_account_is_stopped_at_verification():
    """The rule the hook answers: without it, production's login stops at "confirm your e-mail"."""
    staff = UserFactory(email="unverified@attuned.test", is_staff=True)
    staff.set_password(PASSWORD)
    staff.save()
    client = Client()

    login = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert login["Location"] == reverse("account_email_verification_sent")


@pytest.mark.django_db
@override_settings(**PRODUCTION_LOGIN)
def test_the_merchant_login_create_merchant_prints_gets_past_e_mail_verification_too():
    from io import StringIO

    printed = StringIO()
    call_command("create_merchant", "--email", "merchant@attuned.test", stdout=printed)
    password = printed.getvalue().split(" / ", 1)[1].split()[0]
    client = Client()

    client.post(reverse("account_login"), {"login": "merchant@attuned.test", "password": password})

    assert "_auth_user_id" in client.session
    assert client.get("/admin/login/?next=/admin/")["Location"].startswith(reverse("mfa_activate_totp"))
