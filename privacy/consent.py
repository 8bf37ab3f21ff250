"""The one server-side consent check used wherever behavioural data is touched.

    from privacy.consent import has_consent
    if has_consent(request, "personalization"): ...
    # or a user, a ConsentSubject, or a shop event's subject (shop.events.Subject)

Necessary processing is always allowed; any other purpose needs a decision that
granted it, under the current notice version, less than 12 months old. Nobody
(no account, no consent cookie) has consented to anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from .purposes import NECESSARY, purpose_check
from .selectors import consent_state
from .subjects import ConsentSubject, subject_of


def has_consent(subject: ConsentSubject | HttpRequest | Any | None, purpose: str) -> bool:
    """Whether `subject` has consented to `purpose`; raises UnknownPurpose for an undeclared purpose.

    A request uses the consent already resolved for it (no extra query); a user or a
    ConsentSubject is looked up (one query).
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
