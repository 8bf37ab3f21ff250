"""The account's order list rows (built by the `order_history_rows` tag, not row by row in the
template): each order's number links to its page, its date is the shop's local date, its status
and total read as they did, and whatever an order number holds is escaped and quoted."""

import re
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils.html import escape

from shop.orders.models import OrderStatus
from shop.storefront.templatetags.storefront import day_month_year
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


def rows(html: str) -> list[str]:
    return re.findall(r"<tr><td><a .*?</tr>", html)


def test_each_order_reads_as_before_with_the_local_date_and_its_own_link(client):
    ada = UserFactory()
    OrderFactory(user=ada, number="W000101", total=Decimal("9.90"), status=OrderStatus.SHIPPED,
                 placed_at=datetime(2026, 7, 1, 23, 30, tzinfo=timezone.utc))  # 2 July in London
    OrderFactory(user=ada, number="W000100", total=Decimal("1234.50"), status=OrderStatus.PAID,
                 placed_at=datetime(2026, 1, 5, 23, 30, tzinfo=timezone.utc))  # 5 January in London
    client.force_login(ada)

    html = client.get(reverse("orders:history")).content.decode()

    assert rows(html) == [
        '<tr><td><a href="/account/orders/W000101/">W000101</a></td><td>2 Jul 2026</td><td><span class="status '
        'status--shipped">Shipped</span></td><td class="num">£9.90</td></tr>',
        '<tr><td><a href="/account/orders/W000100/">W000100</a></td><td>5 Jan 2026</td><td><span class="status '
        'status--paid">Paid</span></td><td class="num">£1,234.50</td></tr>',
    ]


def test_an_order_number_is_escaped_in_the_text_and_quoted_in_the_link_as_reverse_does():
    order = OrderFactory.build(number='A<b>&"?# 1', total=Decimal("1.00"),
                               placed_at=datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc))

    html = Template("{% load storefront %}{% order_history_rows orders %}").render(Context({"orders": [order]}))

    assert f'href="{escape(reverse("orders:detail", args=[order.number]))}"' in html  # as {% url %} put it
    assert ">A&lt;b&gt;&amp;&quot;?# 1</a>" in html


@pytest.mark.parametrize("status", [*OrderStatus.values, "held-by-a-new-rule"])
def test_every_status_reads_as_the_orders_own_display_of_it(status):
    order = OrderFactory.build(number="W000102", status=status, total=Decimal("5.00"),
                               placed_at=datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc))

    html = Template("{% load storefront %}{% order_history_rows orders %}").render(Context({"orders": [order]}))

    assert f'<span class="status status--{escape(status)}">{escape(order.get_status_display())}</span>' in html


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_reads_as_the_date_filter_writes_it_in_the_shops_time_zone(month):
    moment = datetime(2026, month, 28, 23, 30, tzinfo=timezone.utc)  # the 29th in London in summer

    expected = Template('{{ moment|date:"j M Y" }}').render(Context({"moment": moment}))

    assert day_month_year(moment) == expected
