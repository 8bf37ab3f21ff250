"""Exports and erasures through a real Celery worker on the real Redis broker and cache."""

import hashlib
import time

import pytest
from django.core.cache import cache

from primitives.encrypted_fields import blind_index
from privacy import data_requests
from privacy.models import DataRequest, DataRequestStatus
from privacy.tasks import process_privacy_requests
from shop.accounts.models import User
from shop.orders.models import Order, OrderStatus
from shop.orders.services import guest_order_links_request
from tests.factories import OrderFactory, verified_user
from tests.waiting import wait_for


@pytest.mark.worker
def test_the_worker_builds_the_export_then_erases_the_account_and_its_cache_entries(celery_worker, settings):
    settings.ERASURE_GRACE_DAYS = 0
    email = f"worker-{time.time_ns()}@example.org"
    user = verified_user(email=email)
    order = OrderFactory(user=user, status=OrderStatus.SHIPPED)
    OrderFactory(user=None, email=email, status=OrderStatus.DELIVERED)  # as a guest, same verified address
    guest_order_links_request(email=email)  # leaves a throttle entry keyed by the address's blind index
    throttle = f"allauth:rl:account:login_failed:10/5m/key:{hashlib.sha256(email.encode()).hexdigest()}"
    cache.set(throttle, [time.time()], 300)

    export = data_requests.export_request(user_id=user.pk)  # queued after commit: on the worker
    wait_for(lambda: DataRequest.objects.get(pk=export.pk).status == DataRequestStatus.DONE)
    erasure = data_requests.erasure_request(user_id=user.pk)
    outcome = process_privacy_requests.delay().get(timeout=60)

    assert outcome["erased"] == 1
    assert DataRequest.objects.get(pk=erasure.pk).status == DataRequestStatus.DONE
    assert not User.objects.filter(pk=user.pk).exists()
    assert Order.objects.filter(pk=order.pk, user__isnull=True).exists()
    assert not Order.objects.filter(email_index=blind_index(email)).exists()
    wait_for(lambda: cache.get(throttle) is None, timeout=10)  # purged after the commit
    assert cache.get(f"orders:guest-links:{blind_index(email)}") is None
    assert process_privacy_requests.delay().get(timeout=60)["erased"] == 0  # twice is harmless
