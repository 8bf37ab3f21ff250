"""A staff member's second factor cannot be enrolled with a stolen password: the first one needs
a link e-mailed to the account's verified address (signed, short-lived, single-use, bound to the
account and to the browser session that opened it), and every change to a factor is e-mailed."""

import re
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from shop.accounts import second_factor
from shop.accounts.second_factor import ENROLMENT_LINK_MAX_AGE, TOKEN_SALT, StaffActivateTOTPForm
from tests.factories import UserFactory
from tests.hardening.test_staff_login import current_code, enrolment_link_path, shop_login

PASSWORD = "correct horse battery staple"
EMAIL = "merchant@attuned.test"


def staff_member(email: str = EMAIL, *, is_staff: bool = True):
    user = UserFactory(email=email, is_staff=is_staff)
    user.set_password(PASSWORD)
    user.save()
    user.groups.set(Group.objects.filter(name="Order manager"))
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def signed_in_client(email: str = EMAIL) -> Client:
    client = Client()
    assert shop_login(client, email, PASSWORD).status_code == 302
    return client


def enrol(client: Client) -> str:
    """Set up an authenticator app in this session (allauth's pages); returns its secret."""
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302 and page["Location"].startswith(reverse("account_reauthenticate")):
        client.post(page["Location"], {"password": PASSWORD})
        page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, page.status_code
    secret = client.session["mfa.totp.secret"]
    client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    return secret


def link_signed_at(user_id: int, *, age: timedelta) -> str:
    """A genuine link (its nonce issued) signed `age` ago."""

    class SignedEarlier(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time() - age.total_seconds()))

    nonce = f"test-{user_id}-{int(age.total_seconds())}"
    cache.set(f"second-factor-enrolment:{nonce}", user_id, timeout=3600)
    return SignedEarlier(salt=TOKEN_SALT).sign_object({"u": user_id, "n": nonce},
                                                      serializer=signing.JSONSerializer)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_a_password_alone_gets_a_we_sent_you_a_link_page_and_no_authenticator_secret():
    staff = staff_member()
    thief = signed_in_client()

    page = thief.get(reverse("mfa_activate_totp"))
    forced = thief.post(reverse("mfa_activate_totp"), {"code": "123456"})

    assert page.status_code == 200 and "We sent you a link at m…@attuned.test" in page.content.decode()
    assert "mfa.totp.secret" not in thief.session
    assert forced.status_code == 403 and "open the link we e-mailed you first" in forced.content.decode()
    assert not Authenticator.objects.filter(user=staff).exists()
    assert [m.to for m in mail.outbox] == [[EMAIL]]
    assert "/accounts/2fa/enrol/" in mail.outbox[0].body and "do not open the link" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_new_link_is_sent_on_request_but_not_twice_within_a_minute():
    staff_member()
    client = signed_in_client()

    client.get(reverse("mfa_activate_totp"))
    client.get(reverse("mfa_activate_totp"))
    at_once = client.post(reverse("mfa_activate_totp"), {"send_link": "1"})
    assert len(mail.outbox) == 1
    assert at_once.status_code == 429 and "wait a minute" in at_once.content.decode()

    session = client.session  # a minute later, just
    session[second_factor.SENT_SESSION_KEY] -= second_factor.ENROLMENT_LINK_RESEND_AFTER.total_seconds() + 1
    session.save()
    later = client.post(reverse("mfa_activate_totp"), {"send_link": "1"})
    assert later.status_code == 200 and len(mail.outbox) == 2 and mail.outbox[0].body != mail.outbox[1].body


@pytest.mark.django_db
def test_the_emailed_link_unlocks_enrolment_in_the_session_that_opened_it_only():
    staff = staff_member()
    requester = signed_in_client()
    requester.get(reverse("mfa_activate_totp"))
    link = enrolment_link_path(mail.outbox[-1].body)

    owner = signed_in_client()  # the owner's own browser, where the mail is read
    shown = owner.get(link)
    opened = owner.post(link)

    assert shown.status_code == 200 and shown["Referrer-Policy"] == "same-origin"
    assert opened.status_code == 302 and opened["Location"] == reverse("mfa_activate_totp")
    # The session that asked for the link is not unlocked by its use elsewhere.
    assert "We sent you a link" in requester.get(reverse("mfa_activate_totp")).content.decode()
    secret = enrol(owner)
    assert TOTP(Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)).validate_code(
        current_code(secret)) is not None


@pytest.mark.django_db
def test_a_link_scanned_by_a_mail_filter_still_works_once_and_then_is_refused():
    staff_member()
    client = signed_in_client()
    client.get(reverse("mfa_activate_totp"))
    link = enrolment_link_path(mail.outbox[-1].body)

    scanned = client.get(link)
    used = client.post(link)
    reused = signed_in_client().post(link)

    assert scanned.status_code == 200 and used.status_code == 302
    assert reused.status_code == 400
    assert "This link has already been used (each link works once)" in reused.content.decode()


@pytest.mark.django_db
def test_a_link_lives_its_minutes_and_is_refused_after_them():
    staff = staff_member()
    fresh = link_signed_at(staff.pk, age=ENROLMENT_LINK_MAX_AGE - timedelta(seconds=30))
    stale = link_signed_at(staff.pk, age=ENROLMENT_LINK_MAX_AGE + timedelta(seconds=30))
    client = signed_in_client()

    expired = client.post(reverse("accounts:second_factor_enrol", args=[stale]))
    in_time = client.post(reverse("accounts:second_factor_enrol", args=[fresh]))

    assert expired.status_code == 400 and "This link has expired" in expired.content.decode()
    assert f"work for {ENROLMENT_LINK_MAX_AGE.seconds // 60} minutes" in expired.content.decode()
    assert in_time.status_code == 302 and in_time["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_a_link_belongs_to_its_account_and_a_forged_one_to_nobody():
    staff = staff_member()
    other = staff_member("other.manager@attuned.test")
    signed_in_client().get(reverse("mfa_activate_totp"))
    link = enrolment_link_path(mail.outbox[-1].body)
    forged = reverse("accounts:second_factor_enrol",
                     args=[signing.dumps({"u": staff.pk, "n": "guessed"}, salt="another salt")])

    by_other = signed_in_client(other.email).post(link)
    by_forger = signed_in_client().post(forged)

    assert by_other.status_code == 400 and "sent to another account" in by_other.content.decode()
    assert by_forger.status_code == 400 and "This link is not valid" in by_forger.content.decode()
    assert not Authenticator.objects.exists()
    assert signed_in_client().post(link).status_code == 302  # still the owner's to use


@pytest.mark.django_db
def test_a_logged_out_browser_opening_the_link_is_asked_to_log_in_first():
    staff_member()
    signed_in_client().get(reverse("mfa_activate_totp"))
    link = enrolment_link_path(mail.outbox[-1].body)

    response = Client().get(link)

    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "next=%2Faccounts%2F2fa%2Fenrol%2F" in response["Location"]


@pytest.mark.django_db
def test_the_unlock_ends_after_its_minutes():
    staff_member()
    client = signed_in_client()
    client.get(reverse("mfa_activate_totp"))
    client.post(enrolment_link_path(mail.outbox[-1].body))
    session = client.session
    session[second_factor.UNLOCKED_SESSION_KEY]["until"] = time.time() - 1
    session.save()

    assert "We sent you a link" in client.get(reverse("mfa_activate_totp")).content.decode()


@pytest.mark.django_db
def test_the_activation_form_itself_refuses_a_staff_members_first_app_without_the_link():
    staff = staff_member()
    request = RequestFactory().post("/accounts/2fa/totp/activate/")
    request.user = staff
    request.session = SessionStore()

    with allauth_context.request_context(request):
        locked = StaffActivateTOTPForm(user=staff, data={"code": "000000"})
        locked_valid = locked.is_valid()
        request.session[second_factor.UNLOCKED_SESSION_KEY] = {"user": staff.pk, "until": time.time() + 60}
        unlocked = StaffActivateTOTPForm(user=staff, data={"code": current_code(locked.secret)})
        unlocked_valid = unlocked.is_valid()
        request.session[second_factor.UNLOCKED_SESSION_KEY] = {"user": staff.pk + 1, "until": time.time() + 60}
        someone_elses = StaffActivateTOTPForm(user=staff, data={"code": current_code(locked.secret)})
        someone_elses_valid = someone_elses.is_valid()

    assert not locked_valid and "Open the link we e-mailed" in str(locked.errors)
    assert unlocked_valid
    assert not someone_elses_valid


@pytest.mark.django_db
def test_a_shopper_sets_up_an_app_without_a_link_and_staff_with_a_factor_need_none():
    shopper = staff_member("shopper@example.org", is_staff=False)
    assert not second_factor.enrolment_needs_link(shopper)
    enrol(signed_in_client(shopper.email))
    assert Authenticator.objects.filter(user=shopper, type=Authenticator.Type.TOTP).exists()

    staff = staff_member()
    TOTP.activate(staff, generate_totp_secret())
    assert not second_factor.enrolment_needs_link(staff)
    assert mail.outbox == [m for m in mail.outbox if "enrol" not in m.body]


@pytest.mark.django_db(transaction=True)  # allauth mails after the commit, inside the request
def test_enrolling_removing_and_regenerating_a_factor_are_emailed_to_the_verified_address_without_secrets():
    staff = staff_member()
    EmailAddress.objects.filter(user=staff).update(primary=False)  # the verified one need not be primary
    client = signed_in_client()
    client.get(reverse("mfa_activate_totp"))
    client.post(enrolment_link_path(mail.outbox[-1].body))
    mail.outbox.clear()

    secret = enrol(client)
    codes = RecoveryCodes(Authenticator.objects.get(user=staff, type=Authenticator.Type.RECOVERY_CODES))
    first_codes = codes.get_unused_codes()
    client.post(reverse("mfa_reauthenticate"), {"code": current_code(secret)})
    client.post(reverse("mfa_generate_recovery_codes"))
    new_codes = RecoveryCodes(Authenticator.objects.get(
        user=staff, type=Authenticator.Type.RECOVERY_CODES)).get_unused_codes()
    client.post(reverse("mfa_deactivate_totp"))

    subjects = [m.subject for m in mail.outbox]
    assert subjects == ["Attuned: Authenticator App Activated", "Attuned: New Recovery Codes Generated",
                        "Attuned: Authenticator App Deactivated"], subjects
    assert all(m.to == [EMAIL] for m in mail.outbox)
    bodies = "\n".join(m.body for m in mail.outbox)
    assert "Authenticator app activated." in bodies and "Authenticator app deactivated." in bodies
    assert "recovery codes has been generated" in bodies
    for secret_value in [secret, *first_codes, *new_codes]:
        assert secret_value not in bodies
    assert not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    # No link to follow in a security notice (only the shop's address in the signature).
    assert re.findall(r"https?://\S+", bodies) == [settings.SHOP_BASE_URL] * 3


@pytest.mark.django_db
def test_a_refused_link_is_logged_without_its_token_or_the_address():
    import io
    import logging

    from config.logging import RedactPersonalDataFilter

    staff_member()
    client = signed_in_client()
    client.get(reverse("mfa_activate_totp"))
    link = enrolment_link_path(mail.outbox[-1].body)
    token = link.rstrip("/").rsplit("/", 1)[1]
    client.post(link)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalDataFilter())  # what every configured handler carries
    request_log = logging.getLogger("django.request")
    request_log.addHandler(handler)
    try:
        refused = client.post(link)
    finally:
        request_log.removeHandler(handler)

    line = stream.getvalue()
    assert refused.status_code == 400 and "Bad Request: /accounts/2fa/enrol/" in line
    assert token not in line and token.split(":")[-1] not in line and EMAIL not in line
