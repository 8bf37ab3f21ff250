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


@pytest.mark.parametrize("email_url", ["<unset>", "consolemail://", "filemail:///tmp/mail", "memorymail://",
                                       "dummymail://"])
def test_production_refuses_mail_that_is_printed_filed_kept_or_dropped_instead_of_sent(email_url):
    result = start_production(EMAIL_URL=email_url)

    assert result.returncode != 0
    assert "EMAIL_URL must" in result.stderr


def deployment_check(settings_module: str = "config.settings.production", **overrides: str):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    env = {key: value for key, value in os.environ.items()
           if key not in GOOD and not key.startswith("DJANGO_SETTINGS")
           and key not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "STAFF_SECOND_FACTOR_REQUIRED",
                           "FIELD_ENCRYPTION_OLD_KEYS")}
    env.update({**GOOD, "DJANGO_SETTINGS_MODULE": settings_module,
                "DATABASE_URL": "sqlite:////tmp/attuned-deploy-check.sqlite3", **overrides})
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "CRITICAL"],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    return result, result.stdout + result.stderr


def test_the_deployment_check_also_refuses_mail_that_goes_nowhere():
    result, output = deployment_check(EMAIL_URL="dummymail://")

    assert result.returncode != 0
    assert "EMAIL_URL must name a real mail server" in output


# Keys of low variety: fewer than 10 distinct characters, or one part repeated (README, Configuration).
@pytest.mark.parametrize("name,value", [
    ("DJANGO_SECRET_KEY", "abcde" * 12),
    ("FIELD_SIGNING_KEY", "password" * 5),
    ("FIELD_ENCRYPTION_KEY", "Kq7-Zx2_Mn9!Wr4" * 3),
    ("BLIND_INDEX_KEY", "0123456789" * 4),
])
def test_production_refuses_keys_of_low_variety(name, value):
    result = start_production(**{name: value})

    assert result.returncode != 0
    assert f"{name} must be set to a random value: it " in result.stderr


@pytest.mark.parametrize("overrides,message", [
    ({"BLIND_INDEX_KEY": GOOD["FIELD_ENCRYPTION_KEY"] + "x"},
     "BLIND_INDEX_KEY must be different from FIELD_ENCRYPTION_KEY"),
    ({"BLIND_INDEX_KEY": GOOD["FIELD_ENCRYPTION_KEY"].upper()},
     "BLIND_INDEX_KEY must be different from FIELD_ENCRYPTION_KEY"),
    ({"FIELD_SIGNING_KEY": GOOD["DJANGO_SECRET_KEY"][3:43]},
     "FIELD_SIGNING_KEY must be different from DJANGO_SECRET_KEY"),
    ({"SHOP_TEST_PROVIDER_WEBHOOK_SECRET": "whsec-" + GOOD["DJANGO_SECRET_KEY"].lower()},
     "SHOP_TEST_PROVIDER_WEBHOOK_SECRET must be different from DJANGO_SECRET_KEY"),
    ({"FIELD_ENCRYPTION_OLD_KEYS": GOOD["BLIND_INDEX_KEY"]},
     "An old key of FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_OLD_KEYS must be different from BLIND_INDEX_KEY"),
    ({"FIELD_ENCRYPTION_OLD_KEYS": "oLd-3nCrYpT10n_kEy-0f-2025-Xq8Vb2Nm|" + GOOD["DJANGO_SECRET_KEY"]},
     "An old key of FIELD_SIGNING_KEY in FIELD_ENCRYPTION_OLD_KEYS must be different from DJANGO_SECRET_KEY"),
], ids=["blind-index-is-encryption-plus-x", "blind-index-is-encryption-in-capitals",
        "signing-key-inside-secret-key", "webhook-secret-contains-secret-key",
        "old-encryption-key-is-blind-index-key", "old-signing-key-is-secret-key"])
def test_production_refuses_a_key_related_to_another_purposes_key(overrides, message):
    result = start_production(**overrides)

    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_an_old_key_of_the_same_purpose_during_a_rotation():
    result = start_production(FIELD_ENCRYPTION_OLD_KEYS="oLd-3nCrYpT10n_kEy-0f-2025-Xq8Vb2Nm,"
                                                        "0ld3r-Pz4Tk9Lw2Hs7Dj6Gf1|oLd-S1gN-Rq5Yx8Cv3Bn0Mz4")

    assert result.returncode == 0, result.stderr


def test_the_deployment_check_runs_the_key_rules_on_any_settings_module():
    """The second line: settings that do not refuse at start-up (local) still fail `check --deploy`."""
    related, related_output = deployment_check("config.settings.local",
                                               BLIND_INDEX_KEY=GOOD["FIELD_ENCRYPTION_KEY"] + "x")
    regular, regular_output = deployment_check("config.settings.local", FIELD_SIGNING_KEY="password" * 5)
    unrelated, unrelated_output = deployment_check("config.settings.local")

    assert "(privacy.E002) BLIND_INDEX_KEY must be different from FIELD_ENCRYPTION_KEY" in related_output
    assert "(privacy.E001) FIELD_SIGNING_KEY is too regular to be a key" in regular_output
    assert "privacy.E00" not in unrelated_output, unrelated_output


def test_the_deployment_check_warns_while_staff_sign_in_without_a_second_factor():
    result, output = deployment_check(STAFF_SECOND_FACTOR_REQUIRED="false")

    assert result.returncode == 0, output
    found = sorted(set(re.findall(r"\(([\w.]+\.[WE]\d+)\)", output)))
    assert found == ["privacy.W002", "security.W021"], output
    assert "STAFF_SECOND_FACTOR_REQUIRED is off" in output


def test_the_deployment_check_warns_only_that_hsts_preload_is_off():
    result, output = deployment_check()

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
