"""The demo's history ends before now, whole: whatever the hour of the import, the training
that follows it reads every imported order and computes the same lists."""

import io
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from personalization.recommendations.models import BehaviourEvent, ModelVersion, RecommendationList
from personalization.recommendations.training import recommenders_train
from privacy.disclosure import noise_source
from shop.accounts.models import User
from shop.catalog.models import ProductVariant
from shop.demo_import.loader import HISTORY_ENDS_BEFORE_NOW
from shop.orders.models import Order
from tests.privacy.disclosure.sources import offset

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def same_noise_every_training():
    """Each training releases its customers' figures with fresh noise; one known noise for both
    lets the two trainings' lists be compared whole."""
    with noise_source(offset(2)):
        yield

# The training starts a little after the import, as `make demo` runs them.
TRAINING_STARTS_AFTER_IMPORT = timedelta(seconds=40)


def import_demo(path, *, now: datetime) -> str:
    out = io.StringIO()
    call_command("import_online_retail", str(path), "--no-progress", "--end-today", "--now", now.isoformat(),
                 stdout=out)
    return out.getvalue()


def lists_by_natural_key() -> dict:
    """Every stored list of the serving version, named by SKU and customer number (ids differ per import)."""
    sku = dict(ProductVariant.objects.values_list("product_id", "sku"))
    number = dict(User.objects.values_list("pk", "imported_customer_number"))
    version = ModelVersion.objects.get(status="active")
    return {
        (row.rail, number.get(row.user_id), sku.get(row.product_id)): [
            (sku[entry["product"]], entry["reason"], entry.get("customers")) for entry in row.items
        ]
        for row in RecommendationList.objects.filter(version=version)
    }


def import_and_train(path, *, now: datetime) -> tuple[dict, ModelVersion]:
    import_demo(path, now=now)
    version = recommenders_train(until=now + TRAINING_STARTS_AFTER_IMPORT)
    return lists_by_natural_key(), version


def test_imports_at_two_times_of_day_end_before_now_and_train_the_same_lists(sample_data_path):
    day = timezone.now().date() - timedelta(days=1)
    early = datetime.combine(day, time(2, 36), tzinfo=UTC)
    late = early.replace(hour=20, minute=0)
    # Both imports start from empty tables with reset id sequences, so the only difference is the hour.
    call_command("flush", interactive=False, verbosity=0)

    early_lists, early_version = import_and_train(sample_data_path, now=early)
    last_early = Order.objects.latest("placed_at").placed_at
    assert early - HISTORY_ENDS_BEFORE_NOW - timedelta(minutes=1) < last_early <= early - HISTORY_ENDS_BEFORE_NOW
    # The training read every imported purchase: none of them lay after its start.
    assert early_version.counts["events"] == BehaviourEvent.objects.count() > 0
    call_command("flush", interactive=False, verbosity=0)

    late_lists, late_version = import_and_train(sample_data_path, now=late)
    last_late = Order.objects.latest("placed_at").placed_at
    assert last_late <= late - HISTORY_ENDS_BEFORE_NOW
    assert late_version.counts["events"] == BehaviourEvent.objects.count()

    assert late_version.counts == early_version.counts
    assert late_version.metrics == early_version.metrics
    assert {key for key in early_lists if key[0] == "for_you"}, "the demo has customers with lists"
    assert late_lists == early_lists


def test_an_import_now_dates_no_order_in_the_future(sample_data_path):
    before = timezone.now()
    out = import_demo(sample_data_path, now=before)

    assert not Order.objects.filter(placed_at__gt=before).exists()
    last = Order.objects.latest("placed_at").placed_at
    assert before - timedelta(minutes=2) < last <= before - HISTORY_ENDS_BEFORE_NOW
    assert re.search(r"the last invoice is dated \S+ \S+ \S+, before the import", out)


def test_without_a_reference_time_the_import_ends_before_the_current_time(sample_data_path):
    before = timezone.now()
    out = io.StringIO()
    call_command("import_online_retail", str(sample_data_path), "--no-progress", "--end-today", stdout=out)

    last = Order.objects.latest("placed_at").placed_at
    assert before - timedelta(minutes=2) < last < timezone.now() - timedelta(seconds=59)


def test_a_reference_time_without_a_time_zone_is_refused(sample_data_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no time zone"):
        call_command("import_online_retail", str(sample_data_path), "--end-today", "--now", "2026-12-07T02:36",
                     stdout=io.StringIO())
    assert not Order.objects.exists()
