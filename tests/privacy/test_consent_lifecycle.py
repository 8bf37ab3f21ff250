"""has_consent, withdrawal, linking at login, forgetting at logout, and append-only evidence."""

import uuid

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY

from primitives.subjects import Subject
from privacy.consent import has_consent
from privacy.models import AppendOnlyError, ConsentRecord
from privacy.purposes import UnknownPurpose
from privacy.services import consent_decide
from tests.factories import UserFactory
from tests.privacy.conftest import CONSENT_COOKIE, csrf_token_in, session_visitor

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def banner_decision(client, action: str, path: str = "/privacy/cookies/"):
    html = client.get(path).content.decode()
    return client.post("/privacy/consent/", {"csrfmiddlewaretoken": csrf_token_in(html), "action": action,
                                             "source": "banner", "next": path})


def log_in(client, user) -> None:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(user.pk)


def test_nobody_has_consented_to_anything_but_what_is_necessary():
    assert has_consent(None, "necessary")
    assert not has_consent(None, "personalization")
    assert not has_consent(Subject.for_visitor(uuid.uuid4()), "analytics")


def test_an_unknown_purpose_is_refused_not_answered():
    with pytest.raises(UnknownPurpose):
        has_consent(None, "telepathy")
    with pytest.raises(UnknownPurpose):
        consent_decide(subject=Subject.for_visitor(uuid.uuid4()), choices={"telepathy": True},
                       source="api")
    assert ConsentRecord.objects.count() == 0


def test_withdrawing_personalization_calls_the_registered_receiver_with_the_subject(withdrawals):
    user = UserFactory()
    subject = Subject.for_user(user)
    consent_decide(subject=subject, choices={"personalization": True, "marketing": False}, source="settings")
    assert withdrawals.calls == []

    consent_decide(subject=subject, choices={"personalization": False, "marketing": False}, source="settings")

    assert [(call["subject"], call["purpose"]) for call in withdrawals.calls] == [(subject, "personalization")]
    assert has_consent(user, "personalization") is False


def test_refusing_what_was_never_granted_withdraws_nothing(withdrawals):
    consent_decide(subject=Subject.for_visitor(uuid.uuid4()), choices={"personalization": False},
                   source="banner")

    assert withdrawals.calls == []


def test_withdrawal_from_the_account_privacy_page(client, withdrawals):
    user = UserFactory()
    client.force_login(user)
    consent_decide(subject=Subject.for_user(user), choices={"personalization": True}, source="banner")

    page = client.get("/privacy/account/").content.decode()
    assert "Your privacy settings" in page and "Personalised recommendations" in page
    client.post("/privacy/consent/", {"csrfmiddlewaretoken": csrf_token_in(page), "action": "reject_all",
                                      "source": "settings", "next": "/privacy/account/"})

    assert [call["purpose"] for call in withdrawals.calls] == ["personalization"]
    assert [call["subject"] for call in withdrawals.calls] == [Subject.for_user(user)]
    history = client.get("/privacy/account/").content.decode()
    assert history.count("Refused") == 4 and "Privacy settings" in history


def test_the_footer_links_to_withdrawal_for_everyone_and_to_account_settings_when_logged_in(client):
    anonymous = client.get("/privacy/cookies/").content.decode()
    assert 'href="/privacy/consent/"' in anonymous and 'href="/privacy/account/"' not in anonymous

    client.force_login(UserFactory())
    assert 'href="/privacy/account/"' in client.get("/privacy/cookies/").content.decode()


def test_at_login_a_visitor_who_allowed_personalization_is_linked_to_the_account(client, links):
    user = UserFactory()
    banner_decision(client, "accept_all")
    visitor_id = session_visitor(client).visitor_id

    log_in(client, user)

    assert has_consent(user, "personalization") and has_consent(user, "marketing")
    assert set(ConsentRecord.objects.filter(user=user).values_list("source", flat=True)) == {"login"}
    assert links.calls[0]["visitor"] == Subject.for_visitor(visitor_id)
    assert links.calls[0]["user"] == Subject.for_user(user)


def test_at_login_a_visitor_who_refused_keeps_the_refusal_and_is_not_linked(client, links):
    user = UserFactory()
    banner_decision(client, "reject_all")

    log_in(client, user)

    assert links.calls == []  # their browsing stays apart from the account
    carried = ConsentRecord.objects.filter(user=user)
    assert {(r.purpose, r.granted, r.source) for r in carried} == {
        ("preferences", False, "login"), ("analytics", False, "login"),
        ("personalization", False, "login"), ("marketing", False, "login")}
    assert 'class="consent-banner"' not in client.get("/privacy/cookies/").content.decode()  # not asked again
    assert "Allowed now: only what is necessary." in client.get("/privacy/consent/").content.decode()


def test_an_account_s_own_newer_choice_is_not_overwritten_at_login(client, links):
    user = UserFactory()
    banner_decision(client, "accept_all")
    consent_decide(subject=Subject.for_user(user), choices={"marketing": False}, source="settings")

    log_in(client, user)

    assert has_consent(user, "personalization") and not has_consent(user, "marketing")


def test_logging_out_forgets_the_browser_s_consent(client):
    user = UserFactory()
    banner_decision(client, "accept_all")
    log_in(client, user)
    html = client.get("/privacy/cookies/").content.decode()

    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": csrf_token_in(html)})

    assert response.cookies[CONSENT_COOKIE]["max-age"] == 0
    assert 'class="consent-banner"' in client.get("/privacy/cookies/").content.decode()


def test_consent_records_cannot_be_changed_or_deleted():
    consent_decide(subject=Subject.for_visitor(uuid.uuid4()), choices={"analytics": True},
                   source="banner")
    record = ConsentRecord.objects.get()

    record.granted = False
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.update(granted=False)
    assert ConsentRecord.objects.get().granted is True


def test_the_admin_shows_consent_records_read_only_and_without_e_mail_addresses(client):
    shopper = UserFactory(email="someone@example.com")
    consent_decide(subject=Subject.for_user(shopper), choices={"analytics": True}, source="banner")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    record = ConsentRecord.objects.get()

    listing = client.get("/admin/privacy/consentrecord/").content.decode()
    change = client.get(f"/admin/privacy/consentrecord/{record.pk}/change/").content.decode()
    delete = client.get(f"/admin/privacy/consentrecord/{record.pk}/delete/")
    add = client.get("/admin/privacy/consentrecord/add/")

    assert f"user #{shopper.pk}" in listing and "someone@example.com" not in listing
    assert "Record of processing activities" in listing
    assert 'name="_save"' not in change
    assert delete.status_code == 403 and add.status_code == 403
