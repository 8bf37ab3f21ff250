"""Many buyers, few units: PostgreSQL's row locks keep every promise (skipped on SQLite)."""

import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from shop.catalog.models import ProductVariant, StockReservation
from shop.orders.models import Order, OrderStatus
from shop.orders.services import order_refund
from shop.payments.models import Refund
from tests.factories import ProductFactory
from tests.shop.checkout_helpers import checkout_to_review, pay

BUYERS = 20
UNITS = 5


def run_at_once(work, count: int) -> list:
    results: list = [None] * count
    start = threading.Barrier(count)

    def run(index: int):
        try:
            start.wait(30)
            results[index] = work(index)
        except Exception as error:  # reported below, never swallowed
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_buyers_for_the_last_five_units_make_exactly_five_paid_orders():
    lamp = ProductFactory(title="Last Lamps", price=Decimal("9.00"), variant__stock=UNITS)

    def buy(index: int) -> int:
        client = Client()
        client.post("/cart/add/", {"variant": lamp.variants.get().pk, "quantity": 1})
        client.post("/checkout/start/")
        if not client.get("/checkout/details/").status_code == 200:
            return 0  # no units could be held for this buyer: the cart page says so
        try:
            form = checkout_to_review(client)
        except AssertionError:
            return 0
        return pay(client, form).status_code

    outcomes = run_at_once(buy, BUYERS)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Order.objects.filter(status=OrderStatus.PAID).count() == UNITS
    assert ProductVariant.objects.get(product=lamp).stock_quantity == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_when_every_hold_has_expired_paying_still_never_oversells():
    lamp = ProductFactory(title="Last Lamps", price=Decimal("9.00"), variant__stock=BUYERS)
    clients = [Client() for _ in range(BUYERS)]
    forms = [checkout_to_review(client, lamp) for client in clients]
    ProductVariant.objects.filter(product=lamp).update(stock_quantity=UNITS)
    StockReservation.objects.update(expires_at=timezone.now() - timezone.timedelta(seconds=1))

    outcomes = run_at_once(lambda i: pay(clients[i], forms[i]).status_code, BUYERS)

    assert sorted(outcomes) == [302] * UNITS + [409] * (BUYERS - UNITS)  # 409: "Not enough stock"
    assert Order.objects.filter(status=OrderStatus.PAID).count() == UNITS
    assert ProductVariant.objects.get(product=lamp).stock_quantity == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_place_order_request_sent_five_times_at_once_makes_one_order():
    lamp = ProductFactory(variant__stock=10)
    client = Client()
    form = checkout_to_review(client, lamp)

    outcomes = run_at_once(lambda i: pay(client, form).status_code, 5)

    assert Order.objects.count() == 1
    assert ProductVariant.objects.get(product=lamp).stock_quantity == 9
    assert all(status in (302, 402) for status in outcomes), outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refunds_at_once_refund_and_restock_once():
    lamp = ProductFactory(variant__stock=3)
    client = Client()
    pay(client, checkout_to_review(client, lamp, quantity=2))
    order = Order.objects.get()

    outcomes = run_at_once(lambda i: order_refund(order_id=order.pk, reason="twice"), 2)

    assert sum(isinstance(o, Order) for o in outcomes) == 1
    assert ProductVariant.objects.get(product=lamp).stock_quantity == 3
    assert Refund.objects.count() == 1
