"""The account's order list is read a page at a time from SQL compiled once per shape
(`OrdersOfUser`), the page asked for and the count in one query: each page holds what the
queryset's page holds, for each account, and a page past the last or no orders at all still
reads right."""

from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone

from primitives.compiled_queries import compiled_queries_forget, compiled_shapes
from shop.orders.selectors import OrdersOfUser, orders_for_user
from tests.factories import PASSWORD, OrderFactory, UserFactory, verified_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _afresh():
    compiled_queries_forget()


def orders_of(user, count):
    start = timezone.now() - timedelta(days=count)
    # Two orders share each time: the id decides between them, as the list's order does.
    return [OrderFactory(user=user, placed_at=start + timedelta(days=n // 2)) for n in range(count)]


def numbers(orders):
    return [order.number for order in orders]


def page_read(user, number, size=20):
    return Paginator(OrdersOfUser(user.pk, page_size=size, page_number=number), size).get_page(number)


def test_every_page_holds_what_the_querysets_page_holds_for_each_account(django_assert_num_queries):
    ada, bo, nobody = UserFactory(), UserFactory(), UserFactory()
    orders_of(ada, 45)
    orders_of(bo, 3)

    for user in (ada, bo, nobody, ada):
        expected = Paginator(orders_for_user(user_id=user.pk), 20)
        for number in expected.page_range:
            # The first page and the count together; any other, the count first.
            with django_assert_num_queries(1 if number == 1 else 2):
                page = page_read(user, number)
            assert numbers(page) == numbers(expected.page(number))
            assert page.paginator.count == expected.count and page.paginator.num_pages == expected.num_pages
            with django_assert_num_queries(0):  # what the list shows came with the page
                shown = [(o.number, o.status, o.currency, o.total, o.placed_at) for o in page]
            assert shown == [(o.number, o.status, o.currency, o.total, o.placed_at)
                             for o in expected.page(number)]
    assert page.paginator.count == 45 and page.paginator.num_pages == 3


def test_a_page_past_the_last_or_not_a_number_reads_as_the_paginator_serves_it(django_assert_num_queries):
    ada = UserFactory()
    orders = numbers(sorted(orders_of(ada, 23), key=lambda o: (o.placed_at, o.pk), reverse=True))

    with django_assert_num_queries(2):  # the count, then the last page
        past = page_read(ada, 9)
    assert past.number == 2 and numbers(past) == orders[20:]
    for not_a_number in ("two", None, "2.5"):
        first = page_read(ada, not_a_number)
        assert first.number == 1 and numbers(first) == orders[:20]
    for below_the_first in ("0", "-1"):
        last = page_read(ada, below_the_first)
        assert last.number == 2 and numbers(last) == orders[20:]


def test_a_made_up_page_number_keeps_no_shape_of_its_own():
    ada = UserFactory()
    orders_of(ada, 23)

    for number in ("2", "9", "123456", "99999999999"):
        page_read(ada, number)

    pages = sorted(shape[1][1:] for shape in compiled_shapes() if shape[0] == "instances")
    assert pages == [(20, 20)]  # the only page besides the first that this account has


def test_a_read_that_is_not_a_page_is_refused():
    for not_a_page in (3, slice(0, 20, 2), slice(0, None)):
        with pytest.raises(TypeError, match="a page"):
            OrdersOfUser(1, page_size=20)[not_a_page]


def test_the_order_list_pages_through_an_accounts_orders_and_no_one_elses(client):
    ada = verified_user(email="ada@example.com")
    ada_orders = orders_of(ada, 23)
    orders_of(UserFactory(), 5)
    client.login(email="ada@example.com", password=PASSWORD)

    first = client.get(reverse("orders:history")).content.decode()
    second = client.get(reverse("orders:history") + "?page=2").content.decode()
    beyond = client.get(reverse("orders:history") + "?page=9").content.decode()

    newest_first = numbers(sorted(ada_orders, key=lambda o: (o.placed_at, o.pk), reverse=True))
    assert [number for number in newest_first if number in first] == newest_first[:20]
    assert [number for number in newest_first if number in second] == newest_first[20:]
    assert "Page 1 of 2" in first and "Page 2 of 2" in second and "Page 2 of 2" in beyond
