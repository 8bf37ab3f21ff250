from decimal import Decimal

from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse

from .search_document import ProductSearchDocument


class Category(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("storefront:category", kwargs={"slug": self.slug})


class ProductQuerySet(models.QuerySet["Product"]):
    def published(self) -> "ProductQuerySet":
        return self.filter(is_published=True)

    def with_stock_flag(self) -> "ProductQuerySet":
        """Annotate `in_stock`: whether any variant has units available."""
        available = ProductVariant.objects.filter(product=OuterRef("pk"), stock_quantity__gt=0)
        return self.annotate(in_stock=Exists(available))


class Product(models.Model):
    """Something the shop sells. What is bought is always one of its variants."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    # The lowest variant price, kept by catalog services so listings can sort and
    # filter on a column instead of an aggregate.
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    # An announced reduction of that price: the lowest price of the 30 days before it (kept with `price`).
    reduced_from = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, editable=False)
    # Guardrails for every variant's price, whatever rule sets it (empty: the pricing settings' band
    # around each variant's list price).
    price_floor = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                                      validators=[MinValueValidator(Decimal("0"))])
    price_ceiling = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                                        validators=[MinValueValidator(Decimal("0"))])
    is_published = models.BooleanField(default=True)
    # Distinct buyers over the last 90 days, refreshed by a scheduled task.
    popularity = models.PositiveIntegerField(default=0, db_index=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What search matches (PostgreSQL; NULL on SQLite): computed by the database on every
    # write, however the row is written (services, admin, the bulk import).
    search_vector = models.GeneratedField(expression=ProductSearchDocument(),
                                          output_field=SearchVectorField(null=True), db_persist=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["category", "is_published"]), models.Index(fields=["price"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("storefront:product", kwargs={"slug": self.slug})


class ProductVariant(models.Model):
    """A buyable form of a product (a colour, a size) with its own SKU, price and stock."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField("SKU", max_length=64, unique=True)
    name = models.CharField(max_length=120, blank=True, help_text="Empty for a product's only variant.")
    # The merchant's list price; `price` is the public price now in force (the list price, or what a
    # pricing rule set within the product's guardrails), stored so listings sort and filter on it.
    base_price = models.DecimalField("list price", max_digits=10, decimal_places=2,
                                     validators=[MinValueValidator(Decimal("0"))])
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    # Which rule set `price`: "list" or "demand:<rule id>"; copied to cart and order lines.
    price_rule = models.CharField(max_length=60, default="list", editable=False)
    price_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # An announced reduction: the lowest price of the 30 days before it (EU price indication).
    reduced_from = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, editable=False)
    stock_quantity = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["product_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.product.title} — {self.name}" if self.name else self.product.title

    def save(self, *args, **kwargs) -> None:
        if self.base_price is None:  # a new variant's list price is the price it was given
            self.base_price = self.price
        super().save(*args, **kwargs)


def product_image_path(instance: "ProductImage", filename: str) -> str:
    return f"products/{instance.product_id}/{filename}"


class ProductImage(models.Model):
    """A photo of a product. The thumbnail is made from it by `product_image_thumbnail_generate`."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=product_image_path)
    thumbnail = models.ImageField(upload_to=product_image_path, blank=True, editable=False)
    alt_text = models.CharField(max_length=200, help_text="What the photo shows, for people who cannot see it.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt_text


class StockReservation(models.Model):
    """Units of a variant held for one checkout until `expires_at`.

    Availability is stock minus unexpired reservations, so an abandoned checkout
    frees its units when the time runs out even if no clean-up job has run.
    """

    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="reservations")
    holder = models.UUIDField(db_index=True, help_text="The checkout holding the units.")
    quantity = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["holder", "variant"], name="stock_reservation_one_per_variant"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="stock_reservation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id} until {self.expires_at:%H:%M}"
