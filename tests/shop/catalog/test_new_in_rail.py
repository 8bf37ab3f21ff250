"""The home page's "New in" rail shows what can be bought now: the newest products in stock."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from shop.catalog.models import ProductVariant
from shop.catalog.selectors import product_newest
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def arrivals():
    """Eight sold-out arrivals newer than three products in stock, one of which sold out later."""
    category = CategoryFactory()
    now = timezone.now()
    for day in range(8):
        ProductFactory(title=f"Sold Out {day}", category=category, created_at=now - timedelta(hours=day),
                       variant__stock=0)
    for day in range(3):
        ProductFactory(title=f"In Stock {day}", category=category, created_at=now - timedelta(days=10 + day))
    return category


def new_in_titles(html: str) -> list[str]:
    section = html.split('id="new-heading"', 1)[1].split("</section>", 1)[0]
    return [unescape(title) for title in re.findall(r'class="product-card__title">([^<]+)<', section)]


def test_the_newest_rail_skips_products_nobody_can_buy(arrivals):
    assert [product.title for product in product_newest()] == ["In Stock 0", "In Stock 1", "In Stock 2"]


def test_a_product_with_one_variant_left_in_stock_stays_in_the_rail(arrivals):
    ProductVariant.objects.filter(product__title="Sold Out 0").update(stock_quantity=1)

    assert [product.title for product in product_newest()][:2] == ["Sold Out 0", "In Stock 0"]


def test_the_home_page_new_in_rail_lists_only_products_in_stock(client, arrivals):
    assert new_in_titles(client.get("/").content.decode()) == ["In Stock 0", "In Stock 1", "In Stock 2"]


def test_the_rail_costs_two_queries_as_before(arrivals, django_assert_num_queries):
    with django_assert_num_queries(2):  # the products, then their pictures
        assert len(list(product_newest())) == 3
