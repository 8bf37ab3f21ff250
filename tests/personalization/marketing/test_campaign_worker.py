"""Marketing e-mails through a real Celery worker on the real Redis broker: a retried or redelivered
batch sends nobody the same e-mail twice."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from personalization.marketing.campaigns import digest_campaign_start
from personalization.marketing.models import Campaign, MarketingEmail, Subscriber, SubscriberStatus
from personalization.recommendations.models import ModelVersion, ModelVersionStatus, Rail, RecommendationList
from personalization.marketing.newsletter import subscriber_subject
from personalization.marketing.tasks import send_digest_batch
from privacy.services import consent_decide
from tests.factories import ProductFactory
from tests.waiting import wait_for

FLAKY = "flaky@example.com"


class FlakyBackend(EmailBackend):
    """The test outbox behind a mail server that drops the connection at the first try for one address."""

    failures: dict[str, int] = {}

    def send_messages(self, messages):
        for message in messages:
            if FLAKY in message.to and not FlakyBackend.failures.get(FLAKY):
                FlakyBackend.failures[FLAKY] = 1
                raise smtplib.SMTPServerDisconnected("connection dropped")
        return super().send_messages(messages)


def subscriber_confirmed(email: str) -> Subscriber:
    subscriber = Subscriber.objects.create(email=email, status=SubscriberStatus.CONFIRMED, created_at=timezone.now(),
                                           confirmed_at=timezone.now())
    consent_decide(subject=subscriber_subject(subscriber), choices={"marketing": True}, source="newsletter")
    return subscriber


@pytest.mark.worker
def test_a_retried_and_a_redelivered_batch_send_each_person_one_e_mail(celery_worker, settings):
    settings.EMAIL_BACKEND = "tests.personalization.marketing.test_campaign_worker.FlakyBackend"
    FlakyBackend.failures.clear()
    mail.outbox = []
    product = ProductFactory()
    now = timezone.now()
    version = ModelVersion.objects.create(status=ModelVersionStatus.ACTIVE, started_at=now, trained_until=now)
    RecommendationList.objects.create(version=version, rail=Rail.TRENDING,
                                      items=[{"product": product.pk, "reason": "trending", "customers": 5}])
    subscribers = [subscriber_confirmed(email) for email in ("ada@example.com", FLAKY, "cy@example.com")]

    plan = digest_campaign_start(key="worker-week")  # queued after commit: to the broker, then the worker

    assert len(plan.eligible) == 3
    wait_for(lambda: MarketingEmail.objects.filter(status="sent").count() == 3, timeout=90,
             what="the three digests to be sent")
    assert FlakyBackend.failures == {FLAKY: 1}  # the first try failed; the task's retry sent it
    campaign = Campaign.objects.get(key="worker-week")
    for _ in range(2):  # the same batch delivered again (a redelivery after a lost acknowledgement)
        outcome = send_digest_batch.delay(campaign.pk, [s.pk for s in subscribers]).get(timeout=60)
        assert outcome == {"duplicate": 3}

    assert sorted(message.to[0] for message in mail.outbox) == sorted(["ada@example.com", FLAKY, "cy@example.com"])
    assert MarketingEmail.objects.count() == 3
