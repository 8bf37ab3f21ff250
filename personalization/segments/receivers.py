"""How the segments listen: personalization consent withdrawn removes the person's memberships at once."""

from __future__ import annotations

from primitives.subjects import Subject
from privacy.purposes import PERSONALIZATION
from privacy.signals import consent_withdrawn

from .segmentation import segment_memberships_forget


def forget_memberships_on_withdrawal(sender, *, subject: Subject, purpose: str, **kwargs) -> None:
    """Personalization consent withdrawn: the account's segment memberships go (and with them its segment price)."""
    if purpose == PERSONALIZATION and subject.is_user:
        segment_memberships_forget(user_id=subject.user_id)


def connect() -> None:
    consent_withdrawn.connect(forget_memberships_on_withdrawal,
                              dispatch_uid="segments.forget_memberships_on_withdrawal")
