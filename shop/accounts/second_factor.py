"""A staff member's second factor: enrolled only by whoever reads the account's verified mailbox.

A password alone must not be enough to attach an authenticator app to a staff account that
has none yet: whoever holds a stolen password would enrol their own app and pass the
admin's second-factor check. So a staff member's first enrolment asks for a link e-mailed
to the account's verified address. The link is signed, lives ENROLMENT_LINK_MAX_AGE, works
once (its nonce is kept in the cache until used; a lost cache refuses the link rather than
honouring it twice), belongs to one account, and unlocks enrolment only in the browser
session that opened it, for the same short time.

Every change to a second factor (an app added or removed, recovery codes regenerated) is
e-mailed to the verified address, whatever ACCOUNT_EMAIL_NOTIFICATIONS says of allauth's
other notices; the e-mails name the change, never a secret or a code.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.views import activate_totp as allauth_activate_totp
from django import forms
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

ENROLMENT_LINK_MAX_AGE = timedelta(minutes=15)
# Within this time of a link, neither a reload nor the page's button sends another e-mail.
ENROLMENT_LINK_RESEND_AFTER = timedelta(minutes=1)
TOKEN_SALT = "shop.accounts.second_factor.enrolment"
UNLOCKED_SESSION_KEY = "second_factor.enrolment_unlocked"
SENT_SESSION_KEY = "second_factor.enrolment_link_sent_at"
# The link's address holds its token: other sites get no Referer; the shop's own form keeps its Origin.
TOKEN_PAGE_REFERRER_POLICY = "same-origin"


class EnrolmentLinkProblem(Exception):
    """An enrolment link that cannot be used; the message says why, for the person holding it."""


def _nonce_key(nonce: str) -> str:
    return f"second-factor-enrolment:{nonce}"


def verified_address(user: AbstractBaseUser) -> str | None:
    """The account's verified address (the primary one first), or None."""
    return (EmailAddress.objects.filter(user_id=user.pk, verified=True)
            .order_by("-primary", "pk").values_list("email", flat=True).first())


def enrolment_needs_link(user: AbstractBaseUser) -> bool:
    """Whether this account's next enrolment needs the e-mailed link: staff with no factor yet."""
    return bool(user.is_authenticated and user.is_staff
                and not Authenticator.objects.filter(user_id=user.pk).exists())


def enrolment_unlocked(*, request: HttpRequest, user: AbstractBaseUser) -> bool:
    """Whether this browser session opened this account's enrolment link, and recently enough.

    Checks everything itself (staff, factor, session, account, age): the view asks first, and
    the activation form asks again, so neither relies on the other.
    """
    if not enrolment_needs_link(user):
        return True
    unlocked = getattr(request, "session", {}).get(UNLOCKED_SESSION_KEY)
    if not isinstance(unlocked, dict) or unlocked.get("user") != user.pk:
        return False
    until = unlocked.get("until")
    return isinstance(until, int | float) and time.time() < until


def enrolment_link_send(*, request: HttpRequest, user: AbstractBaseUser) -> bool:
    """E-mail a fresh enrolment link to the account's verified address; False when it has none."""
    address = verified_address(user)
    if address is None:
        return False
    nonce = secrets.token_urlsafe(24)
    cache.set(_nonce_key(nonce), user.pk, timeout=int(ENROLMENT_LINK_MAX_AGE.total_seconds()))
    token = signing.dumps({"u": user.pk, "n": nonce}, salt=TOKEN_SALT)
    link = settings.SHOP_BASE_URL.rstrip("/") + reverse("accounts:second_factor_enrol", args=[token])
    get_account_adapter(request).send_mail("account/email/second_factor_enrolment", address, {
        "user": user, "enrolment_url": link,
        "minutes": int(ENROLMENT_LINK_MAX_AGE.total_seconds() // 60),
    })
    request.session[SENT_SESSION_KEY] = time.time()
    return True


def enrolment_link_check(*, token: str) -> tuple[int, str]:
    """The account id and nonce of a valid, unused, unexpired link; raises EnrolmentLinkProblem."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=ENROLMENT_LINK_MAX_AGE)
        user_id, nonce = int(payload["u"]), str(payload["n"])
    except signing.SignatureExpired:
        raise EnrolmentLinkProblem("This link has expired: links to set up two-factor authentication "
                                   f"work for {int(ENROLMENT_LINK_MAX_AGE.total_seconds() // 60)} minutes. "
                                   "Open two-factor setup again and we will send you a new one.") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise EnrolmentLinkProblem("This link is not valid. Use the newest link we e-mailed you, "
                                   "or open two-factor setup again for a new one.") from None
    if cache.get(_nonce_key(nonce)) != user_id:
        raise EnrolmentLinkProblem("This link has already been used (each link works once). Open "
                                   "two-factor setup again and we will send you a new one.")
    return user_id, nonce


def enrolment_link_redeem(*, request: HttpRequest, token: str) -> None:
    """Use a link once: unlock enrolment in this session for the signed-in account it was sent to.

    Raises EnrolmentLinkProblem for a link that is invalid, expired, used or another account's.
    """
    user_id, nonce = enrolment_link_check(token=token)
    if user_id != request.user.pk:
        raise EnrolmentLinkProblem("This link was sent to another account. Log in as the account "
                                   "it was sent to, then open it again.")
    # The delete decides between two uses at once: only one of them removes the key.
    if not cache.delete(_nonce_key(nonce)):
        raise EnrolmentLinkProblem("This link has already been used (each link works once). Open "
                                   "two-factor setup again and we will send you a new one.")
    request.session[UNLOCKED_SESSION_KEY] = {
        "user": user_id, "until": time.time() + ENROLMENT_LINK_MAX_AGE.total_seconds()}
    request.session.pop(SENT_SESSION_KEY, None)


def _recently_sent(request: HttpRequest) -> bool:
    sent_at = request.session.get(SENT_SESSION_KEY)
    return isinstance(sent_at, int | float) and time.time() - sent_at < ENROLMENT_LINK_RESEND_AFTER.total_seconds()


def _masked(address: str | None) -> str:
    if not address:
        return ""
    local, _, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"


@never_cache
@require_http_methods(["GET", "POST"])
def activate_totp(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """allauth's authenticator-app setup, after the e-mailed link for staff without a factor."""
    user = request.user
    if not enrolment_needs_link(user) or enrolment_unlocked(request=request, user=user):
        return allauth_activate_totp(request, *args, **kwargs)
    address = verified_address(user)
    status = 200
    if request.method == "POST" and "send_link" not in request.POST:
        status = 403  # an activation posted without the link: refused, nothing enrolled
    elif address and not _recently_sent(request):
        enrolment_link_send(request=request, user=user)
    elif request.method == "POST":
        status = 429  # the button pressed again at once: the inbox is not flooded
    return render(request, "account/second_factor_check_inbox.html", {
        "masked_address": _masked(address), "has_address": bool(address), "refused": status == 403,
        "too_soon": status == 429, "minutes": int(ENROLMENT_LINK_MAX_AGE.total_seconds() // 60),
    }, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def enrolment_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: shows a button (a mail scanner's GET uses nothing); its POST unlocks setup."""
    if not request.user.is_authenticated:
        target = f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: request.path})}"
        response: HttpResponse = HttpResponseRedirect(target)
    else:
        try:
            if request.method == "POST":
                enrolment_link_redeem(request=request, token=token)
                response = HttpResponseRedirect(reverse("mfa_activate_totp"))
            else:
                enrolment_link_check(token=token)
                response = render(request, "account/second_factor_enrol.html", {})
        except EnrolmentLinkProblem as problem:
            response = render(request, "account/second_factor_link_problem.html",
                              {"problem": str(problem)}, status=400)
    response["Referrer-Policy"] = TOKEN_PAGE_REFERRER_POLICY
    return response


class StaffActivateTOTPForm(ActivateTOTPForm):
    """allauth's activation form, refusing a staff account's first app without the e-mailed link."""

    def clean(self) -> dict[str, Any]:
        request = allauth_context.request
        if request is None or not enrolment_unlocked(request=request, user=self.user):
            raise forms.ValidationError("Open the link we e-mailed to your verified address before "
                                        "setting up two-factor authentication.")
        return super().clean()


def second_factor_change_notify(*, adapter: Any, template_prefix: str, user: AbstractBaseUser,
                                context: dict[str, Any] | None = None) -> bool:
    """E-mail a second-factor change (allauth's "mfa/email/..." notices) to the verified address.

    Sent whatever ACCOUNT_EMAIL_NOTIFICATIONS says: a factor added or removed by someone else is
    how a stolen password shows itself to the account's owner. Returns whether a mail went.
    """
    address = verified_address(user)
    if address is None:
        return False
    request = allauth_context.request
    user_agent = request.headers.get("User-Agent", "")[:200] if request is not None else ""
    adapter.send_mail(template_prefix, address, {"timestamp": timezone.now(), "user_agent": user_agent,
                                                 **(context or {})})
    return True
