import secrets
import uuid

from django.conf import settings
from django.db import models

from primitives.encrypted_fields import BlindIndexField, EncryptedEmailField


def _nonce() -> str:
    return secrets.token_hex(16)


class EventKind(models.TextChoices):
    VIEWED = "viewed", "Viewed a product"
    ADDED_TO_CART = "added_to_cart", "Added to cart"
    REMOVED_FROM_CART = "removed_from_cart", "Removed from cart"
    CHECKOUT_STARTED = "checkout_started", "Started checkout"
    PURCHASED = "purchased", "Bought"


class BehaviourEventQuerySet(models.QuerySet["BehaviourEvent"]):
    def of_subject(self, *, user_id: int | None = None, visitor_id=None) -> "BehaviourEventQuerySet":
        return self.filter(user_id=user_id) if user_id is not None else self.filter(visitor_id=visitor_id)


class BehaviourEvent(models.Model):
    """One thing a consenting shopper did with a product. Written only with personalization consent.

    It belongs to an account or to an anonymous visitor's random id, never both.
    Search terms are not kept: they say too much and the recommenders do not need them.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    visitor_id = models.UUIDField(null=True, blank=True, db_index=True)
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    # The order a purchase belongs to, so training can rebuild baskets; kept when the order is
    # anonymised, cleared if it is ever deleted.
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_constraint=False)
    occurred_at = models.DateTimeField(db_index=True)

    objects = BehaviourEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["user", "occurred_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False, visitor_id__isnull=True)
                           | models.Q(user__isnull=True, visitor_id__isnull=False)),
                name="behaviour_event_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} product {self.product_id}"


class ModelVersionStatus(models.TextChoices):
    TRAINING = "training", "Training"
    READY = "ready", "Ready"
    ACTIVE = "active", "Serving"
    RETIRED = "retired", "Retired"
    FAILED = "failed", "Failed"


class ModelVersion(models.Model):
    """One training run of every rail: what it learned from, how well it did, and whether it serves.

    At most one version is active; pages read only the active version's lists, and
    activation switches the whole set in one transaction, so nobody sees a half-written one.
    """

    status = models.CharField(max_length=16, choices=ModelVersionStatus.choices,
                              default=ModelVersionStatus.TRAINING, db_index=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The training task that built it.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    trained_until = models.DateTimeField(help_text="The model's 'now': no event after it was used.")
    data_from = models.DateTimeField(null=True, blank=True, help_text="The earliest event used.")
    parameters = models.JSONField(default=dict)
    counts = models.JSONField(default=dict, help_text="Subjects, events, products and lists, in numbers.")
    metrics = models.JSONField(default=dict)
    duration_seconds = models.FloatField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=80, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="active"),
                                    name="model_version_one_active"),
        ]

    def __str__(self) -> str:
        return f"Model version {self.pk} ({self.get_status_display()})"


class Rail(models.TextChoices):
    FOR_YOU = "for_you", "Recommended for you"
    BUY_AGAIN = "buy_again", "Buy again"
    ALSO_BOUGHT = "also_bought", "Customers also bought"
    SIMILAR = "similar", "Similar products"
    TRENDING = "trending", "Trending"


class RecommendationList(models.Model):
    """A precomputed top-N list of one rail: per customer, per product, or for everyone.

    Per-product lists ("also bought", "similar") are also the neighbour lists that let
    a consenting visitor's recent views be turned into "Because you viewed ..." at once,
    before the next training.

    `items` holds entries, best first: {"product": id, "reason": code} plus, where the reason
    names a product, "about" and "about_title", and, for aggregate reasons, "customers" (how
    many distinct customers are behind it). What the rail must leave out at training time
    (already-bought products in "for you") is already left out. Per-customer lists are
    personal data: they go at once when the customer withdraws consent or is erased.
    """

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="lists")
    rail = models.CharField(max_length=16, choices=Rail.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    items = models.JSONField(default=list)

    class Meta:
        indexes = [
            models.Index(fields=["version", "rail", "user"]),
            models.Index(fields=["version", "rail", "product"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(user__isnull=True) | models.Q(product__isnull=True),
                                   name="recommendation_list_one_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rail_display()} (version {self.version_id})"


class RetrainingRequest(models.Model):
    """Someone's data left the event store: the models must be retrained by `due_by`.

    Names nobody: it records only when, why and by when, and which version fulfilled it.
    """

    class Reason(models.TextChoices):
        WITHDRAWAL = "withdrawal", "Personalization consent withdrawn"
        ERASURE = "erasure", "Personal data erased"
        MERCHANT = "merchant", "Requested in the admin"

    reason = models.CharField(max_length=16, choices=Reason.choices)
    requested_at = models.DateTimeField(db_index=True)
    due_by = models.DateTimeField()
    fulfilled_by = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="fulfilled_requests")

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} at {self.requested_at:%Y-%m-%d %H:%M}"


class PreviewAuditEntry(models.Model):
    """A staff member looked at a customer's recommendations in the admin.

    Names the staff member and a keyed pseudonym of the customer, never the customer's data.
    """

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    customer_pseudonym = models.CharField(max_length=32, db_index=True)
    viewed_at = models.DateTimeField()
    version = models.ForeignKey(ModelVersion, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-viewed_at"]
        verbose_name_plural = "preview audit entries"

    def __str__(self) -> str:
        return f"Preview of {self.customer_pseudonym} at {self.viewed_at:%Y-%m-%d %H:%M}"


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
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"E-mail {self.pk} ({self.get_status_display()})"


class SegmentRun(models.Model):
    """One computation of customer segments: which k, how well separated, and each segment's profile.

    `segments` holds, per reported segment, its name, size and mean recency (days),
    frequency (orders) and monetary value (spend per customer); no segment smaller than
    `min_size` is reported. `movement` counts customers per (previous, current) segment,
    with the same minimum.
    """

    computed_at = models.DateTimeField(db_index=True)
    customers = models.PositiveIntegerField(default=0)
    k = models.PositiveSmallIntegerField(default=0)
    silhouette = models.FloatField(null=True, blank=True)
    min_size = models.PositiveIntegerField()
    suppressed = models.PositiveIntegerField(default=0, help_text="Customers in no reported segment.")
    segments = models.JSONField(default=list)
    movement = models.JSONField(default=list)

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"Segments of {self.computed_at:%Y-%m-%d %H:%M}"


class SegmentMembership(models.Model):
    """Which segment a consenting customer fell into in one run. Personal data: exported and erased."""

    run = models.ForeignKey(SegmentRun, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    segment = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "user"], name="segment_membership_once_per_run")]

    def __str__(self) -> str:
        return f"{self.segment} (run {self.run_id})"


def segment_choices() -> list[tuple[str, str]]:
    """The segments `personalization.segments` names (from recency, frequency and spend only)."""
    from .segments import BIG_BASKETS, LAPSING, LOYAL, NEW, OCCASIONAL

    return [(name, name.capitalize()) for name in (LOYAL, NEW, BIG_BASKETS, OCCASIONAL, LAPSING)]


SEGMENT_INPUTS_NOTE = ("Segments come from the recency, frequency and monetary value of a customer's orders "
                       "only; country, device, browsing intensity and sensitive attributes are never inputs.")


class SegmentDiscount(models.Model):
    """A lower price for the customers of one segment: a personalized price, given only with consent.

    Only discounts exist (0 < percent < 100, and at most PERSONALIZATION_MAX_SEGMENT_DISCOUNT
    through the admin): a personalized mark-up cannot be stored. At most one enabled discount
    per segment. The strategy in personalization/pricing.py applies it to signed-in customers
    with personalization consent in force who are in that segment in the latest run; everyone
    else pays the public price. The rule names no person; which rule applies to whom is the
    person's segment membership (personal data, exported and erased).
    """

    segment = models.CharField(max_length=40, choices=segment_choices, help_text=SEGMENT_INPUTS_NOTE)
    percent = models.DecimalField(
        "discount (%)", max_digits=5, decimal_places=2,
        help_text="How much lower than the public price, in percent: more than 0, at most "
                  "PERSONALIZATION_MAX_SEGMENT_DISCOUNT. Never below the product's price floor.")
    enabled = models.BooleanField(default=True)
    reason = models.CharField(max_length=80, help_text="Shown to the shopper beside the price, e.g. "
                                                       "\"Thank you for being a loyal customer\".")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["segment", "-enabled", "-updated_at"]
        verbose_name = "personalized price (segment discount)"
        verbose_name_plural = "personalized prices (segment discounts)"
        constraints = [
            models.UniqueConstraint(fields=["segment"], condition=models.Q(enabled=True),
                                    name="segment_discount_one_enabled_per_segment",
                                    violation_error_message="This segment already has an enabled discount: "
                                                            "disable that one first."),
            models.CheckConstraint(condition=models.Q(percent__gt=0, percent__lt=100),
                                   name="segment_discount_only_lower",
                                   violation_error_message="A segment price can only be lower: personalized "
                                                           "mark-ups are not allowed."),
        ]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .pricing import segment_discount_percent_problems

        # The segment is checked against the segments computed (choices), the percent here.
        problems = segment_discount_percent_problems(self.percent)
        if problems:
            raise ValidationError({"percent": problems})

    def __str__(self) -> str:
        return f"{self.segment}: {self.percent}% off{'' if self.enabled else ' (disabled)'}"
