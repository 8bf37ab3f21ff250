"""The demo's consented history: a fixed share of imported customers, their purchases as events."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from personalization.recommendations.models import BehaviourEvent, EventKind
from privacy.models import ConsentRecord
from shop.accounts.models import User
from shop.orders.models import Order, OrderLine, OrderStatus


def import_sample(path, *options: str) -> str:
    out = io.StringIO()
    call_command("import_online_retail", str(path), "--no-progress", *options, stdout=out)
    return out.getvalue()


def consenting_numbers() -> set[str]:
    return set(ConsentRecord.objects.filter(source="import", purpose="personalization", granted=True)
               .values_list("user__imported_customer_number", flat=True))


def test_a_fixed_share_consents_and_exactly_their_purchases_become_events(sample_catalog):
    customers = set(User.objects.filter(imported_customer_number__isnull=False)
                    .values_list("imported_customer_number", flat=True))
    consenting = consenting_numbers()

    assert consenting <= customers and 0.5 < len(consenting) / len(customers) < 0.7
    with_events = set(BehaviourEvent.objects.values_list("user__imported_customer_number", flat=True))
    assert with_events <= consenting
    expected_lines = OrderLine.objects.filter(
        order__user__imported_customer_number__in=consenting, quantity__gt=F("quantity_cancelled")
    ).exclude(order__status=OrderStatus.CANCELLED)
    assert BehaviourEvent.objects.count() == expected_lines.count()
    assert not BehaviourEvent.objects.exclude(kind=EventKind.PURCHASED).exists()
    assert not BehaviourEvent.objects.filter(order__isnull=True).exists()
    assert not BehaviourEvent.objects.exclude(order__user_id=F("user_id")).exists()
    assert not BehaviourEvent.objects.exclude(occurred_at=F("order__placed_at")).exists()


def test_the_share_is_stable_and_a_second_import_changes_nothing(sample_catalog, sample_data_path):
    first = consenting_numbers()
    events, records = BehaviourEvent.objects.count(), ConsentRecord.objects.count()

    import_sample(sample_data_path)
    assert (BehaviourEvent.objects.count(), ConsentRecord.objects.count()) == (events, records)

    # A fresh shop importing the same file picks the same customers.
    BehaviourEvent.objects.all().delete()
    ConsentRecord.objects.all()._raw_delete(ConsentRecord.objects.db)
    Order.objects.all().delete()
    import_sample(sample_data_path)
    assert consenting_numbers() == first


@pytest.mark.django_db(transaction=True)
def test_end_today_moves_every_date_so_the_last_invoice_is_just_before_the_import(sample_data_path):
    out = import_sample(sample_data_path, "--end-today", "--consent-share", "0")

    last = Order.objects.latest("placed_at").placed_at
    assert timezone.now() - timedelta(minutes=3) < last < timezone.now()
    assert re.search(r"Dates moved forward by [\d,]+ days and [\d,]+ minutes", out)
    assert not ConsentRecord.objects.exists() and not BehaviourEvent.objects.exists()


@pytest.mark.django_db
def test_a_consent_share_outside_zero_to_one_is_refused(sample_data_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="between 0 and 1"):
        import_sample(sample_data_path, "--consent-share", "1.5")
    assert not Order.objects.exists()


def test_the_demo_shopper_login_shows_recommended_for_you(sample_catalog, client):
    call_command("train_recommenders", "--no-progress", stdout=io.StringIO())
    out = io.StringIO()
    call_command("create_demo_shopper", stdout=out)

    email, password = re.search(r": (\S+@customers\.invalid) / (\S+)", out.getvalue()).groups()
    assert email.split("-")[1].split("@")[0] in consenting_numbers()
    assert client.login(email=email, password=password)
    assert 'id="rail-for_you">Recommended for you' in client.get("/").content.decode()


def test_the_demo_shopper_sees_their_segments_price_labelled_with_its_reason(sample_catalog, client):
    from decimal import Decimal

    from personalization.segments.models import SegmentDiscount
    from shop.catalog.models import Product

    call_command("train_recommenders", "--no-progress", stdout=io.StringIO())
    call_command("compute_segments", stdout=io.StringIO())
    first, second = io.StringIO(), io.StringIO()
    call_command("create_demo_shopper", stdout=first)
    call_command("create_demo_shopper", stdout=second)  # a new password, and no second discount

    discount = SegmentDiscount.objects.get()
    assert f"Their segment, '{discount.segment}', gets 5% off" in first.getvalue()
    email, password = re.search(r": (\S+@customers\.invalid) / (\S+)", second.getvalue()).groups()
    product = Product.objects.filter(price__gte=Decimal("2.00")).order_by("pk").first()
    assert client.login(email=email, password=password)
    html = client.get(product.get_absolute_url()).content.decode()
    assert "Your price" in html and discount.reason in html
    client.logout()
    assert "Your price" not in client.get(product.get_absolute_url()).content.decode()
