"""How the newsletter listens: marketing consent withdrawn anywhere ends the person's subscriptions."""

from __future__ import annotations

from primitives.subjects import Subject
from privacy.purposes import MARKETING
from privacy.signals import consent_withdrawn

from .newsletter import subscribers_end_for_subject


def end_subscriptions_on_withdrawal(sender, *, subject: Subject, purpose: str, **kwargs) -> None:
    """Marketing consent withdrawn (settings, a GPC signal, an unsubscribe link): no more marketing e-mail,
    and a new subscription needs a new confirmation."""
    if purpose == MARKETING:
        subscribers_end_for_subject(subject=subject)


def connect() -> None:
    consent_withdrawn.connect(end_subscriptions_on_withdrawal,
                              dispatch_uid="marketing.end_subscriptions_on_withdrawal")
