"""What counts as personal data or a secret in free text, and how it is blotted out.

One rule for every place that writes text nobody erases: log lines (config/logging.py)
and audit trails (primitives/audit.py). E-mail addresses, phone numbers, postcodes,
query strings, tokens and long opaque strings are replaced by a marker; dotted code
names, product slugs and numbers stay readable.
"""

import re

# The shape of a request id a log line may keep (ours are 32 hex characters; a proxy's may differ).
REQUEST_ID_SHAPE = re.compile(r"^[A-Za-z0-9_.\-]{8,64}$")
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
    kept = request_id != "-" and bool(REQUEST_ID_SHAPE.match(request_id)) and _KEPT not in text
    if kept:
        text = re.sub(rf"(?<![\w.:\-]){re.escape(request_id)}(?![\w.:\-])", _KEPT, text)
    for pattern, replacement in _PATTERNS[:4]:
        text = pattern.sub(replacement, text)
    text = _LONG_RUN.sub(_redact_long_run, text)
    for pattern, replacement in _PATTERNS[4:]:
        text = pattern.sub(replacement, text)
    return text.replace(_KEPT, request_id) if kept else text
