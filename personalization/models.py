from django.conf import settings
from django.db import models


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
