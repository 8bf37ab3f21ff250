"""Who a consent decision is about: an account, or an anonymous visitor's random id.

An anonymous visitor's id is the shop's visitor key (`shop.visitors`: random, kept in
the session, the subject of the visitor's cart and events), so a shop event's subject
is also a consent subject. The same id is kept in a signed consent cookie, set only
once a decision exists (a choice in the banner or settings, or a Global Privacy
Control signal), so that the decision outlives the session. A cookie that is tampered
with, malformed or older than the consent lifetime is worth nothing: the visitor is
treated as not having decided.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

from shop import events
from shop.visitors import SESSION_KEY as SHOP_VISITOR_SESSION_KEY

VISITOR_COOKIE_SALT = "privacy.consent.visitor"


@dataclass(frozen=True)
class ConsentSubject:
    """Exactly one of `user_id` and `visitor_id` is set."""

    user_id: int | None = None
    visitor_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.visitor_id is None):
            raise ValueError("A consent subject is either a user or a visitor.")

    @classmethod
    def for_user(cls, user: Any) -> ConsentSubject:
        return cls(user_id=user.pk)

    @classmethod
    def for_visitor(cls, visitor_id: uuid.UUID) -> ConsentSubject:
        return cls(visitor_id=visitor_id)

    @property
    def is_user(self) -> bool:
        return self.user_id is not None

    def record_filter(self) -> dict[str, Any]:
        return {"user_id": self.user_id} if self.is_user else {"visitor_id": self.visitor_id}

    def __str__(self) -> str:
        # Pseudonymous on purpose: safe for logs and audit entries.
        return f"user:{self.user_id}" if self.is_user else f"visitor:{self.visitor_id}"


def _visitor_id_parse(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str) or len(value) != 32:
        return None
    try:
        return uuid.UUID(hex=value)
    except ValueError:
        return None


def subject_of(value: Any) -> ConsentSubject | None:
    """A ConsentSubject from a subject, a shop event's subject, a user, or None (nobody)."""
    if value is None or isinstance(value, ConsentSubject):
        return value
    if isinstance(value, events.Subject):
        if value.user_id is not None:
            return ConsentSubject(user_id=value.user_id)
        visitor_id = _visitor_id_parse(value.visitor_key)
        return ConsentSubject.for_visitor(visitor_id) if visitor_id else None
    if getattr(value, "is_authenticated", False) and getattr(value, "pk", None) is not None:
        return ConsentSubject.for_user(value)
    return None


def consent_cookie_max_age() -> int:
    # The consent cookie, and each consent, lives at most 12 months.
    return min(settings.PRIVACY_CONSENT_MAX_AGE_DAYS, 365) * 24 * 60 * 60


def visitor_cookie_value(visitor_id: uuid.UUID) -> str:
    return signing.dumps({"v": visitor_id.hex}, salt=VISITOR_COOKIE_SALT, compress=False)


def visitor_id_from_cookie(raw: str | None) -> uuid.UUID | None:
    """The visitor id in a consent cookie, or None when it is absent, forged, malformed or expired."""
    if not raw or len(raw) > 200:
        return None
    try:
        payload = signing.loads(raw, salt=VISITOR_COOKIE_SALT, max_age=consent_cookie_max_age())
        return uuid.UUID(hex=payload["v"]) if isinstance(payload, dict) else None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def visitor_id_new() -> uuid.UUID:
    return uuid.uuid4()


def visitor_id_from_session(request: HttpRequest) -> uuid.UUID | None:
    session = getattr(request, "session", None)
    return _visitor_id_parse(session.get(SHOP_VISITOR_SESSION_KEY)) if session is not None else None


def visitor_id_to_session(request: HttpRequest, visitor_id: uuid.UUID) -> None:
    """Make `visitor_id` the shop's visitor key, so the visitor's cart and events share it."""
    request.session[SHOP_VISITOR_SESSION_KEY] = visitor_id.hex
