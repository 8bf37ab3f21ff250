"""The test suite: fast hashing, in-memory mail, same code paths as production."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

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
