"""A payment provider's event is acted on once: a replay of the same signed event (inside the
provider's five-minute tolerance) is answered 200 and changes nothing, even when the copies
arrive at the same moment; the remembered ids are purged a day later."""

import json
import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from privacy.registry import declarations
from privacy.retention import retention_purge
from shop.checkout.reconcile import webhook_handle
from shop.orders.models import Order
from shop.payments.models import Payment, ProviderEvent
from shop.payments.providers import ProviderUnavailable
from shop.payments.test_provider import WEBHOOK_TOLERANCE_SECONDS, TestProvider, sign_webhook
from tests.factories import ProductFactory
from tests.shop.checkout_helpers import ADDRESS, checkout_to_review, pay
from tests.shop.test_concurrency import run_at_once


def deliver(client: Client, body: bytes, headers: dict[str, str]):
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return client.post(reverse("checkout:webhook", kwargs={"provider": "test"}), body,
                       content_type="application/json", **extra)


def paid_at_the_bank_with_the_tab_closed(client: Client) -> Payment:
    pay(client, checkout_to_review(client, ProductFactory(title="Lamp", variant__stock=3)),
        token="tok_requires_action")
    return Payment.objects.get()


class UnreachableProvider(TestProvider):
    """The test provider when the shop cannot reach it to ask where a payment stands."""

    def retrieve(self, reference: str):
        raise ProviderUnavailable("no answer")


@pytest.mark.django_db
def test_a_replayed_event_is_answered_but_not_acted_on_a_second_time(client, caplog):
    payment = paid_at_the_bank_with_the_tab_closed(client)
    body, headers = sign_webhook({"id": "evt_replayed", "type": "payment.succeeded",
                                  "reference": payment.reference})
    first = deliver(Client(), body, headers)  # the shopper is still at the bank: nothing to complete yet
    TestProvider().authenticate(reference=payment.reference, approve=True)

    with caplog.at_level(logging.INFO, logger="shop.payments"):
        replay = deliver(Client(), body, headers)

    assert json.loads(first.content) == {"result": "processed"}
    assert replay.status_code == 200 and json.loads(replay.content) == {"result": "already processed"}
    # Acting on it now would place the order (the bank has approved): the replay did not.
    assert not Order.objects.exists()
    replay_lines = [r for r in caplog.records if r.name == "shop.payments.services"]
    assert [r.levelno for r in replay_lines] == [logging.INFO]
    line = replay_lines[0].getMessage()
    assert "evt_replayed" in line and "test" in line
    for personal in (ADDRESS["email"], ADDRESS["full_name"], payment.reference):
        assert personal not in caplog.text

    # The provider's next event (a new id) is acted on.
    body, headers = sign_webhook({"id": "evt_next", "type": "payment.succeeded", "reference": payment.reference})
    assert json.loads(deliver(Client(), body, headers).content) == {"result": "processed"}
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_an_event_whose_handling_failed_is_acted_on_when_the_provider_sends_it_again(client, settings):
    payment = paid_at_the_bank_with_the_tab_closed(client)
    TestProvider().authenticate(reference=payment.reference, approve=True)
    body, headers = sign_webhook({"id": "evt_retry", "type": "payment.succeeded", "reference": payment.reference})
    settings.SHOP_PAYMENT_PROVIDERS = {"test": f"{__name__}.UnreachableProvider"}

    with pytest.raises(ProviderUnavailable):
        webhook_handle(provider_name="test", body=body, headers=headers)
    unreachable = deliver(client, body, headers)
    assert unreachable.status_code == 503 and "send the event again" in json.loads(unreachable.content)["error"]
    assert not ProviderEvent.objects.exists() and not Order.objects.exists()

    settings.SHOP_PAYMENT_PROVIDERS = {"test": "shop.payments.test_provider.TestProvider"}
    assert webhook_handle(provider_name="test", body=body, headers=headers) == "processed"
    assert Order.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_copies_of_one_event_arriving_at_once_are_acted_on_once(caplog):
    payment = paid_at_the_bank_with_the_tab_closed(Client())
    TestProvider().authenticate(reference=payment.reference, approve=True)
    body, headers = sign_webhook({"id": "evt_burst", "type": "payment.succeeded", "reference": payment.reference})

    with caplog.at_level(logging.INFO, logger="shop.payments"):
        outcomes = run_at_once(lambda i: deliver(Client(), body, headers), 5)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    results = sorted(json.loads(response.content)["result"] for response in outcomes)
    assert [response.status_code for response in outcomes] == [200] * 5
    assert results == ["already processed"] * 4 + ["processed"]
    assert Order.objects.count() == 1 and ProviderEvent.objects.count() == 1


@pytest.mark.django_db
def test_remembered_event_ids_outlast_the_tolerance_and_are_purged_after_their_day():
    kept_days = declarations()["payments.ProviderEvent"].retention_days
    now = timezone.now()
    ProviderEvent.objects.create(provider="test", event_id="evt_young",
                                 received_at=now - timedelta(days=kept_days) + timedelta(minutes=1))
    ProviderEvent.objects.create(provider="test", event_id="evt_old",
                                 received_at=now - timedelta(days=kept_days) - timedelta(minutes=1))

    purged = retention_purge()

    # A replay older than the tolerance fails its signature's age check; the ids are kept far longer.
    assert kept_days * 24 * 60 * 60 > WEBHOOK_TOLERANCE_SECONDS * 10
    assert purged["payments.ProviderEvent"] == 1
    assert list(ProviderEvent.objects.values_list("event_id", flat=True)) == ["evt_young"]
