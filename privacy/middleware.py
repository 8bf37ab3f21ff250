"""Consent on every request, and no cookie without its purpose's consent on any response."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from primitives import subjects
from primitives.subjects import Subject

from .consent import request_consent_active
from .consent_session import AccountReading, account_consent_state, account_reading
from .consent_cookie import (
    choices_cookie_value,
    consent_cookie_max_age,
    cookie_decisions_record,
    state_from_cookie,
)
from .cookies import consent_cookie_name, cookie_purposes
from .notice import notice_version
from .purposes import NECESSARY, PURPOSES, Purpose
from .selectors import ConsentState, consent_state, gpc_refusals
from .services import consent_gpc_record

logger = logging.getLogger(__name__)

# The visitor id and notice version whose cookie decisions this session has recorded.
COOKIE_RECORDED_SESSION_KEY = "privacy_cookie_recorded"


class RequestConsent:
    """The consent side of one request: who the subject is and what they allowed.

    Available as `request.privacy_consent` and, in templates, `privacy_consent`.

    An account's consent is read from its records. A visitor's comes from the consent
    cookie, which holds the choices themselves (privacy.consent_cookie), or, once they
    decide in this request, from the records just written under their session's random
    id. A visitor whose browser sends Global Privacy Control and who has not chosen is
    treated as refusing marketing and personalization without anything being written:
    rows are written only once they decide, so visitors who never come back leave none.
    """

    def __init__(self, request: HttpRequest):
        self._request = request
        raw = request.COOKIES.get(consent_cookie_name())
        self._cookie_state = state_from_cookie(raw, notice_version=notice_version())
        # A consent cookie that is present but worthless is removed from the browser.
        self.cookie_rejected = bool(raw) and self._cookie_state is None
        self.gpc = request.headers.get("Sec-GPC", "").strip() == "1"
        self.forget = False
        self.cookie_dirty = False  # the visitor decided: the response carries their choices
        self._decided_here = False
        self._state: tuple[Subject | None, ConsentState] | None = None
        self._reading: tuple[int, AccountReading] | None = None

    @property
    def visitor_id(self) -> uuid.UUID | None:
        """The session's visitor id (never taken from the consent cookie)."""
        return subjects.visitor_id(self._request)

    @property
    def subject(self) -> Subject | None:
        return subjects.request_subject(self._request)

    def subject_for_decision(self) -> Subject:
        """The subject a decision is recorded for, creating the session's visitor id when there is none.

        A visitor's GPC signal is recorded first, so that their explicit choice, later, wins.
        """
        subject = self.subject
        if subject is None:
            subject = Subject.for_visitor(subjects.visitor_id(self._request, create=True))
        if not subject.is_user:
            if self.gpc and not consent_state(subject=subject).gpc_recorded:
                consent_gpc_record(subject=subject)
            self._decided_here = True
            self.cookie_dirty = True
        self._state = None
        return subject

    def visitor_state(self) -> ConsentState:
        """What this browser's visitor chose, whoever is logged in now (for carrying it at login)."""
        visitor_id = self.visitor_id
        subject = Subject.for_visitor(visitor_id) if visitor_id else None
        if self._decided_here and subject is not None:
            return consent_state(subject=subject)
        if self._cookie_state is not None:
            if subject is not None:
                self._cookie_decisions_recorded_for(subject)
            return replace(self._cookie_state, subject=subject)
        if self.gpc:
            return gpc_refusals(subject=subject)
        return ConsentState(subject=subject, notice_version=notice_version())

    def _cookie_decisions_recorded_for(self, subject: Subject) -> None:
        # Honouring the cookie for this session's visitor id: its decisions become records of
        # that id, so what is stored under it traces back to consent (checked once per session).
        session = self._request.session
        marker = f"{subject.visitor_id.hex}:{self._cookie_state.notice_version}"
        if session.get(COOKIE_RECORDED_SESSION_KEY) != marker:
            cookie_decisions_record(subject=subject, state=self._cookie_state)
            session[COOKIE_RECORDED_SESSION_KEY] = marker

    def forget_visitor(self) -> None:
        """At logout: the next person at this browser is asked afresh."""
        self._cookie_state = None
        self._decided_here = False
        self.cookie_dirty = False
        self.forget = True
        self._state = None

    def account_reading(self, user_id: int) -> AccountReading:
        """The account's consent marker and cart units, read once (one query) until `refresh`."""
        if self._reading is None or self._reading[0] != user_id:
            self._reading = (user_id, account_reading(user_id=user_id))
        return self._reading[1]

    def account_cart_units(self) -> int:
        """The units in the signed-in account's cart, read with its consent marker (the header's count)."""
        return self.account_reading(self._request.user.pk).cart_units

    def account_cart_revision(self) -> int | None:
        """The revision of the signed-in account's cart (None: none), read with its consent marker."""
        return self.account_reading(self._request.user.pk).cart_revision

    @property
    def state(self) -> ConsentState:
        subject = self.subject
        if self._state is None or self._state[0] != subject:
            if subject is not None and subject.is_user:
                # The session's copy, checked against the records' marker read in this request.
                self._state = (subject, account_consent_state(
                    session=self._request.session, subject=subject,
                    reading=self.account_reading(subject.user_id)))
            else:
                self._state = (subject, self.visitor_state())
        return self._state[1]

    def refresh(self) -> None:
        """After a decision: read the records again, and for an account put what they say in its
        session at once (the copy never outlives the decision's request)."""
        self._state = None
        self._reading = None
        subject = self.subject
        if subject is not None and subject.is_user:
            self.state  # noqa: B018 (reads the records and keeps them in the session)
            self._reading = None  # the page reads the cart after whatever the view changes next

    def reading_forget(self) -> None:
        """Read the marker and the cart again at the next look (the state read stays)."""
        self._reading = None

    @property
    def show_banner(self) -> bool:
        return not self.state.decided

    @property
    def purpose_choices(self) -> list[tuple[Purpose, bool]]:
        """Each purpose with whether it is on now, for the banner's and settings' checkboxes."""
        state = self.state
        return [(purpose, state.granted(purpose.key)) for purpose in PURPOSES]


class ConsentMiddleware:
    """Resolves the consent subject, honours Global Privacy Control, keeps the consent cookie.

    Sits after AuthenticationMiddleware. An account's GPC signal is recorded once per notice
    version; a visitor's only when they decide. The consent cookie is set when a visitor
    decides and holds their choices (no identifier); a tampered or malformed one is deleted
    and counts for nothing; logging out deletes it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        consent = RequestConsent(request)
        request.privacy_consent = consent
        # The header's cart count of an account, and its cart's revision, come from the same query
        # as its consent marker.
        request.account_cart_units = consent.account_cart_units
        request.account_cart_revision = consent.account_cart_revision
        subject = consent.subject
        if consent.gpc and subject is not None and subject.is_user:
            if not consent.state.gpc_recorded:
                consent_gpc_record(subject=subject)
                consent.refresh()
            consent.reading_forget()  # the page reads the cart after whatever the view changes
        with request_consent_active(consent):
            response = self.get_response(request)
        name = consent_cookie_name()
        if consent.forget:
            response.delete_cookie(name, samesite="Lax")
        elif consent.cookie_dirty:
            consent.refresh()
            response.set_cookie(
                name, choices_cookie_value(consent.visitor_state()), max_age=consent_cookie_max_age(),
                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )
        elif consent.cookie_rejected:
            response.delete_cookie(name, samesite="Lax")
        # The banner and settings differ with the GPC signal: caches must not mix them.
        patch_vary_headers(response, ("Sec-GPC",))
        return response


def _is_deletion(morsel) -> bool:
    return str(morsel["max-age"]) == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970")


class CookieConsentGuardMiddleware:
    """Drops every cookie a response sets that is undeclared or whose purpose lacks consent.

    Sits before SessionMiddleware so it sees every cookie set inside it. Deleting a
    cookie is always allowed. This is what makes "before consent, only the session,
    CSRF and consent cookies" a guarantee rather than a convention.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        purposes = cookie_purposes()
        consent: RequestConsent | None = getattr(request, "privacy_consent", None)
        for name, morsel in list(response.cookies.items()):
            if _is_deletion(morsel):
                continue
            purpose = purposes.get(name)
            if purpose == NECESSARY:
                continue
            if purpose is None:
                logger.warning("Dropped cookie %r: it is not declared in any personal_data.COOKIES.", name)
                del response.cookies[name]
            elif consent is None or not consent.state.granted(purpose):
                del response.cookies[name]
        return response
