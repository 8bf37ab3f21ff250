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
from .base import EMAIL_BACKEND, SHOP_PAYMENT_PROVIDER, env

MINIMUM_KEY_LENGTH = 32
# What Django's own deployment check asks of SECRET_KEY (security.W009).
MINIMUM_SECRET_KEY_LENGTH = 50
MINIMUM_UNIQUE_CHARACTERS = 5


def require_secret(name: str, development_value: str,
                   minimum_length: int = MINIMUM_KEY_LENGTH) -> str:
    """Return the secret named `name`; refuse a missing, short, repetitive or development value."""
    value = env(name, default="")
    if (not value or value == development_value or len(value) < minimum_length
            or len(set(value)) < MINIMUM_UNIQUE_CHARACTERS or value.startswith("django-insecure-")):
        raise ImproperlyConfigured(
            f"{name} must be set to a random value of at least {minimum_length} "
            "characters in production (not the development default)."
        )
    return value


DEBUG = False
SECRET_KEY = require_secret("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY, MINIMUM_SECRET_KEY_LENGTH)
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
    if SHOP_TEST_PROVIDER_WEBHOOK_SECRET in {SECRET_KEY, FIELD_ENCRYPTION_KEY, FIELD_SIGNING_KEY,
                                             BLIND_INDEX_KEY}:
        raise ImproperlyConfigured(
            "SHOP_TEST_PROVIDER_WEBHOOK_SECRET must be different from the other secrets.")

# Mail must go somewhere real: the console backend would print customers' e-mails to the log.
if not env("EMAIL_URL", default=""):
    raise ImproperlyConfigured(
        "EMAIL_URL must be set in production, e.g. smtp://user:password@mail:587.")
if EMAIL_BACKEND.endswith(("console.EmailBackend", "locmem.EmailBackend",
                           "filebased.EmailBackend")):
    raise ImproperlyConfigured("EMAIL_URL must name a real mail server in production (smtp://...).")

# Structured logs: one JSON object per line, each with its request id.
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Persistent database connections (health-checked before reuse, base.py): opening a PostgreSQL
# connection per request costs several times a page's queries.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)  # noqa: F405
