"""Rails that say nothing about the person are kept under the catalog version; personal ones never are."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from personalization.recommendations.training import recommenders_train
from shop.catalog.stock import stock_take
from tests.personalization.recommendations.test_rails import cards_in, rails_on, shop_world  # noqa: F401 (fixture)
from tests.personalization.worlds import NOW, bought, customer
from tests.shop.catalog.test_fragment_cache import cached_fragments

pytestmark = pytest.mark.django_db


def sql_of(client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    return html, [query["sql"] for query in captured.captured_queries]


def test_a_repeated_product_page_reads_neither_lists_nor_products_for_its_rails(
        client, shop_world, shared_fragments):  # noqa: F811
    url = shop_world["lamp"].get_absolute_url()
    first_html, first = sql_of(client, url)
    second_html, second = sql_of(client, url)

    assert any("personalization_recommendationlist" in sql for sql in first)
    assert not [sql for sql in second if "personalization_recommendationlist" in sql or '"catalog_' in sql]
    assert rails_on(second_html) == rails_on(first_html) == {
        "also_bought": "Customers also bought", "similar": "Similar products"}
    assert cards_in(second_html, "also_bought") == cards_in(first_html, "also_bought")


def test_a_new_serving_version_shows_its_lists_at_once(client, shop_world, shared_fragments,  # noqa: F811
                                                        django_capture_on_commit_callbacks):
    url = shop_world["lamp"].get_absolute_url()
    before = [title for title, _, _ in cards_in(client.get(url).content.decode(), "also_bought")]
    for _ in range(6):  # the lantern now mostly goes with the scarf
        bought(customer(), shop_world["lamp"], shop_world["scarf"])
    with django_capture_on_commit_callbacks(execute=True):
        recommenders_train(until=NOW)

    after = [title for title, _, _ in cards_in(client.get(url).content.decode(), "also_bought")]

    assert before[0] == "Red Retrospot Mug"
    assert after[0] == "Wool Scarf"


def test_a_product_sold_out_leaves_the_kept_rails_at_once(client, shop_world, shared_fragments,  # noqa: F811
                                                          django_capture_on_commit_callbacks):
    url = shop_world["candle"].get_absolute_url()
    assert "Candle Holder" in [title for title, _, _ in cards_in(client.get(url).content.decode(), "also_bought")]
    holder = shop_world["holder"].variants.get()
    with django_capture_on_commit_callbacks(execute=True):
        stock_take(holder=uuid.uuid4(), quantities={holder.pk: holder.stock_quantity})

    assert "also_bought" not in rails_on(client.get(url).content.decode())


def test_personal_rails_are_neither_kept_nor_shown_to_anyone_else(client, shop_world, shared_fragments):  # noqa: F811
    client.force_login(shop_world["ada"])
    ada_home = client.get("/").content.decode()
    client.logout()
    other = customer()
    other.save()
    client.force_login(other)
    other_home = client.get("/").content.decode()

    assert "for_you" in rails_on(ada_home)
    assert "Because you bought White Metal Lantern" in ada_home
    assert "Because you bought White Metal Lantern" not in other_home
    kept = "".join(cached_fragments().values())
    assert "Because you bought" not in kept
    assert "Recommended for you" not in kept
