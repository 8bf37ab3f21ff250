"""An account's consent decisions, kept in that person's own session between requests.

Every request of a signed-in person already reads their session. Their decisions are kept
there beside a marker of their consent records (how many there are and the newest id), and
each request checks the marker in one query that also counts the units in their cart (the
header's figure) and reads its revision (whether the cart page's copy of its lines is current,
shop.cart.session), instead of reading the decisions and the cart in three.

Consent records are only ever added (privacy.models.ConsentRecord refuses updates), so any
decision made anywhere (another browser of the account, a withdrawal, the erasure's
withdrawal of everything) changes the marker, and the copy is read afresh in the same
request; deleted records change it too. A copy is used only for the account it was made for,
under the current notice version, and only while its oldest decision is within the consent
lifetime. Logout, expiry and erasure delete the session and the copy with it.

Nothing here goes to the shared cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Count, IntegerField, Max, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from primitives.compiled_queries import rows_for_id
from primitives.subjects import Subject
from shop.cart.selectors import account_cart_revision, account_cart_units

from .models import ConsentRecord
from .notice import notice_version
from .selectors import ConsentState, Decision, consent_state

SESSION_KEY = "privacy_consent_copy"


@dataclass(frozen=True)
class AccountReading:
    """What one query tells about a signed-in person: their consent records' marker, the units in
    their cart and its revision (None: no cart)."""

    consent_marker: list[int]
    cart_units: int
    cart_revision: int | None = None


# The account's id in the reading's SQL, compiled once per process (primitives.compiled_queries):
# building the query with its three subqueries took 3 ms, running it 0.07 ms. No account has it.
_STAND_IN_USER_ID = -0x5E1F


def _reading_query(user_id: int):
    records = ConsentRecord.objects.filter(user_id=user_id).order_by().values("user_id")
    count = Subquery(records.annotate(n=Count("id")).values("n")[:1], output_field=IntegerField())
    newest = Subquery(records.annotate(m=Max("id")).values("m")[:1], output_field=IntegerField())
    return (get_user_model().objects.filter(pk=user_id).order_by()
            .values_list(Coalesce(count, Value(0)), Coalesce(newest, Value(0)),
                         account_cart_units(user_id=user_id), account_cart_revision(user_id=user_id))[:1])


def account_reading(*, user_id: int) -> AccountReading:
    """The marker of the account's consent records, the units in its cart and its revision, in one query."""
    rows = rows_for_id("privacy.account_reading", lambda: _reading_query(_STAND_IN_USER_ID),
                       stand_in=_STAND_IN_USER_ID, value=user_id)
    if not rows:
        return AccountReading(consent_marker=[0, 0], cart_units=0)
    row = rows[0]
    return AccountReading(consent_marker=[int(row[0]), int(row[1])], cart_units=int(row[2]),
                          cart_revision=None if row[3] is None else int(row[3]))


def _lifetime() -> timedelta:
    return timedelta(days=min(settings.PRIVACY_CONSENT_MAX_AGE_DAYS, 365))


def _copy_of(state: ConsentState, *, user_id: int, marker: list[int]) -> dict:
    oldest = min((decision.created_at for decision in state.decisions.values()), default=None)
    return {
        "user": user_id,
        "notice": state.notice_version,
        "marker": marker,
        "until": (oldest + _lifetime()).isoformat() if oldest else None,
        "gpc": state.gpc_recorded,
        "decisions": [[d.purpose, d.granted, d.source, d.created_at.isoformat()] for d in state.decisions.values()],
    }


def _state_from(copy: object, *, subject: Subject, marker: list[int], now: datetime) -> ConsentState | None:
    """The state the copy holds, or None when it is not this account's, not of this notice, out
    of date (another decision since) or partly expired."""
    if not isinstance(copy, dict) or copy.get("user") != subject.user_id or copy.get("marker") != marker:
        return None
    if copy.get("notice") != notice_version():
        return None
    until = copy.get("until")
    if until is not None and datetime.fromisoformat(until) <= now:
        return None
    try:
        decisions = {purpose: Decision(purpose, bool(granted), source, datetime.fromisoformat(created_at))
                     for purpose, granted, source, created_at in copy["decisions"]}
    except (KeyError, TypeError, ValueError):
        return None
    return ConsentState(subject=subject, notice_version=copy["notice"], decisions=decisions,
                        gpc_recorded=bool(copy.get("gpc")))


def account_consent_state(*, session: SessionBase, subject: Subject, reading: AccountReading) -> ConsentState:
    """The account's consent in force: the session's copy when the marker in `reading` says it is
    current, else read from the records (one query) and kept in the session. An account without
    any record has decided nothing: no query, nothing kept."""
    if reading.consent_marker[0] == 0:
        consent_copy_forget(session)
        return ConsentState(subject=subject, notice_version=notice_version())
    state = _state_from(session.get(SESSION_KEY), subject=subject, marker=reading.consent_marker,
                        now=timezone.now())
    if state is not None:
        return state
    state = consent_state(subject=subject)
    session[SESSION_KEY] = _copy_of(state, user_id=subject.user_id, marker=reading.consent_marker)
    return state


def consent_copy_forget(session: SessionBase) -> None:
    """Drop the session's copy, if it holds one (the next request reads the records)."""
    if SESSION_KEY in session:
        del session[SESSION_KEY]
