"""Production refuses to start without real secrets; other settings read the environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import DEVELOPMENT_FIELD_ENCRYPTION_KEY, DEVELOPMENT_SECRET_KEY

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DJANGO_SECRET_KEY": "s" * 50,
    "FIELD_ENCRYPTION_KEY": "e" * 50,
    "FIELD_SIGNING_KEY": "g" * 50,
    "BLIND_INDEX_KEY": "b" * 50,
    "SHOP_TEST_PROVIDER_WEBHOOK_SECRET": "w" * 50,
}


def start_production(**overrides: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in GOOD and not key.startswith("DJANGO_SETTINGS")}
    env.update({**GOOD, **overrides, "DJANGO_SETTINGS_MODULE": "config.settings.production"})
    env = {key: value for key, value in env.items() if value is not None and value != "<unset>"}
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); print('started')"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_production_starts_with_real_secrets():
    result = start_production()

    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize("name,value", [
    ("DJANGO_SECRET_KEY", "<unset>"),
    ("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY),
    ("FIELD_ENCRYPTION_KEY", "<unset>"),
    ("FIELD_ENCRYPTION_KEY", DEVELOPMENT_FIELD_ENCRYPTION_KEY),
    ("FIELD_SIGNING_KEY", "short"),
    ("BLIND_INDEX_KEY", "<unset>"),
    ("SHOP_TEST_PROVIDER_WEBHOOK_SECRET", "<unset>"),
])
def test_production_refuses_missing_default_or_weak_secrets(name, value):
    result = start_production(**{name: value})

    assert result.returncode != 0
    assert f"{name} must be set" in result.stderr


def test_production_refuses_one_key_reused_for_two_purposes():
    result = start_production(FIELD_ENCRYPTION_KEY=GOOD["DJANGO_SECRET_KEY"])

    assert result.returncode != 0
    assert "different" in result.stderr


def test_production_cookies_are_secure_httponly_and_samesite():
    script = ("import django; django.setup(); from django.conf import settings as s; "
              "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
              "s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS > 0, s.PASSWORD_HASHERS[0])")
    env = {**os.environ, **GOOD, "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)

    assert result.stdout.split() == ["True", "True", "True", "Lax", "True",
                                     "django.contrib.auth.hashers.Argon2PasswordHasher"]
