"""API tokens: made from a login, shown once, stored as a hash, revoked by deleting them."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from shop.accounts.models import ApiToken

KEY_BYTES = 32
MAX_TOKENS_PER_USER = 20
# last_used_at is written at most this often per token (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenLimitReached(Exception):
    pass


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    key: str  # the only time the key exists outside the client


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user_id: int, name: str) -> NewToken:
    """A new key for the user; only its hash is kept."""
    if ApiToken.objects.filter(user_id=user_id).count() >= MAX_TOKENS_PER_USER:
        raise TokenLimitReached(f"You have {MAX_TOKENS_PER_USER} API tokens already: revoke one first.")
    key = secrets.token_urlsafe(KEY_BYTES)
    token = ApiToken.objects.create(user_id=user_id, name=name, key_hash=key_hash(key), prefix=key[:8])
    return NewToken(token=token, key=key)


def api_token_revoke(*, user_id: int, token_id: int) -> bool:
    """Delete one of the user's tokens; False when they have no such token."""
    deleted, _ = ApiToken.objects.filter(user_id=user_id, pk=token_id).delete()
    return bool(deleted)


def api_tokens_for_user(*, user_id: int) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=user_id).order_by("-created_at", "-id")


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The live token for `key` with its (active) user, or None."""
    if not key or len(key) > 200:
        return None
    token = (ApiToken.objects.select_related("user").filter(key_hash=key_hash(key), user__is_active=True)
             .first())
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
