from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone


class PaymentStatus(models.TextChoices):
    CREATED = "created", "Created (not yet sent to the provider)"
    REQUIRES_ACTION = "requires_action", "Waiting for the shopper's authentication"
    SUCCEEDED = "succeeded", "Succeeded"
    DECLINED = "declined", "Declined"
    ERROR = "error", "Provider error"
    REFUNDED = "refunded", "Refunded"


class Payment(models.Model):
    """One attempt to pay for a checkout, keyed by the attempt's idempotency key.

    Written before the provider is called, so a charge that succeeds while the
    shop fails afterwards is on record and gets reconciled (an order or a refund).
    Holds the provider's reference, never card data.
    """

    idempotency_key = models.CharField(max_length=64, unique=True)
    fingerprint = models.CharField(max_length=64, help_text="What was bought, where to, for how much.")
    checkout = models.ForeignKey("checkout.Checkout", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="payments")
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="payments")
    provider = models.CharField(max_length=32)
    reference = models.CharField(max_length=100, null=True, blank=True, db_index=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    message = models.CharField(max_length=300, blank=True)
    action_url = models.CharField(max_length=500, blank=True)
    # The priced lines, shipping and totals at the moment of paying: the order is built from these.
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Payment {self.pk} ({self.status})"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", "Requested (the provider has not confirmed it yet)"
    SUCCEEDED = "succeeded", "Succeeded"
    REFUSED = "refused", "Refused by the provider"


class Refund(models.Model):
    """Money going back, keyed by one idempotency key per order (or per payment without an order).

    For an order the row is written first, as the intent (`requested`, with the order status
    it completes), before the provider is called outside any lock; the unique key makes a
    second refund of the same order fail cleanly, and `refunds_reconcile` finishes intents
    the shop did not hear back about.
    """

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    idempotency_key = models.CharField(max_length=80, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=RefundStatus.choices, default=RefundStatus.SUCCEEDED)
    order_status = models.CharField(max_length=16, blank=True,
                                    help_text="The order status this refund completes (cancelled or refunded).")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    reference = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    message = models.CharField(max_length=300, blank=True, help_text="What the provider said when it refused.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"Refund {self.pk} of {self.amount} {self.currency}"


class TestProviderCharge(models.Model):
    """The test provider's own ledger: what a real provider keeps on its side. Tokens only, no card data."""

    reference = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    token = models.CharField(max_length=40)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20)
    message = models.CharField(max_length=300, blank=True)
    return_url = models.CharField(max_length=500, blank=True)
    refunded_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    refund_keys = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.reference


class ProviderEvent(models.Model):
    """A webhook event a payment provider sent, remembered by its id so that a replay of it (the
    same signed body again, within the provider's tolerance) is answered without being acted on.

    The unique pair decides between two deliveries of one event even when they arrive at once.
    Kept a day, well past every tolerance window, then purged (privacy.retention).
    """

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_once")]

    def __str__(self) -> str:
        return f"{self.provider} event {self.event_id}"
