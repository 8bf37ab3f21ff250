from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse


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
    is_published = models.BooleanField(default=True)
    # Distinct buyers over the last 90 days, refreshed by a scheduled task.
    popularity = models.PositiveIntegerField(default=0, db_index=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

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
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    stock_quantity = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["product_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.product.title} — {self.name}" if self.name else self.product.title
