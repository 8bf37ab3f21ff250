"""The versioned privacy notice and the consent texts, and the hash that proves what was shown.

Every decision records the notice version and the SHA-256 of the exact text shown:
the banner's words, each purpose's description, the cookie table and the notice
page's own template source. The text itself is archived once per hash
(privacy.NoticeText), so a recorded hash can always be matched to its words.
Changing PRIVACY_NOTICE_VERSION asks everyone again: decisions under an older
version no longer count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.template.loader import get_template

from .cookies import cookie_table
from .processing import processing_activities
from .purposes import PURPOSES
from .recipients import recipients as recipients_named

NOTICE_TEMPLATE = "privacy/notice.html"
BANNER_HEADING = "Your privacy, your choice"
BANNER_TEXT = (
    "We set only the cookies the shop needs to work. With your permission we would also remember "
    "your preferences, count visits, recommend products from what you view (with loyalty prices for some customer groups), and send you offers. "
    "Say no and everything still works. You can change your mind at any time under "
    "“Cookie settings” at the bottom of every page."
)
GPC_TEXT = (
    "Your browser sent a Global Privacy Control signal. We have honoured it: marketing and "
    "stored personalised recommendations are off unless you switch them on yourself."
)


@dataclass(frozen=True)
class Notice:
    version: str
    text: str

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def notice_version() -> str:
    return settings.PRIVACY_NOTICE_VERSION


def _notice_text(version: str) -> str:
    lines = [f"Privacy notice version {version}", BANNER_HEADING, BANNER_TEXT, GPC_TEXT, "", "Purposes:"]
    lines += [f"- {p.label} ({p.key}): {p.description}" for p in PURPOSES]
    lines += ["", "Cookies:"]
    lines += [f"- {c.name}: {c.purpose}, {c.duration}, set by {c.set_by}. {c.description}"
              for c in cookie_table()]
    lines += ["", "What we keep:"]
    for activity in processing_activities():
        recipients = ", ".join(activity.recipients) or "nobody"
        lines.append(f"- {activity.purpose}; {activity.legal_basis}; {'; '.join(activity.retention)}; "
                     f"shared with {recipients}")
    # The page names who fills each recipient role from settings: a new provider is a new text.
    lines += ["", "Who else receives your data:"]
    lines += [f"- {r.role} ({r.who}): {r.receives}" for r in recipients_named()]
    lines += ["", "Notice page:", get_template(NOTICE_TEMPLATE).template.source]
    return "\n".join(lines)


@lru_cache(maxsize=4)
def _notice(version: str) -> Notice:
    return Notice(version=version, text=_notice_text(version))


def notice_current() -> Notice:
    """The notice in force: its version from settings and its exact text (built once per process)."""
    return _notice(notice_version())
