"""The model-versions page: a small chart per metric (NDCG, hit rate, coverage at 8 and 10)
across versions, a sentence instead of an empty chart for a single version, no raw JSON
outside a "details" toggle."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from personalization.recommendations.models import ModelVersion, ModelVersionStatus
from personalization.recommendations.training import recommenders_train
from personalization.recommendations.version_figures import version_figures
from privacy.disclosure import noise_source
from tests.personalization.recommendations.test_admin import merchant
from tests.personalization.worlds import NOW, bought, customer, products
from tests.privacy.disclosure.sources import offset

pytestmark = pytest.mark.django_db

CHART = re.compile(r'<figure class="dash-chart recommender-chart" data-metric="([a-z_]+)">(.*?)</figure>', re.DOTALL)


@pytest.fixture
def history():
    """Six customers with older baskets and a new purchase each in the latest four weeks."""
    items = products(12)
    for index in range(6):
        person = customer()
        bought(person, *items[index:index + 3], days_ago=60)
        bought(person, items[(index + 5) % 12], days_ago=5)
    return items


def changelist(client) -> str:
    response = client.get(reverse("admin:recommendations_modelversion_changelist"))
    assert response.status_code == 200
    return response.content.decode()


def test_with_one_version_a_sentence_gives_its_figures_and_no_chart_is_drawn(client, history):
    version = recommenders_train(until=NOW)
    merchant(client, "view_modelversion", "change_modelversion")

    html = changelist(client)

    assert CHART.findall(html) == [] and "<polyline" not in html
    figures = version.metrics["for_you"]
    sentence = re.search(r'<p class="recommender-single">([^<]*)</p>', html)[1]
    assert sentence.startswith(f"Only one model version (v{version.pk}) has been measured")
    for key in ("ndcg", "hit_rate", "coverage"):
        assert f"{figures[f'{key}@8']:.4f} at 8 and {figures[f'{key}@10']:.4f} at 10" in sentence
    assert "A chart across versions appears after the next training." in sentence


def test_with_three_versions_each_metric_has_its_chart_with_every_version(client, history):
    versions = [recommenders_train(until=NOW) for _ in range(3)]
    merchant(client, "view_modelversion")

    html = changelist(client)

    charts = dict(CHART.findall(html))
    assert list(charts) == ["ndcg", "hit_rate", "coverage"]
    for key, lines in (("ndcg", 4), ("hit_rate", 4), ("coverage", 2)):
        chart = charts[key]
        assert chart.count("<polyline") == lines
        assert chart.count('stroke-dasharray="5 3"><title>') == lines // 2  # the @8 lines, dashed
        assert re.findall(r">(v\d+)</text>", chart) == [f"v{v.pk}" for v in versions]
        for polyline in re.findall(r'<polyline points="([^"]+)"', chart):
            assert len(polyline.split()) == 3
    coverage_rows = re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td data-testid="metric">[^<]*</td>)+)</tr>',
                               charts["coverage"])
    assert [name for name, _ in coverage_rows] == ["Recommended for you @10", "Recommended for you @8"]
    assert re.findall(r">([0-9.]+)<", coverage_rows[1][1]) == [
        f"{v.metrics['for_you']['coverage@8']:.4f}" for v in versions]


def test_the_list_shows_the_shown_length_figures_and_no_json(client, history):
    version = recommenders_train(until=NOW)
    merchant(client, "view_modelversion")

    html = changelist(client)

    figures = version.metrics["for_you"]
    assert f"{figures['ndcg@8']:.4f} / {figures['ndcg@10']:.4f}" in html
    assert f"{figures['coverage@8']:.4f} / {figures['coverage@10']:.4f}" in html
    assert '"ndcg@10"' not in html and "{&quot;" not in html
    # The buttons stand in their own row before the metrics heading, not inside the chart's caption.
    actions = html.index('class="recommender-actions"')
    assert actions < html.index('id="recommender-metrics-title"') < html.index('id="changelist"')


def test_a_version_page_reads_as_figures_with_the_raw_json_only_behind_details(client, history):
    version = recommenders_train(until=NOW)
    merchant(client, "view_modelversion")

    with noise_source(offset(4)):  # counts of people are released with noise: here a known +4
        html = client.get(reverse("admin:recommendations_modelversion_change", args=[version.pk])).content.decode()

    outside_details = re.sub(r"<details.*?</details>", "", html, flags=re.DOTALL)
    assert "ndcg@10" not in outside_details and "&quot;" not in outside_details
    assert f"<td>{version.metrics['for_you']['ndcg@8']:.4f}</td>" in outside_details
    assert f"<dt>events (about)</dt><dd>{version.counts['events'] + 4:,}</dd>" in outside_details
    assert f"<dt>products</dt><dd>{version.counts['products']:,}</dd>" in outside_details  # exact
    raw = re.search(r'<details class="raw-record"><summary>Details[^<]*</summary><pre[^>]*>(.*?)</pre>', html, re.DOTALL)[1]
    assert "&quot;ndcg@10&quot;" in raw and "&quot;holdout_days&quot;" in raw


def test_an_older_version_without_the_new_figures_is_drawn_from_where_it_has_them(client, history):
    old = recommenders_train(until=NOW)
    ModelVersion.objects.filter(pk=old.pk).update(metrics={
        "for_you": {"ndcg@10": 0.1, "hit_rate@10": 0.5}, "trending": {"ndcg@10": 0.05, "hit_rate@10": 0.3}})
    recommenders_train(until=NOW)
    merchant(client, "view_modelversion")

    charts = dict(CHART.findall(changelist(client)))

    ndcg_points = re.findall(r'<polyline points="([^"]+)"', charts["ndcg"])
    assert [len(points.split()) for points in ndcg_points] == [2, 1, 2, 1]  # @10 both, @8 only the new
    assert "<td data-testid=\"metric\">—</td>" in charts["coverage"]


def test_the_list_reads_every_versions_released_counts_with_its_rows_however_many_versions(client, settings):
    """Each row's "learnt from (about)" is a released figure: read with the list's query, not one
    query per version (the releases were made when each version was first looked at)."""
    settings.PRIVACY_DISCLOSURE_FAMILIES = {**settings.PRIVACY_DISCLOSURE_FAMILIES,
                                            "model_version_counts": {"epsilon": 0.5, "budget": 100.0}}
    merchant(client, "view_modelversion", "change_modelversion")

    def versions_listed(count: int) -> tuple[int, str]:
        for n in range(count - ModelVersion.objects.count()):
            version = ModelVersion.objects.create(
                status=ModelVersionStatus.RETIRED, started_at=NOW, finished_at=NOW, trained_until=NOW,
                counts={"subjects": 40 + n, "customers": 40 + n, "visitors": 0, "events": 0, "orders": 0,
                        "products": 7, "lists": 3})
            with noise_source(offset(2)):
                version_figures(version)  # its first look: the release is made and stored
        with CaptureQueriesContext(connection) as queries:
            html = changelist(client)
        return len(queries), html

    few, few_html = versions_listed(2)
    many, many_html = versions_listed(8)

    assert few == many
    assert "42 customers, " in many_html and "47 customers, " in many_html  # released, +2 each
    assert ">40 customers, " not in many_html
