"""Reads: the consent in force for a subject, its history, and the record of processing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from primitives.subjects import Subject

from .models import OPEN_STATUSES, ConsentRecord, ConsentSource, DataRequest, DataRequestKind, DataRequestStatus
from .notice import notice_version
from .purposes import CONSENT_PURPOSES, GPC_REFUSED_PURPOSES, NECESSARY, purpose_check
from .request_links import cancel_token, download_token


@dataclass(frozen=True)
class Decision:
    purpose: str
    granted: bool
    source: str
    created_at: datetime


@dataclass(frozen=True)
class ConsentState:
    """The latest decision per purpose under the current notice version, within the consent lifetime."""

    subject: Subject | None
    notice_version: str
    decisions: Mapping[str, Decision] = field(default_factory=dict)
    gpc_recorded: bool = False

    def granted(self, purpose: str) -> bool:
        purpose_check(purpose)
        if purpose == NECESSARY:
            return True
        decision = self.decisions.get(purpose)
        return bool(decision and decision.granted)

    @property
    def decided(self) -> bool:
        """Whether the person chose (a GPC signal alone still leaves the other purposes to ask about)."""
        return any(d.source != ConsentSource.GPC for d in self.decisions.values())

    @property
    def granted_purposes(self) -> list[str]:
        return [purpose for purpose in CONSENT_PURPOSES if self.granted(purpose)]

    @property
    def gpc_overridden(self) -> list[str]:
        """Purposes the person switched on explicitly after their browser's GPC signal."""
        return [p for p in GPC_REFUSED_PURPOSES if self.gpc_recorded and self.granted(p)]


def consent_window_start() -> datetime:
    return timezone.now() - timedelta(days=min(settings.PRIVACY_CONSENT_MAX_AGE_DAYS, 365))


def consent_state(*, subject: Subject | None) -> ConsentState:
    """The subject's consent in force, in one query; no subject means nothing is granted."""
    version = notice_version()
    if subject is None:
        return ConsentState(subject=None, notice_version=version)
    records = (
        ConsentRecord.objects.filter(**subject.record_filter(), notice_version=version,
                                     created_at__gte=consent_window_start())
        .order_by("created_at", "id")
        .values_list("purpose", "granted", "source", "created_at")
    )
    decisions: dict[str, Decision] = {}
    gpc_recorded = False
    for purpose, granted, source, created_at in records:
        decisions[purpose] = Decision(purpose, granted, source, created_at)  # later rows win
        gpc_recorded = gpc_recorded or source == ConsentSource.GPC
    return ConsentState(subject=subject, notice_version=version, decisions=decisions, gpc_recorded=gpc_recorded)


def consent_history(*, subject: Subject, limit: int | None = 100) -> list[ConsentRecord]:
    """The subject's decisions, newest first: what the account's privacy page shows as proof."""
    return list(ConsentRecord.objects.filter(**subject.record_filter()).order_by("-created_at", "-id")[:limit])


def consenting_subjects(*, purpose: str, user_ids: Iterable[int] | None = None) -> tuple[set[int], set]:
    """(user ids, visitor ids) whose consent in force grants `purpose`, in one query; with
    `user_ids`, only those accounts are looked at (and no visitor).

    The same rule as `consent_state`: the latest decision for the purpose under the
    current notice version, within the consent lifetime. For jobs that must act on
    everyone who consented (training, sending), not once per person.
    """
    purpose_check(purpose)
    latest: dict[tuple, bool] = {}
    records = ConsentRecord.objects.filter(purpose=purpose, notice_version=notice_version(),
                                           created_at__gte=consent_window_start())
    if user_ids is not None:
        records = records.filter(user_id__in=list(user_ids))
    records = records.order_by("created_at", "id").values_list("user_id", "visitor_id", "granted")
    for user_id, visitor_id, granted in records.iterator(chunk_size=5000):
        latest[(user_id, visitor_id)] = granted  # later rows win
    users = {user_id for (user_id, _), granted in latest.items() if granted and user_id is not None}
    visitors = {visitor_id for (_, visitor_id), granted in latest.items() if granted and visitor_id is not None}
    return users, visitors


@dataclass(frozen=True)
class AccountDataRequests:
    """What the account's privacy page shows about downloads and deletion."""

    latest_export: "DataRequest | None"
    download_token: str | None
    open_erasure: "DataRequest | None"
    cancel_token: str | None


def account_data_requests(*, user_id: int) -> AccountDataRequests:
    """The newest export and any open erasure of an account, in two queries."""

    export = DataRequest.objects.filter(user_id=user_id, kind=DataRequestKind.EXPORT).order_by("-created_at",
                                                                                                "-id").first()
    erasure = DataRequest.objects.filter(user_id=user_id, kind=DataRequestKind.ERASURE,
                                         status__in=OPEN_STATUSES).first()
    ready = (export is not None and export.status == DataRequestStatus.DONE
             and export.file_expires_at is not None and export.file_expires_at > timezone.now())
    return AccountDataRequests(
        latest_export=export, download_token=download_token(export) if ready else None,
        open_erasure=erasure, cancel_token=cancel_token(erasure) if erasure else None,
    )


def gpc_refusals(*, subject: Subject | None) -> ConsentState:
    """The state of someone whose browser sends Global Privacy Control and who has not chosen:
    marketing and personalization refused, nothing recorded (used for visitors, who leave no row
    until they decide)."""
    now = timezone.now()
    return ConsentState(
        subject=subject, notice_version=notice_version(), gpc_recorded=True,
        decisions={purpose: Decision(purpose, False, ConsentSource.GPC, now) for purpose in GPC_REFUSED_PURPOSES},
    )
