"""The one server-side consent check used wherever behavioural data is touched.

    from privacy.consent import has_consent
    if has_consent(request, "personalization"): ...
    # or a user, or a subject (primitives.subjects.Subject, which shop events carry)

Necessary processing is always allowed; any other purpose needs a decision that
granted it, under the current notice version, less than 12 months old. Nobody
(no account, no consent cookie) has consented to anything.

Consent is looked up once per request: while a request is being answered, the
consent the middleware resolved for it also answers checks about its subject
(the shop's events of that request, delivered after commit), without a query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest

from primitives.subjects import Subject, subject_of

from .purposes import NECESSARY, purpose_check
from .selectors import consent_state

# The consent state resolved for the request being answered, if any (set by ConsentMiddleware).
_request_consent: ContextVar[Any] = ContextVar("privacy_request_consent", default=None)


@contextmanager
def request_consent_active(request_consent: Any) -> Iterator[None]:
    """Within this block, checks about the request's subject use its resolved consent."""
    token = _request_consent.set(request_consent)
    try:
        yield
    finally:
        _request_consent.reset(token)


def has_consent(subject: Subject | HttpRequest | Any | None, purpose: str) -> bool:
    """Whether `subject` has consented to `purpose`; raises UnknownPurpose for an undeclared purpose.

    A request uses the consent already resolved for it (no extra query); a user or a
    Subject is looked up (one query).
    """
    purpose_check(purpose)
    if purpose == NECESSARY:
        return True
    if isinstance(subject, HttpRequest):
        request_consent = getattr(subject, "privacy_consent", None)
        return bool(request_consent and request_consent.state.granted(purpose))
    resolved = subject_of(subject)
    if resolved is None:
        return False
    current = _request_consent.get()
    if current is not None and current.subject == resolved:
        return current.state.granted(purpose)
    return consent_state(subject=resolved).granted(purpose)


def consent_guarded(handler: Callable[[Any], None], *, purpose: str) -> Callable[[Any], None]:
    """Wrap a shop event handler so it runs only for events whose subject consented to `purpose`.

        events.subscribe(events.ProductViewed, consent_guarded(record_view, purpose=PERSONALIZATION))

    An event without a subject (a visitor who has no session) never passes.
    """
    purpose_check(purpose)

    def guarded(event: Any) -> None:
        if has_consent(getattr(event, "subject", None), purpose):
            handler(event)

    guarded.__wrapped__ = handler  # type: ignore[attr-defined]
    return guarded
