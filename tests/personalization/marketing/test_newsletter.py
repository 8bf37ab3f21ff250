"""Newsletter sign-up: double opt-in, links that work once, one-click unsubscribe, consent recorded,
and a subscriber's data reachable by the data-rights machinery (export, erasure, guest requests)."""

from __future__ import annotations

import re

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from personalization.marketing.models import Subscriber, SubscriberStatus
from personalization.marketing.links import CONFIRM_SALT
from personalization.marketing.newsletter import CONFIRM_MAX_AGE
from primitives.encrypted_fields import blind_index
from primitives.subjects import Subject
from privacy.consent import has_consent
from privacy.erasure import subject_erase
from privacy.export import export_document
from privacy.guest_requests import guest_request_submit
from privacy.models import ConsentRecord, DataRequest
from privacy.reach import identity_for_guest, identity_with_linked_keys
from privacy.services import consent_decide
from tests.factories import PASSWORD, verified_user
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def sign_up_throttle_cleared():
    """Every test starts with the cache's sign-up counts empty (all test clients share one address)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


LINK = re.compile(r"https?://[^\s\"<>]+/newsletter/(confirm|unsubscribe)/([^/\s\"<>]+)/")


def link_in(message, kind: str = "confirm") -> str:
    found = [m for m in LINK.finditer(message.body) if m.group(1) == kind]
    assert found, message.body
    return reverse(f"newsletter:{kind}", kwargs={"token": found[0].group(2)})


def sign_up(client, email: str, on_commit):
    with on_commit(execute=True):
        return client.post(reverse("newsletter:sign_up"), {"email": email})


def confirmed_subscriber(client, email: str, on_commit) -> Subscriber:
    """Sign up and confirm through the e-mailed link, as a person would."""
    mail.outbox.clear()
    sign_up(client, email, on_commit)
    [message] = mail.outbox
    assert client.post(link_in(message)).status_code == 200
    mail.outbox.clear()
    return Subscriber.objects.get(email_index=blind_index(email))


def subscriber_consents(subscriber: Subscriber) -> bool:
    subject = (Subject(user_id=subscriber.user_id) if subscriber.user_id
               else Subject(visitor_id=subscriber.consent_key))
    return has_consent(subject, "marketing")


def test_a_footer_sign_up_sends_one_confirmation_and_records_no_consent(client, django_capture_on_commit_callbacks):
    response = sign_up(client, "Ada@Example.com", django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "confirm" in message.subject.lower()
    assert "List-Unsubscribe" not in message.extra_headers  # not a marketing e-mail
    assert not re.search(r"picked for you|popular", message.body, re.I)
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.email == "ada@example.com"  # readable by us, encrypted at rest
    assert not ConsentRecord.objects.exists()
    assert not subscriber_consents(subscriber)
    with pytest.raises(CommandError, match="no eligible recipients"):
        call_command("send_digest", "--campaign", "before-confirming")
    assert len(mail.outbox) == 1


def test_confirming_records_marketing_consent_from_the_newsletter_once(client, django_capture_on_commit_callbacks):
    sign_up(client, "ada@example.com", django_capture_on_commit_callbacks)
    confirm = link_in(mail.outbox[0])

    page = client.get(confirm)  # a mail scanner opening the link confirms nothing
    assert page.status_code == 200 and b"Yes, subscribe me" in page.content
    assert "no-store" in page["Cache-Control"]
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING

    assert b"You are subscribed" in client.post(confirm).content
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    [record] = ConsentRecord.objects.all()
    assert (record.purpose, record.granted, record.source, record.visitor_id) == (
        "marketing", True, "newsletter", subscriber.consent_key)
    assert record.notice_version and record.text_hash
    assert subscriber_consents(subscriber)

    reused = client.post(confirm)
    assert reused.status_code == 400 and b"already been used" in reused.content
    assert ConsentRecord.objects.count() == 1


def test_forged_and_expired_confirmation_links_are_refused(client, django_capture_on_commit_callbacks, monkeypatch):
    sign_up(client, "ada@example.com", django_capture_on_commit_callbacks)
    subscriber = Subscriber.objects.get()
    forged = client.post(reverse("newsletter:confirm", kwargs={"token": "not-a-token"}))
    assert forged.status_code == 400 and b"not valid" in forged.content
    other_salt = signing.dumps({"s": subscriber.pk, "n": subscriber.token_nonce}, salt="something-else")
    assert client.post(reverse("newsletter:confirm", kwargs={"token": other_salt})).status_code == 400

    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - CONFIRM_MAX_AGE - 60)
    old = signing.dumps({"s": subscriber.pk, "n": subscriber.token_nonce}, salt=CONFIRM_SALT, compress=True)
    monkeypatch.setattr(signing.time, "time", real_time)
    expired = client.post(reverse("newsletter:confirm", kwargs={"token": old}))
    assert expired.status_code == 400 and b"expired" in expired.content
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    assert not ConsentRecord.objects.exists()


def test_signing_up_again_never_says_who_is_subscribed_and_sends_nothing_to_a_subscriber(
        client, django_capture_on_commit_callbacks):
    confirmed_subscriber(client, "ada@example.com", django_capture_on_commit_callbacks)
    again = sign_up(client, "ada@example.com", django_capture_on_commit_callbacks)
    fresh = sign_up(client, "bob@example.com", django_capture_on_commit_callbacks)

    assert again.status_code == fresh.status_code == 200
    assert b'data-testid="newsletter-check-inbox"' in again.content
    assert b'data-testid="newsletter-check-inbox"' in fresh.content
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    sign_up(client, "bob@example.com", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1  # one confirmation per ten minutes at most


@pytest.mark.parametrize("email", ["", "not an address", "a@b", "x" * 250 + "@example.com"])
def test_a_bad_address_is_a_form_error(client, email):
    response = client.post(reverse("newsletter:sign_up"), {"email": email})
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not Subscriber.objects.exists() and not mail.outbox


def test_one_click_unsubscribe_works_without_login_or_cookies_and_is_a_consent_change(
        client, django_capture_on_commit_callbacks):
    subscriber = confirmed_subscriber(client, "ada@example.com", django_capture_on_commit_callbacks)
    from personalization.marketing.links import unsubscribe_token

    path = reverse("newsletter:unsubscribe", kwargs={"token": unsubscribe_token(subscriber)})
    mail_client = Client(enforce_csrf_checks=True)  # a mail client: no session, no CSRF cookie
    response = mail_client.post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200 and b"You are unsubscribed" in response.content
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    latest = ConsentRecord.objects.filter(visitor_id=subscriber.consent_key).order_by("-created_at", "-id").first()
    assert (latest.purpose, latest.granted, latest.source) == ("marketing", False, "newsletter")
    assert not subscriber_consents(subscriber)

    again = mail_client.post(path)
    assert again.status_code == 200 and b"already unsubscribed" in again.content
    assert ConsentRecord.objects.filter(visitor_id=subscriber.consent_key).count() == 2
    assert mail_client.post(path.replace("/unsubscribe/", "/unsubscribe/x")).status_code == 400


def test_withdrawing_marketing_consent_in_the_settings_ends_the_subscription(
        client, django_capture_on_commit_callbacks):
    user = verified_user()
    client.login(username=user.email, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:sign_up"))  # the account's form: its own address
    client.post(link_in(mail.outbox[0]))
    subscriber = Subscriber.objects.get()
    assert subscriber.user == user and subscriber.status == SubscriberStatus.CONFIRMED
    assert has_consent(user, "marketing")

    consent_decide(subject=Subject.for_user(user), choices={"marketing": False}, source="settings")

    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def test_the_account_page_offers_the_newsletter_and_shows_its_state(client, django_capture_on_commit_callbacks):
    user = verified_user()
    client.login(username=user.email, password=PASSWORD)
    page = client.get(reverse("accounts:overview")).content.decode()
    assert f"Subscribe with {user.email}" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:sign_up"))
    assert "We have e-mailed" in client.get(reverse("accounts:overview")).content.decode()


def test_a_newsletter_only_person_is_exported_erased_and_can_use_the_guest_request_form(
        client, django_capture_on_commit_callbacks):
    subscriber = confirmed_subscriber(client, "ada@example.com", django_capture_on_commit_callbacks)
    identity = identity_with_linked_keys(identity_for_guest(email_index=blind_index("ada@example.com"),
                                                            email="ada@example.com"))

    document = export_document(identity=identity, pseudonym="p")
    assert [row for row in document["sections"]["marketing.Subscriber"]["rows"]
            if "ada@example.com" in str(row)]
    assert len(document["sections"]["privacy.ConsentRecord"]["rows"]) == 1

    with django_capture_on_commit_callbacks(execute=True):
        guest_request_submit(email="ada@example.com", kind="export")
    assert DataRequest.objects.filter(email_index=blind_index("ada@example.com")).exists()
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]

    counts = subject_erase(identity=identity)
    assert counts["marketing.Subscriber"] == 1
    assert not Subscriber.objects.exists()
    assert not ConsentRecord.objects.filter(visitor_id=subscriber.consent_key).exists()


def test_no_address_or_link_token_reaches_the_logs(client, django_capture_on_commit_callbacks, caplog):
    import logging

    from personalization.marketing.links import confirm_token, unsubscribe_token

    caplog.set_level(logging.DEBUG)
    subscriber = confirmed_subscriber(client, "Wilhelmina.Quartermaine@example.com",
                                      django_capture_on_commit_callbacks)
    tokens = [unsubscribe_token(subscriber), confirm_token(subscriber)]
    Client(enforce_csrf_checks=True).post(reverse("newsletter:unsubscribe", kwargs={"token": tokens[0]}))

    logged = caplog.text.lower()
    assert "newsletter subscriber" in logged  # the flow did log, by id
    assert "wilhelmina" not in logged and "quartermaine" not in logged
    assert not any(token.lower() in logged for token in tokens)


def test_one_connection_cannot_send_confirmations_to_many_addresses(client, django_capture_on_commit_callbacks):
    from personalization.marketing.views import SIGN_UPS_PER_CLIENT_PER_HOUR

    for n in range(SIGN_UPS_PER_CLIENT_PER_HOUR):
        assert sign_up(client, f"target{n}@example.com", django_capture_on_commit_callbacks).status_code == 200
    refused = sign_up(client, "one-more@example.com", django_capture_on_commit_callbacks)

    assert refused.status_code == 429 and b"Too many sign-ups" in refused.content
    assert len(mail.outbox) == SIGN_UPS_PER_CLIENT_PER_HOUR
    assert not Subscriber.objects.filter(email_index=blind_index("one-more@example.com")).exists()


def test_a_footer_subscription_under_an_accounts_verified_address_belongs_to_the_account(
        client, django_capture_on_commit_callbacks):
    user = verified_user(email="ada@example.com")
    subscriber = confirmed_subscriber(client, "ADA@example.com", django_capture_on_commit_callbacks)  # logged out

    assert subscriber.user == user
    assert has_consent(user, "marketing")
    consent_decide(subject=Subject.for_user(user), choices={"marketing": False}, source="settings")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def test_a_subscription_older_than_the_account_ends_with_the_accounts_withdrawal(
        client, django_capture_on_commit_callbacks):
    subscriber = confirmed_subscriber(client, "ada@example.com", django_capture_on_commit_callbacks)
    user = verified_user(email="ada@example.com")  # signs up for an account afterwards
    consent_decide(subject=Subject.for_user(user), choices={"marketing": True}, source="banner")

    consent_decide(subject=Subject.for_user(user), choices={"marketing": False}, source="settings")

    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
