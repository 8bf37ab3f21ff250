"""Liveness and readiness: what an orchestrator or compose asks before sending traffic."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.test import override_settings

from config.celery import WORKER_HEARTBEAT_KEY, app

NOTHING_LISTENS = "redis://127.0.0.1:1/0"
DEAD_REDIS = {
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": NOTHING_LISTENS,
                           "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}},
    "CELERY_BROKER_URL": NOTHING_LISTENS,
    "CELERY_TASK_ALWAYS_EAGER": False,
}


@pytest.mark.django_db
def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live/")

    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


EMBEDDED = {"CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
            "CELERY_TASK_ALWAYS_EAGER": True, "HEALTH_WORKER_MAX_AGE": 0}


@pytest.mark.django_db
@override_settings(**EMBEDDED)
def test_readiness_on_the_embedded_default_checks_the_database_and_cache(client):
    response = client.get("/health/ready/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {
        "database": "ok", "cache": "ok", "broker": "not configured", "worker": "not configured"}}


@pytest.mark.django_db
def test_readiness_fails_when_redis_is_stopped(client):
    with override_settings(**DEAD_REDIS):
        started = time.monotonic()
        response = client.get("/health/ready/")
        took = time.monotonic() - started

    assert response.status_code == 503
    assert response.json()["status"] == "failed"
    assert response.json()["checks"] == {"database": "ok", "cache": "failed", "broker": "failed",
                                         "worker": "not configured"}
    assert "127.0.0.1" not in response.content.decode()
    assert took < 15


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_is_answered_over_plain_http_where_everything_else_redirects(client):
    assert client.get("/health/live/").status_code == 200
    assert client.get("/robots.txt").status_code == 301


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_readiness_with_redis_waits_for_a_worker_heartbeat_when_asked_to(client):
    cache.delete(WORKER_HEARTBEAT_KEY)
    with override_settings(HEALTH_WORKER_MAX_AGE=30, HEALTH_WORKER_HEARTBEAT_SECONDS=1,
                           CELERY_TASK_ALWAYS_EAGER=False):
        without_worker = client.get("/health/ready/")
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            deadline = time.monotonic() + 20
            while cache.get(WORKER_HEARTBEAT_KEY) is None and time.monotonic() < deadline:
                time.sleep(0.2)
            with_worker = client.get("/health/ready/")

    assert without_worker.status_code == 503 and without_worker.json()["checks"]["worker"] == "failed"
    assert with_worker.status_code == 200
    assert with_worker.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok", "worker": "ok"}
