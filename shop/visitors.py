"""Who is shopping: the signed-in user, or a visitor known by a random id in their session.

`Subject` is the one identity used from the request to every store that keys data
by person: the shop's events and carts, the consent records and the behavioural
event store. It is either an account (`user_id`) or an anonymous visitor
(`visitor_id`, a random UUID), never both and never neither; "nobody" is `None`.

The visitor id names nobody: it is random, lives only in the session, and is
created only when the visitor does something that needs it (adding to the cart,
deciding about consent), never on a first page view, so browsing sets no cookie.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

SESSION_KEY = "visitor_key"


@dataclass(frozen=True)
class Subject:
    """An account or an anonymous visitor: exactly one of `user_id` and `visitor_id` is set."""

    user_id: int | None = None
    visitor_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.visitor_id is None):
            raise ValueError("A subject is either a user or a visitor.")
        if self.visitor_id is not None and not isinstance(self.visitor_id, uuid.UUID):
            raise TypeError("A visitor id is a UUID.")

    @classmethod
    def for_user(cls, user: Any) -> Subject:
        return cls(user_id=user.pk)

    @classmethod
    def for_visitor(cls, visitor_id: uuid.UUID) -> Subject:
        return cls(visitor_id=visitor_id)

    @property
    def is_user(self) -> bool:
        return self.user_id is not None

    @property
    def visitor_key(self) -> str | None:
        """The visitor id as the shop's carts store it (32 hex digits)."""
        return self.visitor_id.hex if self.visitor_id is not None else None

    def record_filter(self) -> dict[str, Any]:
        """Column values of a row keyed by subject (`user_id` or `visitor_id`)."""
        return {"user_id": self.user_id} if self.is_user else {"visitor_id": self.visitor_id}

    def as_payload(self) -> dict[str, Any]:
        """Plain JSON values, for a task argument or a stored snapshot."""
        return {"user_id": self.user_id, "visitor_id": self.visitor_key}

    @classmethod
    def from_payload(cls, payload: Any) -> Subject | None:
        """The subject `as_payload` wrote, or None for nobody or anything malformed."""
        if not isinstance(payload, dict):
            return None
        if isinstance(payload.get("user_id"), int):
            return cls(user_id=payload["user_id"])
        visitor_id = visitor_id_parse(payload.get("visitor_id") or payload.get("visitor_key"))
        return cls(visitor_id=visitor_id) if visitor_id else None

    def __str__(self) -> str:
        # Pseudonymous on purpose: safe for logs and audit entries.
        return f"user:{self.user_id}" if self.is_user else f"visitor:{self.visitor_id}"


def visitor_id_parse(value: Any) -> uuid.UUID | None:
    """A visitor id from its 32-hex-digit form, or None for anything else."""
    if not isinstance(value, str) or len(value) != 32:
        return None
    try:
        return uuid.UUID(hex=value)
    except ValueError:
        return None


def visitor_id(request: HttpRequest, *, create: bool = False) -> uuid.UUID | None:
    """The session's visitor id; with `create`, a new one when there is none (or it is malformed)."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    current = visitor_id_parse(session.get(SESSION_KEY))
    if current is None and create:
        current = uuid.uuid4()
        visitor_id_set(request, current)
    return current


def visitor_id_set(request: HttpRequest, value: uuid.UUID) -> None:
    """Make `value` this session's visitor id, so the visitor's cart, events and consent share it."""
    request.session[SESSION_KEY] = value.hex


def visitor_key(request: HttpRequest, *, create: bool = False) -> str | None:
    """The visitor id as the cart stores it."""
    current = visitor_id(request, create=create)
    return current.hex if current is not None else None


def subject_for(request: HttpRequest) -> Subject | None:
    """The signed-in user, else the session's visitor, else None. Reading creates no session."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Subject.for_user(user)
    current = visitor_id(request)
    return Subject.for_visitor(current) if current else None
