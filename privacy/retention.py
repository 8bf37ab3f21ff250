"""Retention, enforced: scheduled purges whose periods are the registry's `retention_days`.

Each purge deletes what its entry's period says is due, counted from its
`retention_basis`; the record-of-processing page shows the same numbers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db.models import Max
from django.utils import timezone

from .models import OPEN_STATUSES, AuditEntry, ConsentRecord, DataRequest
from .registry import declarations


def retention_cutoff(label: str, *, now: datetime | None = None) -> datetime:
    days = declarations()[label].retention_days
    if days is None:
        raise ValueError(f"{label} declares no retention_days.")
    return (now or timezone.now()) - timedelta(days=days)


def sessions_purge() -> int:
    # Expired sessions (Django's clearsessions); a session never lives past its two weeks.
    return Session.objects.filter(expire_date__lt=timezone.now()).delete()[0]


def checkouts_purge() -> int:
    from shop.checkout.models import Checkout

    return Checkout.objects.filter(updated_at__lt=retention_cutoff("checkout.Checkout")).delete()[0]


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


def orders_anonymise_expired() -> int:
    """Orders past their tax-law period keep their amounts and lose the person, as on erasure."""
    from shop.checkout.models import Address
    from shop.orders.models import Order

    expired = Order.objects.filter(placed_at__lt=retention_cutoff("orders.Order")).exclude(
        user__isnull=True, email_index__isnull=True, email__isnull=True)
    address_ids = list(expired.exclude(shipping_address__isnull=True).values_list("shipping_address_id", flat=True))
    Address.objects.filter(pk__in=address_ids).update(**declarations()["checkout.Address"].anonymise_fields)
    return expired.update(**declarations()["orders.Order"].anonymise_fields)


def provider_events_purge() -> int:
    """Payment providers' event ids past their day: a replay that old fails its signature's age check."""
    from shop.payments.models import ProviderEvent

    return ProviderEvent.objects.filter(received_at__lt=retention_cutoff("payments.ProviderEvent")).delete()[0]


# The entries whose retention_days a purge below enforces (the record of processing says so).
ENFORCED = ("sessions.Session", "checkout.Checkout", "privacy.ConsentRecord", "admin.LogEntry",
            "privacy.DataRequest", "privacy.AuditEntry", "privacy.ExportArchive", "orders.Order",
            "payments.ProviderEvent")


def retention_purge() -> dict[str, int]:
    """Every purge once; safe to run twice (the second finds nothing)."""
    from .data_requests import exports_expire

    return {
        "sessions": sessions_purge(), "checkouts": checkouts_purge(),
        "visitor_consent_records": visitor_consent_purge(), "admin_log_entries": admin_log_purge(),
        "data_requests": data_requests_purge(), "export_files": exports_expire(),
        "orders_anonymised": orders_anonymise_expired(), "provider_events": provider_events_purge(),
    }
