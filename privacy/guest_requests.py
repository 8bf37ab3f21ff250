"""Guests and newsletter-only people: a request by e-mail address, proven by a one-time e-mailed link.

The form answers the same whether or not the address is known; nothing is shown or
erased before the link is used; only the request's id goes through the queue.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from primitives.encrypted_fields import blind_index

from .audit import audit_record
from .data_requests import (
    DataRequestRefused,
    data_request_new,
    erasure_cancel_link_send,
    erasure_grace,
    erasure_refuse_during_export,
    personal_processing_stop,
)
from .models import DataRequest, DataRequestKind, DataRequestStatus
from .reach import identity_for_guest, rows_of
from .registry import declarations
from .request_links import CONFIRM_SALT, GUEST_LINK_MAX_AGE, request_from_token

GUEST_REQUESTS_PER_HOUR = 3


def _guest_rows_exist(email_index: str) -> bool:
    identity = identity_for_guest(email_index=email_index)
    return any(rows_of(label, identity).exists() for label, declaration in declarations().items()
               if declaration.guest)


def guest_request_submit(*, email: str, kind: str, visitor_id: uuid.UUID | None = None) -> None:
    """E-mail a one-time link to `email` if we hold anything under it; the caller learns nothing either way.

    Past GUEST_REQUESTS_PER_HOUR for the address, nothing is sent. Only the request's id
    goes through the queue.
    """
    if kind not in DataRequestKind.values:
        raise ValueError(f"Unknown request kind {kind!r}.")
    email_index = blind_index(email)
    throttle_key = f"privacy:guest-request:{email_index}"
    if not cache.add(throttle_key, 1, timeout=60 * 60):
        try:
            if cache.incr(throttle_key) > GUEST_REQUESTS_PER_HOUR:
                return
        except ValueError:
            cache.add(throttle_key, 1, timeout=60 * 60)
    if not _guest_rows_exist(email_index):
        return
    from .tasks import send_guest_request_link

    with transaction.atomic():
        request = data_request_new(kind=kind, status=DataRequestStatus.AWAITING_CONFIRMATION, email_index=email_index,
                               visitor_id=visitor_id)
        audit_record(action="guest_request_received", request=request, detail={"kind": kind})
        transaction.on_commit(lambda: send_guest_request_link.delay(request.pk))


def guest_request_awaiting(*, token: str) -> DataRequest:
    """The request a guest's e-mailed link would start, for the page that asks before it does.

    Reads only (mail scanners open links); refuses a forged, expired or used link with the
    words guest_request_confirm would use, so the person learns it before pressing anything.
    """
    found = request_from_token(token, CONFIRM_SALT, max_age=GUEST_LINK_MAX_AGE)
    if found is None:
        raise DataRequestRefused("This link is not valid or has expired. Please ask again.", status=404)
    if found.status != DataRequestStatus.AWAITING_CONFIRMATION:
        raise DataRequestRefused("This link has already been used. Please ask again if you need to.", status=410)
    return found


def guest_request_confirm(*, token: str) -> DataRequest:
    """Use a guest's e-mailed link: the request starts now. A second use is refused."""
    from .tasks import build_data_export

    found = guest_request_awaiting(token=token)
    with transaction.atomic():
        request = DataRequest.objects.select_for_update().get(pk=found.pk)
        if request.status != DataRequestStatus.AWAITING_CONFIRMATION:
            raise DataRequestRefused("This link has already been used. Please ask again if you need to.",
                                     status=410)
        if request.kind == DataRequestKind.ERASURE:
            erasure_refuse_during_export({"email_index": request.email_index, "user__isnull": True})
        now = timezone.now()
        request.status, request.confirmed_at = DataRequestStatus.SCHEDULED, now
        if request.kind == DataRequestKind.ERASURE:
            request.due_at = now + erasure_grace()
        request.save(update_fields=["status", "confirmed_at", "due_at"])
        audit_record(action="guest_request_confirmed", request=request)
        if request.kind == DataRequestKind.EXPORT:
            transaction.on_commit(lambda: build_data_export.delay(request.pk))
        else:
            personal_processing_stop(user_id=None, visitor_id=request.visitor_id)
            erasure_cancel_link_send(request)
    return request
