"""Building the newsletter's e-mails: the confirmation (no marketing in it) and the marketing ones.

Every marketing e-mail comes from SHOP_MARKETING_FROM_EMAIL, has a text and an HTML part
(rendered by Django templates, so everything shown is escaped), and carries one-click
unsubscribe headers (RFC 8058) and the same link in its body.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Subscriber
from .links import confirm_url, unsubscribe_url


def _message(*, subscriber: Subscriber, subject: str, template: str, context: dict,
             headers: dict[str, str]) -> EmailMultiAlternatives:
    context = {**context, "shop_name": settings.SHOP_NAME, "shop_url": settings.SHOP_BASE_URL.rstrip("/")}
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"marketing/emails/{template}.txt", context),
        from_email=settings.SHOP_MARKETING_FROM_EMAIL, to=[subscriber.email], headers=headers,
    )
    message.attach_alternative(render_to_string(f"marketing/emails/{template}.html", context), "text/html")
    return message


def confirmation_build(*, subscriber: Subscriber) -> EmailMultiAlternatives:
    """The double opt-in e-mail: the link, and nothing else to sell."""
    return _message(subscriber=subscriber, subject=f"{settings.SHOP_NAME}: confirm your newsletter subscription",
                    template="newsletter_confirm", context={"confirm_url": confirm_url(subscriber)},
                    headers={"Auto-Submitted": "auto-generated"})


def marketing_build(*, subscriber: Subscriber, subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    link = unsubscribe_url(subscriber)
    headers = {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Attuned-Category": "marketing",
    }
    return _message(subscriber=subscriber, subject=subject, template=template,
                    context={**context, "unsubscribe_url": link}, headers=headers)
