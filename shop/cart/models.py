from django.conf import settings
from django.db import models


class Cart(models.Model):
    """What a shopper means to buy: an account's cart, or a visitor's (keyed by their session's visitor key)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="cart")
    visitor_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Goes up with every save or delete of one of its lines, whoever makes it (shop.cart.receivers):
    # a copy of the lines kept in a session is current while the revision it was read at is.
    revision = models.PositiveBigIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False, visitor_key__isnull=True)
                           | models.Q(user__isnull=True, visitor_key__isnull=False)),
                name="cart_belongs_to_user_or_visitor",
            ),
        ]

    def __str__(self) -> str:
        return f"Cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.ProductVariant", on_delete=models.CASCADE, related_name="cart_lines")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)
    # The unit price quoted when the line was added (VAT included, home rate), held until
    # `price_locked_until`: the shopper pays it, or the current price if that is lower
    # (shop.pricing.locks). Empty on lines from before prices were locked.
    quoted_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    quoted_public_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    quoted_rule = models.CharField(max_length=60, blank=True, default="", db_default="")
    quoted_personalized = models.BooleanField(default=False, db_default=False)
    quoted_reason = models.CharField(max_length=120, blank=True, default="", db_default="")
    price_locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_line_one_per_variant"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id}"
