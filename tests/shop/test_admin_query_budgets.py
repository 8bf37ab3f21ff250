"""Merchant screens cost the same number of queries whether they list 10 or 100 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CategoryFactory, OrderFactory, ProductFactory, UserFactory, order_line_create


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def build(count: int) -> None:
    category = CategoryFactory()
    customer = UserFactory()
    for product in ProductFactory.create_batch(count, category=category):
        order_line_create(order=OrderFactory(user=customer), product=product)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/catalog/product/", "/admin/orders/order/", "/admin/accounts/user/"])
def test_admin_changelists_do_not_grow_with_rows(client, url):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    build(10)
    with_ten = queries_for(client, url)

    build(90)
    with_hundred = queries_for(client, url)

    assert with_hundred == with_ten
