"""The admin's figures counted from people: released once per period (or run, or version), read back
on every later look, and never the exact count; the shop's own bookkeeping stays exact."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from merchant import selectors as dashboard
from personalization.marketing.campaign_figures import campaign_figures
from personalization.marketing.models import Campaign
from personalization.recommendations.models import ModelVersion
from personalization.recommendations.training import recommenders_train
from personalization.segments.models import SegmentRun
from personalization.segments.released import segment_report
from personalization.segments.segmentation import segments_compute
from privacy.disclosure import noise_source
from privacy.models import DisclosureRelease
from tests.factories import OrderFactory
from tests.personalization.segments.test_segments import customers
from tests.personalization.worlds import NOW, bought, customer, products
from tests.shop.test_dashboard import consent

from .sources import offset, seeded_discrete_laplace

pytestmark = pytest.mark.django_db

NOISE = 9


def squeeze(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def people(settings):
    """Consent decisions, segments and a trained model version: every family of the admin."""
    settings.SEGMENT_MIN_SIZE = 20
    consent(40, "analytics", granted=10)
    customers(30, orders=6, days_ago=3, total="40.00")
    customers(25, orders=1, days_ago=250, total="20.00")
    run = segments_compute()
    lamp, mug = products(2)
    for _ in range(5):
        bought(customer(), lamp, mug)
    version = recommenders_train(until=NOW)
    return {"run": run, "version": version}


def test_two_admin_looks_show_the_same_figures_with_one_release_each(admin_client, people):
    pages = [reverse("admin:index"), reverse("admin:segments_segmentrun_changelist"),
             reverse("admin:segments_segmentrun_change", args=[people["run"].pk]),
             reverse("admin:recommendations_modelversion_change", args=[people["version"].pk])]

    with noise_source(seeded_discrete_laplace(7)):
        first = [squeeze(admin_client.get(page)) for page in pages]
    second = [squeeze(admin_client.get(page)) for page in pages]  # the secure sampler, were it asked

    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert [strip.sub("", page) for page in first] == [strip.sub("", page) for page in second]
    families = sorted(DisclosureRelease.objects.values_list("family", flat=True))
    assert families == ["consent_rates", "model_version_counts", "rail_customers", "segment_reports"]


def test_the_dashboard_shows_the_released_consent_rate_and_says_it_is_about(admin_client, people):
    exact = 10 / 40
    with noise_source(offset(NOISE)):
        html = squeeze(admin_client.get(reverse("admin:index")))

    released = (10 + NOISE) / (40 + NOISE)  # 19 of 49: 38.8%
    assert f"{released:.1%}" in html
    assert f"{exact:.1%}" not in html and "25%" not in html
    assert "Consent in force, by purpose (about)" in html
    assert "released once a week with noise added" in html
    assert "Sales, orders, units and stock are the shop's own bookkeeping and exact." in html


def test_the_dashboards_sales_stay_exact(admin_client):
    OrderFactory(total=Decimal("12.34"), placed_at=timezone.now() - timedelta(hours=1))

    with noise_source(offset(NOISE)):
        html = squeeze(admin_client.get(reverse("admin:index")))

    assert "£12.34" in html


def test_segment_pages_show_no_exact_size_or_customer_count(admin_client, people):
    run = people["run"]
    exact_sizes = {segment["name"]: segment["size"] for segment in run.segments}
    assert exact_sizes and run.customers == 55

    with noise_source(offset(NOISE)):
        listing = squeeze(admin_client.get(reverse("admin:segments_segmentrun_changelist")))
        page = squeeze(admin_client.get(reverse("admin:segments_segmentrun_change", args=[run.pk])))

    for html in (listing, page):
        for name, size in exact_sizes.items():
            assert f">{name}</th><td>{size}</td>" not in html
            assert f">{name}</th><td>{size + NOISE}</td>" in html
        assert f"{run.customers} customers" not in html
    assert f"about {run.customers + NOISE} customers" in listing
    assert "released once per run with noise added" in listing and "released once per run" in page


def test_a_model_version_shows_its_released_counts_of_people_not_the_stored_ones(admin_client, people):
    version = ModelVersion.objects.get(pk=people["version"].pk)
    stored = version.counts
    assert stored["customers"] == 5

    with noise_source(offset(NOISE)):
        page = squeeze(admin_client.get(reverse("admin:recommendations_modelversion_change", args=[version.pk])))
        listing = squeeze(admin_client.get(reverse("admin:recommendations_modelversion_changelist")))

    assert f"<dt>customers (about)</dt><dd>{stored['customers'] + NOISE}</dd>" in page
    assert f"<dt>customers (about)</dt><dd>{stored['customers']}</dd>" not in page
    assert f"&quot;customers&quot;: {stored['customers']}," not in page
    assert f"<dt>products</dt><dd>{stored['products']}</dd>" in page  # the shop's own: exact
    assert f"{stored['customers'] + NOISE} customers, " in listing
    assert f">{stored['customers']} customers, " not in listing


def test_a_later_look_reads_the_same_release_in_one_query(admin_client, people, django_assert_num_queries):
    admin_client.get(reverse("admin:index"))  # the week's first look made the release
    before = DisclosureRelease.objects.count()

    rates = dashboard.consent_rates()
    with django_assert_num_queries(1):
        again = dashboard.consent_rates()

    assert rates == again and DisclosureRelease.objects.count() == before


def campaign(key: str, *, eligible: int, not_confirmed: int, at) -> Campaign:
    return Campaign.objects.create(key=key, kind="digest", created_at=at, updated_at=at,
                                   counts={"eligible": eligible, "skipped": {"subscription not confirmed": not_confirmed}})


def test_campaign_counts_are_released_weekly_and_a_finished_campaign_keeps_its_figures(admin_client):
    monday = timezone.now() - timedelta(days=timezone.now().weekday() + 7)  # last week
    old = campaign("week-49", eligible=40, not_confirmed=6, at=monday)
    with noise_source(offset(NOISE)):
        last_week = campaign_figures(now=monday + timedelta(hours=1))
        new = campaign("week-50", eligible=44, not_confirmed=5, at=timezone.now())
        this_week = campaign_figures()
        html = squeeze(admin_client.get(reverse("admin:marketing_campaign_changelist")))

    assert last_week == {old.pk: {"eligible": 49, "sent": 9, "bounced": 9, "interrupted": 9,
                                  "skipped": {"subscription not confirmed": 15}}}
    assert this_week[old.pk] == last_week[old.pk]  # not released again: nothing new spent on it
    assert this_week[new.pk]["eligible"] == 53
    releases = DisclosureRelease.objects.filter(family="campaign_counts").order_by("released_at")
    assert [sorted({name.split(":")[0] for name in r.values}) for r in releases] == [[str(old.pk)], [str(new.pk)]]
    for exact in ("40", "44"):
        assert f'<td class="field-eligible">{exact}</td>' not in html
    assert '<td class="field-eligible">53</td>' in html and "subscription not confirmed: 14" in html


def test_the_segment_runs_list_reads_every_runs_release_with_its_rows_however_many_runs(admin_client, people,
                                                                                        settings):
    """Each row's figures are its run's release, read with the list's query: no query per run."""
    settings.PRIVACY_DISCLOSURE_FAMILIES = {**settings.PRIVACY_DISCLOSURE_FAMILIES,
                                            "segment_reports": {"epsilon": 1.0, "budget": 100.0}}
    with noise_source(offset(NOISE)):
        segment_report(people["run"])  # the fixture's run, looked at once: released

    def runs_listed(count: int) -> tuple[int, str]:
        while SegmentRun.objects.count() < count:
            earlier = timezone.now() - timedelta(days=SegmentRun.objects.count())
            with noise_source(offset(NOISE)):
                segment_report(SegmentRun.objects.create(computed_at=earlier, min_size=20))
        with CaptureQueriesContext(connection) as queries:
            html = squeeze(admin_client.get(reverse("admin:segments_segmentrun_changelist")))
        return len(queries), html

    few, _ = runs_listed(2)
    many, html = runs_listed(6)

    assert few == many
    assert html.count(f">{people['run'].customers + NOISE}<") >= 6  # every row: released, never exact
    assert f">{people['run'].customers}<" not in html
