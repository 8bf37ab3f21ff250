"""Orders: the status table, refunds through the provider (restocking once), e-mails, invoice numbers,
and the account's order history."""

import io
import itertools
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shop.accounts.roles import staff_roles_sync
from shop.catalog.models import ProductVariant, StockReservation
from shop.orders.models import Order, OrderStatus, OrderStatusChange
from shop.orders.services import order_refund, order_status_change, refunds_reconcile
from shop.orders.status import ALLOWED_TRANSITIONS, OrderTransitionError
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from shop.payments.models import TestProviderCharge as Charge
from shop.payments.providers import ProviderUnavailable
from shop.payments import test_provider
from tests.factories import PASSWORD, OrderFactory, ProductFactory, UserFactory, order_line_create, verified_user
from tests.shop.checkout_helpers import checkout_to_review, pay, shipping_methods_ensure
from tests.shop.test_concurrency import run_at_once
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
    [email] = mail.outbox
    assert email.subject.endswith(f"Your order {paid_order.number} is refunded")
    assert [(type(e).__name__, e.amount) for e in captured_events] == [("OrderRefunded", Decimal("23.95"))]
    assert list(OrderStatusChange.objects.values_list("to_status", flat=True)) == ["paid", "refunded"]


@pytest.mark.django_db
def test_cancelling_a_paid_order_refunds_it_and_restocks(paid_order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order_status_change(order_id=paid_order.pk, to_status=OrderStatus.CANCELLED, note="Customer asked")

    assert stock() == 5 and Charge.objects.get().status == "refunded"
    assert mail.outbox[0].subject.endswith(f"Your order {paid_order.number} is cancelled")


class ProviderWatchingTheShop(test_provider.TestProvider):
    """The test provider, noting what the shop holds while it asks for a refund."""

    seen: list[dict] = []

    def refund(self, **kwargs):
        ProviderWatchingTheShop.seen.append({
            "in_transaction": connection.in_atomic_block,
            "intent": list(Refund.objects.values_list("status", "order_status")),
            "order_status": Order.objects.values_list("status", flat=True).get(),
        })
        return super().refund(**kwargs)


class UnreachableProvider(test_provider.TestProvider):
    def refund(self, **kwargs):
        raise ProviderUnavailable("timed out")


class ProviderWhoseAnswerIsLost(test_provider.TestProvider):
    """Refunds, but the answer never reaches the shop (a network cut or the shop stopping)."""

    def refund(self, **kwargs):
        super().refund(**kwargs)
        raise ProviderUnavailable("connection reset")


def provider(settings, cls) -> None:
    settings.SHOP_PAYMENT_PROVIDERS = {"test": f"{__name__}.{cls.__name__}"}


@pytest.mark.django_db(transaction=True)
def test_the_provider_is_asked_after_the_refund_intent_is_committed_and_outside_any_transaction(
        client, settings):
    shipping_methods_ensure()
    lamp = ProductFactory(title="Lamp", price=Decimal("10.00"), variant__stock=5)
    pay(client, checkout_to_review(client, lamp, quantity=2))
    provider(settings, ProviderWatchingTheShop)
    ProviderWatchingTheShop.seen = []

    order_refund(order_id=Order.objects.get().pk, reason="Arrived broken")

    # Nothing is locked while the provider answers; the intent is on record before it is asked,
    # and the order changes only once the money is back.
    assert ProviderWatchingTheShop.seen == [
        {"in_transaction": False, "intent": [("requested", "refunded")], "order_status": "paid"}]
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED
    assert (Order.objects.get().status, stock()) == (OrderStatus.REFUNDED, 5)


@pytest.mark.django_db
def test_a_refund_the_provider_refuses_changes_nothing_and_can_be_asked_for_again(paid_order):
    Charge.objects.update(status="declined")  # the provider's ledger has nothing to refund

    with pytest.raises(OrderTransitionError, match="refused the refund: Nothing was charged") as refused:
        order_status_change(order_id=paid_order.pk, to_status=OrderStatus.CANCELLED)

    assert refused.value.status == 502
    assert (Order.objects.get().status, stock()) == (OrderStatus.PAID, 3)
    assert Refund.objects.get().status == RefundStatus.REFUSED and not mail.outbox
    Charge.objects.update(status="succeeded")
    order_status_change(order_id=paid_order.pk, to_status=OrderStatus.CANCELLED)
    assert (Order.objects.get().status, stock()) == (OrderStatus.CANCELLED, 5)
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED


@pytest.mark.django_db
@pytest.mark.parametrize("lost", [UnreachableProvider, ProviderWhoseAnswerIsLost])
def test_a_refund_the_shop_never_heard_back_about_is_finished_by_the_scheduled_job_once(
        paid_order, settings, lost, captured_events, django_capture_on_commit_callbacks):
    provider(settings, lost)
    with pytest.raises(OrderTransitionError, match="could not be reached") as error:
        order_refund(order_id=paid_order.pk, reason="Arrived broken")
    assert error.value.status == 502
    assert (Order.objects.get().status, stock()) == (OrderStatus.PAID, 3)
    with pytest.raises(OrderTransitionError, match="already being refunded") as again:
        order_status_change(order_id=paid_order.pk, to_status=OrderStatus.SHIPPED)  # nothing else meanwhile
    assert again.value.status == 409
    settings.SHOP_PAYMENT_PROVIDERS = {"test": "shop.payments.test_provider.TestProvider"}
    assert refunds_reconcile() == 0  # within the grace period: the request may still be answering
    Refund.objects.update(updated_at=timezone.now() - timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduled_jobs", "reconcile-refunds", stdout=io.StringIO())
    refunds_reconcile(grace=timedelta(0))  # a second run changes nothing

    charge = Charge.objects.get()
    assert (charge.status, charge.refunded_amount) == ("refunded", Decimal("23.95"))  # refunded once
    assert (Order.objects.get().status, stock()) == (OrderStatus.REFUNDED, 5)
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    refund = Refund.objects.get()
    assert (refund.status, refund.reason) == (RefundStatus.SUCCEEDED, "Arrived broken")
    assert [m.subject.endswith("is refunded") for m in mail.outbox] == [True]
    assert [(type(e).__name__, e.amount) for e in captured_events] == [("OrderRefunded", Decimal("23.95"))]
    assert list(OrderStatusChange.objects.values_list("to_status", "note")) == [
        ("paid", "Paid online"), ("refunded", "Arrived broken")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_refunds_of_one_order_at_once_give_one_refund_and_three_clean_409s():
    shipping_methods_ensure()
    lamp = ProductFactory(variant__stock=3)
    client = Client()
    pay(client, checkout_to_review(client, lamp, quantity=2))
    order = Order.objects.get()

    outcomes = run_at_once(lambda i: order_refund(order_id=order.pk, reason=f"request {i}"), 4)

    refused = [o for o in outcomes if not isinstance(o, Order)]
    assert len(refused) == 3, outcomes
    assert all(isinstance(o, OrderTransitionError) and o.status == 409 for o in refused), outcomes
    assert all(re.fullmatch(rf"Order {order.number} is already (being )?refunded\b.*", o.message)
               for o in refused), [o.message for o in refused]
    assert ProductVariant.objects.get(product=lamp).stock_quantity == 3
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED
    assert Charge.objects.get().refunded_amount == order.total


def paid_order_and_two_order_managers():
    """A paid order of 2 lamps (1 left in stock) and two order managers signed in, each in a browser."""
    shipping_methods_ensure()
    staff_roles_sync()
    lamp = ProductFactory(variant__stock=3)
    shopper = Client()
    pay(shopper, checkout_to_review(shopper, lamp, quantity=2))
    merchants = []
    for _ in range(2):
        merchant = Client()
        user = UserFactory(is_staff=True)
        user.groups.set(Group.objects.filter(name="Order manager"))
        merchant.force_login(user)
        merchants.append(merchant)
    return Order.objects.get(), lamp, merchants


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_merchants_refunding_one_order_at_once_through_the_admin_get_one_refund_and_no_error_page():
    order, lamp, merchants = paid_order_and_two_order_managers()
    changelist = reverse("admin:orders_order_changelist")
    action = {"action": "refund_orders", "_selected_action": [order.pk]}

    responses = run_at_once(lambda i: merchants[i].post(changelist, action), 2)

    assert [r.status_code for r in responses] == [302, 302], responses
    pages = sorted(unescape(merchants[i].get(changelist).content.decode()) for i in range(2))
    said = [("1 order refunded." in page, f"{order.number}: Order {order.number} is already" in page)
            for page in pages]
    assert sorted(said) == [(False, True), (True, False)], said
    assert ProductVariant.objects.get(product=lamp).stock_quantity == 3
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refund_buttons_pressed_at_once_give_one_refund_and_one_409_never_a_500():
    order, lamp, merchants = paid_order_and_two_order_managers()
    button = reverse("admin:orders_order_status", args=[order.pk, OrderStatus.REFUNDED])

    responses = run_at_once(lambda i: merchants[i].post(button), 2)

    assert sorted(r.status_code for r in responses) == [302, 409], responses
    refused = next(r for r in responses if r.status_code == 409)
    assert re.search(rf"Order {order.number} is already (being )?refunded", unescape(refused.content.decode()))
    assert ProductVariant.objects.get(product=lamp).stock_quantity == 3
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED
    assert Order.objects.get().status == OrderStatus.REFUNDED


@pytest.mark.django_db
def test_shipping_an_order_e_mails_the_customer_and_cannot_be_undone(paid_order,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order_status_change(order_id=paid_order.pk, to_status=OrderStatus.SHIPPED)

    assert mail.outbox[0].subject.endswith(f"Your order {paid_order.number} is on its way")
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
