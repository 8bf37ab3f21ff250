"""A logging filter that keeps personal data and secrets out of every log line.

It rewrites the formatted message, so it works for our own loggers, Django's
request logging, the development server's request lines and gunicorn's access log
alike. Query strings are dropped entirely: they carry search terms, e-mail addresses
and one-time tokens. It is exact both ways: the record's own request id and dotted
code names (`personalization.recommendations.tasks.retrain_recommenders_if_requested`) stay readable.
What counts as personal data is one rule, `primitives.redaction.redact`, that the audit
trails apply too.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import datetime, timezone

from primitives.redaction import REQUEST_ID_SHAPE, redact

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_control_characters(text: str) -> str:
    """Show newlines, NUL and other control characters as escapes, so one request is one line."""
    text = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return _CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


_TRACEBACK_FORMATTER = logging.Formatter()


class RedactPersonalDataFilter(logging.Filter):
    """Redacts the final message of every record; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message, request_id=getattr(record, "request_id", None) or current_request_id.get())
        record.args = None
        # Tracebacks end with the exception's text, which may quote an address or a token:
        # format them here, redacted, so that no formatter prints the raw one.
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACK_FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        # Django attaches the request object; a custom formatter could print it.
        if hasattr(record, "request"):
            record.request = None
        return True


# --- Request ids and structured lines ------------------------------------------------

# The id of the request being served, or of the request that queued the running task.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def request_id_from_header(value: str | None) -> str:
    """A proxy's X-Request-ID when it is a plain token, otherwise a new one."""
    if value and REQUEST_ID_SHAPE.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (`%(request_id)s`, and in JSON lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message (and traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)
