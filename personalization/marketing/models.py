"""The newsletter's rows: subscribers, campaigns and the log of each marketing e-mail.

Its tables are named after the label whose migrations created them (`personalization_<model>`).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models

from primitives.encrypted_fields import BlindIndexField, EncryptedEmailField


def _nonce() -> str:
    return secrets.token_hex(16)


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the e-mailed confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class Subscriber(models.Model):
    """Someone who asked for the newsletter: an account holder or just an e-mail address.

    The address is encrypted and found by its blind index. Marketing consent counts only
    once the e-mailed link is used (double opt-in); it is recorded in privacy's consent
    records under the account or, for a person without one, under `consent_key`, a random
    id that stands for the subscriber there. `token_nonce` changes at every confirmation
    and unsubscribe, so a link works once.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    email = EncryptedEmailField()
    email_index = BlindIndexField(source="email", unique=True)
    consent_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING,
                              db_index=True)
    token_nonce = models.CharField(max_length=32, default=_nonce)
    created_at = models.DateTimeField()
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "personalization_subscriber"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Subscriber {self.pk} ({self.get_status_display()})"


class CampaignKind(models.TextChoices):
    DIGEST = "digest", "Weekly digest"
    CART_REMINDER = "cart_reminder", "Abandoned-cart reminder"


class Campaign(models.Model):
    """One sending of one kind of marketing e-mail, keyed (a digest's key is its ISO week).

    Counts only: eligible, sent, skipped by reason. Names nobody.
    """

    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=CampaignKind.choices)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    counts = models.JSONField(default=dict, help_text="eligible, queued, sent, failed and skipped by reason")

    class Meta:
        db_table = "personalization_campaign"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"


class MarketingEmailStatus(models.TextChoices):
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    BOUNCED = "bounced", "Refused by the mail server"
    FAILED = "failed", "Not sent (mail server unreachable)"


class MarketingEmail(models.Model):
    """The log of one marketing e-mail to one subscriber, and the key that sends it at most once.

    The row is written (status "sending") before the mail server is called; a retried or
    redelivered send finds its `key` taken and sends nothing.
    """

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="emails")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="emails")
    # Per person and campaign ("<campaign key>:<subscriber id>"; a cart reminder's names the cart).
    key = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=16, choices=MarketingEmailStatus.choices)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    products = models.JSONField(default=list, help_text="Ids of the products the e-mail showed.")

    class Meta:
        db_table = "personalization_marketingemail"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"E-mail {self.pk} ({self.get_status_display()})"
