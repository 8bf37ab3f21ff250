"""Newsletter subscribers: sign-up, double opt-in and one-click unsubscribe.

Marketing consent counts only after the e-mailed confirmation link is used: the sign-up
itself records nothing in the consent records. Confirming records marketing granted
(source "newsletter") under the account, or under the subscriber's own random
`consent_key` for a person without one; unsubscribing records it refused, at once. A
withdrawal anywhere else (privacy settings, a GPC signal) ends the subscription too.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from celery import shared_task
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from primitives.encrypted_fields import blind_index, normalise_email
from primitives.subjects import Subject
from privacy.models import ConsentSource
from privacy.purposes import MARKETING
from privacy.services import consent_decide

from .links import CONFIRM_SALT, UNSUBSCRIBE_SALT
from .mail import confirmation_build
from .models import Subscriber, SubscriberStatus

logger = logging.getLogger(__name__)

CONFIRM_MAX_AGE = 60 * 60 * 24 * 3  # a confirmation link works for three days
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 400  # an unsubscribe link outlives any e-mail's relevance
RESEND_AFTER = timedelta(minutes=10)  # a repeated sign-up sends another confirmation at most this often


SUPERSEDED = "This link was replaced by a newer one: please use the link in the latest e-mail we sent you."


class NewsletterLinkError(ValueError):
    """A confirmation or unsubscribe link that cannot be used; the message says why, for the person."""


def subscriber_subject(subscriber: Subscriber) -> Subject:
    """Whom the subscriber's consent records are about: their account, or their own random key."""
    if subscriber.user_id is not None:
        return Subject(user_id=subscriber.user_id)
    return Subject(visitor_id=subscriber.consent_key)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_newsletter_confirmation(subscriber_id: int) -> bool:
    """E-mail the double opt-in link to a pending subscriber; nothing for anyone else."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=SubscriberStatus.PENDING).first()
    if subscriber is None:
        return False
    if subscriber.confirmation_sent_at and (timezone.now() - subscriber.confirmation_sent_at).days >= 1:
        return False  # a stale message (a long outage): the person can sign up again
    try:
        confirmation_build(subscriber=subscriber).send()
    except smtplib.SMTPRecipientsRefused:
        # The address does not exist: nothing to retry, and the subscription stays unconfirmed.
        logger.warning("Newsletter confirmation to subscriber %s refused by the mail server.", subscriber_id)
        return False
    logger.info("Newsletter confirmation sent to subscriber %s.", subscriber_id)
    return True


@dataclass(frozen=True)
class SignUp:
    subscriber_id: int
    confirmation_queued: bool


def subscriber_sign_up(*, email: str, user=None) -> SignUp:
    """Start a subscription for `email`; the confirmation e-mail goes after commit.

    Guarantees: nothing is recorded as consent; an address already confirmed gets no
    e-mail (the caller shows the same page either way, so the form says nothing about
    who subscribed); a repeated sign-up sends at most one confirmation per RESEND_AFTER;
    the account is linked only when the address is the signed-in account's own; each
    confirmation e-mail's link replaces every earlier one.
    """
    email = normalise_email(email)
    owner = user if (user is not None and getattr(user, "is_authenticated", False)
                     and user.email and normalise_email(user.email) == email) else None
    now = timezone.now()
    with transaction.atomic():
        subscriber = (Subscriber.objects.select_for_update().filter(email_index=blind_index(email)).first())
        if subscriber is None:
            subscriber = Subscriber.objects.create(email=email, user=owner, created_at=now)
        elif owner is not None and subscriber.user_id is None:
            subscriber.user = owner
            subscriber.save(update_fields=["user"])
        if subscriber.status == SubscriberStatus.CONFIRMED:
            return SignUp(subscriber.pk, confirmation_queued=False)
        if subscriber.confirmation_sent_at and now - subscriber.confirmation_sent_at < RESEND_AFTER:
            return SignUp(subscriber.pk, confirmation_queued=False)
        subscriber.status = SubscriberStatus.PENDING
        subscriber.confirmation_sent_at = now
        # A new nonce: the link of an earlier e-mail (a lapsed or ended sign-up) confirms nothing now.
        subscriber.token_nonce = secrets.token_hex(16)
        subscriber.save(update_fields=["status", "confirmation_sent_at", "token_nonce"])
        subscriber_id = subscriber.pk
        transaction.on_commit(lambda: send_newsletter_confirmation.delay(subscriber_id))
    logger.info("Newsletter sign-up %s: confirmation queued.", subscriber_id)
    return SignUp(subscriber_id, confirmation_queued=True)


def _load(token: str, *, salt: str, max_age: int) -> dict:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise NewsletterLinkError("This link has expired.") from None
    except signing.BadSignature:
        raise NewsletterLinkError("This link is not valid: it may be incomplete or altered.") from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise NewsletterLinkError("This link is not valid: it may be incomplete or altered.")
    return data


def subscriber_for_confirm_token(*, token: str) -> Subscriber:
    """The pending subscriber a confirmation link is for; NewsletterLinkError if it cannot be used."""
    data = _load(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    subscriber = Subscriber.objects.filter(pk=data["s"]).first()
    if subscriber is None:
        raise NewsletterLinkError("This subscription no longer exists.")
    if subscriber.status != SubscriberStatus.PENDING:
        raise NewsletterLinkError("This link has already been used.")
    if subscriber.token_nonce != data.get("n"):
        raise NewsletterLinkError(SUPERSEDED)
    return subscriber


def subscriber_confirm(*, token: str) -> Subscriber:
    """Use a confirmation link: the subscription starts and marketing consent is recorded.

    Guarantees: a forged, expired or already used link changes nothing (NewsletterLinkError);
    the link works once (its nonce is replaced in the same transaction).
    """
    with transaction.atomic():
        found = subscriber_for_confirm_token(token=token)
        subscriber = Subscriber.objects.select_for_update().get(pk=found.pk)
        if subscriber.token_nonce != found.token_nonce or subscriber.status != SubscriberStatus.PENDING:
            raise NewsletterLinkError("This link has already been used.")
        if subscriber.user_id is None:
            # The link proved the mailbox; an account that verified the same address is the same
            # person, so their consent is recorded on the account (and its settings can withdraw it).
            subscriber.user_id = _account_with_verified_address(subscriber.email)
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.token_nonce = secrets.token_hex(16)
        subscriber.save(update_fields=["user", "status", "confirmed_at", "unsubscribed_at", "token_nonce"])
        consent_decide(subject=subscriber_subject(subscriber), choices={MARKETING: True},
                       source=ConsentSource.NEWSLETTER)
    logger.info("Newsletter subscriber %s confirmed.", subscriber.pk)
    return subscriber


def _account_with_verified_address(email: str) -> int | None:
    return (EmailAddress.objects.filter(email__iexact=normalise_email(email), verified=True)
            .values_list("user_id", flat=True).first())


def _verified_address_indexes(user_id: int) -> list[str]:
    return [blind_index(email) for email in
            EmailAddress.objects.filter(user_id=user_id, verified=True).values_list("email", flat=True)]


def subscriber_for_unsubscribe_token(*, token: str) -> Subscriber:
    data = _load(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    subscriber = Subscriber.objects.filter(pk=data["s"]).first()
    if subscriber is None:
        raise NewsletterLinkError("This subscription no longer exists.")
    return subscriber


def subscriber_unsubscribe(*, token: str) -> tuple[Subscriber, bool]:
    """Use an unsubscribe link (one click, no login): returns the subscriber and whether this call ended
    the subscription (False: it had already ended, nothing changed).

    Guarantees: takes effect at once: the subscription ends and marketing consent is recorded as
    refused (source "newsletter") in the same transaction, so no later send reaches the person.
    """
    with transaction.atomic():
        found = subscriber_for_unsubscribe_token(token=token)
        subscriber = Subscriber.objects.select_for_update().get(pk=found.pk)
        if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
            return subscriber, False
        subscriber_end(subscriber=subscriber)
        consent_decide(subject=subscriber_subject(subscriber), choices={MARKETING: False},
                       source=ConsentSource.NEWSLETTER)
    logger.info("Newsletter subscriber %s unsubscribed.", subscriber.pk)
    return subscriber, True


def subscriber_end(*, subscriber: Subscriber) -> None:
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    subscriber.token_nonce = secrets.token_hex(16)
    subscriber.save(update_fields=["status", "unsubscribed_at", "token_nonce"])


def subscribers_end_for_subject(*, subject: Subject) -> int:
    """Marketing consent was withdrawn elsewhere: the subject's subscriptions end too (no new record)."""
    if subject.user_id is not None:
        # Also a subscription made under one of the account's verified addresses before the account was.
        rows = Subscriber.objects.filter(Q(user_id=subject.user_id)
                                         | Q(email_index__in=_verified_address_indexes(subject.user_id)))
    else:
        rows = Subscriber.objects.filter(consent_key=subject.visitor_id)
    return rows.exclude(status=SubscriberStatus.UNSUBSCRIBED).update(
        status=SubscriberStatus.UNSUBSCRIBED, unsubscribed_at=timezone.now(), token_nonce=secrets.token_hex(16))


def subscription_of_user(*, user) -> Subscriber | None:
    """The account's subscription: linked to it, or under its own address."""
    found = Subscriber.objects.filter(user_id=user.pk).first()
    if found is None and user.email:
        found = Subscriber.objects.filter(email_index=blind_index(user.email)).first()
    return found

