"""Marketing campaigns: who may receive one, what their digest holds, and sending each e-mail once.

Nobody receives a marketing e-mail without a confirmed subscription and marketing consent
in force (checked when the campaign starts and again just before each send, in bulk:
a GPC refusal or a withdrawal recorded in between stops it). Each e-mail has a key per
person and campaign, written before the mail server is called, so a retried or
redelivered batch sends nothing twice.
"""

from __future__ import annotations

import logging
import smtplib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from personalization.recommendations.models import Rail
from personalization.recommendations.selectors import serving_for_you_lists, serving_trending_list
from personalization.recommendations.serving import reason_text
from privacy.purposes import MARKETING, PERSONALIZATION
from privacy.selectors import consenting_subjects
from shop.cart.selectors import carts_idle_of_accounts
from shop.catalog.models import Product
from shop.orders.selectors import latest_order_times
from shop.pricing import PriceStrategy, price_strategies_for_customers, price_strategy_for_customer

from .mail import marketing_build
from .models import Campaign, CampaignKind, MarketingEmail, MarketingEmailStatus, Subscriber, SubscriberStatus

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
PLAN_CHUNK = 2000
DIGEST_ITEMS = 6
CART_REMINDER_WINDOW = timedelta(days=7)  # carts idle longer than this get no reminder

SKIP_NOT_CONFIRMED = "subscription not confirmed"
SKIP_UNSUBSCRIBED = "unsubscribed"
SKIP_NO_CONSENT = "no marketing consent in force (withdrawn, GPC or expired)"
SKIP_ALREADY_SENT = "already received this campaign"
SKIP_NOTHING_TO_SHOW = "nothing to recommend"
SKIP_ORDERED = "ordered since the cart was filled"


class CampaignError(ValueError):
    """A campaign that cannot start as asked (a key of another kind)."""


def digest_campaign_key(now: datetime | None = None) -> str:
    """The default key of a digest: its ISO week, e.g. "digest-2026-W48"."""
    year, week, _ = (now or timezone.now()).isocalendar()
    return f"digest-{year}-W{week:02d}"


def email_key(campaign_key: str, subscriber_id: int) -> str:
    return f"{campaign_key}:{subscriber_id}"


def marketing_consenting(subscribers: Iterable[Subscriber]) -> set[int]:
    """Ids of the subscribers whose marketing consent is in force now (one query for all)."""
    users, visitors = consenting_subjects(purpose=MARKETING)
    return {s.pk for s in subscribers
            if (s.user_id in users if s.user_id is not None else s.consent_key in visitors)}


def digest_entries(subscribers: Iterable[Subscriber]) -> dict[int, list[tuple[str, dict]]]:
    """Each subscriber's digest: (rail, stored entry) pairs, best first, of published products.

    "For you" from the serving version for account holders with personalization consent
    and a list; trending for everyone else. Three queries, whatever the number of subscribers.
    """
    subscribers = list(subscribers)
    personal_users, _ = consenting_subjects(purpose=PERSONALIZATION)
    wanted_users = [s.user_id for s in subscribers if s.user_id in personal_users]
    for_you = serving_for_you_lists(user_ids=wanted_users)
    trending = serving_trending_list()
    chosen = {s.pk: ((Rail.FOR_YOU, for_you[s.user_id]) if for_you.get(s.user_id) else (Rail.TRENDING, trending))
              for s in subscribers}
    wanted_products = {e.get("product") for _, entries in chosen.values() for e in entries if isinstance(e, dict)}
    published = set(Product.objects.published().filter(pk__in=wanted_products).values_list("pk", flat=True))
    return {pk: [(rail, e) for e in entries if isinstance(e, dict) and e.get("product") in published][:DIGEST_ITEMS]
            for pk, (rail, entries) in chosen.items()}


@dataclass
class CampaignPlan:
    key: str
    campaign: Campaign | None
    eligible: list[int] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)


def _digest_plan(key: str) -> CampaignPlan:
    plan = CampaignPlan(key=key, campaign=None)
    subscribers = list(Subscriber.objects.order_by("pk"))
    consenting = marketing_consenting(subscribers)
    already = set(MarketingEmail.objects.filter(campaign__key=key).values_list("subscriber_id", flat=True))
    candidates = []
    for subscriber in subscribers:
        if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
            plan.skipped[SKIP_UNSUBSCRIBED] += 1
        elif subscriber.status != SubscriberStatus.CONFIRMED:
            plan.skipped[SKIP_NOT_CONFIRMED] += 1
        elif subscriber.pk not in consenting:
            plan.skipped[SKIP_NO_CONSENT] += 1
        elif subscriber.pk in already:
            plan.skipped[SKIP_ALREADY_SENT] += 1
        else:
            candidates.append(subscriber)
    for start in range(0, len(candidates), PLAN_CHUNK):  # bounded memory and query parameters
        chunk = candidates[start:start + PLAN_CHUNK]
        entries = digest_entries(chunk)
        for subscriber in chunk:
            if entries.get(subscriber.pk):
                plan.eligible.append(subscriber.pk)
            else:
                plan.skipped[SKIP_NOTHING_TO_SHOW] += 1
    return plan


def digest_campaign_start(*, key: str | None = None, dry_run: bool = False) -> CampaignPlan:
    """Work out who receives the digest `key` (default: this ISO week's) and queue their sends.

    Guarantees: a dry run writes and sends nothing; otherwise the campaign's counts are
    stored and batches of subscriber ids are queued after commit (Celery, rate-limited);
    a key that already reached someone never reaches them again, so running it twice sends
    only to those the first run did not reach.
    """
    key = key or digest_campaign_key()
    existing = Campaign.objects.filter(key=key).first()
    if existing is not None and existing.kind != CampaignKind.DIGEST:
        raise CampaignError(f"The campaign key {key!r} belongs to a {existing.get_kind_display().lower()}.")
    plan = _digest_plan(key)
    if dry_run:
        plan.campaign = existing
        return plan
    now = timezone.now()
    with transaction.atomic():
        campaign, _ = Campaign.objects.select_for_update().get_or_create(
            key=key, defaults={"kind": CampaignKind.DIGEST, "created_at": now, "updated_at": now})
        counts = dict(campaign.counts)
        counts["eligible"] = counts.get("eligible", 0) + len(plan.eligible)
        # Who has not had it, and why, as of this run (those who had it are counted as sent).
        counts["skipped"] = {reason: n for reason, n in plan.skipped.items() if reason != SKIP_ALREADY_SENT}
        campaign.counts, campaign.updated_at = counts, now
        campaign.save(update_fields=["counts", "updated_at"])
        batches = [plan.eligible[i:i + BATCH_SIZE] for i in range(0, len(plan.eligible), BATCH_SIZE)]
        for batch in batches:
            transaction.on_commit(lambda batch=batch: send_digest_batch.delay(campaign.pk, batch))
    plan.campaign = campaign
    logger.info("Digest campaign %s: %d eligible, %d batches queued.", campaign.pk, len(plan.eligible),
                len(batches))
    return plan


def _send_once(*, subscriber: Subscriber, campaign: Campaign, key: str, product_ids: list[int],
               build: Callable, connection) -> str:
    """Send one e-mail unless its key was used; returns the outcome ("sent", "bounced" or "duplicate").

    The key is written before the mail server is called. A server that refuses the
    address or the message for good (5xx) marks the e-mail bounced (no retry); a server
    that cannot be reached or answers "try later" (4xx) removes the key again and raises,
    so the task's retry sends it (nothing went out).
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            row = MarketingEmail.objects.create(subscriber=subscriber, campaign=campaign, key=key,
                                                status=MarketingEmailStatus.SENDING, created_at=now,
                                                products=product_ids)
    except IntegrityError:
        return "duplicate"
    message = build()
    try:
        connection.send_messages([message])
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
        if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code < 500:
            MarketingEmail.objects.filter(pk=row.pk).delete()
            raise  # 4xx: the server asks us to try later; the task's retry sends it
        # Refused for good (an unknown mailbox, a 5xx): recorded, reported, never retried.
        MarketingEmail.objects.filter(pk=row.pk).update(status=MarketingEmailStatus.BOUNCED)
        logger.warning("Marketing e-mail %s refused by the mail server.", row.pk)
        return "bounced"
    except (smtplib.SMTPException, OSError):
        MarketingEmail.objects.filter(pk=row.pk).delete()
        raise
    MarketingEmail.objects.filter(pk=row.pk).update(status=MarketingEmailStatus.SENT, sent_at=timezone.now())
    return "sent"


def _counts_add(campaign_id: int, outcome: Counter, *, eligible: int = 0) -> None:
    if not outcome and not eligible:
        return
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        counts = dict(campaign.counts)
        counts["eligible"] = counts.get("eligible", 0) + eligible
        at_send = Counter(counts.get("skipped_at_send", {}))
        at_send.update({k: v for k, v in outcome.items() if k not in ("sent", "bounced", "duplicate")})
        counts["skipped_at_send"] = dict(at_send)
        campaign.counts, campaign.updated_at = counts, timezone.now()
        campaign.save(update_fields=["counts", "updated_at"])


def digest_items(entries: list[tuple[str, dict]], products: dict[int, Product],
                 strategy: PriceStrategy | None = None) -> list[dict]:
    """The digest's products, each priced as the reader would see it in the shop now (`strategy`:
    `price_strategy_for_customer` of the subscriber's account; the public price without one)."""
    base = settings.SHOP_BASE_URL.rstrip("/")
    strategy = strategy or price_strategy_for_customer(None)
    items = []
    for _, e in entries:
        product = products.get(e["product"])
        if product is None:
            continue
        quote = strategy.product_quote(product)
        items.append({"title": product.title, "url": base + product.get_absolute_url(), "price": quote.amount,
                      "quote": quote, "reason": reason_text(e)})
    return items


def digest_batch_send(*, campaign_id: int, subscriber_ids: list[int]) -> Counter:
    """Send the digest to these subscribers, each at most once; returns outcomes by kind.

    Consent and subscription are checked again here, in bulk, just before sending.
    """
    campaign = Campaign.objects.get(pk=campaign_id)
    subscribers = list(Subscriber.objects.filter(pk__in=subscriber_ids).select_related("user").order_by("pk"))
    outcome: Counter = Counter()
    confirmed = [s for s in subscribers if s.status == SubscriberStatus.CONFIRMED]
    if len(confirmed) < len(subscribers):
        outcome[SKIP_NOT_CONFIRMED] += len(subscribers) - len(confirmed)
    consenting = marketing_consenting(confirmed)
    entries = digest_entries([s for s in confirmed if s.pk in consenting])
    products = Product.objects.in_bulk({e["product"] for found in entries.values() for _, e in found})
    subject = f"{settings.SHOP_NAME}: picked for you this week"
    strategies = price_strategies_for_customers(s.user for s in confirmed if s.pk in consenting)
    public = price_strategy_for_customer(None)
    connection = get_connection()
    with connection:
        for subscriber in confirmed:
            if subscriber.pk not in consenting:
                outcome[SKIP_NO_CONSENT] += 1
                continue
            items = digest_items(entries.get(subscriber.pk, []), products,
                                 strategies.get(subscriber.user_id, public))
            if not items:
                outcome[SKIP_NOTHING_TO_SHOW] += 1
                continue
            personal = entries[subscriber.pk][0][0] == Rail.FOR_YOU
            outcome[_send_once(
                subscriber=subscriber, campaign=campaign, key=email_key(campaign.key, subscriber.pk),
                product_ids=[e["product"] for _, e in entries[subscriber.pk]], connection=connection,
                build=lambda subscriber=subscriber, items=items, personal=personal: marketing_build(
                    subscriber=subscriber, subject=subject, template="digest",
                    context={"items": items, "personal": personal}),
            )] += 1
    _counts_add(campaign_id, outcome)
    logger.info("Digest campaign %s batch: %s", campaign_id, dict(outcome))
    return outcome


# Queued by digest_campaign_start after its commit, one batch of subscriber ids each.
SENDING_TASK = {"acks_late": True, "reject_on_worker_lost": True, "rate_limit": settings.MARKETING_SEND_RATE_LIMIT}


@shared_task(**SENDING_TASK)
def send_digest_batch(campaign_id: int, subscriber_ids: list[int]) -> dict:
    """Send one batch of a digest campaign; a redelivery sends nobody's e-mail twice."""
    return dict(digest_batch_send(campaign_id=campaign_id, subscriber_ids=subscriber_ids))


def digest_preview(*, subscriber: Subscriber) -> dict:
    """What the digest would hold for `subscriber` now (for the merchant's audited preview): no send."""
    entries = digest_entries([subscriber]).get(subscriber.pk, [])
    products = Product.objects.in_bulk({e["product"] for _, e in entries})
    return {"items": digest_items(entries, products, price_strategy_for_customer(subscriber.user)),
            "personal": bool(entries) and entries[0][0] == Rail.FOR_YOU}


def cart_reminder_campaign_key(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"cart-reminders-{year}-W{week:02d}"


def cart_reminders_send(*, now: datetime | None = None) -> Counter:
    """Remind account holders with a confirmed subscription and marketing consent of a cart left
    for MARKETING_CART_REMINDER_DELAY_HOURS; returns outcomes by kind.

    Guarantees: one reminder per cart (the key names the cart and when its oldest line was
    added, so a cart emptied by an order and filled again is a new cart); none once the
    person has ordered since the cart was filled; none for carts idle longer than a week.
    """
    now = now or timezone.now()
    idle_since = now - timedelta(hours=settings.MARKETING_CART_REMINDER_DELAY_HOURS)
    carts = carts_idle_of_accounts(idle_since=idle_since, not_before=idle_since - CART_REMINDER_WINDOW)
    outcome: Counter = Counter()
    if not carts:
        return outcome
    ordered = latest_order_times(user_ids=[c.user_id for c in carts])
    subscribers = {s.user_id: s for s in Subscriber.objects.filter(user_id__in=[c.user_id for c in carts],
                                                                   status=SubscriberStatus.CONFIRMED)
                   .select_related("user")}
    consenting = marketing_consenting(subscribers.values())
    products = Product.objects.published().in_bulk({p for c in carts for p in c.product_ids})
    key = cart_reminder_campaign_key(now)
    campaign, _ = Campaign.objects.get_or_create(key=key, defaults={"kind": CampaignKind.CART_REMINDER,
                                                                    "created_at": now, "updated_at": now})
    base = settings.SHOP_BASE_URL.rstrip("/")
    strategies = price_strategies_for_customers(s.user for s in subscribers.values() if s.pk in consenting)
    connection = get_connection()
    with connection:
        for cart in carts:
            subscriber = subscribers.get(cart.user_id)
            if subscriber is None:
                continue  # not a subscriber: not counted, nothing to say about them
            if subscriber.pk not in consenting:
                outcome[SKIP_NO_CONSENT] += 1
                continue
            if ordered.get(cart.user_id) and ordered[cart.user_id] >= cart.first_added_at:
                outcome[SKIP_ORDERED] += 1
                continue
            strategy = strategies[subscriber.user_id]  # what they would pay in the shop now
            quotes = {p: strategy.product_quote(products[p]) for p in cart.product_ids if p in products}
            items = [{"title": products[p].title, "url": base + products[p].get_absolute_url(),
                      "price": quote.amount, "quote": quote} for p, quote in quotes.items()]
            if not items:
                outcome[SKIP_NOTHING_TO_SHOW] += 1
                continue
            outcome[_send_once(
                subscriber=subscriber, campaign=campaign,
                key=f"cart:{cart.cart_id}:{int(cart.first_added_at.timestamp())}",
                product_ids=[p for p in cart.product_ids if p in products], connection=connection,
                build=lambda subscriber=subscriber, items=items: marketing_build(
                    subscriber=subscriber, subject=f"{settings.SHOP_NAME}: your cart is waiting",
                    template="cart_reminder",
                    context={"items": items, "cart_url": base + reverse("cart:detail")}),
            )] += 1
    _counts_add(campaign.pk, outcome, eligible=outcome["sent"] + outcome["bounced"])
    logger.info("Cart reminders: %s", dict(outcome))
    return outcome

