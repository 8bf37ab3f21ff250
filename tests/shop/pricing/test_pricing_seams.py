"""Where pricing plugs into the packages below it: the catalog's price field and shared
fragments, and the sales demand pricing reads from orders. Each is registered when the apps
load; without one, nothing is priced or shared by guesswork."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from shop.catalog import fragments
from shop.catalog.api import serializers as catalog_serializers
from shop.catalog.models import ProductVariant
from shop.pricing import sales
from tests.factories import ProductFactory
from tests.shop.checkout_helpers import checkout_to_review, pay

pytestmark = pytest.mark.django_db

PRICED_FRAGMENT = Template("{% load catalog_fragments %}"
                           "{% shared_fragment 'seam-test' with_prices %}{{ n }}{% end_shared_fragment %}")


def render_twice() -> tuple[str, str]:
    request = RequestFactory().get("/")
    return tuple(PRICED_FRAGMENT.render(Context({"request": request, "n": n})) for n in (1, 2))


def test_a_fragment_with_prices_is_shared_within_the_request_strategy_s_price_group(shared_fragments):
    assert render_twice() == ("1", "1")


def test_a_fragment_with_prices_is_rendered_per_request_when_no_price_group_is_known(shared_fragments):
    previous = fragments.price_group_register(None)
    try:
        assert render_twice() == ("1", "2")
    finally:
        fragments.price_group_register(previous)


def test_the_api_shows_no_price_when_none_is_registered():
    product = ProductFactory(price=Decimal("10.00"))
    request = RequestFactory().get("/")
    previous = catalog_serializers.price_body_register(None)
    try:
        with pytest.raises(catalog_serializers.NoPriceBody):
            _ = catalog_serializers.ProductCardSerializer(product, context={"request": request}).data
    finally:
        catalog_serializers.price_body_register(previous)


def test_demand_prices_are_not_computed_without_a_source_of_sales():
    previous = sales.sales_source_register(None)
    try:
        with pytest.raises(sales.NoSalesSource):
            sales.units_sold_by_variant(windows=[7], now=timezone.now())
    finally:
        sales.sales_source_register(previous)


def test_the_orders_app_is_the_source_of_sales(client):
    lamp = ProductFactory(price=Decimal("10.00"))
    assert pay(client, checkout_to_review(client, lamp, quantity=2)).status_code == 302
    variant = ProductVariant.objects.get(product=lamp)

    sold = sales.units_sold_by_variant(windows=[7, 30], now=timezone.now() + timedelta(seconds=1))

    assert sold == {variant.pk: {7: 2, 30: 2}}
