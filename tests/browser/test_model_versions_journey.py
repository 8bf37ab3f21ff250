"""The merchant reads the model-versions page in Chromium: a chart per metric once there are
versions to compare (a sentence for one), the buttons clear of the metrics heading, the table
whole beside the status filter, a version's JSON only behind "Details"; and a shopper in a quiet
month sees the "Popular" rail with its reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from personalization.recommendations.training import TRENDING_WINDOW_DAYS, recommenders_train
from privacy.disclosure import noise_source
from tests.browser.pages import dismiss_consent_banner
from tests.browser.test_accessibility import check, log_in
from tests.browser.test_merchant_pages_journey import owner  # noqa: F401  (a fixture taken as a parameter)
from tests.personalization.worlds import NOW, bought, customer, products
from tests.privacy.disclosure.sources import offset

pytestmark = pytest.mark.django_db(transaction=True)


def shop_history(days_ago: float = 5) -> list:
    items = products(12)
    for index in range(6):
        person = customer()
        bought(person, *items[index:index + 3], days_ago=60)
        bought(person, items[(index + 5) % 12], days_ago=days_ago)
    return items


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_three_versions_draw_a_chart_per_metric_with_the_table_whole_beside_the_filter(journey, owner):  # noqa: F811
    shop_history()
    versions = [recommenders_train(until=NOW) for _ in range(3)]
    journey.findings = []
    log_in(journey, owner.email)
    page = journey.page

    journey.goto(reverse("admin:recommendations_modelversion_changelist"))

    charts = page.locator(".recommender-chart")
    assert charts.count() == 3
    assert [t.split(" (")[0] for t in page.locator(".recommender-chart figcaption").all_inner_texts()] == [
        "NDCG", "Hit rate", "Catalog coverage"]
    for index in range(3):
        assert charts.nth(index).locator("svg.dash-svg").bounding_box()["height"] > 60
    buttons, heading = box(page, ".recommender-actions"), box(page, "#recommender-metrics-title")
    assert buttons["y"] + buttons["height"] + 12 <= heading["y"]  # a clear gap, not crammed
    table, sidebar = box(page, "#result_list"), box(page, "#changelist-filter")
    assert table["x"] + table["width"] <= sidebar["x"] + 1  # the table ends before the filter begins
    assert page.evaluate("(() => { const r = document.querySelector('#changelist .results');"
                         " return r.scrollWidth - r.clientWidth; })()") <= 1  # nothing hidden sideways
    assert page.locator("#result_list tbody tr").count() == len(versions)
    check(journey, "model-versions-three")

    newest = versions[-1]
    journey.goto(reverse("admin:recommendations_modelversion_change", args=[newest.pk]))
    raw = page.locator(".raw-record pre")
    assert not raw.is_visible()
    assert f"{newest.metrics['for_you']['ndcg@8']:.4f}" in page.locator(".version-metrics").inner_text()
    page.get_by_text("Details: parameters, counts and metrics as stored").click()
    assert raw.is_visible() and '"ndcg@10"' in raw.inner_text()
    check(journey, "model-version-page")

    assert journey.findings == [], "\n".join(journey.findings)


def test_one_version_gets_a_sentence_not_an_empty_chart(journey, owner):  # noqa: F811
    shop_history()
    version = recommenders_train(until=NOW)
    log_in(journey, owner.email)
    page = journey.page

    journey.goto(reverse("admin:recommendations_modelversion_changelist"))

    assert page.locator(".recommender-metrics svg").count() == 0
    sentence = page.locator(".recommender-single").inner_text()
    assert sentence.startswith(f"Only one model version (v{version.pk}) has been measured")


def test_a_quiet_month_shows_the_popular_rail_and_its_reason(journey):
    lantern, *_ = products(3)
    for _ in range(3):
        bought(customer(), lantern, days_ago=TRENDING_WINDOW_DAYS + 10)
    with noise_source(offset(0)):  # the figure is released with noise: none here, to read it
        recommenders_train(until=NOW)
    page = journey.page

    journey.goto("/")
    dismiss_consent_banner(page)

    rail = page.locator('[data-rail="popular"]')
    assert page.locator("#rail-popular").inner_text() == "Popular"
    assert "Popular: bought by about 3 customers in all." in rail.inner_text()
    rail.get_by_role("link").filter(has_text="Why").first.click()
    assert "one of the most bought in the shop" in page.locator("main").inner_text()
