"""A gunicorn worker, once the application is loaded, keeps its start-up objects out of the collector's reach."""

import os
import subprocess
import sys

import pytest

from tests.config.test_gunicorn_access_log import PROJECT_ROOT

pytestmark = pytest.mark.embedded_processes

WORKER_START = """
import gc, runpy
import django
django.setup()
settings = runpy.run_path("config/gunicorn.py")
before = gc.get_freeze_count()
settings["post_worker_init"](None)
print(before, gc.get_freeze_count(), len(gc.get_objects(generation=2)))
"""


def test_a_worker_freezes_what_the_application_allocated_at_start_up():
    result = subprocess.run([sys.executable, "-c", WORKER_START], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    before, frozen, left_to_scan = map(int, result.stdout.split()[-3:])

    assert before == 0
    # Django and the apps with their views: a full collection no longer walks them.
    assert frozen > 50_000
    assert left_to_scan < frozen / 100
