"""Search: found by what shoppers type, answered by indexes on PostgreSQL, substrings on SQLite."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.catalog.models import Product
from shop.catalog.selectors import product_search_results
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def titles(query: str) -> list[str]:
    return [product.title for product in product_search_results(query=query)]


@pytest.fixture
def shelf():
    lighting = CategoryFactory(name="Lighting", slug="lighting")
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    ProductFactory(title="White Metal Lantern", slug="white-metal-lantern", category=lighting)
    ProductFactory(title="Paper Star Lanterns", slug="paper-star-lanterns", category=lighting)
    ProductFactory(title="Hanging Glass Holder", slug="hanging-glass-holder", category=lighting,
                   description="Hang a lantern candle inside.")
    ProductFactory(title="Red Retrospot Mug", slug="red-retrospot-mug", category=kitchen)
    return {"lighting": lighting, "kitchen": kitchen}


def test_titles_rank_above_descriptions_and_other_products_stay_out(shelf):
    found = titles("lantern")

    assert set(found[:2]) == {"White Metal Lantern", "Paper Star Lanterns"}
    assert found[2:] == ["Hanging Glass Holder"]


def test_a_category_name_finds_its_products(shelf):
    assert titles("kitchen") == ["Red Retrospot Mug"]


def test_the_text_is_matched_once_for_the_count_and_the_page(shelf):
    for number in range(30):
        ProductFactory(title=f"Lantern {number}", slug=f"lantern-{number}", category=shelf["lighting"])
    with CaptureQueriesContext(connection) as captured:
        results = product_search_results(query="lantern")
        total = results.count()
        page = list(results[24:48])
        [product.images.all() for product in page]
    matching = [query["sql"] for query in captured.captured_queries if "LIKE" in query["sql"] or "@@" in query["sql"]
                or "%>" in query["sql"]]

    assert total == 33 and len(page) == 9
    assert len(matching) == 1  # ids in order with their total; then the page's products and pictures by id
    assert len(captured) == 3


@pytest.mark.postgres
def test_a_misspelt_word_finds_the_product_on_postgresql(shelf):
    assert titles("lanturn")[0] in {"White Metal Lantern", "Paper Star Lanterns"}
    assert "Red Retrospot Mug" not in titles("lanturn")


@pytest.mark.postgres
def test_the_stored_vector_follows_every_write_however_it_is_made(shelf):
    mug = Product.objects.get(title="Red Retrospot Mug")
    assert "Red Retrospot Mug" not in titles("teapot")

    Product.objects.filter(pk=mug.pk).update(description="Matches the retrospot teapot.")  # no save(), no signal

    assert titles("teapot") == ["Red Retrospot Mug"]


@pytest.mark.postgres
def test_postgresql_answers_a_search_from_its_indexes(shelf):
    """The indexes match what the query asks (with table scans ruled out, the plan uses them),
    so a search does not read every product, whatever the catalog size."""
    queryset = product_search_results(query="lanturn").queryset
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()

    assert "catalog_product_search_vector_gin" in plan
    assert "catalog_product_title_trgm_gin" in plan


def test_sqlite_keeps_the_substring_fallback(shelf, is_postgresql):
    if is_postgresql:
        pytest.skip("the substring fallback is SQLite's")
    assert set(titles("lant")) == {"White Metal Lantern", "Paper Star Lanterns", "Hanging Glass Holder"}
