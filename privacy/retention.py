"""Retention, enforced: scheduled purges whose periods are the registry's `retention_days`.

Each purge deletes what its entry's period says is due, counted from its
`retention_basis`; the record-of-processing page shows the same numbers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string

from .audit import audit_record
from .models import OPEN_STATUSES, AuditEntry, ConsentRecord, DataRequest, DataRequestKind, DataRequestStatus, ExportArchive
from .registry import declarations


def retention_cutoff(label: str, *, now: datetime | None = None) -> datetime:
    days = declarations()[label].retention_days
    if days is None:
        raise ValueError(f"{label} declares no retention_days.")
    return (now or timezone.now()) - timedelta(days=days)


def sessions_purge() -> int:
    # Expired sessions (Django's clearsessions); a session never lives past its two weeks.
    return Session.objects.filter(expire_date__lt=timezone.now()).delete()[0]


def visitor_consent_purge() -> int:
    """A visitor's records go when their last decision is older than the period (accounts' stay)."""
    stale = (ConsentRecord.objects.filter(user__isnull=True).values("visitor_id")
             .annotate(last=Max("created_at")).filter(last__lt=retention_cutoff("privacy.ConsentRecord"))
             .values("visitor_id"))
    return ConsentRecord.objects.filter(user__isnull=True, visitor_id__in=stale).delete()[0]


def admin_log_purge() -> int:
    return LogEntry.objects.filter(action_time__lt=retention_cutoff("admin.LogEntry")).delete()[0]


def data_requests_purge() -> int:
    closed = DataRequest.objects.exclude(status__in=OPEN_STATUSES).exclude(archive__isnull=False)
    deleted = closed.filter(created_at__lt=retention_cutoff("privacy.DataRequest")).delete()[0]
    return deleted + AuditEntry.objects.filter(at__lt=retention_cutoff("privacy.AuditEntry")).delete()[0]


def exports_expire() -> int:
    """Delete export archives past their expiry; returns how many went."""
    expired = list(DataRequest.objects.filter(kind=DataRequestKind.EXPORT, status=DataRequestStatus.DONE,
                                              file_expires_at__lte=timezone.now()))
    for request in expired:
        with transaction.atomic():
            ExportArchive.objects.filter(request=request).delete()
            DataRequest.objects.filter(pk=request.pk).update(status=DataRequestStatus.EXPIRED)
            audit_record(action="export_file_deleted", request=request)
    return len(expired)


def declared_purge(label: str, *, now: datetime | None = None) -> int:
    """Run the `retention_purge` that `label`'s app declares, with the cutoff its retention_days
    give; the app owns its rows, privacy only says when (registry.py)."""
    return import_string(declarations()[label].retention_purge)(cutoff=retention_cutoff(label, now=now))


# The entries whose retention_days a purge of privacy's own enforces; every entry that declares
# a retention_purge is enforced too (the record of processing says so).
OWN_PURGES = ("sessions.Session", "privacy.ConsentRecord", "admin.LogEntry", "privacy.DataRequest",
              "privacy.AuditEntry", "privacy.ExportArchive")


def enforced_labels() -> set[str]:
    """The registry entries whose retention_days a scheduled purge enforces."""
    return set(OWN_PURGES) | {label for label, declaration in declarations().items() if declaration.retention_purge}


def retention_purge() -> dict[str, int]:
    """Every purge once, privacy's own by name and each app's declared one by its model's label;
    safe to run twice (the second finds nothing)."""

    purged = {
        "sessions": sessions_purge(), "visitor_consent_records": visitor_consent_purge(),
        "admin_log_entries": admin_log_purge(), "data_requests": data_requests_purge(),
        "export_files": exports_expire(),
    }
    for label, declaration in sorted(declarations().items()):
        if declaration.retention_purge:
            purged[label] = declared_purge(label)
    return purged
