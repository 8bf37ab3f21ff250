"""Real deployments. Refuses to start without real secrets."""

from django.core.exceptions import ImproperlyConfigured

from config.env import (
    DEVELOPMENT_BLIND_INDEX_KEY,
    DEVELOPMENT_FIELD_ENCRYPTION_KEY,
    DEVELOPMENT_FIELD_SIGNING_KEY,
    DEVELOPMENT_SECRET_KEY,
    DEVELOPMENT_TEST_PROVIDER_WEBHOOK_SECRET,
)

from privacy.checks import key_variety_problem, old_field_keys, related_key_problems

from .base import *  # noqa: F403
from .base import EMAIL_BACKEND, FIELD_ENCRYPTION_OLD_KEYS, SHOP_PAYMENT_PROVIDER, env

MINIMUM_KEY_LENGTH = 32
# What Django's own deployment check asks of SECRET_KEY (security.W009).
MINIMUM_SECRET_KEY_LENGTH = 50


def require_secret(name: str, development_value: str,
                   minimum_length: int = MINIMUM_KEY_LENGTH) -> str:
    """Return the secret named `name`; refuse a missing, short, too regular or development value."""
    value = env(name, default="")
    if not value or value == development_value or len(value) < minimum_length or value.startswith(
            "django-insecure-"):
        raise ImproperlyConfigured(
            f"{name} must be set to a random value of at least {minimum_length} "
            "characters in production (not the development default)."
        )
    if problem := key_variety_problem(value):
        raise ImproperlyConfigured(f"{name} must be set to a random value: {problem}.")
    return value


DEBUG = False
SECRET_KEY = require_secret("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY, MINIMUM_SECRET_KEY_LENGTH)
FIELD_ENCRYPTION_KEY = require_secret("FIELD_ENCRYPTION_KEY", DEVELOPMENT_FIELD_ENCRYPTION_KEY)
FIELD_SIGNING_KEY = require_secret("FIELD_SIGNING_KEY", DEVELOPMENT_FIELD_SIGNING_KEY)
BLIND_INDEX_KEY = require_secret("BLIND_INDEX_KEY", DEVELOPMENT_BLIND_INDEX_KEY)
CRYPTOGRAPHY_KEY = FIELD_ENCRYPTION_KEY
_current_keys = {"DJANGO_SECRET_KEY": SECRET_KEY, "FIELD_ENCRYPTION_KEY": FIELD_ENCRYPTION_KEY,
                 "FIELD_SIGNING_KEY": FIELD_SIGNING_KEY, "BLIND_INDEX_KEY": BLIND_INDEX_KEY}
if SHOP_PAYMENT_PROVIDER == "test":
    # A demo deployment on the test provider still verifies webhooks with a real secret.
    SHOP_TEST_PROVIDER_WEBHOOK_SECRET = require_secret(
        "SHOP_TEST_PROVIDER_WEBHOOK_SECRET", DEVELOPMENT_TEST_PROVIDER_WEBHOOK_SECRET
    )
    _current_keys["SHOP_TEST_PROVIDER_WEBHOOK_SECRET"] = SHOP_TEST_PROVIDER_WEBHOOK_SECRET
# A key that contains another (the encryption key plus "x", or in capitals) is as good as
# shared: whoever holds one nearly holds both.
if _key_problems := related_key_problems(current=_current_keys,
                                         old=old_field_keys(FIELD_ENCRYPTION_OLD_KEYS)):
    raise ImproperlyConfigured(" ".join(_key_problems))

# Mail must reach people: verification, password reset, data-request links and receipts are
# sent once. The console and file backends would also write customers' e-mails where logs go.
NON_DELIVERING_EMAIL_BACKENDS = frozenset({
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
})
if not env("EMAIL_URL", default=""):
    raise ImproperlyConfigured(
        "EMAIL_URL must be set in production, e.g. smtp://user:password@mail:587.")
if EMAIL_BACKEND in NON_DELIVERING_EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"EMAIL_URL must name a real mail server in production (smtp://...), not {EMAIL_BACKEND}, "
        "which delivers nothing.")

# Beat (or cron with `run_scheduled_jobs`) runs the schedule here, never the development loop.
SCHEDULED_JOBS_IN_PROCESS = False

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
    "staticfiles": {"BACKEND": "config.static_storage.KeptAddressesStaticFilesStorage"},
}

# Persistent database connections (health-checked before reuse, base.py): opening a PostgreSQL
# connection per request costs several times a page's queries.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)  # noqa: F405
