"""Health endpoints for load balancers, orchestrators and compose.

- `/health/live/`: the process answers. Touches nothing else, so a database outage does
  not get every web process restarted.
- `/health/ready/`: this process can serve: the database answers, the cache and the broker
  answer where Redis is configured, and (when HEALTH_WORKER_MAX_AGE is set) a worker wrote
  its heartbeat recently. 503 with the failing check named otherwise.

Answers name checks only: no hostnames, addresses or error text that could leak settings.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

OK = "ok"
FAILED = "failed"
NOT_CONFIGURED = "not configured"


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def _cache() -> str:
    key = f"health:ready:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    answered = cache.get(key) == "1"
    cache.delete(key)
    return OK if answered else FAILED


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return NOT_CONFIGURED  # tasks run in-process: there is no broker to reach
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=settings.HEALTH_TIMEOUT_SECONDS,
                    transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0,
                                 timeout=settings.HEALTH_TIMEOUT_SECONDS)
    return OK


def _worker() -> str:
    if not settings.HEALTH_WORKER_MAX_AGE:
        return NOT_CONFIGURED
    from config.celery import WORKER_HEARTBEAT_KEY

    beat = cache.get(WORKER_HEARTBEAT_KEY)
    recent = beat is not None and time.time() - float(beat) <= settings.HEALTH_WORKER_MAX_AGE
    return OK if recent else FAILED


CHECKS = {"database": _database, "cache": _cache, "broker": _broker, "worker": _worker}


def readiness_checks() -> dict[str, str]:
    """Run every check; a check that raises has failed (the error is logged, not returned)."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:
            logger.warning("readiness check %s failed: %s", name, type(error).__name__)
            results[name] = FAILED
    return results


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": OK})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks = readiness_checks()
    healthy = FAILED not in checks.values()
    return JsonResponse({"status": OK if healthy else FAILED, "checks": checks},
                        status=200 if healthy else 503)
