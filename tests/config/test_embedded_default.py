"""With no environment set, the project needs no servers: SQLite, eager tasks, local cache."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ("import django; django.setup(); from django.conf import settings as s; "
          "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, "
          "s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])")


def run_embedded(script: str, **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items()
             if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.local")
    return subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=clean,
                          capture_output=True, text=True, timeout=60, check=True)


def settings_with(**env: str) -> list[str]:
    return run_embedded(SCRIPT, **env).stdout.split()


@pytest.mark.embedded_processes
def test_nothing_set_means_sqlite_and_eager_tasks():
    assert settings_with() == ["django.db.backends.sqlite3", "True", "memory://localhost/", "LocMemCache"]


@pytest.mark.embedded_processes
def test_urls_switch_to_postgresql_and_a_real_broker():
    engine, eager, broker, cache = settings_with(DATABASE_URL="postgres://shop@db:5432/shop",
                                                 REDIS_URL="redis://cache:6379/0")

    assert engine == "django.db.backends.postgresql"
    assert (eager, broker, cache) == ("False", "redis://cache:6379/0", "RedisCache")


QUEUE_A_TASK = """
import logging, django
django.setup()
logging.getLogger().setLevel(logging.DEBUG)
from config.celery import app

@app.task
def add(x, y):
    return x + y

print("result", add.delay(2, 3).get(timeout=5))
"""


@pytest.mark.embedded_processes
def test_a_queued_task_runs_in_process_and_nothing_reaches_for_a_broker():
    result = run_embedded(QUEUE_A_TASK)

    assert "result 5" in result.stdout
    # kombu warns "No hostname was supplied" when it builds a broker connection without one.
    assert "hostname" not in result.stderr
    assert "redis" not in result.stderr.lower() and "amqp" not in result.stderr.lower()


@pytest.mark.django_db
def test_the_embedded_database_syncs_at_checkpoints_not_at_every_commit():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: the embedded default")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL (FULL, 2, syncs the disk at every commit)
