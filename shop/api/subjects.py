"""Who an API request is about: the account, else the cart token's visitor, else the session's."""

from __future__ import annotations

from rest_framework.request import Request

from shop.visitors import Subject, subject_for, visitor_id_parse

CART_TOKEN_HEADER = "X-Cart-Token"


def cart_token_from(request: Request) -> str | None:
    """The cart token a client without a session sent (32 hex digits), or None."""
    raw = request.headers.get(CART_TOKEN_HEADER)
    parsed = visitor_id_parse(raw.strip().lower()) if raw else None
    return parsed.hex if parsed else None


def api_subject(request: Request) -> Subject | None:
    if request.user and request.user.is_authenticated:
        return Subject.for_user(request.user)
    token = cart_token_from(request)
    if token:
        return Subject.for_visitor(visitor_id_parse(token))
    return subject_for(request._request)
