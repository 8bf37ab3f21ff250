"""allauth, in the shop's name: e-mails name the shop (SHOP_NAME) and its public address
(SHOP_BASE_URL) instead of whatever host the request came in on."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


@dataclass(frozen=True)
class ShopSite:
    """Stands where allauth expects a Site: the name and address shoppers know."""

    name: str
    domain: str


def shop_site() -> ShopSite:
    return ShopSite(name=settings.SHOP_NAME, domain=urlsplit(settings.SHOP_BASE_URL).netloc or settings.SHOP_BASE_URL)


class ShopAccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject: str) -> str:
        return f"{settings.SHOP_NAME}: {subject.strip()}"

    def render_mail(self, template_prefix, email, context, headers=None):
        context = {**context, "current_site": shop_site(), "shop_name": settings.SHOP_NAME,
                   "shop_base_url": settings.SHOP_BASE_URL}
        return super().render_mail(template_prefix, email, context, headers=headers)
