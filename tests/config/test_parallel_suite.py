"""`make test` on pytest-xdist workers: each worker has a Redis database of its own, and the tests
that must not run beside each other are in the one serial group."""

import json
import os
import subprocess
import sys

from tests.config.conftest import PROJECT_ROOT

SETTINGS_OF_A_WORKER = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({"REDIS_URL": settings.REDIS_URL, "cache": settings.CACHES["default"]["LOCATION"],
                  "broker": settings.CELERY_BROKER_URL, "results": settings.CELERY_RESULT_BACKEND}))
"""

GROUPS_OF_COLLECTED_TESTS = """
import json
import sys

import pytest


class Groups:
    seen = {}

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        for item in items:
            self.seen[item.nodeid] = [mark.args[0] for mark in item.iter_markers("xdist_group")]


pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *sys.argv[1:]], plugins=[Groups()])
print("GROUPS " + json.dumps(Groups.seen))
"""


def redis_urls(**env: str) -> dict[str, str]:
    """The Redis URLs the test settings give a process with this environment (and none of this one's
    xdist or Redis variables)."""
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("PYTEST_XDIST", "REDIS_URL", "DJANGO_SETTINGS_MODULE"))}
    result = subprocess.run([sys.executable, "-c", SETTINGS_OF_A_WORKER], cwd=PROJECT_ROOT, check=True,
                            env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
                            capture_output=True, text=True, timeout=120)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_each_xdist_worker_takes_its_own_redis_database_for_cache_broker_and_results():
    first = redis_urls(REDIS_URL="redis://127.0.0.1:6379/9", PYTEST_XDIST_WORKER="gw0")
    second = redis_urls(REDIS_URL="redis://127.0.0.1:6379/9", PYTEST_XDIST_WORKER="gw1")

    assert set(first.values()) == {"redis://127.0.0.1:6379/9"}
    assert set(second.values()) == {"redis://127.0.0.1:6379/8"}


def test_the_worker_databases_wrap_around_below_zero():
    urls = redis_urls(REDIS_URL="redis://127.0.0.1:6379/0", PYTEST_XDIST_WORKER="gw1")

    assert set(urls.values()) == {"redis://127.0.0.1:6379/15"}


def test_a_process_started_from_a_worker_keeps_that_workers_database():
    """A subprocess inherits the worker's environment, REDIS_URL already moved: it is not moved again."""
    inherited = redis_urls(REDIS_URL="redis://127.0.0.1:6379/8", REDIS_URL_OF_SUITE="redis://127.0.0.1:6379/9",
                           PYTEST_XDIST_WORKER="gw1")

    assert set(inherited.values()) == {"redis://127.0.0.1:6379/8"}


def test_without_xdist_the_suite_uses_the_database_it_was_given():
    assert set(redis_urls(REDIS_URL="redis://127.0.0.1:6379/9").values()) == {"redis://127.0.0.1:6379/9"}


def test_browser_journeys_and_real_worker_tests_are_in_the_serial_group_and_nothing_else():
    result = subprocess.run(
        [sys.executable, "-c", GROUPS_OF_COLLECTED_TESTS, "tests/browser/test_favicon.py",
         "tests/test_celery_worker.py", "tests/shop/storefront/test_favicon.py"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
        env={key: value for key, value in os.environ.items() if not key.startswith("PYTEST_XDIST")})
    report = next(line for line in result.stdout.splitlines() if line.startswith("GROUPS "))
    groups = json.loads(report.removeprefix("GROUPS "))
    worker_tests = "tests/test_celery_worker.py::"

    browser = [group for test, group in groups.items() if test.startswith("tests/browser/")]
    assert browser and all(group == ["serial"] for group in browser)
    popularity_on_a_worker = worker_tests + "test_popularity_refresh_runs_on_the_worker_and_ranks_by_distinct_buyers"
    assert groups[popularity_on_a_worker] == ["serial"]
    assert groups[worker_tests + "test_running_the_job_twice_gives_the_same_result"] == ["serial"]
    # Neither a browser nor a worker test: free to run beside anything.
    assert groups[worker_tests + "test_unknown_scheduled_job_is_a_clear_error"] == []
    shop = [group for test, group in groups.items() if test.startswith("tests/shop/")]
    assert shop and all(group == [] for group in shop)
