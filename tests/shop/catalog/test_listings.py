"""Listings: category tree, filters, sorting, pagination, within a fixed query budget."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from shop import events
from shop.catalog.models import Product
from tests.factories import CategoryFactory, ProductFactory
from tests.shop.querycount import queries_for

PAGE_QUERY_BUDGET = 8


def titles(response) -> list[str]:
    return [unescape(t) for t in re.findall(r'class="product-card__title">([^<]+)<', response.content.decode())]


@pytest.fixture
def lighting():
    lighting = CategoryFactory(name="Lighting", slug="lighting")
    lamps = CategoryFactory(name="Lamps", slug="lamps", parent=lighting)
    ProductFactory(title="Candle", category=lighting, price=Decimal("3.00"), variant__stock=5)
    ProductFactory(title="Desk Lamp", category=lamps, price=Decimal("25.00"), variant__stock=0)
    ProductFactory(title="Floor Lamp", category=lamps, price=Decimal("80.00"), variant__stock=2)
    return lighting


@pytest.mark.django_db
def test_a_category_lists_its_subcategories_products_too(client, lighting):
    response = client.get(lighting.get_absolute_url(), {"sort": "name"})

    assert titles(response) == ["Candle", "Desk Lamp", "Floor Lamp"]
    assert 'href="/c/lamps/"' in response.content.decode()


@pytest.mark.django_db
def test_a_subcategory_shows_its_parent_in_the_breadcrumbs(client, lighting):
    html = client.get("/c/lamps/").content.decode()

    assert '<a href="/c/lighting/">Lighting</a> › <span aria-current="page">Lamps</span>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "expected"), [
    ({"min_price": "10"}, ["Desk Lamp", "Floor Lamp"]),
    ({"max_price": "25"}, ["Candle", "Desk Lamp"]),
    ({"min_price": "4", "max_price": "50"}, ["Desk Lamp"]),
    ({"in_stock": "1"}, ["Candle", "Floor Lamp"]),
    ({"in_stock": "1", "min_price": "10"}, ["Floor Lamp"]),
])
def test_filters_narrow_the_listing(client, lighting, params, expected):
    assert titles(client.get(lighting.get_absolute_url(), {"sort": "name", **params})) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("sort", "expected"), [
    ("price-asc", ["Candle", "Desk Lamp", "Floor Lamp"]),
    ("price-desc", ["Floor Lamp", "Desk Lamp", "Candle"]),
])
def test_sorting_by_price(client, lighting, sort, expected):
    assert titles(client.get(lighting.get_absolute_url(), {"sort": sort})) == expected


@pytest.mark.django_db
def test_sorting_by_newest_and_best_selling(client, lighting):
    Product.objects.filter(title="Desk Lamp").update(popularity=9)
    Product.objects.filter(title="Candle").update(popularity=5)
    newest = Product.objects.get(title="Floor Lamp")
    newest.created_at = newest.created_at.replace(year=2030)
    newest.save()

    assert titles(client.get(lighting.get_absolute_url(), {"sort": "popular"}))[:2] == ["Desk Lamp", "Candle"]
    assert titles(client.get(lighting.get_absolute_url(), {"sort": "newest"}))[0] == "Floor Lamp"


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "message"), [
    ({"min_price": "cheap"}, "Enter a price as a number"),
    ({"min_price": "-3"}, "Prices start at 0."),
    ({"min_price": "50", "max_price": "10"}, "The lowest price must not be above the highest."),
])
def test_a_bad_filter_is_reported_and_ignored_rather_than_failing(client, lighting, params, message):
    response = client.get(lighting.get_absolute_url(), params)

    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert len(titles(response)) == 3


@pytest.mark.django_db
def test_pagination_keeps_the_filters_and_sort(client):
    category = CategoryFactory()
    ProductFactory.create_batch(30, category=category, price=Decimal("5.00"))

    html = client.get(category.get_absolute_url(), {"sort": "price-asc", "min_price": "1"}).content.decode()

    assert 'href="?sort=price-asc&amp;min_price=1&amp;page=2"' in html
    assert len(titles(client.get(category.get_absolute_url(), {"min_price": "1", "page": 2}))) == 6


@pytest.mark.django_db
def test_search_filters_sorts_and_emits_search_performed(client, captured_events,
                                                         django_capture_on_commit_callbacks):
    ProductFactory(title="Tall Lantern", price=Decimal("20.00"))
    ProductFactory(title="Small Lantern", price=Decimal("8.00"))
    ProductFactory(title="Mug", price=Decimal("8.00"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("storefront:search"), {"q": "lantern", "sort": "price-asc", "max_price": "30"})

    assert titles(response) == ["Small Lantern", "Tall Lantern"]
    assert [(e.query, e.result_count) for e in captured_events if isinstance(e, events.SearchPerformed)] == [
        ("lantern", 2)]


def build_listing(count: int):
    category = CategoryFactory()
    ProductFactory.create_batch(count, category=category)
    return category


@pytest.mark.django_db
def test_listing_pages_cost_the_same_queries_for_10_and_100_products(client):
    counts = {}
    for size in (10, 100):
        category = build_listing(size)
        counts[size] = [
            queries_for(client, category.get_absolute_url(), data={"in_stock": "1", "min_price": "1"}),
            queries_for(client, reverse("storefront:search"), data={"q": "Product", "sort": "price-asc"}),
            queries_for(client, "/"),
            queries_for(client, category.products.first().get_absolute_url()),
        ]
    assert counts[10] == counts[100]
    assert max(counts[100]) <= PAGE_QUERY_BUDGET
