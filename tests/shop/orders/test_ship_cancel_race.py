"""Shipping and cancelling one paid order at the same moment: the order's row lock lets exactly one
of the two happen, so no order is both sent to the customer and refunded (skipped on SQLite)."""

from decimal import Decimal

import pytest
from django.test import Client

from shop.catalog.models import ProductVariant
from shop.orders.models import Order, OrderStatus, OrderStatusChange
from shop.orders.services import order_status_change
from shop.orders.status import OrderTransitionError
from shop.payments.models import Payment, PaymentStatus, Refund
from tests.factories import ProductFactory
from tests.shop.checkout_helpers import checkout_to_review, pay
from tests.shop.test_concurrency import run_at_once

# A race is won or lost by timing: several orders, each raced once, so that a missing lock shows
# on at least one of them rather than only on a lucky run.
ROUNDS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_ship_racing_a_cancel_ends_in_exactly_one_of_them_never_shipped_and_refunded():
    lamp = ProductFactory(title="Racing Lamp", price=Decimal("12.00"), variant__stock=ROUNDS)
    for _ in range(ROUNDS):
        client = Client()
        assert pay(client, checkout_to_review(client, lamp)).status_code == 302
    orders = list(Order.objects.filter(status=OrderStatus.PAID).order_by("pk"))
    assert len(orders) == ROUNDS

    for order in orders:
        targets = [OrderStatus.SHIPPED, OrderStatus.CANCELLED]
        outcomes = run_at_once(lambda i, order=order, targets=targets: order_status_change(
            order_id=order.pk, to_status=targets[i], note="race"), 2)

        assert not [o for o in outcomes if not isinstance(o, (Order, OrderTransitionError))], outcomes
        won = [targets[i] for i, outcome in enumerate(outcomes) if isinstance(outcome, Order)]
        order.refresh_from_db()
        changes = list(OrderStatusChange.objects.filter(order=order).exclude(to_status=OrderStatus.PAID)
                       .values_list("from_status", "to_status"))
        refunded = Refund.objects.filter(payment__order=order).exists()
        assert len(won) == 1, f"order {order.number}: {won} both went through ({changes})"
        if won == [OrderStatus.SHIPPED]:
            assert order.status == OrderStatus.SHIPPED and not refunded
            assert changes == [(OrderStatus.PAID, OrderStatus.SHIPPED)]
            assert Payment.objects.get(order=order).status == PaymentStatus.SUCCEEDED
        else:
            assert order.status == OrderStatus.CANCELLED and refunded
            assert changes == [(OrderStatus.PAID, OrderStatus.CANCELLED)]
            assert Payment.objects.get(order=order).status == PaymentStatus.REFUNDED
    # Only the cancelled orders' units came back.
    cancelled = Order.objects.filter(status=OrderStatus.CANCELLED).count()
    assert ProductVariant.objects.get(product=lamp).stock_quantity == cancelled
