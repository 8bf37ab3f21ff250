"""The consent cookie: a visitor's choices themselves, signed, and no identifier.

A strictly necessary cookie must not become a long-lived key to other data: the cookie
holds what the visitor chose (each purpose's decision with its source and time, the
notice version, and whether their browser's GPC signal was recorded), not an id. The
visitor's cart and events live under a random id in the session only, and the proof of
each decision is the consent record written under that id when the decision was made.
When the cookie is honoured for a session whose visitor id has no record yet (a new
session in the same browser), its decisions are recorded for that id (source "cookie",
dated when they were made, under the notice version the cookie carries), so every event
stored under the id traces back to a record of its own subject.
A tampered, malformed, outdated or expired cookie counts for nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.core import signing

from primitives.subjects import Subject

from .models import ConsentRecord, ConsentSource
from .notice import notice_current
from .purposes import CONSENT_PURPOSES
from .selectors import ConsentState, Decision, consent_window_start
from .services import notice_text_archive

COOKIE_SALT = "privacy.consent.choices"
MAX_COOKIE_LENGTH = 1000


def consent_cookie_max_age() -> int:
    # The consent cookie, and each consent, lives at most 12 months.
    return min(settings.PRIVACY_CONSENT_MAX_AGE_DAYS, 365) * 24 * 60 * 60


def choices_cookie_value(state: ConsentState) -> str:
    payload = {
        "n": state.notice_version,
        "g": int(state.gpc_recorded),
        "d": {purpose: [int(d.granted), d.source, int(d.created_at.timestamp())]
              for purpose, d in state.decisions.items()},
    }
    return signing.dumps(payload, salt=COOKIE_SALT, compress=True)


def state_from_cookie(raw: str | None, *, notice_version: str) -> ConsentState | None:
    """The choices a consent cookie carries, or None when it is absent or worth nothing."""
    if not raw or len(raw) > MAX_COOKIE_LENGTH:
        return None
    try:
        payload = signing.loads(raw, salt=COOKIE_SALT, max_age=consent_cookie_max_age())
        decisions = {}
        window = consent_window_start()
        for purpose, (granted, source, stamp) in payload["d"].items():
            created_at = datetime.fromtimestamp(int(stamp), tz=UTC)
            if purpose in CONSENT_PURPOSES and source in ConsentSource.values and created_at >= window:
                decisions[purpose] = Decision(purpose, bool(granted), source, created_at)
        gpc_recorded = bool(payload["g"])
        version = payload["n"]
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError, OverflowError):
        return None
    if version != notice_version:
        return ConsentState(subject=None, notice_version=notice_version)  # asked again under the new notice
    return ConsentState(subject=None, notice_version=notice_version, decisions=decisions, gpc_recorded=gpc_recorded)


def cookie_decisions_record(*, subject: Subject, state: ConsentState) -> int:
    """Record what a honoured consent cookie says for a visitor id that has no record under its
    notice version yet; returns how many records were written (none when it has one already).

    Each record is the cookie's decision: its purpose, choice and time (so it lapses when the
    original would), source "cookie", the notice version and text the cookie was given under.
    """
    if subject.is_user or not state.decisions or state.notice_version != notice_current().version:
        return 0
    if ConsentRecord.objects.filter(**subject.record_filter(), notice_version=state.notice_version).exists():
        return 0
    notice = notice_current()
    notice_text_archive(notice=notice)
    ConsentRecord.objects.bulk_create([
        ConsentRecord(**subject.record_filter(), purpose=purpose, granted=decision.granted,
                      notice_version=notice.version, text_hash=notice.text_hash, source=ConsentSource.COOKIE,
                      created_at=decision.created_at)
        for purpose, decision in sorted(state.decisions.items())
    ])
    return len(state.decisions)
