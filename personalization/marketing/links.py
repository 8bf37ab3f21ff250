"""The newsletter's signed links: confirm a subscription, unsubscribe in one click.

The salts are part of every link already e-mailed: changing one breaks those links.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Subscriber

CONFIRM_SALT = "personalization.newsletter.confirm"
UNSUBSCRIBE_SALT = "personalization.newsletter.unsubscribe"


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps({"s": subscriber.pk, "n": subscriber.token_nonce}, salt=CONFIRM_SALT, compress=True)


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.dumps({"s": subscriber.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def absolute(path: str) -> str:
    return settings.SHOP_BASE_URL.rstrip("/") + path


def confirm_url(subscriber: Subscriber) -> str:
    return absolute(reverse("newsletter:confirm", kwargs={"token": confirm_token(subscriber)}))


def unsubscribe_url(subscriber: Subscriber) -> str:
    return absolute(reverse("newsletter:unsubscribe",
                            kwargs={"token": unsubscribe_token(subscriber)}))
