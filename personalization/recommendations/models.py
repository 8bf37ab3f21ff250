"""The recommendations' rows: consented behaviour, model versions, their stored lists, retraining and previews.

Its tables are named after the label whose migrations created them (`personalization_<model>`).
"""

from django.conf import settings
from django.db import models

from primitives.audit import audit_trail


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
        db_table = "personalization_behaviourevent"
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
        db_table = "personalization_modelversion"
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
        db_table = "personalization_recommendationlist"
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
        db_table = "personalization_retrainingrequest"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} at {self.requested_at:%Y-%m-%d %H:%M}"


@audit_trail()
class PreviewAuditEntry(models.Model):
    """A staff member looked at a customer's recommendations in the admin.

    Names the staff member and a keyed pseudonym of the customer, never the customer's data.
    """

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    customer_pseudonym = models.CharField(max_length=32, db_index=True)
    viewed_at = models.DateTimeField()
    version = models.ForeignKey(ModelVersion, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "personalization_previewauditentry"
        ordering = ["-viewed_at"]
        verbose_name_plural = "preview audit entries"

    def __str__(self) -> str:
        return f"Preview of {self.customer_pseudonym} at {self.viewed_at:%Y-%m-%d %H:%M}"
