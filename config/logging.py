"""A logging filter that keeps personal data and secrets out of every log line.

It rewrites the formatted message, so it works for our own loggers, Django's
request logging, the development server's request lines and gunicorn's access log
alike. Query strings are dropped entirely: they carry search terms, e-mail addresses
and one-time tokens. It is exact both ways: the record's own request id and dotted
code names (`personalization.recommendations.tasks.retrain_recommenders_if_requested`) stay readable.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import datetime, timezone

REDACTED = "[redacted]"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Query strings of URLs and request lines: everything after "?" up to a space or quote.
    (re.compile(r"\?[^\s\"']*"), "?" + REDACTED),
    # E-mail addresses.
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), REDACTED),
    # Bearer tokens, API keys and similar "key=value" secrets, also as a snake_case name's last
    # word (api_key=, access_token:), quoted ("password": "..."), and an Authorization header's
    # scheme with its credentials.
    (
        re.compile(r"(?i)(?<![a-z0-9])(token|key|secret|password|passwd|pwd|authorization|signature|apikey)"
                   r"([\"']?\s*[=:]\s*)(?:(?:bearer|token|basic|digest|api-?key)\s+)?"
                   r"(?:\"[^\"]*\"|'[^']*'|\S+)"),
        r"\1\2" + REDACTED,
    ),
    # Signed values (order links, e-mail confirmation keys): payload, timestamp and signature.
    (re.compile(r"[\w.\-]*(?::[\w\-]+)*:[A-Za-z0-9_\-]{27,}"), REDACTED),
    # Phone numbers: international (+44 20 7946 0000) or national with a leading 0.
    (re.compile(r"(?<![\w/])\+\d[\d\s().-]{6,}\d(?![\w/])"), REDACTED),
    (re.compile(r"(?<![\w/.:-])0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\w/])"), REDACTED),
    # UK postcodes, the address fragment most likely to surface in a message.
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"), REDACTED),
)

# Long opaque strings (session ids, reset keys, UUIDs, API keys) are redacted by their
# shape; a product slug of the same length ("white-hanging-heart-t-light-holder-85123a")
# is made of short words and stays readable.
_LONG_RUN = re.compile(r"\b[A-Za-z0-9_\-]{32,}\b")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _looks_like_slug(run: str) -> bool:
    """A product slug (words and numbers joined by "-") or a snake_case code name (joined by "_")."""
    separator = "_" if "_" in run else "-"
    if separator == "_" and "-" in run:
        return False
    parts = run.split(separator)
    if run != run.lower() or len(parts) < 3:
        return False
    if any(not 0 < len(part) <= 16 for part in parts):
        return False
    words = [part for part in parts if part.isalpha()]
    return len(words) * 2 >= len(parts)


def _redact_long_run(match: re.Match[str]) -> str:
    return match.group(0) if _looks_like_slug(match.group(0)) else REDACTED


# Stands for a kept request id while the patterns run: no pattern matches it.
_KEPT = "\ue000"


def redact(text: str, *, request_id: str = "-") -> str:
    """Return `text` with personal data and secrets replaced by a marker.

    `request_id`, where it stands alone (not inside a longer token), is kept: it is the
    record's own id, no secret, and what joins an access-log line to the application's lines.
    """
    kept = request_id != "-" and bool(_SAFE_REQUEST_ID.match(request_id)) and _KEPT not in text
    if kept:
        text = re.sub(rf"(?<![\w.:\-]){re.escape(request_id)}(?![\w.:\-])", _KEPT, text)
    for pattern, replacement in _PATTERNS[:4]:
        text = pattern.sub(replacement, text)
    text = _LONG_RUN.sub(_redact_long_run, text)
    for pattern, replacement in _PATTERNS[4:]:
        text = pattern.sub(replacement, text)
    return text.replace(_KEPT, request_id) if kept else text


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
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9_.\-]{8,64}$")


def request_id_from_header(value: str | None) -> str:
    """A proxy's X-Request-ID when it is a plain token, otherwise a new one."""
    if value and _SAFE_REQUEST_ID.match(value):
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
