"""Consent on every request, and no cookie without its purpose's consent on any response."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from shop import visitors

from .consent import request_consent_active
from .cookies import consent_cookie_name, cookie_purposes
from .purposes import NECESSARY, PURPOSES, Purpose
from .selectors import ConsentState, consent_state
from .services import consent_gpc_record
from .notice import notice_version
from .subjects import (
    ConsentSubject,
    consent_cookie_max_age,
    visitor_cookie_value,
    visitor_id_from_cookie,
    visitor_id_new,
)

logger = logging.getLogger(__name__)


class RequestConsent:
    """The consent side of one request: who the subject is and what they allowed.

    Available as `request.privacy_consent` and, in templates, `privacy_consent`.
    """

    def __init__(self, request: HttpRequest):
        self._request = request
        raw = request.COOKIES.get(consent_cookie_name())
        cookie_visitor_id = visitor_id_from_cookie(raw)
        session_visitor_id = visitors.visitor_id(request)
        # A consent cookie that is present but worthless is removed from the browser.
        self.cookie_rejected = bool(raw) and cookie_visitor_id is None
        self.visitor_id: uuid.UUID | None = session_visitor_id or cookie_visitor_id
        # The visitor id the consent cookie must be (re)set to on the response, if any.
        self.cookie_visitor_id: uuid.UUID | None = None
        self.forget = False
        if cookie_visitor_id and not session_visitor_id:
            # A new session for a visitor who decided earlier: the shop's events and cart
            # must use the id the decisions were recorded under.
            visitors.visitor_id_set(request, cookie_visitor_id)
        elif cookie_visitor_id and session_visitor_id != cookie_visitor_id:
            self.cookie_visitor_id = session_visitor_id
        # Without a consent cookie an anonymous visitor has made no decision: no query needed.
        self._may_have_decided = cookie_visitor_id is not None
        self.gpc = request.headers.get("Sec-GPC", "").strip() == "1"
        self._state: tuple[ConsentSubject | None, ConsentState] | None = None

    @property
    def subject(self) -> ConsentSubject | None:
        user = getattr(self._request, "user", None)
        if user is not None and user.is_authenticated:
            return ConsentSubject.for_user(user)
        return ConsentSubject.for_visitor(self.visitor_id) if self.visitor_id else None

    def subject_for_decision(self) -> ConsentSubject:
        """The subject a decision is recorded for, creating the visitor id when there is none.

        For a visitor, the consent cookie is set on the response to carry the id.
        """
        subject = self.subject
        if subject is None:
            self.visitor_id = visitor_id_new()
            visitors.visitor_id_set(self._request, self.visitor_id)
            subject = ConsentSubject.for_visitor(self.visitor_id)
        if not subject.is_user:
            self.cookie_visitor_id = subject.visitor_id
        self._may_have_decided = True
        self._state = None
        return subject

    def forget_visitor(self) -> None:
        """At logout: the next person at this browser is asked afresh."""
        self.visitor_id = None
        self.cookie_visitor_id = None
        self._may_have_decided = False
        self.forget = True
        self._state = None

    @property
    def state(self) -> ConsentState:
        subject = self.subject
        if self._state is None or self._state[0] != subject:
            if subject is not None and not subject.is_user and not self._may_have_decided:
                self._state = (subject, ConsentState(subject=subject, notice_version=notice_version()))
            else:
                self._state = (subject, consent_state(subject=subject))
        return self._state[1]

    def refresh(self) -> None:
        self._state = None

    @property
    def show_banner(self) -> bool:
        return not self.state.decided

    @property
    def purpose_choices(self) -> list[tuple[Purpose, bool]]:
        """Each purpose with whether it is on now, for the banner's and settings' checkboxes."""
        return [(purpose, self.state.granted(purpose.key)) for purpose in PURPOSES]


class ConsentMiddleware:
    """Resolves the consent subject, honours Global Privacy Control, keeps the consent cookie.

    Sits after AuthenticationMiddleware. The consent cookie is set only once a visitor's
    decision exists (and re-set if the shop's visitor key changed); a tampered or
    malformed one is deleted and counts for nothing; logging out deletes it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        consent = RequestConsent(request)
        request.privacy_consent = consent
        if consent.gpc and not consent.state.gpc_recorded:
            consent_gpc_record(subject=consent.subject_for_decision())
        with request_consent_active(consent):
            response = self.get_response(request)
        name = consent_cookie_name()
        if consent.forget or (consent.cookie_rejected and consent.cookie_visitor_id is None):
            response.delete_cookie(name, samesite="Lax")
        elif consent.cookie_visitor_id is not None:
            response.set_cookie(
                name, visitor_cookie_value(consent.cookie_visitor_id), max_age=consent_cookie_max_age(),
                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )
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
