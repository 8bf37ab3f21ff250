from decimal import Decimal

from django.conf import settings
from django.db import models


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending payment"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


class OrderSource(models.TextChoices):
    WEB = "web", "Web shop"
    IMPORT = "import", "Imported history"


class Order(models.Model):
    number = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    source = models.CharField(max_length=16, choices=OrderSource.choices, default=OrderSource.WEB)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    shipping_country = models.CharField(max_length=64, blank=True)
    placed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["user", "-placed_at"])]

    def __str__(self) -> str:
        return f"Order {self.number}"


class OrderLine(models.Model):
    """One product on an order. SKU, title and price are copied: the catalog may change."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    variant = models.ForeignKey(
        "catalog.ProductVariant", null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    product_sku = models.CharField(max_length=64)
    product_title = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    # Units later cancelled (imported cancellations or refunds); never above quantity.
    quantity_cancelled = models.PositiveIntegerField(default=0)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["order_id", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="order_line_number_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity_cancelled__lte=models.F("quantity")),
                name="order_line_cancelled_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_sku}"

    @property
    def line_total(self) -> Decimal:
        return (self.quantity - self.quantity_cancelled) * self.unit_price
