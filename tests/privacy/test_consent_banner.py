"""The consent banner and settings: plain forms that work without JavaScript, and refuse bad input."""

from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from primitives.subjects import Subject
from privacy.consent import has_consent
from privacy.consent_cookie import choices_cookie_value
from privacy.models import ConsentRecord, NoticeText
from privacy.notice import BANNER_HEADING, notice_current
from privacy.selectors import ConsentState, Decision
from tests.privacy.conftest import CONSENT_COOKIE, csrf_token_in, session_visitor

pytestmark = pytest.mark.django_db
BANNER = 'class="consent-banner"'
ALL_PURPOSES = ["analytics", "marketing", "personalization", "preferences"]


def decide(client, action: str, purposes=(), next_url: str = "/privacy/cookies/"):
    """What a browser without JavaScript does: load a page, submit the banner's form with its token."""
    html = client.get(next_url).content.decode()
    data = {"csrfmiddlewaretoken": csrf_token_in(html), "action": action, "source": "banner",
            "next": next_url, "purposes": list(purposes)}
    return client.post("/privacy/consent/", data)


def visitor_of(client) -> Subject:
    return session_visitor(client)


def test_the_first_visit_shows_the_banner_and_sets_only_necessary_cookies(csrf_client):
    response = csrf_client.get("/privacy/cookies/")

    html = response.content.decode()
    assert BANNER in html and BANNER_HEADING in html
    assert 'value="accept_all"' in html and 'value="reject_all"' in html
    assert "<summary>Customize</summary>" in html
    assert set(response.cookies) <= {"csrftoken", "sessionid"}
    assert CONSENT_COOKIE not in response.cookies
    assert ConsentRecord.objects.count() == 0


def test_accept_and_reject_are_equally_prominent(csrf_client):
    html = csrf_client.get("/privacy/cookies/").content.decode()

    accept = html.split('value="accept_all"')[0].rsplit("<button", 1)[1]
    reject = html.split('value="reject_all"')[0].rsplit("<button", 1)[1]
    assert accept == reject  # same element, same classes: only the value differs


def test_reject_all_without_javascript_records_refusals_and_hides_the_banner(csrf_client):
    response = decide(csrf_client, "reject_all")

    assert response.status_code == 302 and response["Location"] == "/privacy/cookies/"
    records = ConsentRecord.objects.order_by("purpose")
    assert [(r.purpose, r.granted, r.source) for r in records] == [(p, False, "banner") for p in ALL_PURPOSES]
    notice = notice_current()
    assert {(r.notice_version, r.text_hash) for r in records} == {(notice.version, notice.text_hash)}
    assert records[0].visitor_id is not None and records[0].user_id is None
    cookie = response.cookies[CONSENT_COOKIE]
    assert cookie["max-age"] == 365 * 24 * 60 * 60 and cookie["httponly"]
    follow = csrf_client.get("/privacy/cookies/").content.decode()
    assert BANNER not in follow and "Your privacy choices are saved." in follow
    assert not has_consent(visitor_of(csrf_client), "personalization")


def test_accept_all_without_javascript_grants_every_purpose(csrf_client):
    decide(csrf_client, "accept_all")

    visitor = visitor_of(csrf_client)
    assert all(has_consent(visitor, purpose) for purpose in ALL_PURPOSES)
    assert BANNER not in csrf_client.get("/").content.decode()


def test_customize_grants_only_what_was_ticked(csrf_client):
    decide(csrf_client, "save", purposes=["analytics"])

    visitor = visitor_of(csrf_client)
    assert [p for p in ALL_PURPOSES if has_consent(visitor, p)] == ["analytics"]


def test_the_exact_text_behind_each_hash_is_archived(csrf_client):
    decide(csrf_client, "reject_all")

    archived = NoticeText.objects.get(text_hash=ConsentRecord.objects.first().text_hash)
    assert archived.version == notice_current().version
    assert BANNER_HEADING in archived.text and "Personalised recommendations" in archived.text


def test_a_decision_without_the_csrf_token_is_refused(csrf_client):
    response = csrf_client.post("/privacy/consent/", {"action": "accept_all", "source": "banner"})

    assert response.status_code == 403
    assert ConsentRecord.objects.count() == 0


@pytest.mark.parametrize("field, value", [("purposes", ["telepathy"]), ("action", "accept_some"),
                                          ("source", "gpc"), ("purposes", ["necessary"])])
def test_an_unknown_purpose_action_or_source_changes_nothing(csrf_client, field, value):
    html = csrf_client.get("/privacy/cookies/").content.decode()
    data = {"csrfmiddlewaretoken": csrf_token_in(html), "action": "save", "source": "banner", field: value}

    response = csrf_client.post("/privacy/consent/", data)

    assert response.status_code == 400
    assert "nothing was changed" in response.content.decode()
    assert ConsentRecord.objects.count() == 0
    assert CONSENT_COOKIE not in response.cookies


def test_a_tampered_consent_cookie_counts_as_no_consent_and_is_removed(csrf_client):
    decide(csrf_client, "accept_all")
    genuine = csrf_client.cookies[CONSENT_COOKIE].value
    records_before = ConsentRecord.objects.count()
    csrf_client.cookies.clear()

    tampered = genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB")
    csrf_client.cookies[CONSENT_COOKIE] = tampered
    response = csrf_client.get("/privacy/cookies/")

    assert BANNER in response.content.decode()
    assert response.cookies[CONSENT_COOKIE]["max-age"] == 0
    assert ConsentRecord.objects.count() == records_before


def everything_granted() -> ConsentState:
    from django.utils import timezone

    now = timezone.now()
    return ConsentState(subject=None, notice_version=notice_current().version,
                        decisions={p: Decision(p, True, "banner", now) for p in ALL_PURPOSES})


@pytest.mark.parametrize("forged", [
    "not-a-cookie",
    "0f8fad5bd9cb469fa16570867728950e",
    signing.dumps({"n": "1", "g": 0, "d": {"marketing": [1, "banner", 1]}}, salt="some.other.salt"),
    signing.dumps({"d": "zz"}, salt="privacy.consent.choices"),
], ids=["not-signed", "a-bare-id", "another-salt", "malformed-choices"])  # signatures hold the time
def test_a_forged_consent_cookie_is_refused(csrf_client, forged):
    csrf_client.cookies[CONSENT_COOKIE] = forged

    response = csrf_client.get("/privacy/cookies/")

    assert BANNER in response.content.decode()
    assert response.cookies[CONSENT_COOKIE]["max-age"] == 0
    assert ConsentRecord.objects.count() == 0


def test_choices_signed_with_a_guessed_key_are_refused(csrf_client):
    with override_settings(SECRET_KEY="an-attacker-guess-of-the-secret-key"):
        forged = choices_cookie_value(everything_granted())
    csrf_client.cookies[CONSENT_COOKIE] = forged

    assert BANNER in csrf_client.get("/privacy/cookies/").content.decode()


def test_the_consent_cookie_keeps_the_choice_but_is_no_key_to_the_cart(csrf_client):
    from tests.factories import ProductFactory

    lamp = ProductFactory()
    decide(csrf_client, "accept_all")
    html = csrf_client.get(lamp.get_absolute_url()).content.decode()
    csrf_client.post("/cart/add/", {"csrfmiddlewaretoken": csrf_token_in(html), "variant": lamp.variants.get().pk,
                                    "quantity": 1})
    visitor = visitor_of(csrf_client).visitor_id
    cookie = csrf_client.cookies[CONSENT_COOKIE].value
    assert visitor.hex not in signing.loads(cookie, salt="privacy.consent.choices").__repr__()

    del csrf_client.cookies["sessionid"]  # the session ends; the consent cookie stays for months
    page = csrf_client.get("/cart/").content.decode()

    assert "Your cart is empty" in page  # the cart does not come back through the consent cookie
    assert BANNER not in page  # but the choice does
    assert csrf_client.get("/cart/").wsgi_request.privacy_consent.state.granted("personalization")


def test_next_may_not_leave_the_site(csrf_client):
    html = csrf_client.get("/privacy/consent/").content.decode()
    data = {"csrfmiddlewaretoken": csrf_token_in(html), "action": "reject_all", "source": "settings",
            "next": "https://evil.example/"}

    response = csrf_client.post("/privacy/consent/", data)

    assert response["Location"] == "/privacy/consent/"


def test_a_new_notice_version_asks_everyone_again(csrf_client):
    decide(csrf_client, "accept_all")
    visitor = visitor_of(csrf_client)

    with override_settings(PRIVACY_NOTICE_VERSION="2027-01"):
        html = csrf_client.get("/privacy/cookies/").content.decode()
        assert BANNER in html
        assert not has_consent(visitor, "personalization")
    assert has_consent(visitor, "personalization")


def test_consent_older_than_twelve_months_no_longer_counts(csrf_client):
    decide(csrf_client, "accept_all")
    visitor = visitor_of(csrf_client)

    # Evidence is append-only through the model; age it the way time would, in SQL.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE privacy_consentrecord SET created_at = %s",
                       [timezone.now() - timedelta(days=366)])

    assert not has_consent(visitor, "personalization")
    # The cookie's copy of the choices ages the same way.
    year_ago = timezone.now() - timedelta(days=366)
    aged = ConsentState(subject=None, notice_version=notice_current().version,
                        decisions={p: Decision(p, True, "banner", year_ago) for p in ALL_PURPOSES})
    csrf_client.cookies[CONSENT_COOKIE] = choices_cookie_value(aged)
    response = csrf_client.get("/privacy/cookies/")
    assert BANNER in response.content.decode()
    assert not response.wsgi_request.privacy_consent.state.granted("personalization")


def test_the_settings_page_works_without_javascript_and_shows_the_current_choice(csrf_client):
    decide(csrf_client, "save", purposes=["preferences"])

    html = csrf_client.get("/privacy/consent/").content.decode()

    assert "Allowed now: preferences." in html
    assert 'name="purposes" value="preferences" checked' in html
    assert 'name="purposes" value="marketing" aria' in html  # not ticked
    assert BANNER not in html


def banner_form(html: str) -> str:
    return html.split('class="consent-banner__form"', 1)[1].split("</form>", 1)[0]


def test_each_visitor_s_banner_carries_their_own_token_and_the_page_they_are_on(csrf_client):
    # The banner's markup is rendered once per process and variant: what is personal to the
    # request (its CSRF token, the page to come back to) must still be each request's own.
    other = Client(enforce_csrf_checks=True)
    first = banner_form(csrf_client.get("/search/", {"q": 'mug"<b>'}).content.decode())
    second = banner_form(other.get("/privacy/cookies/").content.decode())

    assert csrf_token_in(first) != csrf_token_in(second)
    assert 'name="next" value="/search/?q=mug%22%3Cb%3E"' in first
    assert 'name="next" value="/privacy/cookies/"' in second
    assert "consent-banner-" not in first + second  # no marker left behind

    response = other.post("/privacy/consent/", {"csrfmiddlewaretoken": csrf_token_in(second), "action": "reject_all",
                                                "source": "banner", "next": "/privacy/cookies/"})
    assert response.status_code == 302 and response["Location"] == "/privacy/cookies/"
    assert BANNER not in other.get("/privacy/cookies/").content.decode()
    assert BANNER in csrf_client.get("/privacy/cookies/").content.decode()  # the first visitor has not decided
