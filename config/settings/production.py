"""Real deployments. Refuses to start without real secrets."""

from django.core.exceptions import ImproperlyConfigured

from config.env import (
    DEVELOPMENT_BLIND_INDEX_KEY,
    DEVELOPMENT_FIELD_ENCRYPTION_KEY,
    DEVELOPMENT_FIELD_SIGNING_KEY,
    DEVELOPMENT_SECRET_KEY,
    DEVELOPMENT_TEST_PROVIDER_WEBHOOK_SECRET,
)

from .base import *  # noqa: F403
from .base import SHOP_PAYMENT_PROVIDER, env

MINIMUM_KEY_LENGTH = 32


def require_secret(name: str, development_value: str) -> str:
    """Return the secret named `name`, refusing a missing, short or development value."""
    value = env(name, default="")
    if not value or value == development_value or len(value) < MINIMUM_KEY_LENGTH:
        raise ImproperlyConfigured(
            f"{name} must be set to a random value of at least {MINIMUM_KEY_LENGTH} "
            "characters in production (not the development default)."
        )
    return value


DEBUG = False
SECRET_KEY = require_secret("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
FIELD_ENCRYPTION_KEY = require_secret("FIELD_ENCRYPTION_KEY", DEVELOPMENT_FIELD_ENCRYPTION_KEY)
FIELD_SIGNING_KEY = require_secret("FIELD_SIGNING_KEY", DEVELOPMENT_FIELD_SIGNING_KEY)
BLIND_INDEX_KEY = require_secret("BLIND_INDEX_KEY", DEVELOPMENT_BLIND_INDEX_KEY)
if len({SECRET_KEY, FIELD_ENCRYPTION_KEY, FIELD_SIGNING_KEY, BLIND_INDEX_KEY}) < 4:
    raise ImproperlyConfigured("Each secret key must be different from the others.")
CRYPTOGRAPHY_KEY = FIELD_ENCRYPTION_KEY
if SHOP_PAYMENT_PROVIDER == "test":
    # A demo deployment on the test provider still verifies webhooks with a real secret.
    SHOP_TEST_PROVIDER_WEBHOOK_SECRET = require_secret(
        "SHOP_TEST_PROVIDER_WEBHOOK_SECRET", DEVELOPMENT_TEST_PROVIDER_WEBHOOK_SECRET
    )

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
