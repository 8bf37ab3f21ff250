"""The weekly digest and the cart reminder: only to confirmed subscribers with marketing consent in
force, once per person and campaign, with one-click unsubscribe headers and the site's reasons."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from personalization.marketing.campaigns import cart_reminders_send, digest_campaign_start
from personalization.marketing.models import Campaign, MarketingEmail, Subscriber
from personalization.recommendations.models import (
    ModelVersion,
    ModelVersionStatus,
    PreviewAuditEntry,
    Rail,
    RecommendationList,
)
from personalization.recommendations.serving import reason_text
from primitives.subjects import Subject
from privacy.disclosure import noise_source
from privacy.services import consent_decide, consent_gpc_record
from shop.cart.models import Cart, CartLine
from tests.factories import PASSWORD, OrderFactory, ProductFactory, UserFactory, verified_user
from tests.personalization.marketing.test_newsletter import (  # noqa: F401
    confirmed_subscriber,
    link_in,
    sign_up,
    sign_up_throttle_cleared,
)
from tests.fixtures import tasks_run_in_process  # noqa: F401  (autouse)
from tests.privacy.disclosure.sources import offset

pytestmark = pytest.mark.django_db

BOUNCING = "bounce@example.com"


class BouncingBackend(EmailBackend):
    """The test outbox, with a mail server that refuses one address (as SMTP does at RCPT TO)."""

    def send_messages(self, messages):
        for message in messages:
            if BOUNCING in message.to:
                raise smtplib.SMTPRecipientsRefused({BOUNCING: (550, b"no such mailbox")})
        return super().send_messages(messages)


@pytest.fixture
def serving():
    """A serving model version: a trending list for everyone, products to list."""
    lamp, mug, scarf = (ProductFactory(title=t) for t in ("White Metal Lantern", "Red <b>Mug</b>", "Wool Scarf"))
    now = timezone.now()
    version = ModelVersion.objects.create(status=ModelVersionStatus.ACTIVE, started_at=now, trained_until=now)
    RecommendationList.objects.create(version=version, rail=Rail.TRENDING, items=[
        {"product": mug.pk, "reason": "trending", "customers": 12},
        {"product": scarf.pk, "reason": "trending", "customers": 7}])
    return {"version": version, "lamp": lamp, "mug": mug, "scarf": scarf}


def for_you(serving, user, *entries) -> None:
    RecommendationList.objects.create(version=serving["version"], rail=Rail.FOR_YOU, user=user, items=list(entries))


def account_subscriber(client, user, on_commit) -> Subscriber:
    client.login(username=user.email, password=PASSWORD)
    with on_commit(execute=True):
        client.post("/newsletter/")
    client.post(link_in(mail.outbox[-1]))
    client.logout()
    mail.outbox.clear()
    return Subscriber.objects.get(user=user)


@pytest.fixture
def digest(django_capture_on_commit_callbacks):
    """`send_digest --campaign KEY` as the scheduler or a merchant runs it; its queued batches run."""
    def run(key: str = "week-1"):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_digest", "--campaign", key, stdout=open("/dev/null", "w"))
    return run


def test_the_digest_carries_each_persons_recommendations_with_the_sites_reasons_and_unsubscribe_headers(
        digest, client, serving, django_capture_on_commit_callbacks, settings):
    settings.SHOP_MARKETING_FROM_EMAIL = "Attuned news <news@shop.test>"
    ada = verified_user()
    consent_decide(subject=Subject.for_user(ada), choices={"personalization": True}, source="settings")
    entry = {"product": serving["lamp"].pk, "reason": "because_you_bought", "about": serving["scarf"].pk,
             "about_title": "Wool Scarf"}
    for_you(serving, ada, entry)
    account_subscriber(client, ada, django_capture_on_commit_callbacks)
    confirmed_subscriber(client, "bob@example.com", django_capture_on_commit_callbacks)

    digest()

    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == sorted([ada.email, "bob@example.com"])
    personal, trending = by_address[ada.email], by_address["bob@example.com"]
    assert "White Metal Lantern" in personal.body and reason_text(entry) in personal.body
    assert "Because you bought Wool Scarf" in personal.body
    assert "Red <b>Mug</b>" in trending.body and "Popular: bought by about 12 customers" in trending.body
    html = dict((mime, content) for content, mime in [(c, m) for c, m in trending.alternatives])["text/html"]
    assert "Red &lt;b&gt;Mug&lt;/b&gt;" in html and "<b>Mug" not in html
    for message in (personal, trending):
        assert message.from_email == "Attuned news <news@shop.test>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert link.startswith("http://127.0.0.1:8000/newsletter/unsubscribe/") and link in message.body
    assert MarketingEmail.objects.filter(status="sent").count() == 2


def test_after_one_post_to_the_list_unsubscribe_url_the_person_receives_nothing_more(
        digest, client, serving, django_capture_on_commit_callbacks):
    confirmed_subscriber(client, "bob@example.com", django_capture_on_commit_callbacks)
    digest("week-1")
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:8000", "")

    assert Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200
    mail.outbox.clear()
    with pytest.raises(CommandError, match="no eligible recipients"):
        digest("week-2")
    assert not mail.outbox


def test_no_marketing_without_confirmed_consent_with_a_gpc_refusal_or_after_a_withdrawal(
        digest, client, serving, django_capture_on_commit_callbacks):
    sign_up(client, "pending@example.com", django_capture_on_commit_callbacks)  # never confirmed
    withdrawn = verified_user()
    account_subscriber(client, withdrawn, django_capture_on_commit_callbacks)
    consent_decide(subject=Subject.for_user(withdrawn), choices={"marketing": False}, source="settings")
    gpc_after = verified_user()
    account_subscriber(client, gpc_after, django_capture_on_commit_callbacks)
    consent_gpc_record(subject=Subject.for_user(gpc_after))  # the browser's refusal, after the opt-in
    banner_only = verified_user()  # marketing consent from the banner, never a confirmed subscription
    consent_decide(subject=Subject.for_user(banner_only), choices={"marketing": True}, source="banner")
    mail.outbox.clear()

    with pytest.raises(CommandError, match="no eligible recipients"):
        digest()
    assert not mail.outbox
    assert not MarketingEmail.objects.exists()


def test_a_gpc_refusal_blocks_marketing_until_the_person_explicitly_opts_in_later(
        digest, client, serving, django_capture_on_commit_callbacks):
    user = verified_user()
    consent_gpc_record(subject=Subject.for_user(user))
    client.login(username=user.email, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/newsletter/")
    [confirmation] = mail.outbox
    with pytest.raises(CommandError):
        digest("before")  # signed up, not yet confirmed: the GPC refusal stands
    client.post(link_in(confirmation))  # the explicit opt-in, later than the signal
    mail.outbox.clear()

    digest("after")

    assert [m.to for m in mail.outbox] == [[user.email]]


def test_a_campaign_key_reaches_a_person_once_and_a_new_key_again(digest, client, serving,
                                                                  django_capture_on_commit_callbacks):
    confirmed_subscriber(client, "bob@example.com", django_capture_on_commit_callbacks)
    digest("week-1")
    with pytest.raises(CommandError, match="no eligible recipients"):
        digest("week-1")
    assert len(mail.outbox) == 1
    confirmed_subscriber(client, "cy@example.com", django_capture_on_commit_callbacks)
    digest("week-1")  # only the new subscriber
    assert [m.to for m in mail.outbox] == [["cy@example.com"]]
    mail.outbox.clear()
    digest("week-2")
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.com", "cy@example.com"]
    campaign = Campaign.objects.get(key="week-1")
    assert campaign.counts["eligible"] == 2 and campaign.emails.filter(status="sent").count() == 2


def test_a_redelivered_batch_sends_nothing_twice(digest, client, serving, django_capture_on_commit_callbacks):
    from personalization.marketing.tasks import send_digest_batch

    subscriber = confirmed_subscriber(client, "bob@example.com", django_capture_on_commit_callbacks)
    digest("week-1")
    campaign = Campaign.objects.get(key="week-1")

    outcome = send_digest_batch.apply(args=[campaign.pk, [subscriber.pk]]).get()

    assert outcome == {"duplicate": 1}
    assert len(mail.outbox) == 1


def test_a_bounce_is_recorded_reported_and_not_retried(digest, client, serving, django_capture_on_commit_callbacks,
                                                        settings):
    confirmed_subscriber(client, BOUNCING, django_capture_on_commit_callbacks)  # the mailbox went away since
    confirmed_subscriber(client, "bob@example.com", django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = "tests.personalization.marketing.test_digest.BouncingBackend"

    digest("week-1")

    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    assert sorted(MarketingEmail.objects.values_list("status", flat=True)) == ["bounced", "sent"]
    with pytest.raises(CommandError):
        digest("week-1")
    assert len(mail.outbox) == 1


def test_a_confirmation_refused_at_smtp_leaves_the_subscription_unconfirmed(
        client, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "tests.personalization.marketing.test_digest.BouncingBackend"
    response = sign_up(client, BOUNCING, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and not mail.outbox
    assert Subscriber.objects.get().status == "pending"


def test_a_dry_run_sends_and_writes_nothing(client, serving, django_capture_on_commit_callbacks, capsys):
    confirmed_subscriber(client, "bob@example.com", django_capture_on_commit_callbacks)
    call_command("send_digest", "--campaign", "week-1", "--dry-run")
    assert "1 would receive the digest" in capsys.readouterr().out
    assert not mail.outbox and not Campaign.objects.exists() and not MarketingEmail.objects.exists()


def test_no_eligible_recipients_and_bad_keys_are_clear_errors(digest, serving):
    with pytest.raises(CommandError, match="no eligible recipients; nothing sent"):
        digest()
    with pytest.raises(CommandError, match="printable characters"):
        digest("a:b")
    Campaign.objects.create(key="carts", kind="cart_reminder", created_at=timezone.now(), updated_at=timezone.now())
    with pytest.raises(CommandError, match="belongs to"):
        digest("carts")


def test_the_default_key_is_the_iso_week(client, serving, django_capture_on_commit_callbacks):
    confirmed_subscriber(client, "bob@example.com", django_capture_on_commit_callbacks)
    plan = digest_campaign_start()
    year, week, _ = timezone.now().isocalendar()
    assert plan.key == f"digest-{year}-W{week:02d}"


def cart_of(user, product, *, hours_ago: float) -> Cart:
    cart = Cart.objects.create(user=user)
    CartLine.objects.create(cart=cart, variant=product.variants.get(), quantity=1)
    then = timezone.now() - timedelta(hours=hours_ago)
    Cart.objects.filter(pk=cart.pk).update(updated_at=then)
    CartLine.objects.filter(cart=cart).update(added_at=then)
    return cart


def test_a_cart_reminder_goes_once_per_cart_after_the_delay_and_never_after_the_order(
        digest, client, serving, django_capture_on_commit_callbacks, settings):
    settings.MARKETING_CART_REMINDER_DELAY_HOURS = 24
    waiting, ordered, recent, stranger = verified_user(), verified_user(), verified_user(), UserFactory()
    for user in (waiting, ordered, recent):
        account_subscriber(client, user, django_capture_on_commit_callbacks)
    cart_of(waiting, serving["lamp"], hours_ago=30)
    cart_of(ordered, serving["lamp"], hours_ago=30)
    OrderFactory(user=ordered, placed_at=timezone.now() - timedelta(hours=2))
    cart_of(recent, serving["lamp"], hours_ago=2)
    cart_of(stranger, serving["lamp"], hours_ago=30)  # not a subscriber

    first = cart_reminders_send()
    second = cart_reminders_send()

    assert [m.to for m in mail.outbox] == [[waiting.email]]
    [reminder] = mail.outbox
    assert "White Metal Lantern" in reminder.body and "/cart/" in reminder.body
    assert reminder.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["sent"] == 1 and first["ordered since the cart was filled"] == 1
    assert second == {"duplicate": 1, "ordered since the cart was filled": 1}


def test_the_admin_shows_campaign_counts_and_an_audited_digest_preview(
        digest, admin_client, admin_user, client, serving, django_capture_on_commit_callbacks):
    confirmed_subscriber(client, "bob@example.com", django_capture_on_commit_callbacks)
    sign_up(client, "pending@example.com", django_capture_on_commit_callbacks)
    digest("week-1")

    with noise_source(offset(2)):  # counts of people are released with noise: here a known +2
        page = admin_client.get("/admin/marketing/campaign/").content.decode()
    assert "week-1" in page and "subscription not confirmed: 3" in page
    assert "released once a week with noise added" in page

    refused = admin_client.post("/admin/marketing/campaign/preview/", {"customer": "pending@example.com"})
    assert refused.status_code == 400 and not PreviewAuditEntry.objects.exists()
    shown = admin_client.post("/admin/marketing/campaign/preview/", {"customer": "bob@example.com"})
    assert shown.status_code == 200
    assert "Red &lt;b&gt;Mug&lt;/b&gt;" in shown.content.decode()
    [entry] = PreviewAuditEntry.objects.all()
    assert entry.staff == admin_user and "bob" not in entry.customer_pseudonym


def test_working_out_a_campaign_costs_the_same_queries_for_many_subscribers_and_products(
        client, serving, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    for n in range(3):
        confirmed_subscriber(client, f"first{n}@example.com", django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(7):
        assert len(digest_campaign_start(key="few", dry_run=True).eligible) == 3
    for n in range(30):
        ProductFactory()
        client.defaults["REMOTE_ADDR"] = f"192.0.2.{n + 1}"  # 33 people, not one connection
        confirmed_subscriber(client, f"more{n}@example.com", django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(7):
        assert len(digest_campaign_start(key="many", dry_run=True).eligible) == 33


def test_order_e_mails_stay_transactional_for_a_subscriber(client, serving, django_capture_on_commit_callbacks,
                                                           settings):
    from shop.orders.emails import order_email_build
    from tests.factories import order_line_create

    settings.SHOP_MARKETING_FROM_EMAIL = "Attuned news <news@shop.test>"
    user = verified_user()
    account_subscriber(client, user, django_capture_on_commit_callbacks)
    order = OrderFactory(user=user)
    order_line_create(order=order, product=serving["lamp"])

    message = order_email_build(order=order, kind="confirmation", base_url="http://shop.test")

    assert message.from_email == settings.SHOP_TRANSACTIONAL_FROM_EMAIL != settings.SHOP_MARKETING_FROM_EMAIL
    assert "List-Unsubscribe" not in message.extra_headers
    assert "/newsletter/" not in message.body
    for entry in ("Red <b>Mug</b>", "Wool Scarf", "Popular"):
        assert entry not in message.body


def test_the_send_log_is_exported_and_erased_with_the_person(digest, client, serving,
                                                              django_capture_on_commit_callbacks):
    from privacy.erasure import subject_erase
    from privacy.export import export_document
    from privacy.reach import identity_for_user, identity_with_linked_keys

    user = verified_user()
    account_subscriber(client, user, django_capture_on_commit_callbacks)
    digest("week-1")
    identity = identity_with_linked_keys(identity_for_user(user_id=user.pk))

    sections = export_document(identity=identity, pseudonym="p")["sections"]
    [row] = sections["marketing.MarketingEmail"]["rows"]
    assert "week-1" in str(row) and "sent" in str(row)
    assert len(sections["marketing.Subscriber"]["rows"]) == 1

    subject_erase(identity=identity)
    assert not MarketingEmail.objects.exists() and not Subscriber.objects.exists()
    assert Campaign.objects.get(key="week-1").counts["eligible"] == 1  # counts name nobody and stay


def test_the_scheduled_jobs_run_without_beat(client, serving, django_capture_on_commit_callbacks, capsys):
    confirmed_subscriber(client, "bob@example.com", django_capture_on_commit_callbacks)
    call_command("run_scheduled_jobs", "--list")
    listed = capsys.readouterr().out
    for job in ("compute-customer-segments", "send-weekly-digest", "send-cart-reminders"):
        assert job in listed

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduled_jobs", "compute-customer-segments", "send-weekly-digest", "send-cart-reminders")

    assert [m.to for m in mail.outbox] == [["bob@example.com"]]


def test_a_send_interrupted_mid_way_is_never_repeated_and_is_reported(
        digest, admin_client, client, serving, django_capture_on_commit_callbacks):
    from personalization.marketing.tasks import send_digest_batch

    subscriber = confirmed_subscriber(client, "bob@example.com", django_capture_on_commit_callbacks)
    campaign = Campaign.objects.create(key="week-1", kind="digest", created_at=timezone.now(),
                                       updated_at=timezone.now(), counts={"eligible": 1})
    # A worker wrote the key, called the mail server and died before recording the answer.
    MarketingEmail.objects.create(subscriber=subscriber, campaign=campaign, key=f"week-1:{subscriber.pk}",
                                  status="sending", created_at=timezone.now())

    assert send_digest_batch.apply(args=[campaign.pk, [subscriber.pk]]).get() == {"duplicate": 1}
    assert not mail.outbox
    with noise_source(offset(2)):  # counts of people are released with noise: here a known +2
        page = admin_client.get("/admin/marketing/campaign/").content.decode()
    assert '<td class="field-interrupted">3</td>' in page
