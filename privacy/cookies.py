"""Every cookie the site may set, with its purpose: the cookie table and its enforcement.

Apps declare their cookies in `<app>/personal_data.py` as a list `COOKIES` of dicts
with the keys of `Cookie`. A response may set a cookie only when it is declared and
its purpose is necessary or consented to; `CookieConsentGuardMiddleware` drops the rest.
"""

from dataclasses import dataclass

from django.conf import settings

from .purposes import NECESSARY, purpose_check
from .registry import declared_cookies


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str
    duration: str
    description: str
    set_by: str = "this shop"


def consent_cookie_name() -> str:
    return settings.PRIVACY_CONSENT_COOKIE_NAME


def _core_cookies() -> list[Cookie]:
    session_days = settings.SESSION_COOKIE_AGE // 86400
    consent_days = settings.PRIVACY_CONSENT_MAX_AGE_DAYS
    return [
        Cookie(settings.SESSION_COOKIE_NAME, NECESSARY, f"{session_days} days",
               "Keeps your cart and your login between pages."),
        Cookie(settings.CSRF_COOKIE_NAME, NECESSARY, "1 year",
               "Protects forms against being submitted from other sites."),
        Cookie("messages", NECESSARY, "until the next page",
               "Carries a confirmation message (such as “your choices are saved”) to the next page."),
        Cookie(consent_cookie_name(), NECESSARY, f"{consent_days} days at most",
               "Remembers your privacy choices themselves: no identifier, no name, no address."),
    ]


def cookie_table() -> list[Cookie]:
    """Every declared cookie: the shop's necessary ones, then those apps declare."""

    cookies = _core_cookies()
    for declaration in declared_cookies():
        cookie = Cookie(**declaration)
        purpose_check(cookie.purpose)
        cookies.append(cookie)
    return cookies


def cookie_purposes() -> dict[str, str]:
    return {cookie.name: cookie.purpose for cookie in cookie_table()}
