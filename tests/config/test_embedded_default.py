"""With no environment set, the project needs no servers: SQLite, eager tasks, local cache."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ("import django; django.setup(); from django.conf import settings as s; "
          "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, "
          "s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])")


def settings_with(**env: str) -> list[str]:
    clean = {key: value for key, value in os.environ.items()
             if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.local")
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=PROJECT_ROOT, env=clean,
                            capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.split()


def test_nothing_set_means_sqlite_and_eager_tasks():
    assert settings_with() == ["django.db.backends.sqlite3", "True", "memory://", "LocMemCache"]


def test_urls_switch_to_postgresql_and_a_real_broker():
    engine, eager, broker, cache = settings_with(DATABASE_URL="postgres://shop@db:5432/shop",
                                                 REDIS_URL="redis://cache:6379/0")

    assert engine == "django.db.backends.postgresql"
    assert (eager, broker, cache) == ("False", "redis://cache:6379/0", "RedisCache")
