"""The behavioural event store: fed by shop events, only with personalization consent."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from personalization.recommendations.models import BehaviourEvent, EventKind
from tests.factories import PASSWORD, ProductFactory, verified_user
from tests.privacy.conftest import csrf_token_in, session_visitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run after-commit callbacks (event delivery) as a real commit would."""
    def run():
        return django_capture_on_commit_callbacks(execute=True)
    return run


def decide(client, action: str, **extra) -> None:
    html = client.get("/privacy/consent/").content.decode()
    client.post("/privacy/consent/", {"csrfmiddlewaretoken": csrf_token_in(html), "action": action,
                                      "source": "settings", "next": "/", **extra})


def view_and_add(client, product, on_commit) -> None:
    with on_commit():
        client.get(product.get_absolute_url())
    with on_commit():
        client.post("/cart/add/", {"variant": product.variants.get().pk, "quantity": 2})


def test_with_consent_rejected_browsing_and_carting_store_nothing(client, on_commit):
    product = ProductFactory()
    decide(client, "reject_all")

    view_and_add(client, product, on_commit)

    assert client.session.get("visitor_key"), "the cart really was used"
    assert not BehaviourEvent.objects.exists()


def test_before_any_decision_nothing_is_stored(client, on_commit):
    view_and_add(client, ProductFactory(), on_commit)

    assert not BehaviourEvent.objects.exists()


def test_global_privacy_control_stores_nothing(client, on_commit):
    product = ProductFactory()
    client.defaults["HTTP_SEC_GPC"] = "1"

    view_and_add(client, product, on_commit)

    assert not BehaviourEvent.objects.exists()


def test_with_consent_a_visitor_s_views_and_cart_are_stored_under_their_visitor_id(client, on_commit):
    product = ProductFactory()
    decide(client, "accept_all")

    view_and_add(client, product, on_commit)

    visitor_id = session_visitor(client).visitor_id
    assert list(BehaviourEvent.objects.values_list("visitor_id", "user", "kind", "product", "quantity")) == [
        (visitor_id, None, EventKind.VIEWED, product.pk, 1),
        (visitor_id, None, EventKind.ADDED_TO_CART, product.pk, 2),
    ]


def test_withdrawing_personalization_deletes_the_stored_events(client, on_commit):
    decide(client, "accept_all")
    view_and_add(client, ProductFactory(), on_commit)
    assert BehaviourEvent.objects.count() == 2

    decide(client, "reject_all")

    assert not BehaviourEvent.objects.exists()


def test_withdrawing_only_personalization_in_custom_settings_deletes_the_events(client, on_commit):
    decide(client, "accept_all")
    view_and_add(client, ProductFactory(), on_commit)

    decide(client, "save", preferences="on", analytics="on", marketing="on")

    assert not BehaviourEvent.objects.exists()


def log_in(client, user) -> None:
    html = client.get("/accounts/login/").content.decode()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD,
                                     "csrfmiddlewaretoken": csrf_token_in(html)})
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_logging_in_with_consent_moves_the_visitor_s_events_to_the_account(client, on_commit):
    user = verified_user()
    product = ProductFactory()
    decide(client, "accept_all")
    view_and_add(client, product, on_commit)

    log_in(client, user)

    assert list(BehaviourEvent.objects.values_list("user", "visitor_id")) == [(user.pk, None)] * 2
    with on_commit():
        client.get(product.get_absolute_url())
    assert BehaviourEvent.objects.filter(user=user, kind=EventKind.VIEWED).count() == 2


def test_a_signed_in_shopper_without_consent_stores_nothing(client, on_commit):
    user = verified_user()
    log_in(client, user)

    view_and_add(client, ProductFactory(), on_commit)

    assert not BehaviourEvent.objects.filter(user=user).exists()


def test_retention_purge_removes_only_expired_events(settings):
    settings.PERSONALIZATION_EVENT_RETENTION_DAYS = 30
    user = verified_user()
    product = ProductFactory()
    old = BehaviourEvent.objects.create(user=user, kind=EventKind.VIEWED, product=product,
                                        occurred_at=timezone.now() - timedelta(days=31))
    recent = BehaviourEvent.objects.create(user=user, kind=EventKind.VIEWED, product=product,
                                           occurred_at=timezone.now() - timedelta(days=29))

    call_command("run_scheduled_jobs", "purge-expired-behaviour-events", stdout=open("/dev/null", "w"))

    assert list(BehaviourEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not BehaviourEvent.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_consent_is_looked_up_once_per_request_not_once_per_event(client):
    """Committed for real, so events are delivered inside their request, as in production."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    product = ProductFactory()
    client.force_login(verified_user())
    decide(client, "accept_all")

    with CaptureQueriesContext(connection) as captured:
        client.post("/cart/add/", {"variant": product.variants.get().pk, "quantity": 1})
        client.get(product.get_absolute_url())

    consent_reads = [q["sql"] for q in captured if "privacy_consentrecord" in q["sql"] and
                     q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(consent_reads) == 2  # one per request, though each request's events were checked too
    assert BehaviourEvent.objects.filter(user__isnull=False).count() == 2
    assert BehaviourEvent.objects.filter(kind__in=[EventKind.VIEWED, EventKind.ADDED_TO_CART]).count() == 2
