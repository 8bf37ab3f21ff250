"""Merchant screens cost the same number of queries whether the shop holds 10 or 100 products,
orders and price changes: the lists, the dashboard, a product's page with its price history and a
customer's page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop.catalog.models import Product
from shop.pricing.models import PriceChange, PriceChangeSource
from tests.factories import CategoryFactory, OrderFactory, ProductFactory, UserFactory, order_line_create

CUSTOMER_EMAIL = "regular@example.com"


# Each page's fixed budget (a second look; the same at 10 and at 100 of everything).
BUDGETS = {"dashboard": 11, "product list": 7, "order list": 6, "customer list": 4, "price changes": 7,
           "product page with its price history": 12, "customer page": 10}


def queries_for(client, url: str, budget: int, django_assert_max_num_queries) -> int:
    """Queries of a second look at `url`: the first warms what a running server keeps (content types)."""
    client.get(url)
    with django_assert_max_num_queries(budget), CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def build(count: int) -> None:
    """`count` more products, each ordered once by the one regular customer, and `count` more price
    changes of the first product."""
    category = CategoryFactory()
    customer = UserFactory._meta.model.objects.filter(email=CUSTOMER_EMAIL).first() or UserFactory(
        email=CUSTOMER_EMAIL)
    for product in ProductFactory.create_batch(count, category=category):
        order_line_create(order=OrderFactory(user=customer), product=product)
    first = Product.objects.order_by("pk").first()
    variant = first.variants.get()
    PriceChange.objects.bulk_create([
        PriceChange(variant=variant, product=first, old_price=Decimal("10.00"), new_price=Decimal("10.50"),
                    rule="list", source=PriceChangeSource.MERCHANT, changed_at=timezone.now())
        for _ in range(count)])


def pages() -> dict[str, str]:
    first = Product.objects.order_by("pk").first()
    customer = UserFactory._meta.model.objects.get(email=CUSTOMER_EMAIL)
    return {
        "dashboard": "/admin/",
        "product list": "/admin/catalog/product/",
        "order list": "/admin/orders/order/",
        "customer list": "/admin/accounts/user/",
        "price changes": "/admin/pricing/pricechange/",
        "product page with its price history": f"/admin/catalog/product/{first.pk}/change/",
        "customer page": f"/admin/customers/{customer.pk}/",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(BUDGETS))
def test_admin_pages_do_not_grow_with_the_catalog_or_the_history(client, page, django_assert_max_num_queries):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    build(10)
    with_ten = queries_for(client, pages()[page], BUDGETS[page], django_assert_max_num_queries)

    build(90)
    with_hundred = queries_for(client, pages()[page], BUDGETS[page], django_assert_max_num_queries)

    assert with_hundred == with_ten
