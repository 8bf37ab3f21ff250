"""Global Privacy Control: one refusal per subject and notice version, said out loud, outranked by a later opt-in."""

import pytest

from privacy.consent import has_consent
from privacy.models import ConsentRecord
from privacy.notice import GPC_TEXT
from tests.factories import UserFactory
from tests.privacy.conftest import CONSENT_COOKIE, csrf_token_in, session_visitor

pytestmark = pytest.mark.django_db
GPC = {"HTTP_SEC_GPC": "1"}


def test_a_visitor_s_signal_is_honoured_without_writing_a_row_or_a_session(client):
    for _ in range(3):
        response = client.get("/privacy/cookies/", **GPC)

    consent = response.wsgi_request.privacy_consent
    assert not consent.state.granted("marketing") and not consent.state.granted("personalization")
    assert consent.state.gpc_recorded and not consent.state.decided  # the rest is still asked
    assert not ConsentRecord.objects.exists()  # visitors who never come back leave nothing behind
    assert not set(response.cookies) & {"sessionid", CONSENT_COOKIE}


def test_a_visitor_s_signal_is_recorded_when_they_decide_and_their_choice_stands(client):
    html = client.get("/privacy/cookies/", **GPC).content.decode()
    client.post("/privacy/consent/", {"csrfmiddlewaretoken": csrf_token_in(html), "action": "reject_all",
                                      "source": "banner", "next": "/"}, **GPC)

    visitor = session_visitor(client)
    records = ConsentRecord.objects.filter(visitor_id=visitor.visitor_id).order_by("created_at", "id")
    assert [(r.purpose, r.granted, r.source) for r in records][:2] == [
        ("marketing", False, "gpc"), ("personalization", False, "gpc")]
    assert {r.source for r in records[2:]} == {"banner"}


def test_the_banner_and_settings_say_the_signal_was_honoured(client):
    banner = client.get("/privacy/cookies/", **GPC).content.decode()
    settings_page = client.get("/privacy/consent/", **GPC).content.decode()

    assert GPC_TEXT in banner and 'class="consent-banner"' in banner  # other purposes still to decide
    assert GPC_TEXT in settings_page
    assert "Sec-GPC" in client.get("/privacy/cookies/", **GPC)["Vary"]


def test_an_account_s_signal_is_recorded_once_per_notice_version(client):
    client.force_login(UserFactory())
    for _ in range(3):
        client.get("/privacy/cookies/", **GPC)

    assert ConsentRecord.objects.count() == 2


def test_a_later_explicit_opt_in_wins_over_the_signal(client):
    html = client.get("/privacy/cookies/", **GPC).content.decode()
    client.post("/privacy/consent/", {"csrfmiddlewaretoken": csrf_token_in(html), "action": "accept_all",
                                      "source": "banner", "next": "/"}, **GPC)

    response = client.get("/privacy/consent/", **GPC)

    visitor = session_visitor(client)
    assert has_consent(visitor, "marketing") and has_consent(visitor, "personalization")
    assert ConsentRecord.objects.filter(source="gpc").count() == 2
    assert "You have since switched on: marketing, personalization." in response.content.decode()


def test_a_logged_in_shopper_s_signal_is_recorded_for_the_account(client):
    user = UserFactory()
    client.force_login(user)

    client.get("/privacy/cookies/", **GPC)

    assert sorted(ConsentRecord.objects.filter(user=user, source="gpc").values_list("purpose", flat=True)) == [
        "marketing", "personalization"]
    assert not ConsentRecord.objects.filter(visitor_id__isnull=False).exists()


def test_without_the_signal_nothing_is_recorded(client):
    client.get("/privacy/cookies/", HTTP_SEC_GPC="0")

    assert ConsentRecord.objects.count() == 0


def test_the_signal_s_note_shows_only_to_the_browser_that_sent_it(client):
    # The banner is rendered once per variant; the variant with the note must not reach others.
    from django.test import Client

    assert GPC_TEXT in client.get("/privacy/cookies/", **GPC).content.decode()
    without = Client().get("/privacy/cookies/").content.decode()
    assert 'class="consent-banner"' in without and GPC_TEXT not in without
    assert GPC_TEXT in Client().get("/privacy/cookies/", **GPC).content.decode()
