"""Production refuses to start without real secrets; other settings read the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import re

import pytest

from config.env import DEVELOPMENT_FIELD_ENCRYPTION_KEY, DEVELOPMENT_SECRET_KEY

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DJANGO_SECRET_KEY": "sK3-q9Lm_Vx7Rt2Wp8Zb4Nc6Hd1Jf5Gy0Ue-oIaTs9Qr7Mw3Xv8Ln",
    "FIELD_ENCRYPTION_KEY": "eN4-r8Kp_Wz6Ys1Vq7Xa3Mb5Gc0Hf2Jd9Td-uOiLe8Pw6Nx",
    "FIELD_SIGNING_KEY": "gS5-t7Jn_Vy4Xr9Wm2Zc8Lb1Hd6Kf3Ga0Ue-pIoQs5Rt",
    "BLIND_INDEX_KEY": "bI6-u5Hm_Tx3Wq8Vn1Yb7Kc2Gd9Jf4Fa0Re-sOpLu2Mv",
    "SHOP_TEST_PROVIDER_WEBHOOK_SECRET": "wH7-v4Gl_Sz2Vp9Um6Xa1Jb8Fc3Hd5Ke0Qf-tIuNy4Lw",
    "EMAIL_URL": "smtp://mail.internal:587",
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
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
    # Django's deployment check (W009) asks 50 characters of SECRET_KEY, and variety.
    ("DJANGO_SECRET_KEY", "sK3-q9Lm_Vx7Rt2Wp8Zb4Nc6Hd1Jf5Gy0Ue-oIaTs9Q"),
    ("DJANGO_SECRET_KEY", "ab" * 30),
])
def test_production_refuses_missing_default_or_weak_secrets(name, value):
    result = start_production(**{name: value})

    assert result.returncode != 0
    assert f"{name} must be set" in result.stderr


def test_production_refuses_one_key_reused_for_two_purposes():
    result = start_production(FIELD_ENCRYPTION_KEY=GOOD["DJANGO_SECRET_KEY"])

    assert result.returncode != 0
    assert "different" in result.stderr


def test_production_refuses_the_webhook_secret_shared_with_secret_key():
    result = start_production(SHOP_TEST_PROVIDER_WEBHOOK_SECRET=GOOD["DJANGO_SECRET_KEY"])

    assert result.returncode != 0
    assert "SHOP_TEST_PROVIDER_WEBHOOK_SECRET must be different" in result.stderr


@pytest.mark.parametrize("email_url", ["<unset>", "consolemail://", "filemail:///tmp/mail"])
def test_production_refuses_to_print_or_file_mail_instead_of_sending_it(email_url):
    result = start_production(EMAIL_URL=email_url)

    assert result.returncode != 0
    assert "EMAIL_URL must" in result.stderr


def test_the_deployment_check_warns_only_that_hsts_preload_is_off():
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    env = {key: value for key, value in os.environ.items()
           if key not in GOOD and not key.startswith("DJANGO_SETTINGS")
           and key not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({**GOOD, "DJANGO_SETTINGS_MODULE": "config.settings.production",
                "DATABASE_URL": "sqlite:////tmp/attuned-deploy-check.sqlite3"})
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "CRITICAL"],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    found = sorted(set(re.findall(r"\(([\w.]+\.[WE]\d+)\)", output)))
    assert found == ["security.W021"], output


def test_production_cookies_are_secure_httponly_and_samesite():
    script = ("import django; django.setup(); from django.conf import settings as s; "
              "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
              "s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS > 0, s.PASSWORD_HASHERS[0])")
    env = {**os.environ, **GOOD, "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    env.pop("DJANGO_TRUSTED_PROXIES", None)
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)

    assert result.stdout.split() == ["True", "True", "True", "Lax", "True",
                                     "django.contrib.auth.hashers.Argon2PasswordHasher"]


def test_production_writes_json_log_lines_with_request_ids():
    script = ("import django, logging; django.setup(); "
              "logging.getLogger('attuned.check').warning('order %s for a@b.example', 'T1')")
    env = {key: value for key, value in os.environ.items() if key not in GOOD and not key.startswith("DJANGO_")}
    env.update({**GOOD, "DJANGO_SETTINGS_MODULE": "config.settings.production"})
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)

    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "order T1 for [redacted]"
    assert line["level"] == "WARNING" and line["logger"] == "attuned.check" and line["request_id"] == "-"
