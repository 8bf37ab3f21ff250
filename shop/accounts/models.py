from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from primitives.encrypted_fields import EncryptedCharField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A shopper or a member of staff, identified by e-mail.

    The login e-mail stays in plain text: allauth looks it up and sends to it.
    Names, phone numbers and addresses live elsewhere, in encrypted fields.
    """

    email = models.EmailField("e-mail address", unique=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # The customer number of an imported history (pseudonymous: it names nobody).
    imported_customer_number = models.CharField(max_length=32, unique=True, null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.email


class SavedAddress(models.Model):
    """An address a shopper keeps in their account to pick at checkout. Encrypted like checkout
    addresses; the country stays plain (a country alone names nobody, and shipping depends on it)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_addresses")
    full_name = EncryptedCharField(max_length=200)
    line1 = EncryptedCharField("address line 1", max_length=200)
    line2 = EncryptedCharField("address line 2", max_length=200, blank=True, default="")
    city = EncryptedCharField("town or city", max_length=100)
    postcode = EncryptedCharField(max_length=20)
    country = models.CharField(max_length=2)
    phone = EncryptedCharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "saved addresses"

    def __str__(self) -> str:
        return f"Saved address {self.pk}"

    def lines(self) -> list[str]:
        return [part for part in (self.full_name, self.line1, self.line2, self.city, self.postcode) if part]


class ApiToken(models.Model):
    """A key for the REST API, shown once when made. Only its SHA-256 is stored (the key is 256
    random bits, so a plain hash cannot be guessed back); deleting the row revokes it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, default="")
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the key, shown in lists so that a person can tell their keys apart.
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"API token {self.prefix}…"
