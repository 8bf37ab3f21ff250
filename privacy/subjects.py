"""Who a consent decision is about: the shop's `Subject`, an account or an anonymous visitor.

A consent subject is the same `shop.visitors.Subject` that keys the visitor's cart
and the shop's events, so one id runs from the request to every store. The
visitor's id lives in the session only; their choices outlive it in the consent
cookie, which holds the choices and no id (privacy.consent_cookie).
"""

from __future__ import annotations

from typing import Any

from shop.visitors import Subject

# The consent side calls it a consent subject; it is the shop's subject.
ConsentSubject = Subject


def subject_of(value: Any) -> Subject | None:
    """The subject of `value`: a Subject as it is, a signed-in user, or None (nobody)."""
    if value is None or isinstance(value, Subject):
        return value
    if getattr(value, "is_authenticated", False) and getattr(value, "pk", None) is not None:
        return Subject.for_user(value)
    return None
