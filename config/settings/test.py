"""The test suite: fast hashing, in-memory mail, same code paths as production."""

import os
from urllib.parse import urlsplit, urlunsplit


def redis_url_of_xdist_worker(url: str, worker: str) -> str:
    """The Redis database of one pytest-xdist worker: gw0 keeps the URL's database N, gw1 takes
    N - 1, and so on (modulo Redis's 16). Each worker needs its own: `cache.clear()` empties a whole
    database, and a worker's Celery queue must not hand its tasks to another worker's test."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    own = (database - int(worker.removeprefix("gw"))) % 16
    return urlunsplit(parts._replace(path=f"/{own}"))


# Before base reads it. REDIS_URL_OF_SUITE keeps the suite's own URL, so a process that inherits
# this environment and loads these settings again does not shift the database twice.
if os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw") and os.environ.get("REDIS_URL"):
    os.environ.setdefault("REDIS_URL_OF_SUITE", os.environ["REDIS_URL"])
    os.environ["REDIS_URL"] = redis_url_of_xdist_worker(os.environ["REDIS_URL_OF_SUITE"],
                                                        os.environ["PYTEST_XDIST_WORKER"])

from .base import *  # noqa: E402, F403
from .base import BASE_DIR, env  # noqa: E402

DEBUG = False
# Argon2 costs tens of milliseconds per hash; tests hash thousands of passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "test-media"))
ACCOUNT_RATE_LIMITS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The admin tests sign staff in directly; tests/hardening/test_staff_login.py turns the
# second-factor requirement on and proves it.
STAFF_SECOND_FACTOR_REQUIRED = False
