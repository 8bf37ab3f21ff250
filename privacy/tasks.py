"""Celery tasks for data requests and retention. Each takes ids only and is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from shop.orders.emails import TRANSACTIONAL_HEADERS

from . import data_requests, request_links
from .models import DataRequest, DataRequestStatus
from .retention import retention_purge

SENT_TTL = 60 * 60 * 24


@shared_task(acks_late=True)
def build_data_export(request_id: int) -> bool:
    """Build the ZIP of one export request (a finished or cancelled one is left alone)."""
    return data_requests.export_build(request_id=request_id)


@shared_task(acks_late=True)
def process_privacy_requests() -> dict[str, int]:
    """Carry out due erasures, resume interrupted exports, delete expired export files."""
    return data_requests.requests_process_due()


@shared_task(acks_late=True)
def purge_expired_personal_data() -> dict[str, int]:
    """Delete what the registry's retention periods say is due."""
    return retention_purge()


def _send_once(key: str, message: EmailMultiAlternatives | None) -> bool:
    if message is None or not cache.add(key, 1, timeout=SENT_TTL):
        return False
    try:
        message.send()
    except Exception:
        cache.delete(key)  # let a retry send it
        raise
    return True


def _recipient(request: DataRequest) -> str | None:
    if request.user_id is not None:
        return request.user.email if request.user else None
    return data_requests.guest_email_for_index(request.email_index) if request.email_index else None


def _message(*, request: DataRequest, template: str, subject: str, context: dict) -> EmailMultiAlternatives | None:
    email = _recipient(request)
    if not email:
        return None
    context = {**context, "shop_name": settings.SHOP_NAME, "request": request}
    message = EmailMultiAlternatives(subject=subject, body=render_to_string(f"privacy/emails/{template}.txt", context),
                                     from_email=settings.SHOP_TRANSACTIONAL_FROM_EMAIL, to=[email],
                                     headers=dict(TRANSACTIONAL_HEADERS))
    return message


@shared_task(acks_late=True)
def send_guest_request_link(request_id: int) -> bool:
    """E-mail a guest the one-time link that starts their request (once, even if redelivered)."""
    request = DataRequest.objects.filter(pk=request_id, status=DataRequestStatus.AWAITING_CONFIRMATION,
                                         user__isnull=True).first()
    if request is None:
        return False
    link = settings.SHOP_BASE_URL.rstrip("/") + reverse(
        "privacy:guest_confirm", kwargs={"token": request_links.confirm_token(request)})
    return _send_once(f"privacy:guest-link-sent:{request.pseudonym.hex}", _message(
        request=request, template="guest_request_link", subject=f"Your data at {settings.SHOP_NAME}",
        context={"link": link}))


@shared_task(acks_late=True)
def send_export_ready_link(request_id: int) -> bool:
    """E-mail a guest the download link of their finished export."""
    request = DataRequest.objects.filter(pk=request_id, status=DataRequestStatus.DONE, user__isnull=True).first()
    if request is None:
        return False
    link = settings.SHOP_BASE_URL.rstrip("/") + reverse(
        "privacy:download", kwargs={"token": request_links.download_token(request)})
    return _send_once(f"privacy:export-ready-sent:{request.pseudonym.hex}", _message(
        request=request, template="export_ready", subject=f"Your data at {settings.SHOP_NAME} is ready",
        context={"link": link, "days": settings.PRIVACY_EXPORT_TTL_DAYS}))


@shared_task(acks_late=True)
def send_erasure_scheduled(request_id: int) -> bool:
    """E-mail the date of a scheduled erasure and the link that cancels it."""
    request = DataRequest.objects.select_related("user").filter(pk=request_id,
                                                                status=DataRequestStatus.SCHEDULED).first()
    if request is None:
        return False
    link = settings.SHOP_BASE_URL.rstrip("/") + reverse(
        "privacy:erasure_cancel", kwargs={"token": request_links.cancel_token(request)})
    return _send_once(f"privacy:erasure-scheduled-sent:{request.pseudonym.hex}", _message(
        request=request, template="erasure_scheduled", subject=f"Your data at {settings.SHOP_NAME} will be deleted",
        context={"link": link}))
