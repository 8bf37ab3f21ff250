"""Recommendations in a real browser: accept personalisation, browse, see why a product is suggested."""

import pytest

from personalization.recommendations.models import BehaviourEvent
from personalization.recommendations.training import recommenders_train
from tests.personalization.worlds import NOW, lamps_and_candles


@pytest.fixture
def trained_shop(transactional_db):
    lamp, _, candle, _ = lamps_and_candles(buyers=3)
    recommenders_train(until=NOW)
    return {"lamp": lamp, "candle": candle}


def test_accept_browse_see_because_you_viewed_and_ask_why(journey, trained_shop):
    page = journey.page
    journey.goto("/")
    assert page.get_by_role("heading", name="Trending now").is_visible()  # before any choice: nothing personal
    with page.expect_navigation():
        page.get_by_role("region", name="Your privacy, your choice").get_by_role("button", name="Accept all").click()

    for product in (trained_shop["lamp"], trained_shop["candle"]):
        journey.goto(product.get_absolute_url())
        assert page.get_by_role("heading", name="Customers also bought").is_visible()
    journey.screenshot("product-rails")
    assert BehaviourEvent.objects.filter(kind="viewed", visitor_id__isnull=False).count() == 2

    journey.goto("/")
    rail = page.locator('[data-rail="because_you_viewed"]')
    assert rail.get_by_role("heading", name="Because you viewed these").is_visible()
    mug_card = rail.locator(".product-card", has_text="Red Retrospot Mug")
    assert mug_card.get_by_text("Because you viewed White Metal Lantern.").is_visible()
    journey.screenshot("because-you-viewed")

    mug_card.get_by_role("link", name="Why am I seeing this?").click()
    page.wait_for_url("**/recommendations/why/**")
    assert page.get_by_role("heading", name="Why am I seeing “Red Retrospot Mug”?").is_visible()
    assert page.get_by_text("Your view of White Metal Lantern:").is_visible()
    assert page.locator(".why-page__data li").count() == 1
    assert page.get_by_role("link", name="your privacy choices").is_visible()
    journey.screenshot("why")
    assert journey.csp_violations() == []
