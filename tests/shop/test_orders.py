"""Orders: the status table, refunds through the provider (restocking once), e-mails, invoice numbers,
and the account's order history."""

import itertools
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from shop import events
from shop.catalog.models import ProductVariant, StockReservation
from shop.orders.models import Order, OrderStatus, OrderStatusChange
from shop.orders.services import order_refund, order_status_change
from shop.orders.status import ALLOWED_TRANSITIONS, OrderTransitionError
from shop.payments.models import Refund
from shop.payments.models import TestProviderCharge as Charge
from tests.factories import PASSWORD, OrderFactory, ProductFactory, order_line_create, verified_user
from tests.shop.checkout_helpers import checkout_to_review, pay
from tests.shop.querycount import queries_for


@pytest.fixture
def paid_order(client, django_capture_on_commit_callbacks):
    lamp = ProductFactory(title="Lamp", price=Decimal("10.00"), variant__stock=5)
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, checkout_to_review(client, lamp, quantity=2))
    mail.outbox.clear()
    return Order.objects.get()


def stock() -> int:
    return ProductVariant.objects.get().stock_quantity


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), list(itertools.product(OrderStatus.values, OrderStatus.values)))
def test_only_the_documented_status_changes_are_allowed(current, target):
    order = OrderFactory(status=current)
    allowed = target in ALLOWED_TRANSITIONS[current]

    if allowed:
        order_status_change(order_id=order.pk, to_status=target)
        assert Order.objects.get(pk=order.pk).status == target
    else:
        with pytest.raises(OrderTransitionError):
            order_status_change(order_id=order.pk, to_status=target)
        assert Order.objects.get(pk=order.pk).status == current


@pytest.mark.django_db
def test_a_refund_goes_through_the_provider_restocks_once_and_e_mails_once(
        paid_order, captured_events, django_capture_on_commit_callbacks):
    assert stock() == 3

    with django_capture_on_commit_callbacks(execute=True):
        order_refund(order_id=paid_order.pk, reason="Arrived broken")
    with pytest.raises(OrderTransitionError, match="already refunded"):
        order_refund(order_id=paid_order.pk, reason="Clicked twice")

    assert stock() == 5
    assert Order.objects.get().status == OrderStatus.REFUNDED
    assert Refund.objects.get().amount == Decimal("23.95")
    assert Charge.objects.get().status == "refunded"
    assert [m.subject for m in mail.outbox] == [f"Your order {paid_order.number} is refunded"]
    assert [(type(e).__name__, e.amount) for e in captured_events] == [("OrderRefunded", Decimal("23.95"))]
    assert list(OrderStatusChange.objects.values_list("to_status", flat=True)) == ["paid", "refunded"]


@pytest.mark.django_db
def test_cancelling_a_paid_order_refunds_it_and_restocks(paid_order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order_status_change(order_id=paid_order.pk, to_status=OrderStatus.CANCELLED, note="Customer asked")

    assert stock() == 5 and Charge.objects.get().status == "refunded"
    assert mail.outbox[0].subject == f"Your order {paid_order.number} is cancelled"


@pytest.mark.django_db
def test_shipping_an_order_e_mails_the_customer_and_cannot_be_undone(paid_order,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order_status_change(order_id=paid_order.pk, to_status=OrderStatus.SHIPPED)

    assert mail.outbox[0].subject == f"Your order {paid_order.number} is on its way"
    assert "shop/emails" not in mail.outbox[0].body and "Lamp" in mail.outbox[0].body
    with pytest.raises(OrderTransitionError, match="shipped cannot become paid"):
        order_status_change(order_id=paid_order.pk, to_status=OrderStatus.PAID)


@pytest.mark.django_db
def test_invoice_numbers_have_no_gaps_when_an_order_fails(client):
    lamp = ProductFactory(title="Lamp", variant__stock=1)
    mug = ProductFactory(title="Mug", variant__stock=5)
    pay(client, checkout_to_review(client, mug))
    # A second order that cannot be completed (its lamp sold while it authenticated) is refunded ...
    shopper, other = client.__class__(), client.__class__()
    at_bank = pay(shopper, checkout_to_review(shopper, lamp), token="tok_requires_action")
    StockReservation.objects.update(expires_at="2000-01-01T00:00:00Z")
    pay(other, checkout_to_review(other, lamp))
    shopper.get(shopper.post(at_bank["Location"], {"outcome": "approve"})["Location"])
    # ... and takes no invoice number.
    third = client.__class__()
    pay(third, checkout_to_review(third, mug))

    assert list(Order.objects.order_by("invoice_number").values_list("invoice_number", flat=True)) == [
        "INV-000001", "INV-000002", "INV-000003"]


@pytest.mark.django_db
def test_the_account_lists_its_orders_and_shows_each_but_never_someone_elses(client):
    ada = verified_user(email="ada@example.com")
    mine = OrderFactory(user=ada, number="W000MINE", total=Decimal("9.90"))
    order_line_create(order=mine, product=ProductFactory(title="Lamp"))
    theirs = OrderFactory(number="W00THEIRS")
    client.login(email="ada@example.com", password=PASSWORD)

    history = client.get(reverse("orders:history")).content.decode()
    detail = client.get(reverse("orders:detail", kwargs={"number": "W000MINE"})).content.decode()

    assert "W000MINE" in history and "£9.90" in history and "W00THEIRS" not in history
    assert "Lamp" in detail and "Paid" in detail
    assert client.get(reverse("orders:detail", kwargs={"number": theirs.number})).status_code == 404


@pytest.mark.django_db
def test_order_pages_ask_a_visitor_to_log_in(client):
    response = client.get(reverse("orders:history"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_order_pages_cost_the_same_queries_for_10_and_100_orders_or_lines(client):
    ada = verified_user(email="ada@example.com")
    client.login(email="ada@example.com", password=PASSWORD)
    products = ProductFactory.create_batch(100)
    counts = {}
    for size in (10, 100):
        OrderFactory.create_batch(size - Order.objects.filter(user=ada).count(), user=ada)
        big = OrderFactory(user=ada, number=f"BIG{size}")
        for product in products[:size]:
            order_line_create(order=big, product=product)
        counts[size] = [queries_for(client, reverse("orders:history")),
                        queries_for(client, reverse("orders:detail", kwargs={"number": big.number}))]
    assert counts[10] == counts[100]
    assert max(counts[100]) <= 8
