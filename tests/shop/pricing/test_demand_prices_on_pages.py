"""With demand rules on, listings show, filter and sort by the stored demand prices, within the
pages' query budgets (tests/shop/storefront/test_storefront_pages.py), whatever the catalog's size."""

from decimal import Decimal

import pytest
from django.urls import reverse

from shop.catalog.models import Product
from shop.pricing.services import prices_recompute
from tests.factories import CategoryFactory
from tests.shop.pricing.test_demand_pricing import product, rule

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGE_BUDGET = 8


@pytest.mark.parametrize("extra", [0, 40])
def test_listings_show_filter_and_sort_by_demand_prices_within_their_budget(
        client, django_assert_max_num_queries, extra):
    lamps = CategoryFactory(name="Lamps", slug="lamps")
    hot = product("Amber lamp", stock=5, sold=28, category=lamps)    # scarce: up
    cold = product("Zinc lamp", stock=100, category=lamps)          # not selling: down
    for n in range(extra):
        product(f"Plain lamp {n}", price="30.00", stock=30, category=lamps)
    rule()
    prices_recompute()
    hot_price, cold_price = (Product.objects.get(pk=p.pk).price for p in (hot, cold))
    assert hot_price > Decimal("10.00") > cold_price

    pages = {}
    for name, url in {"category": lamps.get_absolute_url() + "?sort=price-asc",
                      "filtered": lamps.get_absolute_url() + f"?min_price={cold_price + Decimal('0.01')}",
                      "search": reverse("storefront:search") + "?q=lamp&sort=price-asc", "home": "/"}.items():
        with django_assert_max_num_queries(ANONYMOUS_PAGE_BUDGET):
            pages[name] = client.get(url).content.decode()

    category = pages["category"]
    # Sorted by the demand price (alphabetically it would be the other way round).
    assert category.index("Zinc lamp") < category.index("Amber lamp")
    assert f"£{cold_price}" in category and f"£{hot_price}" in category
    # A reduction is announced with the lowest price of the 30 days before it.
    assert "Lowest price in the 30 days before this reduction: £10.00" in category
    assert "Zinc lamp" not in pages["filtered"] and "Amber lamp" in pages["filtered"]
    assert pages["search"].index("Zinc lamp") < pages["search"].index("Amber lamp")
