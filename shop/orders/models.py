from decimal import Decimal

from django.conf import settings
from django.db import models

from primitives.audit import audit_trail
from primitives.encrypted_fields import BlindIndexField, EncryptedEmailField


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
    # Web orders: what the receipt states. Imported orders leave these empty.
    email = EncryptedEmailField(null=True, blank=True, help_text="A guest's e-mail address (encrypted).")
    email_index = BlindIndexField(source="email")
    shipping_address = models.ForeignKey("checkout.Address", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    shipping_method = models.CharField(max_length=100, blank=True)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    shipping_total = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    tax_total = models.DecimalField("VAT included", max_digits=12, decimal_places=2, default=Decimal("0"))
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0"))
    invoice_number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    checkout_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["user", "-placed_at"])]
        permissions = [
            ("view_customer_details", "Can see customers' names, addresses and e-mail addresses"),
            ("change_order_status", "Can ship, deliver and cancel orders"),
            ("refund_order", "Can refund orders"),
        ]

    def __str__(self) -> str:
        return f"Order {self.number}"

    @property
    def contact_email(self) -> str | None:
        return self.email or (self.user.email if self.user_id else None)


@audit_trail(free_text=("note",))
class OrderStatusChange(models.Model):
    """The audit trail of an order: every status change, who made it and why (written through
    primitives.audit: an address or a phone number in a staff note is blotted out)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=OrderStatus.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    note = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order_id", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} → {self.to_status}"


class InvoiceSequence(models.Model):
    """The last invoice number given, per prefix. Taken under a row lock in the order's own
    transaction, so a rolled-back order gives its number back: invoice numbers have no gaps."""

    prefix = models.CharField(max_length=10, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}{self.last_number:06d}"


class OrderEmail(models.Model):
    """A transactional e-mail sent about an order: sending twice is refused by the unique key."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=20)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "kind"], name="order_email_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} e-mail for order {self.order_id}"


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
    # What produced `unit_price`: "list", "demand:<rule id>", "segment:<name>" (a personalized price),
    # or "personalized" once the person is erased (the segment said something about them).
    # Defaults in the database too: the order history import inserts lines without the ORM.
    price_rule = models.CharField(max_length=60, blank=True, default="", db_default="")
    price_personalized = models.BooleanField(default=False, db_default=False)
    # What anyone without a personal price paid per unit, at the order's VAT; empty on lines placed
    # before it was kept and on imported history.
    public_unit_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # Why a personal price applied, as the shopper saw it; generalised once the person is erased.
    price_reason = models.CharField(max_length=120, blank=True, default="", db_default="")
    # An announced reduction of the public price: the lowest price of the 30 days before it.
    reduced_from = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

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

    @property
    def public_price_struck(self) -> Decimal | None:
        """The public unit price to strike through beside a personal one that differs from it; None
        otherwise (a public price, or a line placed before the public price was kept)."""
        if not self.price_personalized or self.public_unit_price in (None, self.unit_price):
            return None
        return self.public_unit_price
