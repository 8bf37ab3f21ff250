"""gunicorn settings: the access log carries neither client address nor query string,
and one request is one line."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
accesslog = "-"
# %(U)s is the path without its query string; no %(h)s: no client IP address.
access_log_format = '"%(m)s %(U)s" %(s)s %(b)s %(M)sms'
# Newlines, NUL and other control characters in the path are written as escapes.
logger_class = "config.gunicorn_logging.EscapingLogger"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_personal_data": {"()": "config.logging.RedactPersonalDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_personal_data"]},
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
