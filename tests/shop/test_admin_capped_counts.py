"""Admin lists of tables that only grow count at most a cap of rows, once, and say when the
total is beyond it ("5+" with a cap of 5)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.catalog.models import Product
from shop.read_only_admin import CappedCountPaginator
from tests.factories import OrderFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap_of_five(monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "COUNT_CAP", 5)


def test_a_list_below_the_cap_is_counted_exactly(cap_of_five):
    ProductFactory.create_batch(4)

    paginator = CappedCountPaginator(Product.objects.order_by("pk"), 2)

    assert (str(paginator.count), paginator.num_pages, paginator.capped) == ("4", 2, False)


def test_a_list_beyond_the_cap_says_so_and_pages_through_the_rows_counted(cap_of_five):
    ProductFactory.create_batch(7)

    paginator = CappedCountPaginator(Product.objects.order_by("pk"), 2)

    assert (str(paginator.count), paginator.num_pages, paginator.capped) == ("5+", 3, True)
    assert [len(paginator.page(number).object_list) for number in (1, 2, 3)] == [2, 2, 1]


def order_list_total(client) -> str:
    html = client.get("/admin/orders/order/").content.decode()
    return re.search(r'class="paginator">\s*([^\s<]+) orders?', html).group(1)


@pytest.mark.parametrize(("orders", "shown"), [(4, "4"), (5, "5+"), (8, "5+")])
def test_the_order_list_gives_its_total_up_to_the_cap(client, cap_of_five, orders, shown):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    OrderFactory.create_batch(orders)

    assert order_list_total(client) == shown


def test_the_order_list_counts_once(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    OrderFactory.create_batch(3)
    client.get("/admin/orders/order/")

    with CaptureQueriesContext(connection) as captured:
        client.get("/admin/orders/order/")

    counts = [query["sql"] for query in captured if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 10000" in counts[0].upper()
