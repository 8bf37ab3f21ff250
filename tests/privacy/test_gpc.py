"""Global Privacy Control: one refusal per subject and notice version, said out loud, outranked by a later opt-in."""

import pytest

from privacy.consent import has_consent
from privacy.models import ConsentRecord
from privacy.notice import GPC_TEXT
from privacy.subjects import ConsentSubject, visitor_id_from_cookie
from tests.factories import UserFactory
from tests.privacy.conftest import CONSENT_COOKIE, csrf_token_in

pytestmark = pytest.mark.django_db
GPC = {"HTTP_SEC_GPC": "1"}


def test_a_gpc_request_stores_a_refusal_and_no_marketing_consent(client):
    response = client.get("/privacy/cookies/", **GPC)

    records = ConsentRecord.objects.order_by("purpose")
    assert [(r.purpose, r.granted, r.source) for r in records] == [
        ("marketing", False, "gpc"), ("personalization", False, "gpc"),
    ]
    assert not ConsentRecord.objects.filter(purpose="marketing", granted=True).exists()
    visitor = ConsentSubject.for_visitor(visitor_id_from_cookie(response.cookies[CONSENT_COOKIE].value))
    assert records[0].visitor_id == visitor.visitor_id
    assert not has_consent(visitor, "marketing") and not has_consent(visitor, "personalization")
    assert set(response.cookies) <= {"csrftoken", "sessionid", CONSENT_COOKIE}


def test_the_banner_and_settings_say_the_signal_was_honoured(client):
    banner = client.get("/privacy/cookies/", **GPC).content.decode()
    settings_page = client.get("/privacy/consent/", **GPC).content.decode()

    assert GPC_TEXT in banner and 'class="consent-banner"' in banner  # other purposes still to decide
    assert GPC_TEXT in settings_page
    assert "Sec-GPC" in client.get("/privacy/cookies/", **GPC)["Vary"]


def test_the_signal_is_recorded_once_per_subject_and_version(client):
    for _ in range(3):
        client.get("/privacy/cookies/", **GPC)

    assert ConsentRecord.objects.count() == 2


def test_a_later_explicit_opt_in_wins_over_the_signal(client):
    html = client.get("/privacy/cookies/", **GPC).content.decode()
    client.post("/privacy/consent/", {"csrfmiddlewaretoken": csrf_token_in(html), "action": "accept_all",
                                      "source": "banner", "next": "/"}, **GPC)

    response = client.get("/privacy/consent/", **GPC)

    visitor = ConsentSubject.for_visitor(visitor_id_from_cookie(client.cookies[CONSENT_COOKIE].value))
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
