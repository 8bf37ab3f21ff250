"""Writes for data requests: download my data and delete my account (guests: privacy.guest_requests).

Every step is recorded in the audit log under the request's random pseudonym. Links
(download, cancel, a guest's confirmation) are signed and carry the request's id and
pseudonym only; each is checked against the request's state, so a replayed, forged
or expired link changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from primitives.encrypted_fields import decrypt_bytes, encrypt_bytes
from primitives.subjects import Subject, SubjectIdentity

from .audit import audit_record
from .erasure import subject_erase
from .export import export_archive, export_document
from .models import (
    LEGAL_DEADLINE,
    OPEN_STATUSES,
    ConsentSource,
    DataRequest,
    DataRequestKind,
    DataRequestStatus,
    ExportArchive,
)
from .purposes import MARKETING, PERSONALIZATION
from .reach import identity_for_guest, identity_for_user, identity_with_linked_keys, rows_of
from .registry import declarations
from .retention import exports_expire
from .request_links import (
    CANCEL_SALT,
    DOWNLOAD_SALT,
    GUEST_LINK_MAX_AGE,
    request_from_token,
)
from .scrubbers import cache_purge
from .services import consent_decide
from .signals import subject_erased

# An export still "running" this long after it last moved was interrupted: build it again.
STALLED_EXPORT = timedelta(minutes=30)


class DataRequestRefused(Exception):
    """A request that cannot be made or a link that cannot be used; the message is for the person."""

    def __init__(self, message: str, *, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


def export_ttl() -> timedelta:
    return timedelta(days=settings.PRIVACY_EXPORT_TTL_DAYS)


def erasure_grace() -> timedelta:
    return timedelta(days=settings.ERASURE_GRACE_DAYS)


# --- Who a request is about -------------------------------------------------------------

def guest_email_for_index(email_index: str) -> str | None:
    """The address (decrypted) a guest gave under this blind index, from any declared guest row."""
    for label, declaration in declarations().items():
        if not declaration.guest or "__" in declaration.guest:
            continue
        model = apps.get_model(label)
        source = getattr(model._meta.get_field(declaration.guest), "source", None)
        if source is None:  # an index kept without the address beside it (a data request's)
            continue
        row = (model._base_manager.filter(**{declaration.guest: email_index})
               .exclude(**{f"{source}__isnull": True}).only(source).first())
        if row is not None and getattr(row, source):
            return getattr(row, source)
    return None


def identity_of(request: DataRequest) -> SubjectIdentity:
    if request.user_id is not None:
        identity = identity_for_user(user_id=request.user_id, visitor_id=request.visitor_id)
    elif request.email_index:
        identity = identity_for_guest(email_index=request.email_index,
                                      email=guest_email_for_index(request.email_index), visitor_id=request.visitor_id)
    else:
        return SubjectIdentity()
    return identity_with_linked_keys(identity)


def _subject_filter(request: DataRequest) -> dict:
    return {"user_id": request.user_id} if request.user_id else {"email_index": request.email_index,
                                                                  "user__isnull": True}


def data_request_new(*, kind: str, status: str, **subject) -> DataRequest:
    now = timezone.now()
    return DataRequest.objects.create(kind=kind, status=status, created_at=now, deadline=now + LEGAL_DEADLINE,
                                      **subject)


def _lock_user(user_id: int) -> None:
    """Serialise one person's requests (limits, one erasure at a time, no export of an erased account)."""
    users = apps.get_model(settings.AUTH_USER_MODEL)._base_manager
    if not list(users.select_for_update().filter(pk=user_id).values_list("pk", flat=True)):
        raise DataRequestRefused("This account no longer exists.", status=404)


# --- Download my data --------------------------------------------------------------------

def export_request(*, user_id: int, visitor_id: uuid.UUID | None = None) -> DataRequest:
    """Queue a download of the account's data. At most PRIVACY_EXPORTS_PER_DAY a day."""
    from .tasks import build_data_export

    with transaction.atomic():
        _lock_user(user_id)
        recent = DataRequest.objects.filter(user_id=user_id, kind=DataRequestKind.EXPORT,
                                            created_at__gte=timezone.now() - timedelta(days=1)).count()
        if recent >= settings.PRIVACY_EXPORTS_PER_DAY:
            raise DataRequestRefused(f"You can ask for a copy of your data {settings.PRIVACY_EXPORTS_PER_DAY} "
                                     "times a day. Please use the latest one, or ask again tomorrow.", status=429)
        request = data_request_new(kind=DataRequestKind.EXPORT, status=DataRequestStatus.SCHEDULED, user_id=user_id,
                               visitor_id=visitor_id)
        request.confirmed_at = request.created_at
        request.save(update_fields=["confirmed_at"])
        audit_record(action="export_requested", request=request, detail={"by": "account"})
        transaction.on_commit(lambda: build_data_export.delay(request.pk))
    return request


def _progress(request_id: int):
    def report(percent: int) -> None:
        DataRequest.objects.filter(pk=request_id, status=DataRequestStatus.RUNNING).update(progress=percent)
    return report


def export_build(*, request_id: int) -> bool:
    """Build the ZIP of a scheduled export; returns whether this call finished it.

    Safe to run twice: a finished, cancelled or erased request is left alone, and an
    archive built by a run that lost the race is never stored.
    """
    with transaction.atomic():
        request = (DataRequest.objects.select_for_update()
                   .filter(pk=request_id, kind=DataRequestKind.EXPORT,
                           status__in=[DataRequestStatus.SCHEDULED, DataRequestStatus.RUNNING]).first())
        if request is None:
            return False
        request.status, request.progress = DataRequestStatus.RUNNING, 1
        request.save(update_fields=["status", "progress"])
        audit_record(action="export_started", request=request)
    document = export_document(identity=identity_of(request), pseudonym=request.pseudonym.hex,
                               progress=_progress(request.pk))
    archive = export_archive(document)
    sealed = encrypt_bytes(archive)
    with transaction.atomic():
        request = DataRequest.objects.select_for_update().get(pk=request_id)
        if request.status != DataRequestStatus.RUNNING:
            return False  # cancelled, erased or finished by another run meanwhile
        now = timezone.now()
        ExportArchive.objects.update_or_create(request=request, defaults={
            "data": sealed, "size": len(archive), "created_at": now})
        request.status, request.progress, request.completed_at = DataRequestStatus.DONE, 100, now
        request.file_expires_at = now + export_ttl()
        request.save(update_fields=["status", "progress", "completed_at", "file_expires_at"])
        audit_record(action="export_ready", request=request, detail={
            "rows": {label: len(section["rows"]) for label, section in document["sections"].items()},
            "bytes": len(archive)})
        if request.user_id is None:
            from .tasks import send_export_ready_link

            transaction.on_commit(lambda: send_export_ready_link.delay(request.pk))
    return True


def export_file_for_download(*, token: str, user) -> tuple[DataRequest, bytes]:
    """The ZIP behind a download link, for the person it belongs to; refused otherwise."""
    request = request_from_token(token, DOWNLOAD_SALT, max_age=int(export_ttl().total_seconds()))
    if request is None or request.kind != DataRequestKind.EXPORT:
        raise DataRequestRefused("This download link is not valid. Ask for your data again.", status=404)
    if request.user_id is not None and getattr(user, "pk", None) != request.user_id:
        # Another person's file, or the owner logged out: nothing says whether it exists.
        raise DataRequestRefused("This download link is not valid. Ask for your data again.", status=404)
    archive = ExportArchive.objects.filter(request=request).first()
    if (request.status != DataRequestStatus.DONE or archive is None
            or request.file_expires_at is None or request.file_expires_at <= timezone.now()):
        raise DataRequestRefused("This download has expired and its file is deleted. Ask for your data again.",
                                 status=410)
    audit_record(action="export_downloaded", request=request)
    return request, decrypt_bytes(bytes(archive.data))


# --- Delete my account --------------------------------------------------------------------

def erasure_blockers(*, identity: SubjectIdentity) -> list[str]:
    """Why the erasure must wait, in words for the person: what each app's declared
    `erasure_blocker` finds among the person's rows (orders still being fulfilled)."""
    reasons: list[str] = []
    for label, declaration in declarations().items():
        if declaration.erasure_blocker:
            reasons += import_string(declaration.erasure_blocker)(rows_of(label, identity))
    return reasons


def erasure_refuse_during_export(request_filter: dict) -> None:
    if DataRequest.objects.filter(**request_filter, kind=DataRequestKind.EXPORT,
                                  status__in=[DataRequestStatus.SCHEDULED, DataRequestStatus.RUNNING]).exists():
        raise DataRequestRefused("A copy of your data is being prepared. Please wait until it is ready (a minute "
                                 "or two), download it if you wish, then ask again.")


def personal_processing_stop(*, user_id: int | None, visitor_id: uuid.UUID | None) -> None:
    choices = {PERSONALIZATION: False, MARKETING: False}
    if user_id is not None:
        user = apps.get_model(settings.AUTH_USER_MODEL)._base_manager.get(pk=user_id)
        consent_decide(subject=Subject.for_user(user), choices=choices, source=ConsentSource.ERASURE)
    if visitor_id is not None:
        consent_decide(subject=Subject.for_visitor(visitor_id), choices=choices,
                       source=ConsentSource.ERASURE)


def erasure_request(*, user_id: int, visitor_id: uuid.UUID | None = None) -> DataRequest:
    """Schedule the erasure of an account after the grace period; personalization and marketing stop now.

    Asking twice returns the erasure already scheduled.
    """
    with transaction.atomic():
        _lock_user(user_id)
        existing = DataRequest.objects.filter(user_id=user_id, kind=DataRequestKind.ERASURE,
                                              status__in=OPEN_STATUSES).first()
        if existing is not None:
            return existing
        erasure_refuse_during_export({"user_id": user_id})
        request = data_request_new(kind=DataRequestKind.ERASURE, status=DataRequestStatus.SCHEDULED, user_id=user_id,
                               visitor_id=visitor_id)
        request.confirmed_at = request.created_at
        request.due_at = request.created_at + erasure_grace()
        request.blocked_reason = _blocked_summary(erasure_blockers(identity=identity_of(request)))
        request.save(update_fields=["confirmed_at", "due_at", "blocked_reason"])
        audit_record(action="erasure_requested", request=request,
                     detail={"by": "account", "grace_days": settings.ERASURE_GRACE_DAYS})
        personal_processing_stop(user_id=user_id, visitor_id=visitor_id)
        erasure_cancel_link_send(request)
    return request


def erasure_cancel_link_send(request: DataRequest) -> None:
    if settings.ERASURE_GRACE_DAYS > 0:  # with no grace there is nothing left to cancel by then
        from .tasks import send_erasure_scheduled

        transaction.on_commit(lambda: send_erasure_scheduled.delay(request.pk))


def _blocked_summary(blockers: list[str]) -> str:
    return " ".join(blockers)[:300]


def erasure_cancel(*, token: str) -> DataRequest:
    """Cancel a scheduled erasure from its link. Consent stays refused until the person chooses again."""
    found = request_from_token(token, CANCEL_SALT, max_age=None)
    if found is None or found.kind != DataRequestKind.ERASURE:
        raise DataRequestRefused("This link is not valid.", status=404)
    with transaction.atomic():
        request = DataRequest.objects.select_for_update().get(pk=found.pk)
        if request.status == DataRequestStatus.CANCELLED:
            raise DataRequestRefused("This deletion was already cancelled.")
        if request.status != DataRequestStatus.SCHEDULED:
            raise DataRequestRefused("This deletion has already been carried out; it cannot be undone.", status=410)
        request.status, request.completed_at = DataRequestStatus.CANCELLED, timezone.now()
        request.save(update_fields=["status", "completed_at"])
        audit_record(action="erasure_cancelled", request=request)
    return request


def erasure_run(*, request_id: int) -> str:
    """Carry out one due erasure as the registry declares; returns what happened.

    Safe to run twice and after an interruption: everything happens in one transaction
    with the request row locked, and only a scheduled, due request is carried out.
    """
    with transaction.atomic():
        request = (DataRequest.objects.select_for_update(skip_locked=True)
                   .filter(pk=request_id, kind=DataRequestKind.ERASURE).first())
        if request is None or request.status not in (DataRequestStatus.SCHEDULED, DataRequestStatus.RUNNING):
            return "skipped"
        if request.confirmed_at is None or request.due_at is None or request.due_at > timezone.now():
            return "not due"
        if DataRequest.objects.filter(**_subject_filter(request), kind=DataRequestKind.EXPORT,
                                      status__in=[DataRequestStatus.SCHEDULED, DataRequestStatus.RUNNING]).exists():
            return "waiting for an export"
        if request.user_id is not None:
            try:
                _lock_user(request.user_id)
            except DataRequestRefused:
                pass  # the account is already gone: erase whatever else remains
        identity = identity_of(request)
        blockers = erasure_blockers(identity=identity)
        if blockers:
            summary = _blocked_summary(blockers)
            if summary != request.blocked_reason or not request.audit.filter(action="erasure_delayed").exists():
                request.blocked_reason = summary
                request.save(update_fields=["blocked_reason"])
                audit_record(action="erasure_delayed", request=request, detail={"open_orders": len(blockers)})
            return "blocked"
        user = (apps.get_model(settings.AUTH_USER_MODEL)._base_manager.filter(pk=request.user_id).first()
                if request.user_id else None)
        subjects = ([Subject.for_user(user)] if user is not None else []) + (
            [Subject.for_visitor(request.visitor_id)] if request.visitor_id else [])
        counts = subject_erase(identity=identity)  # their export archives go with their requests
        DataRequest.objects.filter(pk=request.pk).update(
            status=DataRequestStatus.DONE, completed_at=timezone.now(), blocked_reason="", progress=100,
            user=None, email_index=None, visitor_id=None)
        audit_record(action="erasure_done", request=request, detail={"rows": counts})

        def after_commit() -> None:
            cache_purge(identity)
            for subject in subjects:
                subject_erased.send(sender=DataRequest, subject=subject)

        transaction.on_commit(after_commit)
    return "erased"


# --- What is due ---------------------------------------------------------------------------

def requests_process_due() -> dict[str, int]:
    """Carry out due erasures, resume interrupted exports, delete expired files and links.

    Safe to run twice and at the same time as itself (rows are locked, finished work skipped).
    """
    now = timezone.now()
    done = {"erased": 0, "blocked": 0, "exports_built": 0, "files_deleted": 0, "links_expired": 0}
    due = DataRequest.objects.filter(kind=DataRequestKind.ERASURE, due_at__lte=now,
                                     status__in=[DataRequestStatus.SCHEDULED, DataRequestStatus.RUNNING])
    for request_id in list(due.order_by("due_at", "pk").values_list("pk", flat=True)):
        outcome = erasure_run(request_id=request_id)
        done["erased"] += outcome == "erased"
        done["blocked"] += outcome == "blocked"
    stalled = DataRequest.objects.filter(kind=DataRequestKind.EXPORT, status__in=[
        DataRequestStatus.SCHEDULED, DataRequestStatus.RUNNING], confirmed_at__lte=now - STALLED_EXPORT)
    for request_id in list(stalled.values_list("pk", flat=True)):
        done["exports_built"] += export_build(request_id=request_id)
    done["files_deleted"] = exports_expire()
    done["links_expired"] = DataRequest.objects.filter(
        status=DataRequestStatus.AWAITING_CONFIRMATION,
        created_at__lt=now - timedelta(seconds=GUEST_LINK_MAX_AGE)).update(status=DataRequestStatus.EXPIRED)
    return done
