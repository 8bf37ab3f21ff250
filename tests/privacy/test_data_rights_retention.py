"""Retention, enforced: the registry's periods drive scheduled purges, shown on the record of processing."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from privacy.models import ConsentRecord
from privacy.registry import declarations
from shop.checkout.models import Address, Checkout
from shop.orders.models import Order
from tests.factories import OrderFactory, UserFactory


def consent(*, days_ago: int, **subject) -> ConsentRecord:
    return ConsentRecord.objects.create(**subject, purpose="analytics", granted=True, notice_version="x",
                                        text_hash="0" * 64, source="banner",
                                        created_at=timezone.now() - timedelta(days=days_ago))


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


@pytest.mark.django_db
def test_the_daily_purge_deletes_what_the_registry_says_is_due_and_nothing_else(capsys):
    user = UserFactory()
    old_session, live_session = SessionStore(), SessionStore()
    old_session.create()
    live_session.create()
    Session.objects.filter(session_key=old_session.session_key).update(expire_date=days_ago(1))
    stale_visitor, returning_visitor = uuid.uuid4(), uuid.uuid4()
    consent(days_ago=400, visitor_id=stale_visitor)
    consent(days_ago=400, visitor_id=returning_visitor)
    consent(days_ago=3, visitor_id=returning_visitor)  # decided again: all their records stay
    consent(days_ago=400, user=user)  # an account's records stay with the account
    old_checkout = Checkout.objects.create(email="late@example.org")
    recent_checkout = Checkout.objects.create(email="soon@example.org")
    Checkout.objects.filter(pk=old_checkout.pk).update(updated_at=days_ago(31))
    log_type = ContentType.objects.get_for_model(Order)
    old_entry = LogEntry.objects.create(user=user, content_type=log_type, object_id="1", object_repr="x",
                                        action_flag=ADDITION, change_message="")
    LogEntry.objects.filter(pk=old_entry.pk).update(action_time=days_ago(366))
    address = Address.objects.create(full_name="Old Customer", line1="1 Old Road", city="Oldtown", postcode="OL1",
                                     country="GB")
    old_order = OrderFactory(user=user, email="old@example.org", placed_at=days_ago(3654), total=Decimal("5.00"),
                             shipping_address=address, shipping_country="GB")
    recent_order = OrderFactory(user=user, placed_at=days_ago(10))

    call_command("run_scheduled_jobs", "purge-expired-personal-data")
    call_command("run_scheduled_jobs", "purge-expired-personal-data")  # twice changes nothing more

    assert list(Session.objects.values_list("session_key", flat=True)) == [live_session.session_key]
    assert set(ConsentRecord.objects.values_list("visitor_id", flat=True)) == {returning_visitor, None}
    assert ConsentRecord.objects.filter(user=user).count() == 1
    assert list(Checkout.objects.values_list("pk", flat=True)) == [recent_checkout.pk]
    assert not LogEntry.objects.filter(pk=old_entry.pk).exists()
    old_order.refresh_from_db()
    address.refresh_from_db()
    assert (old_order.user_id, old_order.email, old_order.total, old_order.shipping_country) == (
        None, None, Decimal("5.00"), "GB")
    assert (address.full_name, address.line1, address.country) == ("", "", "GB")
    assert Order.objects.get(pk=recent_order.pk).user_id == user.pk
    assert "purge-expired-personal-data: done" in capsys.readouterr().out


def test_the_privacy_jobs_are_on_the_schedule(capsys):
    call_command("run_scheduled_jobs", "--list")
    listed = capsys.readouterr().out
    assert "process-privacy-requests: privacy.tasks.process_privacy_requests" in listed
    assert "purge-expired-personal-data: privacy.tasks.purge_expired_personal_data" in listed


@pytest.mark.django_db
def test_the_record_of_processing_shows_the_enforced_periods(client):
    client.force_login(UserFactory(is_staff=True))
    html = client.get("/privacy/processing/").content.decode()
    assert "Purged daily after" in html
    assert f"sessions.Session: {declarations()['sessions.Session'].retention_days} days" in html
    assert "checkout.Checkout: 30 days from the checkout&#x27;s last change" in html
    assert "Download files are kept 7 days" in html
