"""Who else receives personal data, named from the settings that send it there.

The registry's "recipients" name roles ("Payment provider", "Carrier"); the privacy
notice and every data export name who fills each role in this installation, read from
the settings the shop actually uses (SHOP_PAYMENT_PROVIDER, EMAIL_BACKEND and EMAIL_HOST),
so the words cannot drift from what runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

PAYMENT_PROVIDER = "Payment provider"
MAIL_SERVER = "Mail server"
CARRIER = "Carrier"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True)
class Recipient:
    role: str
    who: str
    receives: str


def _payment_provider() -> str:
    name = settings.SHOP_PAYMENT_PROVIDER
    if name == "test":
        return "the shop's built-in demonstration service, which charges no card"
    return name


def _mail_server() -> str:
    if settings.EMAIL_BACKEND == SMTP_BACKEND and settings.EMAIL_HOST:
        return settings.EMAIL_HOST
    return "none: this installation of the shop sends no e-mail out"


def recipients() -> list[Recipient]:
    """Every role a registry entry may name, with who fills it here and what they receive."""
    return [
        Recipient(PAYMENT_PROVIDER, _payment_provider(), "the amount, currency and order of each payment"),
        Recipient(MAIL_SERVER, _mail_server(), "your e-mail address and the e-mails we send you"),
        Recipient(CARRIER, "the carrier delivering your parcel",
                  "the name, delivery address and phone number on the parcel"),
    ]


def recipient_named(role: str) -> str:
    """A registry role as the person reads it: "Payment provider: <who>"; an unknown role as declared."""
    for recipient in recipients():
        if recipient.role == role:
            return f"{recipient.role}: {recipient.who}"
    return role
