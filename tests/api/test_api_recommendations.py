"""Recommendations through the shop's seam: rails with reasons, for the API client's own account."""

import pytest

from shop import recommendations
from shop.recommendations import RailSpec, Suggestion
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


class RecordingSource:
    """A rail source that says whom it was asked for, as the real one decides on consent by it."""

    def __init__(self, suggestions):
        self.suggestions = suggestions
        self.asked: list[tuple] = []

    def rails(self, request, *, page, product_id=None, basket_product_ids=()):
        self.asked.append((request.user.pk, page, product_id, tuple(basket_product_ids)))
        return [RailSpec(key="because", title="Because you viewed a lantern", suggestions=self.suggestions,
                         personal=True)]


@pytest.fixture
def source():
    lamp, candle = ProductFactory(title="Desk Lamp"), ProductFactory(title="Candle")
    recording = RecordingSource([Suggestion(lamp.pk, "You viewed Tin Lantern"),
                                 Suggestion(candle.pk, "Often bought with Tin Lantern")])
    previous = recommendations.rail_source_register(recording)
    yield recording
    recommendations.rail_source_register(previous)


def test_rails_come_with_a_reason_per_product_for_the_token_user(alice_api, alice, source,
                                                                 django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        body = alice_api.get("/api/v1/recommendations/").json()
    rail = body["rails"][0]
    assert rail["title"] == "Because you viewed a lantern" and rail["personal"] is True
    assert [(p["title"], p["reason"]) for p in rail["products"]] == [
        ("Desk Lamp", "You viewed Tin Lantern"), ("Candle", "Often bought with Tin Lantern")]
    assert source.asked == [(alice.pk, "home", None, ())]


def test_product_rails_leave_out_the_product_itself(api, source):
    lantern = ProductFactory(title="Tin Lantern", slug="tin-lantern")
    source.suggestions = [Suggestion(lantern.pk, "itself"), *source.suggestions]
    body = api.get("/api/v1/recommendations/", {"context": "product", "product": "tin-lantern"}).json()
    assert "Tin Lantern" not in [p["title"] for p in body["rails"][0]["products"]]
    assert source.asked[-1][1:3] == ("product", lantern.pk)


@pytest.mark.parametrize("params, status", [
    ({"context": "product"}, 404), ({"context": "product", "product": "no-such"}, 404), ({"context": "inbox"}, 400),
])
def test_bad_recommendation_queries_are_4xx(api, source, params, status):
    response = api.get("/api/v1/recommendations/", params)
    assert response.status_code == status and response.json()["error"]["message"]


def test_a_visitor_without_consent_gets_no_personal_rail_from_the_shops_own_source(api):
    ProductFactory.create_batch(3)
    rails = api.get("/api/v1/recommendations/").json()["rails"]
    assert not [rail for rail in rails if rail["personal"]]
