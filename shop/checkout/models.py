import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from primitives.encrypted_fields import BlindIndexField, EncryptedCharField, EncryptedEmailField


class Address(models.Model):
    """A postal address. Everything naming or locating the person is encrypted; the country is not
    (VAT and shipping depend on it, and a country alone identifies nobody)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="addresses", help_text="The account that gave it; empty for a guest.")
    full_name = EncryptedCharField(max_length=200)
    line1 = EncryptedCharField("address line 1", max_length=200)
    line2 = EncryptedCharField("address line 2", max_length=200, blank=True, default="")
    city = EncryptedCharField(max_length=100)
    postcode = EncryptedCharField(max_length=20)
    country = models.CharField(max_length=2)
    phone = EncryptedCharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"Address {self.pk}"

    def lines(self) -> list[str]:
        return [part for part in (self.full_name, self.line1, self.line2, self.city, self.postcode) if part]


class ShippingMethod(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True)
    # VAT-inclusive at the home rate, like catalog prices.
    price = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    countries = models.CharField(max_length=400, help_text="Comma-separated country codes, or * for every "
                                                           "country but the home country.")
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "price"]

    def __str__(self) -> str:
        return self.name

    def serves(self, country: str) -> bool:
        if self.countries.strip() == "*":
            return country != settings.SHOP_HOME_COUNTRY
        return country in {code.strip().upper() for code in self.countries.split(",")}


class CheckoutStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"
    ABANDONED = "abandoned", "Abandoned"


class Checkout(models.Model):
    """One attempt to buy a cart: who, where to, how, and the stock held for it (by `token`)."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cart = models.ForeignKey("cart.Cart", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="checkouts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="checkouts")
    email = EncryptedEmailField(blank=True, null=True)
    email_index = BlindIndexField(source="email")
    shipping_address = models.ForeignKey(Address, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    shipping_method = models.ForeignKey(ShippingMethod, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    status = models.CharField(max_length=16, choices=CheckoutStatus.choices, default=CheckoutStatus.OPEN)
    reserved_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cart"], condition=models.Q(status="open"),
                                    name="checkout_one_open_per_cart"),
        ]

    def __str__(self) -> str:
        return f"Checkout {self.pk}"

    @property
    def country(self) -> str | None:
        return self.shipping_address.country if self.shipping_address_id else None
