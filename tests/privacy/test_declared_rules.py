"""Privacy reaches shop rows only through what each app declares: retention purges run at the
boundary of the declared retention_days, and an erasure blocker checks the rows it is given."""

from datetime import timedelta

import pytest
from django.utils import timezone

from privacy.data_requests import erasure_blockers
from privacy.reach import identity_for_user
from privacy.retention import retention_purge
from shop.checkout.models import Checkout
from shop.orders.models import Order, OrderStatus
from shop.orders.personal_data_rules import open_orders_block_erasure
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db
MARGIN = timedelta(minutes=1)


def test_a_checkout_untouched_just_over_thirty_days_is_purged_one_just_under_is_kept():
    user = UserFactory()
    expired, recent = Checkout.objects.create(user=user), Checkout.objects.create(user=user)
    now = timezone.now()
    Checkout.objects.filter(pk=expired.pk).update(updated_at=now - timedelta(days=30) - MARGIN)
    Checkout.objects.filter(pk=recent.pk).update(updated_at=now - timedelta(days=30) + MARGIN)

    purged = retention_purge()

    assert purged["checkout.Checkout"] == 1
    assert list(Checkout.objects.values_list("pk", flat=True)) == [recent.pk]


def test_an_order_past_its_ten_years_loses_the_person_and_keeps_its_amounts_one_just_inside_keeps_both():
    now = timezone.now()
    expired = OrderFactory(placed_at=now - timedelta(days=3653) - MARGIN, status=OrderStatus.DELIVERED)
    recent = OrderFactory(placed_at=now - timedelta(days=3653) + MARGIN, status=OrderStatus.DELIVERED)
    recent_user_id = recent.user_id

    purged = retention_purge()

    expired.refresh_from_db()
    recent.refresh_from_db()
    assert purged["orders.Order"] == 1
    assert (expired.user_id, expired.number) == (None, expired.number) and Order.objects.count() == 2
    assert recent.user_id == recent_user_id


def test_the_blocker_itself_refuses_only_orders_still_being_fulfilled_whatever_rows_it_is_given():
    shipped = OrderFactory(status=OrderStatus.SHIPPED)
    paid = OrderFactory(status=OrderStatus.PAID)
    pending = OrderFactory(status=OrderStatus.PENDING)

    reasons = open_orders_block_erasure(Order.objects.order_by("pk"))

    assert reasons == [
        f"Order {number} is still being fulfilled: we erase your data once it has shipped or is cancelled."
        for number in (paid.number, pending.number)]
    assert not any(shipped.number in reason for reason in reasons)


def test_erasure_waits_for_the_persons_own_open_orders_only():
    mine = OrderFactory(status=OrderStatus.PAID)
    OrderFactory(status=OrderStatus.PAID)  # someone else's

    reasons = erasure_blockers(identity=identity_for_user(user_id=mine.user_id))

    assert reasons == [f"Order {mine.number} is still being fulfilled: we erase your data once it has shipped "
                       "or is cancelled."]
