"""A logging filter that keeps personal data and secrets out of every log line.

It rewrites the formatted message, so it works for our own loggers, Django's
request logging and gunicorn's access log alike. Query strings are dropped
entirely: they carry search terms, e-mail addresses and one-time tokens.
"""

import logging
import re

REDACTED = "[redacted]"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Query strings of URLs and request lines: everything after "?" up to a space or quote.
    (re.compile(r"\?[^\s\"']*"), "?" + REDACTED),
    # E-mail addresses.
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), REDACTED),
    # Bearer tokens, API keys and similar "key=value" secrets.
    (
        re.compile(r"(?i)\b(token|key|secret|password|passwd|authorization|signature)(\s*[=:]\s*)\S+"),
        r"\1\2" + REDACTED,
    ),
    # Long opaque strings (session ids, signed links, reset keys).
    (re.compile(r"\b[A-Za-z0-9_\-]{32,}(?::[A-Za-z0-9_\-:]+)?\b"), REDACTED),
    # Phone numbers: international (+44 20 7946 0000) or national with a leading 0.
    (re.compile(r"(?<![\w/])\+\d[\d\s().-]{6,}\d(?![\w/])"), REDACTED),
    (re.compile(r"(?<![\w/.:-])0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\w/])"), REDACTED),
    # UK postcodes, the address fragment most likely to surface in a message.
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"), REDACTED),
)

def redact(text: str) -> str:
    """Return `text` with personal data and secrets replaced by a marker."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactPersonalDataFilter(logging.Filter):
    """Redacts the final message of every record; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        # Django attaches the request object; a custom formatter could print it.
        if hasattr(record, "request"):
            record.request = None
        return True
