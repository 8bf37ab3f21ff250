"""The newsletter's, the digest's and the segments' guards, each shown by what a person would notice.

- An old confirmation e-mail's link never confirms a later sign-up of the same address.
- A digest batch checks the subscription again when it sends: someone who unsubscribed after the
  campaign was planned gets nothing, even with marketing consent given again elsewhere.
- SEGMENT_MIN_SIZE, as the settings read it from the environment: a group of exactly that many
  customers is kept, shown to the merchant and priced; one fewer is none of these.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from personalization.marketing.campaigns import SKIP_NOT_CONFIRMED, digest_campaign_start
from personalization.marketing.models import Campaign, MarketingEmail, Subscriber, SubscriberStatus
from personalization.segments.models import SegmentDiscount, SegmentMembership
from personalization.marketing.links import unsubscribe_url
from personalization.marketing.newsletter import RESEND_AFTER
from personalization.segments.segmentation import segments_compute
from primitives.subjects import Subject
from privacy.disclosure import noise_source
from privacy.models import ConsentRecord
from privacy.services import consent_decide
from tests.factories import ProductFactory, UserFactory, verified_user
from tests.personalization.marketing.test_digest import account_subscriber, serving  # noqa: F401  (fixture)
from tests.personalization.marketing.test_newsletter import (  # noqa: F401  (sign_up_throttle_cleared: autouse)
    link_in,
    sign_up,
    sign_up_throttle_cleared,
)
from tests.personalization.segments.test_segments import customers
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)
from tests.privacy.disclosure.sources import offset

pytestmark = pytest.mark.django_db


# --- An old confirmation link and a later sign-up ------------------------------------------------

def confirmation_sent_earlier(subscriber: Subscriber, *, by: timedelta) -> None:
    """As if the last confirmation e-mail went out `by` ago (signing up again sends a new one after RESEND_AFTER)."""
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=timezone.now() - by)


def test_the_first_mails_link_does_not_confirm_a_lapsed_sign_up_made_again(
        client, django_capture_on_commit_callbacks):
    sign_up(client, "ada@example.com", django_capture_on_commit_callbacks)
    first_link = link_in(mail.outbox[0])
    # She never confirmed; later she signs up again and a second e-mail goes out.
    confirmation_sent_earlier(Subscriber.objects.get(), by=RESEND_AFTER + timedelta(minutes=1))
    sign_up(client, "ada@example.com", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    second_link = link_in(mail.outbox[1])
    assert second_link != first_link

    old = client.post(first_link)

    assert old.status_code == 400
    assert "replaced by a newer one" in old.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    assert not ConsentRecord.objects.exists()
    assert b"You are subscribed" in client.post(second_link).content
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED


def test_the_first_mails_link_does_not_confirm_a_sign_up_made_again_after_unsubscribing(
        client, django_capture_on_commit_callbacks):
    sign_up(client, "ada@example.com", django_capture_on_commit_callbacks)
    first_link = link_in(mail.outbox[0])
    assert b"You are subscribed" in client.post(first_link).content
    subscriber = Subscriber.objects.get()
    assert post_link(client, unsubscribe_url(subscriber)).status_code == 200
    confirmation_sent_earlier(subscriber, by=RESEND_AFTER + timedelta(minutes=1))
    sign_up(client, "ada@example.com", django_capture_on_commit_callbacks)
    second_link = link_in(mail.outbox[-1])
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING

    assert client.post(first_link).status_code == 400
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    assert ConsentRecord.objects.filter(purpose="marketing", granted=True).count() == 1  # the first confirmation
    assert b"You are subscribed" in client.post(second_link).content


# --- A digest batch and a subscriber who left after it was planned --------------------------------

@pytest.mark.parametrize("marketing_given_again", [False, True])
def test_a_digest_batch_sends_nothing_to_someone_who_unsubscribed_after_it_was_planned(
        client, serving, django_capture_on_commit_callbacks, marketing_given_again):  # noqa: F811
    ada = account_subscriber(client, verified_user(email="ada@example.com"), django_capture_on_commit_callbacks)
    bob = account_subscriber(client, verified_user(email="bob@example.com"), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks() as queued_batches:
        plan = digest_campaign_start(key="week-1")
    assert sorted(plan.eligible) == sorted([ada.pk, bob.pk]) and queued_batches

    # Between planning and sending, Ada unsubscribes with the link every marketing e-mail carries ...
    assert post_link(client, unsubscribe_url(ada)).status_code == 200
    if marketing_given_again:
        # ... and then allows marketing in her account's settings: her consent is in force again, but
        # she never subscribed again, so the subscription alone must stop the send.
        consent_decide(subject=Subject(user_id=ada.user_id), choices={"marketing": True}, source="settings")
    for send_batch in queued_batches:
        send_batch()

    assert [message.to for message in mail.outbox] == [["bob@example.com"]]
    assert not MarketingEmail.objects.filter(subscriber=ada).exists()
    counts = Campaign.objects.get(key="week-1").counts
    assert counts["skipped_at_send"] == {SKIP_NOT_CONFIRMED: 1}


def post_link(client, url: str):
    """Post to an absolute link from an e-mail, as the mail client's one-click does."""
    return client.post(url.replace(settings.SHOP_BASE_URL.rstrip("/"), ""))


# --- SEGMENT_MIN_SIZE at its boundary --------------------------------------------------------------

DISCOUNT_REASON = "Welcome to our newest customers"


def min_size() -> int:
    """The minimum as production reads it: from the environment, through the settings (no override here)."""
    from config.settings import base

    assert settings.SEGMENT_MIN_SIZE == base.SEGMENT_MIN_SIZE
    return settings.SEGMENT_MIN_SIZE


def merchant_sees_segments(client) -> str:
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="segments",
                                                         codename="view_segmentrun"))
    client.force_login(staff)
    with noise_source(offset(0)):  # the released sizes, without noise: the guard is what is tested here
        page = client.get(reverse("admin:segments_segmentrun_changelist"))
    assert page.status_code == 200
    client.logout()
    return page.content.decode()


def price_page_of(client, customer, product) -> str:
    client.force_login(customer)
    html = client.get(reverse("storefront:product", args=[product.slug])).content.decode()
    client.logout()
    return html


def new_customers(count: int) -> list:
    """Customers with one recent order each: the segment named "new" when they are a group of their own."""
    return customers(count, orders=1, days_ago=2, total="25.00")


def loyal_customers(count: int) -> list:
    return customers(count, orders=8, days_ago=3, total="40.00")


@pytest.mark.parametrize("newcomers", ["exactly the minimum", "one fewer"])
def test_a_segment_of_exactly_the_minimum_is_kept_shown_and_priced_and_one_fewer_is_not(client, newcomers):
    size = min_size() if newcomers == "exactly the minimum" else min_size() - 1
    lamp = ProductFactory(title="Brass lamp", price=Decimal("40.00"))
    SegmentDiscount.objects.create(segment="new", percent=Decimal(10), reason=DISCOUNT_REASON)
    newcomer = new_customers(size)[0]

    run = segments_compute()

    kept = newcomers == "exactly the minimum"
    assert run.customers == size
    assert SegmentMembership.objects.filter(run=run, segment="new").count() == (size if kept else 0)
    assert (f"new ({size})" in merchant_sees_segments(client)) is kept
    page = price_page_of(client, newcomer, lamp)
    assert ("£36.00" in page and DISCOUNT_REASON in page) is kept
    if not kept:
        assert "none reported" in merchant_sees_segments(client) and "£40.00" in page


@pytest.mark.parametrize("newcomers", ["exactly the minimum", "one fewer"])
def test_a_group_one_short_of_the_minimum_is_merged_into_another_not_kept_shown_or_priced(client, newcomers):
    size = min_size() if newcomers == "exactly the minimum" else min_size() - 1
    lamp = ProductFactory(title="Brass lamp", price=Decimal("40.00"))
    SegmentDiscount.objects.create(segment="new", percent=Decimal(10), reason=DISCOUNT_REASON)
    # Together exactly twice the minimum, so two clusters may be tried and the newcomers form one.
    loyal_customers(2 * min_size() - size)
    newcomer = new_customers(size)[0]

    run = segments_compute()

    kept = newcomers == "exactly the minimum"
    reported = {segment["name"]: segment["size"] for segment in run.segments}
    assert reported.get("new") == (size if kept else None)
    assert all(n >= min_size() for n in reported.values())
    assert SegmentMembership.objects.filter(run=run, segment="new").count() == (size if kept else 0)
    assert (f"new ({size})" in merchant_sees_segments(client)) is kept
    page = price_page_of(client, newcomer, lamp)
    assert ("£36.00" in page and DISCOUNT_REASON in page) is kept
