"""The Celery application. Tasks live in each app's tasks.py.

Every task of the project retries transient failures (database, broker, SMTP) with
exponential back-off, runs under the time limits in settings, and is acknowledged late,
so a worker killed mid-task leaves the message to the next worker.
"""

import logging.config
import os
import smtplib
import socket
import threading
import time

from celery import Celery, Task, bootsteps
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun
from kombu.exceptions import OperationalError as BrokerOperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def _transient_errors() -> tuple[type[BaseException], ...]:
    from django.db import InterfaceError, OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (OperationalError, InterfaceError, BrokerOperationalError, RedisConnectionError,
            RedisTimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError,
            smtplib.SMTPResponseException, ConnectionError, socket.timeout)


class ShopTask(Task):
    """The base of every task: retries transient errors with back-off (1 s, 2 s, 4 s ... 10 min)."""

    autoretry_for = _transient_errors()
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8

    def retry(self, *args, exc=None, **kwargs):
        # A mail server's 5xx is a permanent refusal (an unknown mailbox, a rejected message):
        # asking again would not change the answer. 4xx and lost connections are retried.
        if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500:
            raise exc
        return super().retry(*args, exc=exc, **kwargs)


app = Celery("attuned", task_cls=ShopTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def logging_from_django_settings(**kwargs) -> None:
    """Workers log through the project's LOGGING (and its redaction filter), not Celery's own."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@before_task_publish.connect
def request_id_to_message(headers: dict | None = None, **kwargs) -> None:
    """A task queued while serving a request carries that request's id."""
    from config.logging import current_request_id

    if headers is not None and "request_id" not in headers:
        headers["request_id"] = current_request_id.get()


_request_id_tokens: dict[str, object] = {}


@task_prerun.connect
def request_id_from_message(task_id: str | None = None, task=None, **kwargs) -> None:
    """The worker's log lines for a task carry the id of the request that queued it."""
    from config.logging import current_request_id

    request_id = getattr(task.request, "request_id", None) if task is not None else None
    if request_id and task_id:
        _request_id_tokens[task_id] = current_request_id.set(str(request_id))


@task_postrun.connect
def request_id_forget(task_id: str | None = None, **kwargs) -> None:
    from config.logging import current_request_id

    token = _request_id_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        current_request_id.reset(token)


WORKER_HEARTBEAT_KEY = "ops:worker-heartbeat"


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Writes the time to the cache every few seconds while the worker runs (see /health/ready/)."""

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, worker) -> None:
        from django.conf import settings

        interval = settings.HEALTH_WORKER_HEARTBEAT_SECONDS
        if not interval:
            return
        self._stopped.clear()
        self._thread = threading.Thread(target=self._run, args=(interval,), name="worker-heartbeat",
                                        daemon=True)
        self._thread.start()

    def _run(self, interval: float) -> None:
        from django.core.cache import cache

        while not self._stopped.is_set():
            try:
                cache.set(WORKER_HEARTBEAT_KEY, time.time(), timeout=None)
            except Exception:  # an unreachable cache is what readiness reports
                logging.getLogger(__name__).warning("worker heartbeat could not be written")
            self._stopped.wait(interval)

    def stop(self, worker) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


app.steps["worker"].add(WorkerHeartbeat)
