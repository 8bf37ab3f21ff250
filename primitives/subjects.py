"""Who a request is about: the signed-in user, or a visitor known by a random id.

`Subject` is the one identity used from the request to every store that keys data
by person: the shop's events and carts, the consent records and the behavioural
event store. It is either an account (`user_id`) or an anonymous visitor
(`visitor_id`, a random UUID), never both and never neither; "nobody" is `None`.
`request_subject` is the one function that says who a request is, for web pages
and for the API (an account by session or token, a cart token's visitor, the
session's visitor).

The visitor id names nobody: it is random, lives only in the session (or, for a
client without cookies, in the cart token it sends), and is created only when the
visitor does something that needs it (adding to the cart, deciding about consent),
never on a first page view, so browsing sets no cookie.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

SESSION_KEY = "visitor_key"
# What replaces a person's data in a row kept after their erasure.
ERASED = "[erased]"
# The header through which a client without cookies names its cart's visitor.
CART_TOKEN_HEADER = "X-Cart-Token"


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


@dataclass(frozen=True)
class SubjectIdentity:
    """Everything that points at one person. Held in memory only, never stored or logged."""

    user_ids: tuple[int, ...] = ()
    email_indexes: tuple[str, ...] = ()
    visitor_ids: tuple[uuid.UUID, ...] = ()
    emails: tuple[str, ...] = ()  # the plain addresses, to find them quoted in texts and cache keys

    def __str__(self) -> str:
        # Never the e-mail addresses: safe wherever an identity ends up in a message.
        return f"identity(users={list(self.user_ids)}, guests={len(self.email_indexes)}, " \
               f"visitors={len(self.visitor_ids)})"

    __repr__ = __str__

    def redact(self, text: str) -> str:
        """`text` with each of the person's e-mail addresses, in any case, replaced by ERASED."""
        for email in self.emails:
            text = re.sub(re.escape(email), ERASED, text, flags=re.IGNORECASE)
        return text



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


def cart_token_from(request: HttpRequest) -> str | None:
    """The cart token a client without a session sent (32 hex digits), or None."""
    raw = request.headers.get(CART_TOKEN_HEADER)
    parsed = visitor_id_parse(raw.strip().lower()) if raw else None
    return parsed.hex if parsed else None


def request_subject(request: HttpRequest, *, cart_token: bool = False,
                    session_visitor: bool = True) -> Subject | None:
    """Who `request` is: the signed-in account, else the cart token's visitor (only with
    `cart_token`, for the API), else the session's visitor (unless `session_visitor` is
    False), else None. Reading creates no session and no visitor id.

    Works on a Django request and on a DRF request, whose `user` is the token's account.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Subject.for_user(user)
    if cart_token:
        token = cart_token_from(request)
        if token:
            return Subject.for_visitor(uuid.UUID(hex=token))
    if not session_visitor:
        return None
    current = visitor_id(request)
    return Subject.for_visitor(current) if current else None


def subject_of(value: Any) -> Subject | None:
    """The subject of `value`: a Subject as it is, a signed-in user, or None (nobody)."""
    if value is None or isinstance(value, Subject):
        return value
    if getattr(value, "is_authenticated", False) and getattr(value, "pk", None) is not None:
        return Subject.for_user(value)
    return None
