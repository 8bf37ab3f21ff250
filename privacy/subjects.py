"""Who a consent decision is about: the shop's `Subject`, an account or an anonymous visitor.

A consent subject is the same `shop.visitors.Subject` that keys the visitor's cart
and the shop's events, so one id runs from the request to every store. The
visitor's id is also kept in a signed consent cookie, set only once a decision
exists (a choice in the banner or settings, or a Global Privacy Control signal),
so that the decision outlives the session. A cookie that is tampered with,
malformed or older than the consent lifetime is worth nothing: the visitor is
treated as not having decided.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core import signing

from shop.visitors import Subject, visitor_id_parse

VISITOR_COOKIE_SALT = "privacy.consent.visitor"

# The consent side calls it a consent subject; it is the shop's subject.
ConsentSubject = Subject


def subject_of(value: Any) -> Subject | None:
    """The subject of `value`: a Subject as it is, a signed-in user, or None (nobody)."""
    if value is None or isinstance(value, Subject):
        return value
    if getattr(value, "is_authenticated", False) and getattr(value, "pk", None) is not None:
        return Subject.for_user(value)
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
    except signing.BadSignature:
        return None
    return visitor_id_parse(payload.get("v")) if isinstance(payload, dict) else None


def visitor_id_new() -> uuid.UUID:
    return uuid.uuid4()
