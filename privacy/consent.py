"""The one server-side consent check used wherever behavioural data is touched.

    from privacy.consent import has_consent
    if has_consent(request, "personalization"): ...   # or a user, or a ConsentSubject

Necessary processing is always allowed; any other purpose needs a decision that
granted it, under the current notice version, less than 12 months old. Nobody
(no account, no consent cookie) has consented to anything.
"""

from __future__ import annotations

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
