"""Request hardening that holds for every page, before any view runs."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import add_never_cache_headers

from config.logging import current_request_id, request_id_from_header
from shop.accounts.session_idle import (
    SESSION_REFRESH_SECONDS,
    SESSION_SEEN_KEY,
    session_idle_timeout,
)
from shop.api.errors import error_body

Handler = Callable[[HttpRequest], HttpResponse]

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_REAL_IP", "HTTP_FORWARDED",
                     "HTTP_X_REQUEST_ID")


def _networks(entries: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


class TrustedProxyMiddleware:
    """Forwarded headers count only when the request comes from a configured proxy.

    Without this, anyone could send `X-Forwarded-Proto: https` or a forged client address
    straight to the application server.
    """

    def __init__(self, get_response: Handler):
        self.get_response = get_response
        self.proxies = _networks(settings.TRUSTED_PROXIES)

    def _from_proxy(self, request: HttpRequest) -> bool:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(address in network for network in self.proxies)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._from_proxy(request):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


class RequestIdMiddleware:
    """Every request gets an id (a trusted proxy's X-Request-ID, or a new one): it is on every
    log line written while serving it and in the tasks it queues, and sent back in X-Request-ID."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from_header(request.META.get("HTTP_X_REQUEST_ID"))
        # Kept until the response is finished (request_id_clear): Django logs 4xx and 5xx
        # responses after the middleware has returned.
        current_request_id.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def request_id_clear(**kwargs) -> None:
    current_request_id.set("-")


request_finished.connect(request_id_clear, dispatch_uid="config.request_id_clear")


NUL_REFUSED = "Bad request: the address or the form contains a NUL character."
API_PREFIX = "/api/"


def _api_refusal(*, status_code: int, code: str, message: str) -> JsonResponse:
    """A refusal made before the API's views run, in the API's error shape (shop.api.errors)."""
    return JsonResponse(error_body(status_code=status_code, code=code, message=message), status=status_code)


def _has_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


class RejectNulBytesMiddleware:
    """A NUL byte (raw or %00) in the path, the query string or form fields is refused with 400.

    PostgreSQL text cannot hold one: refused here, it never reaches a view or the ORM.
    Uploaded files' contents are binary and left alone; their field and file names are not.
    """

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._refused(request):
            if request.path_info.startswith(API_PREFIX):
                return _api_refusal(status_code=400, code="invalid", message=NUL_REFUSED)
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _refused(request: HttpRequest) -> bool:
        if "\x00" in request.path_info or "\x00" in request.path:
            return True
        raw_query = request.META.get("QUERY_STRING", "")
        if "\x00" in raw_query or "%00" in raw_query:
            return True
        if request.method != "POST" or not request.content_type.startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            return False
        try:
            fields = request.POST
            files = request.FILES
        except Exception:  # a malformed body is the view's (and Django's) to refuse
            return False
        for name, values in fields.lists():
            if _has_nul([name, *values]):
                return True
        return _has_nul([name for name in files] + [upload.name or "" for upload in files.values()])


class ApiAddressLengthMiddleware:
    """An API address (path and query string) longer than API_MAX_ADDRESS_LENGTH is a 414 in the
    API's error shape. The limit is below gunicorn's request line limit (4094 bytes), so a client
    meets this documented answer rather than the server's plain-text one."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response
        self.limit = settings.API_MAX_ADDRESS_LENGTH

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            length = len(request.META.get("PATH_INFO", "")) + len(request.META.get("QUERY_STRING", ""))
            if length > self.limit:
                return _api_refusal(status_code=414, code="address_too_long",
                                    message=f"The address is longer than the {self.limit} characters the API reads.")
        return self.get_response(request)


class PrivatePagesNoStoreMiddleware:
    """Pages with personal data, and every page for a signed-in person, are never cached.

    A shared computer's browser history or back button must not show someone's orders,
    addresses or checkout details after they leave.
    """

    def __init__(self, get_response: Handler):
        self.get_response = get_response
        self.prefixes = tuple(settings.PRIVATE_PAGE_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith(self.prefixes) or self._signed_in(request):
            add_never_cache_headers(response)
        return response

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        # Only a page that read the session can show whose it is; asking costs no query then.
        session = getattr(request, "session", None)
        return session is not None and session.accessed and SESSION_KEY in session


class SessionIdleTimeoutMiddleware:
    """Sessions end after a period of inactivity (SESSION_IDLE_TIMEOUT; shorter for staff).

    The expiry itself is the session store's: each save sets it to now + the timeout, and a
    session past it no longer loads. This pushes the save forward while someone is active,
    at most once a minute, and only for a session the request already loaded.
    """

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return response
        now = int(time.time())
        seen = session.get(SESSION_SEEN_KEY, 0)
        if session.modified or now - seen >= SESSION_REFRESH_SECONDS:
            session[SESSION_SEEN_KEY] = now
            session.set_expiry(session_idle_timeout(getattr(request, "user", None)))
        return response
