"""One count of failed password attempts per account, and one per client network, whatever the
door: the site's login and re-authentication (allauth, through our adapter), the password change
form, API token logins, and the privacy API's password re-check. The admin has no password form
of its own (config/admin.py sends staff to the site's login).

The counts are allauth's own "login_failed" rate limit (ACCOUNT_RATE_LIMITS, e.g.
"5/5m/ip,10/5m/key"): the same cache keys whichever door consumes them. An attempt is counted
when it starts and given back when the password was right, as allauth's login does, so only
failures count, and a locked account refuses even the right password until the window passes.
"""

from __future__ import annotations

from typing import Any

# The public allauth.core.ratelimit.consume() answers only yes or no; giving a successful
# attempt back needs the usage record that the internal consume() returns.
from allauth.core.internal import ratelimit
from django.contrib.auth import authenticate
from django.http import HttpRequest

RATE_LIMIT_APP = "allauth.account"
RATE_LIMIT_ACTION = "login_failed"
LOCKED_MESSAGE = "Too many failed login attempts. Please try again in a few minutes."


class TooManyFailedLogins(Exception):
    """This account, or this client network, has used up its failed password attempts."""

    def __init__(self) -> None:
        super().__init__(LOCKED_MESSAGE)


def account_key(login: str) -> str:
    """The per-account counter's key for an e-mail address, in any case or padding.

    allauth's own key also names the request's host, which would give each host name its own
    count; the account alone is one count everywhere. allauth hashes the key before it reaches
    the cache, so no address is stored there."""
    return f"account:{login.strip().lower()}"


def _django_request(request: Any) -> HttpRequest:
    # A DRF Request wraps the HttpRequest; the client address is read from the latter.
    return getattr(request, "_request", request)


def password_attempt_start(request: Any, *, login: str) -> ratelimit.RateLimitUsage:
    """Count one password attempt for `login` and the client's network, or raise
    TooManyFailedLogins (counting nothing) when either has no attempts left."""
    usage = ratelimit.consume(_django_request(request), app=RATE_LIMIT_APP, action=RATE_LIMIT_ACTION,
                              key=account_key(login), limit_get=True)
    if usage is None:
        raise TooManyFailedLogins
    return usage


def authenticate_by_password(request: Any, *, email: str, password: str):
    """The active user with this e-mail address and password, or None; counted as a login.

    Raises TooManyFailedLogins before the password is looked at when the account or network is locked."""
    attempt = password_attempt_start(request, login=email)
    user = authenticate(_django_request(request), username=email.strip().lower(), password=password)
    if user is not None:
        attempt.rollback()
    return user


def password_confirm(request: Any, *, user, password: str) -> bool:
    """Whether `password` is `user`'s, counted against the user's account like a login.

    Raises TooManyFailedLogins before the password is looked at when the account or network is locked."""
    attempt = password_attempt_start(request, login=user.email)
    if user.check_password(password):
        attempt.rollback()
        return True
    return False
