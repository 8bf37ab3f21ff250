"""The merchant admin's front door.

Staff sign in through the shop's login page, not the admin's own form: one login, with
its rate limits (failed attempts per address and per account) and its second factor. Staff
whose permissions reach customers' personal data or refunds must have signed in with a
second factor (allauth's TOTP or a recovery code) before any admin page opens.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def signed_in_with_second_factor(request: HttpRequest) -> bool:
    """Whether this session's login (or a later re-authentication) used the user's second factor."""
    from allauth.account.authentication import get_authentication_records
    from allauth.mfa.models import Authenticator

    records = get_authentication_records(request, request.user)
    used = {record.get("id") for record in records if record.get("method") == "mfa"}
    return bool(used) and Authenticator.objects.filter(user=request.user, pk__in=used).exists()


def second_factor_missing(request: HttpRequest) -> bool:
    from shop.accounts.roles import staff_needs_second_factor

    return (settings.STAFF_SECOND_FACTOR_REQUIRED and staff_needs_second_factor(request.user)
            and not signed_in_with_second_factor(request))


class ShopAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not second_factor_missing(request)

    def login(self, request: HttpRequest, extra_context=None):
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            login_url = reverse("account_login")
            return HttpResponseRedirect(f"{login_url}?{urlencode({'next': next_url})}")
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        if second_factor_missing(request):
            from allauth.mfa.utils import is_mfa_enabled

            if is_mfa_enabled(user):
                # Set up after this login began: confirm it once with the authenticator app.
                target = reverse("mfa_reauthenticate")
            else:
                messages.warning(request, "Your role gives access to customers' details or refunds: "
                                          "set up two-factor authentication, then open the admin again.")
                target = reverse("mfa_activate_totp")
            return HttpResponseRedirect(f"{target}?{urlencode({'next': next_url})}")
        return HttpResponseRedirect(next_url)


class ShopAdminConfig(AdminConfig):
    default_site = "config.admin.ShopAdminSite"
