"""Search: found by what shoppers type, answered by indexes on PostgreSQL, substrings on SQLite."""

import pytest
from django.db import connection
from rapidfuzz import fuzz
from django.test.utils import CaptureQueriesContext

from shop.catalog.models import Product
from shop.catalog.selectors import product_search_results
from shop.catalog.spelling import MIN_CORRECTABLE_LENGTH, MIN_SIMILARITY, closest_title_word, title_vocabulary
from tests.factories import CategoryFactory, ProductFactory
from tests.shop.storefront.test_storefront_pages import PAGE_QUERY_BUDGET

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


def test_a_misspelt_word_finds_the_product_on_either_database(shelf):
    assert titles("lanturn")[0] in {"White Metal Lantern", "Paper Star Lanterns"}
    assert {"White Metal Lantern", "Paper Star Lanterns"} <= set(titles("lanturn"))
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


def test_a_misspelt_word_is_offered_its_closest_title_word_before_a_longer_one(shelf):
    assert product_search_results(query="lanturn").suggestion == "lantern"
    assert product_search_results(query="red lanturn").suggestion == "red lantern"


def test_the_most_similar_word_wins_over_a_more_common_one():
    assert closest_title_word(word="lanturn", vocabulary={"lanterns": 40, "lantern": 1}) == "lantern"
    assert closest_title_word(word="lanturn", vocabulary={"lanterns": 40}) == "lanterns"


def test_among_equally_similar_words_the_most_common_title_word_wins():
    assert closest_title_word(word="mugz", vocabulary={"mugs": 3, "muga": 9}) == "muga"
    assert closest_title_word(word="mugz", vocabulary={"mugs": 9, "muga": 3}) == "mugs"


def test_a_word_is_corrected_only_from_the_similarity_threshold_up():
    assert fuzz.ratio("trax", "tray") == MIN_SIMILARITY
    assert closest_title_word(word="trax", vocabulary={"tray": 1}) == "tray"
    assert fuzz.ratio("lanxxrn", "lantern") < MIN_SIMILARITY
    assert closest_title_word(word="lanxxrn", vocabulary={"lantern": 1}) is None


def test_a_word_shorter_than_the_minimum_is_left_alone():
    assert MIN_CORRECTABLE_LENGTH == 4
    assert closest_title_word(word="tra", vocabulary={"tray": 1, "tram": 1}) is None
    assert closest_title_word(word="trax", vocabulary={"tray": 1}) == "tray"


def test_a_word_that_is_in_a_title_is_never_corrected(shelf):
    assert product_search_results(query="lantern").suggestion is None
    assert product_search_results(query="Lanterns").suggestion is None
    assert product_search_results(query="lant").suggestion is None


def test_nothing_near_enough_offers_nothing_and_finds_nothing(shelf):
    results = product_search_results(query="zebra")

    assert results.suggestion is None
    assert results.count() == 0


def test_the_vocabulary_holds_published_titles_only(shelf):
    ProductFactory(title="Secret Lanturn Prototype", slug="secret", is_published=False)

    vocabulary = title_vocabulary()

    assert vocabulary["lantern"] == 1 and vocabulary["lanterns"] == 1 and vocabulary["mug"] == 1
    assert "lanturn" not in vocabulary and "prototype" not in vocabulary
    assert product_search_results(query="lanturn").suggestion == "lantern"


def test_a_search_whose_words_are_found_does_not_read_the_vocabulary(shelf):
    with CaptureQueriesContext(connection) as captured:
        assert product_search_results(query="lantern").count() == 3

    assert len(captured) == 1


def test_the_vocabulary_is_read_once_per_catalog_version(shelf, shared_fragments, is_postgresql):
    assert product_search_results(query="lanturn").count() >= 2
    with CaptureQueriesContext(connection) as captured:
        results = product_search_results(query="lantrn")
        assert results.count() >= 2 and results.suggestion == "lantern"

    # The match (and on SQLite the corrected match); the vocabulary comes from the cache.
    assert len(captured) == (1 if is_postgresql else 2)


def test_the_search_page_offers_did_you_mean_with_a_link(client, shelf):
    page = client.get("/search/", {"q": "lanturn"}).content.decode()

    assert 'Did you mean <a href="/search/?q=lantern">lantern</a>?' in page
    assert "White Metal Lantern" in page and "Paper Star Lanterns" in page
    assert "Red Retrospot Mug" not in page
    assert "Did you mean" not in client.get("/search/", {"q": "lantern"}).content.decode()


def test_a_title_word_is_never_corrected_even_where_no_results_were_checked():
    vocabulary = {"lantern": 1, "lanterns": 9}

    assert closest_title_word(word="Lantern", vocabulary=vocabulary) is None
    assert closest_title_word(word="lanterns", vocabulary=vocabulary) is None


@pytest.mark.parametrize("count", [10, 100])
def test_a_misspelt_search_page_keeps_the_page_query_budget(client, shelf, django_assert_max_num_queries, count):
    for number in range(count):
        ProductFactory(title=f"Garden Lantern {number}", slug=f"garden-lantern-{number}", category=shelf["lighting"])

    with django_assert_max_num_queries(PAGE_QUERY_BUDGET):
        page = client.get("/search/", {"q": "lanturn"}).content.decode()
    assert 'Did you mean <a href="/search/?q=lantern">lantern</a>?' in page
