"""allauth, in the shop's name: e-mails name the shop (SHOP_NAME) and its public address
(SHOP_BASE_URL) instead of whatever host the request came in on."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from . import login_limits
from .second_factor import second_factor_change_notify


@dataclass(frozen=True)
class ShopSite:
    """Stands where allauth expects a Site: the name and address shoppers know."""

    name: str
    domain: str


def shop_site() -> ShopSite:
    return ShopSite(name=settings.SHOP_NAME, domain=urlsplit(settings.SHOP_BASE_URL).netloc or settings.SHOP_BASE_URL)


def client_network_pseudonym(address: str) -> str:
    """A keyed pseudonym of a client address, for rate limits: the same for one address (an IPv6
    client's whole /64, as allauth groups them), meaningless without BLIND_INDEX_KEY."""
    try:
        parsed = ipaddress.ip_address(address)
        if isinstance(parsed, ipaddress.IPv6Address):
            address = str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    except ValueError:
        pass
    digest = hmac.new(settings.BLIND_INDEX_KEY.encode(), f"client-ip:{address}".encode(), hashlib.sha256)
    return "ip-" + digest.hexdigest()[:32]


class ShopAccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth keys its login and sign-up rate limits (in the cache) by this value: a
        # pseudonym keeps raw client addresses out of every store.
        return client_network_pseudonym(super().get_client_ip(request))

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials) -> str:
        # The one per-account key every door shares (login_limits): the site's login, the
        # re-authentication and a password reset's clearing use it here, the API and the
        # password re-checks there.
        return login_limits.account_key(credentials.get("email") or credentials.get("username") or "")

    def format_email_subject(self, subject: str) -> str:
        return f"{settings.SHOP_NAME}: {subject.strip()}"

    def render_mail(self, template_prefix, email, context, headers=None):
        context = {**context, "current_site": shop_site(), "shop_name": settings.SHOP_NAME,
                   "shop_base_url": settings.SHOP_BASE_URL}
        return super().render_mail(template_prefix, email, context, headers=headers)

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        # Second-factor changes are always e-mailed to the verified address (second_factor.py);
        # allauth's other notices follow ACCOUNT_EMAIL_NOTIFICATIONS.
        if template_prefix.startswith("mfa/email/"):
            second_factor_change_notify(adapter=self, template_prefix=template_prefix, user=user, context=context)
            return
        super().send_notification_mail(template_prefix, user, context=context, email=email)
