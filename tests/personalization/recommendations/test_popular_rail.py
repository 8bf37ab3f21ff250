"""The home page's rail for everyone: trending over the recent window, else the most bought of
all time ("Popular"), each product with its reason; never empty while products sell."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from personalization.recommendations.models import ModelVersion, Rail, RecommendationList
from personalization.recommendations.training import TRENDING_WINDOW_DAYS, recommenders_train
from privacy.disclosure import noise_source
from shop import recommendations
from tests.personalization.recommendations.test_rails import cards_in, rails_on
from tests.personalization.worlds import NOW, bought, customer, products
from tests.privacy.disclosure.sources import offset

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("default_min_support")]


@pytest.fixture
def default_min_support(settings):
    settings.PERSONALIZATION_MIN_SUPPORT = 3


@pytest.fixture(autouse=True)
def known_noise():
    """The customers' figures are released with noise: here a known +2, so the exact count
    (which ranks the list) and the figure shown can be told apart."""
    with noise_source(offset(2)):
        yield


def everyones_list() -> list[tuple[int, str, int]]:
    row = RecommendationList.objects.get(version=ModelVersion.objects.get(status="active"), rail=Rail.TRENDING,
                                         user__isnull=True, product__isnull=True)
    return [(entry["product"], entry["reason"], entry.get("customers")) for entry in row.items]


def named(*items):
    for item, title in zip(items, ("Lantern", "Mug", "Candle", "Scarf"), strict=False):
        item.title = title
        item.save()
    return items


def test_a_quiet_month_shows_the_all_time_best_sellers_as_popular(client):
    lantern, mug, candle = named(*products(3))
    for _ in range(4):
        bought(customer(), lantern, mug, days_ago=TRENDING_WINDOW_DAYS + 20)
    for _ in range(3):
        bought(customer(), candle, days_ago=TRENDING_WINDOW_DAYS + 1)  # the day before the window

    recommenders_train(until=NOW)

    assert everyones_list() == [(lantern.pk, "popular", 6), (mug.pk, "popular", 6), (candle.pk, "popular", 5)]
    html = client.get("/").content.decode()
    assert rails_on(html) == {"popular": "Popular"}
    cards = cards_in(html, "popular")
    assert [(title, reason) for title, reason, _ in cards] == [
        ("Lantern", "Popular: bought by about 6 customers in all."),
        ("Mug", "Popular: bought by about 6 customers in all."),
        ("Candle", "Popular: bought by about 5 customers in all.")]
    why = client.get(cards[0][2])
    assert why.status_code == 200
    assert "one of the most bought in the shop" in why.content.decode()


def test_recent_sales_make_it_trending_with_the_best_sellers_after_them(client):
    lantern, mug, candle = named(*products(3))
    for _ in range(5):
        bought(customer(), lantern, mug, days_ago=TRENDING_WINDOW_DAYS + 20)
    for _ in range(3):
        bought(customer(), candle, days_ago=TRENDING_WINDOW_DAYS - 1)  # the last day inside the window

    recommenders_train(until=NOW)

    assert everyones_list() == [(candle.pk, "trending", 5), (lantern.pk, "popular", 7), (mug.pk, "popular", 7)]
    html = client.get("/").content.decode()
    assert rails_on(html) == {"trending": "Trending now"}
    assert [(title, reason) for title, reason, _ in cards_in(html, "trending")] == [
        ("Candle", "Popular: bought by about 5 customers in the last 30 days."),
        ("Lantern", "Popular: bought by about 7 customers in all."),
        ("Mug", "Popular: bought by about 7 customers in all.")]


def test_the_popular_fill_still_needs_the_minimum_of_customers(client):
    lantern, mug = named(*products(2))
    for _ in range(3):
        bought(customer(), lantern, days_ago=TRENDING_WINDOW_DAYS + 20)
    for _ in range(2):
        bought(customer(), mug, days_ago=TRENDING_WINDOW_DAYS + 20)

    recommenders_train(until=NOW)
    assert everyones_list() == [(lantern.pk, "popular", 5)]

    with override_settings(PERSONALIZATION_MIN_SUPPORT=4):
        recommenders_train(until=NOW)
    assert everyones_list() == []
    assert rails_on(client.get("/").content.decode()) == {}


def test_the_popular_rail_adds_at_most_two_queries(client):
    items = named(*products(4))
    for _ in range(3):
        bought(customer(), *items, days_ago=TRENDING_WINDOW_DAYS + 20)
    recommenders_train(until=NOW)

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            html = client.get("/").content.decode()
        return len(captured), html

    client.get("/")
    with_rail, html = queries()
    serving = recommendations.rail_source_register(None)
    try:
        without, _ = queries()
    finally:
        recommendations.rail_source_register(serving)
    assert rails_on(html) == {"popular": "Popular"}
    assert with_rail - without <= 2
