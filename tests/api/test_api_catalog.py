"""Catalog resources: listings filtered and sorted, search, detail with the request's prices."""

from decimal import Decimal

import pytest

from primitives.money import Money
from shop import pricing
from shop.catalog.models import Product
from tests.factories import CategoryFactory, ProductFactory, variant_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def lamps():
    lighting = CategoryFactory(name="Lighting", slug="lighting")
    desk = CategoryFactory(name="Desk lamps", slug="desk-lamps", parent=lighting)
    cheap = ProductFactory(title="Tin Lantern", slug="tin-lantern", category=lighting, price=Decimal("3.00"),
                           popularity=5)
    dear = ProductFactory(title="Brass Desk Lamp", slug="brass-desk-lamp", category=desk, price=Decimal("40.00"),
                          popularity=9, variant__stock=0)
    ProductFactory(title="Teapot", slug="teapot", price=Decimal("12.00"))
    return cheap, dear


def titles(response):
    assert response.status_code == 200, response.content
    return [product["title"] for product in response.json()["results"]]


def test_category_listing_includes_subcategories_sorted_by_price(api, lamps):
    response = api.get("/api/v1/products/", {"category": "lighting", "sort": "price-desc"})
    assert titles(response) == ["Brass Desk Lamp", "Tin Lantern"]
    assert response.json()["count"] == 2


def test_filters_by_price_and_stock(api, lamps):
    assert titles(api.get("/api/v1/products/", {"min_price": "10", "sort": "price-asc"})) == [
        "Teapot", "Brass Desk Lamp"]
    assert "Brass Desk Lamp" not in titles(api.get("/api/v1/products/", {"in_stock": "true"}))


@pytest.mark.parametrize("params, field", [
    ({"min_price": "cheap"}, "min_price"), ({"sort": "random"}, "sort"), ({"max_price": "1e9999"}, "max_price"),
    ({"page": "999"}, None), ({"category": "no-such-category"}, None),
])
def test_bad_listing_parameters_are_named_4xx(api, lamps, params, field):
    response = api.get("/api/v1/products/", params)
    assert response.status_code in (400, 404)
    error = response.json()["error"]
    assert error["message"]
    if field:
        assert field in error["fields"]


def test_categories_count_their_subcategories_products(api, lamps):
    categories = {c["slug"]: c for c in api.get("/api/v1/categories/").json()}
    assert categories["lighting"]["product_count"] == 2
    assert categories["desk-lamps"]["product_count"] == 1
    assert categories["desk-lamps"]["parent_id"] == categories["lighting"]["id"]


def test_search_finds_by_title_and_needs_words(api, lamps):
    assert titles(api.get("/api/v1/products/search/", {"q": "lantern"})) == ["Tin Lantern"]
    response = api.get("/api/v1/products/search/", {"q": "   "})
    assert response.status_code == 400 and "q" in response.json()["error"]["message"]


def test_detail_has_variants_with_prices_from_the_pricing_strategy(api, lamps):
    cheap, _ = lamps
    variant_create(product=cheap, name="Large", price=Decimal("5.00"), stock=0)

    class HalfPrice(pricing.PublicPrice):
        name = "half"
        fragment_key = "half"

        def variant_quote(self, variant):
            return pricing.PriceQuote(amount=Money(variant.price / 2, "GBP"), public=Money(variant.price, "GBP"),
                                      rule="test:half", personalized=True, reason="Half price for testers")

        def product_quote(self, product):
            return pricing.PriceQuote(amount=Money(product.price / 2, "GBP"), public=Money(product.price, "GBP"),
                                      rule="test:half", personalized=True, reason="Half price for testers")

    previous = pricing.price_strategy_register(lambda request, customer=None: HalfPrice())
    try:
        body = api.get("/api/v1/products/tin-lantern/").json()
    finally:
        pricing.price_strategy_register(previous)
    assert body["price"] == {"amount": "1.50", "currency": "GBP", "public_amount": "3.00", "personalized": True,
                             "reason": "Half price for testers", "reduced_from": None}
    assert [(v["name"], v["price"]["amount"], v["in_stock"]) for v in body["variants"]] == [
        ("", "1.50", True), ("Large", "2.50", False)]


def test_unpublished_product_is_a_404(api, lamps):
    Product.objects.filter(slug="teapot").update(is_published=False)
    response = api.get("/api/v1/products/teapot/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("count", [5, 40])
def test_listing_and_search_query_budgets_do_not_grow_with_the_catalog(api, django_assert_max_num_queries, count):
    category = CategoryFactory(slug="bulk")
    for n in range(count):
        ProductFactory(title=f"Lantern {n}", category=category)
    with django_assert_max_num_queries(4):
        assert len(titles(api.get("/api/v1/products/", {"category": "bulk", "page_size": 50}))) == count
    with django_assert_max_num_queries(3):
        assert len(titles(api.get("/api/v1/products/search/", {"q": "lantern", "page_size": 50}))) == count
    with django_assert_max_num_queries(2):
        assert api.get("/api/v1/categories/").status_code == 200
