"""Every stored behavioural event traces back to a consent record of its own subject: after the
ways a shopper's browsing gets stored (the banner, the consent cookie carried into a new session,
a login that takes the browser's events to the account, an account's own settings), each event
joins a record granting personalization to its user or visitor, in force when it happened.

Transactional: events are delivered after commit, inside the request that caused them, as in
production (a test transaction would deliver them after the request, without its consent)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from personalization.recommendations.models import BehaviourEvent
from primitives.subjects import Subject
from privacy.consent_cookie import cookie_decisions_record, state_from_cookie
from privacy.models import ConsentRecord, ConsentSource, VisitorLink
from privacy.notice import notice_version
from privacy.purposes import PERSONALIZATION
from tests.factories import ProductFactory, verified_user
from tests.fixtures import log_in
from tests.privacy.conftest import CONSENT_COOKIE, csrf_token_in, session_visitor

pytestmark = pytest.mark.django_db(transaction=True)

CONSENT_LIFETIME = timedelta(days=365)


def choose(client: Client, action: str) -> None:
    html = client.get("/privacy/consent/").content.decode()
    client.post("/privacy/consent/", {"csrfmiddlewaretoken": csrf_token_in(html), "action": action,
                                      "source": "banner", "next": "/"})


def view(client: Client, product) -> None:
    assert client.get(product.get_absolute_url()).status_code == 200


def add_to_cart(client: Client, product) -> None:
    assert client.post(reverse("cart:add"), {"variant": product.variants.get().pk, "quantity": 1}).status_code == 302


def reusing_the_cookie_of(client: Client) -> Client:
    """A new session in the same browser: no session cookie, the consent cookie kept."""
    fresh = Client()
    fresh.cookies[CONSENT_COOKIE] = client.cookies[CONSENT_COOKIE].value
    return fresh


def untraceable_events() -> list[BehaviourEvent]:
    """Events with no record granting personalization to their subject, in force when they happened.

    An account's subject includes the browsers it logged in from (VisitorLink): a login moves
    the browser's earlier events to the account, and their consent was given in that browser.
    """
    missing = []
    for event in BehaviourEvent.objects.all():
        if event.user_id is not None:
            subjects = [{"user_id": event.user_id}] + [
                {"visitor_id": visitor_id}
                for visitor_id in VisitorLink.objects.filter(user_id=event.user_id).values_list("visitor_id", flat=True)]
        else:
            subjects = [{"visitor_id": event.visitor_id}]
        in_force = []
        for subject in subjects:
            latest = (ConsentRecord.objects.filter(**subject, purpose=PERSONALIZATION,
                                                   created_at__lte=event.occurred_at)
                      .order_by("-created_at", "-id").first())
            in_force.append(latest is not None and latest.granted
                            and latest.created_at > event.occurred_at - CONSENT_LIFETIME)
        if not any(in_force):
            missing.append(event)
    return missing


def test_every_stored_event_joins_a_granting_consent_record_of_its_subject_in_force_at_its_time():
    lamp, vase, mug, rug = ProductFactory.create_batch(4, variant__stock=10)
    ada = verified_user(email="ada@example.org")
    bob = verified_user(email="bob@example.org")

    # The banner: a visitor accepts, browses and fills a cart.
    banner = Client()
    choose(banner, "accept_all")
    view(banner, lamp)
    add_to_cart(banner, lamp)

    # The same browser a day later: a new session, the consent cookie honoured under a new visitor id.
    later = reusing_the_cookie_of(banner)
    add_to_cart(later, vase)
    view(later, mug)
    new_visitor = session_visitor(later).visitor_id
    assert new_visitor != session_visitor(banner).visitor_id
    assert BehaviourEvent.objects.filter(visitor_id=new_visitor).count() == 2

    # Logging in there takes the browser's events to the account; the account browses on.
    log_in(later, ada.email)
    view(later, rug)

    # An account that decides in its own settings.
    account = Client()
    log_in(account, bob.email)
    choose(account, "accept_all")
    view(account, lamp)

    kinds_by_subject = sorted(
        (event.user_id or 0, str(event.visitor_id or ""), event.kind) for event in BehaviourEvent.objects.all())
    assert len(kinds_by_subject) == 6, kinds_by_subject
    assert BehaviourEvent.objects.filter(user=ada).count() == 3 and BehaviourEvent.objects.filter(user=bob).count() == 1
    assert untraceable_events() == []


def test_a_cookie_honoured_in_a_new_session_is_recorded_once_for_its_visitor_as_it_was_decided():
    product = ProductFactory(variant__stock=5)
    banner = Client()
    choose(banner, "accept_all")
    decided = ConsentRecord.objects.get(purpose=PERSONALIZATION, visitor_id=session_visitor(banner).visitor_id)

    later = reusing_the_cookie_of(banner)
    add_to_cart(later, product)
    view(later, product)
    view(later, product)

    carried = ConsentRecord.objects.filter(visitor_id=session_visitor(later).visitor_id)
    assert {(r.purpose, r.granted, r.source) for r in carried} == {
        (record.purpose, record.granted, ConsentSource.COOKIE)
        for record in ConsentRecord.objects.filter(visitor_id=decided.visitor_id)}
    mine = carried.get(purpose=PERSONALIZATION)
    # Dated when it was decided (the cookie holds whole seconds), so it lapses when the original does.
    assert abs(mine.created_at - decided.created_at) < timedelta(seconds=1)
    assert mine.notice_version == decided.notice_version == notice_version()
    assert mine.text_hash == decided.text_hash


def test_a_refusal_carried_by_the_cookie_is_recorded_and_stores_no_event():
    product = ProductFactory(variant__stock=5)
    banner = Client()
    choose(banner, "reject_all")

    later = reusing_the_cookie_of(banner)
    add_to_cart(later, product)
    view(later, product)

    carried = ConsentRecord.objects.get(visitor_id=session_visitor(later).visitor_id, purpose=PERSONALIZATION)
    assert carried.source == ConsentSource.COOKIE and carried.granted is False
    assert not BehaviourEvent.objects.exists()


def test_recording_a_cookie_writes_nothing_for_an_account_or_a_visitor_already_on_record():
    banner = Client()
    choose(banner, "accept_all")
    state = state_from_cookie(banner.cookies[CONSENT_COOKIE].value, notice_version=notice_version())
    visitor = session_visitor(banner)
    before = ConsentRecord.objects.count()

    on_record = cookie_decisions_record(subject=Subject.for_visitor(visitor.visitor_id), state=state)
    account = cookie_decisions_record(subject=Subject.for_user(verified_user()), state=state)

    assert on_record == account == 0 and ConsentRecord.objects.count() == before
