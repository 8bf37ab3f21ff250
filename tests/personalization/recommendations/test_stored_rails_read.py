"""A person's rails are read with SQL compiled once per shape (an account, a visitor) and run with
that person's id: each person reads their own lists, whoever read before them, in one query."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from personalization.recommendations.models import RecommendationList
from primitives.compiled_queries import compiled_queries_forget, compiled_shapes
from personalization.recommendations.training import recommenders_train
from privacy.disclosure import noise_source
from tests.personalization.recommendations.test_event_store import decide
from tests.personalization.recommendations.test_rails import cards_in, rails_on
from tests.personalization.worlds import NOW, bought, customer, lamps_and_candles
from tests.privacy.disclosure.sources import offset

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_customers():
    """Lamps go with mugs and candles with holders; ada bought a lamp, bea a candle."""
    lamp, _, candle, _ = lamps_and_candles(buyers=4)
    ada, bea = customer(), customer()
    bought(ada, lamp, days_ago=1)
    bought(bea, candle, days_ago=1)
    with noise_source(offset(3)):
        recommenders_train(until=NOW)
    compiled_queries_forget()  # compiled afresh in this test
    return {"ada": ada, "bea": bea, "lamp": lamp, "candle": candle}


def for_you(user) -> list[tuple[str, str]]:
    """The cards of the person's "Recommended for you": (title, reason)."""
    client = Client()
    client.force_login(user)
    html = client.get("/").content.decode()
    assert rails_on(html) == {"for_you": "Recommended for you"}
    return [(title, reason) for title, reason, _ in cards_in(html, "for_you")]


def test_each_customer_reads_their_own_list_whoever_read_before(two_customers):
    ada, bea = two_customers["ada"], two_customers["bea"]

    first, second, again = for_you(ada), for_you(bea), for_you(ada)

    assert first and all("White Metal Lantern" in reason for _, reason in first)  # what ada bought
    assert second and all("Vanilla Candle" in reason for _, reason in second)  # what bea bought
    assert again == first
    assert [shape for shape in compiled_shapes() if shape[0] == "recommendations.person_rows"] == [
        ("recommendations.person_rows", "home", True)]  # one shape, compiled once


def test_a_visitor_reads_by_their_own_views_after_an_account_read(two_customers,
                                                                 django_capture_on_commit_callbacks):
    for_you(two_customers["ada"])
    visitor = Client()
    decide(visitor, "accept_all")
    with django_capture_on_commit_callbacks(execute=True):
        visitor.get(two_customers["candle"].get_absolute_url())

    html = visitor.get("/").content.decode()

    assert rails_on(html) == {"because_you_viewed": "Because you viewed Vanilla Candle"}
    assert [title for title, _, _ in cards_in(html, "because_you_viewed")][0] == "Candle Holder"


def test_a_person_s_lists_are_one_query(two_customers):
    client = Client()
    client.force_login(two_customers["ada"])
    client.get("/")

    with CaptureQueriesContext(connection) as captured:
        client.get("/")

    table = RecommendationList._meta.db_table
    assert len([query for query in captured if table in query["sql"]]) == 1

