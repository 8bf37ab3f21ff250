"""gunicorn settings: the access log carries neither client address nor query string,
and one request is one line."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: one request each. Sized for the cores this process may use (a container's
# CPU set included): while one worker waits on PostgreSQL or Redis another renders.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * len(os.sched_getaffinity(0)) + 1))
# gunicorn 23+ opens a control socket at one fixed path in the home folder, so two instances
# on a host clash over it. Nothing here uses it: off, unless GUNICORN_CONTROL_SOCKET names a
# path for this instance.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
accesslog = "-"
# %(U)s is the path without its query string; no %(h)s: no client IP address. The request id
# is the one the application answered with (X-Request-ID), as on its own log lines.
access_log_format = '"%(m)s %(U)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'
# Newlines, NUL and other control characters in the path are written as escapes.
logger_class = "config.gunicorn_logging.EscapingLogger"
# JSON lines where the application writes them (production's default), as its LOGGING does.
_in_production = os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith("production")
_json = os.environ.get("DJANGO_LOG_FORMAT", "json" if _in_production else "plain")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_personal_data": {"()": "config.logging.RedactPersonalDataFilter"}},
    "formatters": {"json": {"()": "config.logging.JsonFormatter"},
                   "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_personal_data"],
                    "formatter": "json" if _json == "json" else "plain"},
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}


def post_worker_init(worker) -> None:
    """The worker has loaded the application: put everything it allocated at start-up (Django,
    the apps, NumPy, SciPy, scikit-learn: some 230,000 objects) out of the garbage collector's
    reach. Otherwise every full collection walks them all, a pause of about 100 ms every few
    hundred requests that lands in some unlucky request's response time."""
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the views and everything they use)
    gc.collect()
    gc.freeze()
