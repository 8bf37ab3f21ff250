"""An account's consent decisions kept in its own session: read from there while no decision was
made since (one query checks that, and counts the cart with it), never another account's, never
a withdrawn consent shown as given, never past the notice version or the consent lifetime."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from primitives.subjects import Subject
from privacy.consent_session import SESSION_KEY
from privacy.models import ConsentRecord, ConsentSource
from privacy.purposes import CONSENT_PURPOSES
from privacy.services import consent_decide
from tests.factories import UserFactory
from tests.privacy.conftest import csrf_token_in

pytestmark = pytest.mark.django_db
ALL = dict.fromkeys(CONSENT_PURPOSES, True)
NONE = dict.fromkeys(CONSENT_PURPOSES, False)
EVERYTHING = ", ".join(CONSENT_PURPOSES)
CONSENT_PAGE = "/privacy/consent/"


def allowed_now(client) -> str:
    """What the settings page tells the person is allowed now."""
    html = client.get(CONSENT_PAGE).content.decode()
    if "You have not chosen yet" in html:
        return "not chosen"
    return html.split("Allowed now: ", 1)[1].split(".</p>", 1)[0]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def decide_on_the_page(client, action: str) -> None:
    html = client.get(CONSENT_PAGE).content.decode()
    response = client.post(CONSENT_PAGE, {"csrfmiddlewaretoken": csrf_token_in(html), "action": action,
                                          "source": "settings", "next": CONSENT_PAGE})
    assert response.status_code == 302


def consent_table_reads(client, path: str = CONSENT_PAGE) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [query["sql"] for query in captured if "privacy_consentrecord" in query["sql"]]


def test_decisions_are_read_from_the_session_once_kept_with_the_cart_count_in_the_same_query():
    user = UserFactory()
    consent_decide(subject=Subject.for_user(user), choices=ALL, source=ConsentSource.SETTINGS)
    client = signed_in(user)
    first = consent_table_reads(client)
    assert len(first) == 2  # the marker (with the cart), then the decisions, kept in the session
    assert client.session[SESSION_KEY]["user"] == user.pk

    again = consent_table_reads(client)

    assert len(again) == 1 and "cart_cartline" in again[0]
    assert allowed_now(client) == EVERYTHING


def test_a_withdrawal_in_this_browser_shows_on_the_next_page():
    client = signed_in(UserFactory())
    decide_on_the_page(client, "accept_all")
    assert allowed_now(client) == EVERYTHING

    decide_on_the_page(client, "reject_all")

    assert allowed_now(client) == "only what is necessary"
    kept = client.session[SESSION_KEY]
    assert {purpose: granted for purpose, granted, *_ in kept["decisions"]} == NONE


def test_a_withdrawal_in_another_browser_of_the_account_shows_in_this_one():
    user = UserFactory()
    phone, laptop = signed_in(user), signed_in(user)
    decide_on_the_page(phone, "accept_all")
    assert allowed_now(laptop) == EVERYTHING  # the laptop keeps a copy

    decide_on_the_page(phone, "reject_all")

    assert allowed_now(laptop) == "only what is necessary"


def test_the_erasure_withdrawal_shows_at_once_and_deleted_records_count_for_nothing():
    user = UserFactory()
    client = signed_in(user)
    consent_decide(subject=Subject.for_user(user), choices=ALL, source=ConsentSource.SETTINGS)
    assert allowed_now(client) == EVERYTHING

    consent_decide(subject=Subject.for_user(user), choices=NONE, source=ConsentSource.ERASURE)
    assert allowed_now(client) == "only what is necessary"

    consent_decide(subject=Subject.for_user(user), choices=ALL, source=ConsentSource.SETTINGS)
    assert allowed_now(client) == EVERYTHING
    ConsentRecord.objects.filter(user=user).delete()
    assert allowed_now(client) == "not chosen"


def forge(client, user, **changes) -> None:
    """Make the session's copy say that `user` allowed everything (keeping the current marker)."""
    session = client.session
    copy = dict(session[SESSION_KEY])
    copy.update({"decisions": [[purpose, True, "settings", timezone.now().isoformat()] for purpose in ALL],
                 "user": user.pk, **changes})
    session[SESSION_KEY] = copy
    session.save()


def test_a_copy_made_for_another_account_is_never_used():
    person, other = UserFactory(), UserFactory()
    client = signed_in(person)
    consent_decide(subject=Subject.for_user(person), choices=NONE, source=ConsentSource.SETTINGS)
    assert allowed_now(client) == "only what is necessary"

    forge(client, other)

    assert allowed_now(client) == "only what is necessary"


def test_an_account_without_decisions_keeps_no_copy_and_reads_no_decisions():
    client = signed_in(UserFactory())
    session = client.session
    session[SESSION_KEY] = {"user": 0}  # whatever was there is dropped
    session.save()

    reads = consent_table_reads(client)

    assert len(reads) == 1 and SESSION_KEY not in client.session
    assert allowed_now(client) == "not chosen"


def test_a_copy_of_this_account_is_trusted_only_while_no_decision_was_recorded_since():
    user = UserFactory()
    client = signed_in(user)
    consent_decide(subject=Subject.for_user(user), choices=NONE, source=ConsentSource.SETTINGS)
    assert allowed_now(client) == "only what is necessary"
    forge(client, user)
    assert allowed_now(client) == EVERYTHING  # the copy is what is read

    forge(client, user, marker=[client.session[SESSION_KEY]["marker"][0] - 1,
                                client.session[SESSION_KEY]["marker"][1]])

    assert allowed_now(client) == "only what is necessary"


def test_a_copy_under_another_notice_version_is_not_used():
    user = UserFactory()
    client = signed_in(user)
    consent_decide(subject=Subject.for_user(user), choices=NONE, source=ConsentSource.SETTINGS)
    assert allowed_now(client) == "only what is necessary"
    forge(client, user, notice="0-older")

    assert allowed_now(client) == "only what is necessary"


@pytest.mark.parametrize(("until", "shown"), [
    (timedelta(seconds=30), EVERYTHING),
    (timedelta(0), "only what is necessary"),
])
def test_a_copy_is_not_used_once_its_oldest_decision_leaves_the_consent_lifetime(until, shown):
    user = UserFactory()
    client = signed_in(user)
    consent_decide(subject=Subject.for_user(user), choices=NONE, source=ConsentSource.SETTINGS)
    assert allowed_now(client) == "only what is necessary"

    forge(client, user, until=(timezone.now() + until).isoformat())

    assert allowed_now(client) == shown


@override_settings(PRIVACY_CONSENT_MAX_AGE_DAYS=30)
def test_the_copy_lasts_as_long_as_its_oldest_decision_counts():
    user = UserFactory()
    consent_decide(subject=Subject.for_user(user), choices=ALL, source=ConsentSource.SETTINGS)
    client = signed_in(user)
    allowed_now(client)
    oldest = ConsentRecord.objects.filter(user=user).order_by("created_at").first().created_at

    assert client.session[SESSION_KEY]["until"] == (oldest + timedelta(days=30)).isoformat()


def test_logging_out_deletes_the_copy_with_the_session():
    user = UserFactory()
    client = signed_in(user)
    consent_decide(subject=Subject.for_user(user), choices=ALL, source=ConsentSource.SETTINGS)
    allowed_now(client)
    assert SESSION_KEY in client.session

    html = client.get("/accounts/logout/").content.decode()
    client.post("/accounts/logout/", {"csrfmiddlewaretoken": csrf_token_in(html)})

    assert SESSION_KEY not in client.session
    assert allowed_now(client) == "not chosen"
