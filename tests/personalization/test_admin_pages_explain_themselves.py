"""The merchant's segment and customer pages read as a person reads them: a title that names the
thing, money with its currency, numbers rounded, and the released JSON only behind a "Details" toggle."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from personalization.segments.models import SegmentMembership, SegmentRun
from primitives.subjects import Subject
from privacy.disclosure import noise_source
from privacy.services import consent_decide
from tests.factories import OrderFactory, UserFactory
from tests.privacy.disclosure.sources import offset
from tests.shop.test_admin import staff

pytestmark = pytest.mark.django_db

STORED_SEGMENTS = [
    {"name": "Loyal regulars", "size": 31, "recency_days": 12.37, "frequency": 6.43, "monetary": 461.71},
    {"name": "Lapsing", "size": 24, "recency_days": 240.5, "frequency": 1.5, "monetary": 37.2},
]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def outside_details(page: str) -> str:
    return re.sub(r"<details.*?</details>", "", page, flags=re.S)


COMPUTED_AT = timezone.make_aware(datetime(2026, 12, 6, 4, 0))


def segment_members(run: SegmentRun, segment: str, count: int, *, spent: str, orders: int, days_before: int):
    users = []
    for _ in range(count):
        user = UserFactory()
        consent_decide(subject=Subject.for_user(user), choices={"personalization": True}, source="settings")
        for _ in range(orders):
            OrderFactory(user=user, total=Decimal(spent) / orders, placed_at=COMPUTED_AT - timedelta(days=days_before))
        SegmentMembership.objects.create(run=run, user=user, segment=segment)
        users.append(user)
    return users


@pytest.fixture
def run() -> SegmentRun:
    """21 loyal customers (five orders, £461 in all, 12 days ago) who were lapsing in the run before,
    and 20 lapsing ones (one order of £37, 240 days ago). The page shows the released figures: with
    no noise here, they are the exact ones, so the presentation can be read."""
    before = SegmentRun.objects.create(computed_at=COMPUTED_AT - timedelta(days=1), customers=21, k=1, min_size=20)
    run = SegmentRun.objects.create(computed_at=COMPUTED_AT, customers=41, k=2, silhouette=0.4169915882068724,
                                    min_size=20, suppressed=0)
    for user in segment_members(run, "loyal", 21, spent="461.00", orders=5, days_before=12):
        SegmentMembership.objects.create(run=before, user=user, segment="lapsing")
    segment_members(run, "lapsing", 20, spent="37.00", orders=1, days_before=240)
    with noise_source(offset(0)):
        yield run


def test_a_segment_run_page_is_titled_by_its_date_with_rounded_numbers_and_spend_in_pounds(admin_client, run):
    page = text(admin_client.get(reverse("admin:segments_segmentrun_change", args=[run.pk])))
    visible = outside_details(page)

    assert "<title>Customer segments of 6 Dec 2026 04:00 |" in page
    assert "<h1>Customer segments of 6 Dec 2026 04:00</h1>" in page
    assert "0.417" in visible and "0.41699" not in visible
    spent = re.findall(r'data-testid="segment-spent">([^<]*)<', visible)
    assert spent == ["£461.00", "£37.00"]
    assert ">12</td>" in visible and ">5.0</td>" in visible  # days and orders, rounded for people
    assert "lapsing</td><td>loyal</td><td class=\"dash-num\">21<" in visible


def test_a_segment_run_page_keeps_the_released_json_behind_a_details_toggle(admin_client, run):
    page = text(admin_client.get(reverse("admin:segments_segmentrun_change", args=[run.pk])))

    details = re.search(r'<details class="stored-details".*?</details>', page, flags=re.S).group(0)
    assert "<summary>Details: the run as released</summary>" in details
    assert "&quot;monetary&quot;: 461.0" in details
    assert "monetary" not in outside_details(page) and "&quot;" not in outside_details(page)


def test_the_segment_list_shows_the_latest_run_s_spend_with_its_currency(admin_client, run):
    visible = outside_details(text(admin_client.get(reverse("admin:segments_segmentrun_changelist"))))

    assert re.findall(r'data-testid="segment-spent">([^<]*)<', visible) == ["£461.00", "£37.00"]
    assert "0.417" in visible and "0.41699" not in visible


def test_the_customer_page_is_titled_by_number_and_account_age_not_by_the_address(client):
    customer = UserFactory(email="ada@example.com", date_joined=timezone.make_aware(datetime(2025, 3, 14, 9, 0)),
                           imported_customer_number="17850")
    OrderFactory(user=customer, total=Decimal("12.50"))
    staff(client, "Order manager")  # may see contact details

    page = text(client.get(reverse("merchant_customer", args=[customer.pk])))

    title = f"Customer #{customer.pk}, account since 14 Mar 2025 (imported customer 17850)"
    assert f"<title>{title} |" in page and f"<h1>{title}</h1>" in page
    assert "ada@example.com" in page  # shown in the page to this role ...
    assert "ada" not in re.search(r"<title>.*?</title>", page).group(0)  # ... never in the title


def test_a_customer_without_an_imported_number_is_titled_by_number_and_account_age(client):
    customer = UserFactory(date_joined=timezone.make_aware(datetime(2026, 1, 2, 12, 0)))
    staff(client, permissions=["orders.view_order"])

    page = text(client.get(reverse("merchant_customer", args=[customer.pk])))

    assert f"<h1>Customer #{customer.pk}, account since 2 Jan 2026</h1>" in page


def test_a_campaign_page_is_titled_by_the_campaign_with_its_counts_read_out_and_json_behind_details(admin_client):
    from personalization.marketing.models import Campaign

    started = timezone.make_aware(datetime(2026, 12, 1, 9, 30))
    campaign = Campaign.objects.create(
        key="digest-2026-12-01", kind="digest", created_at=started, updated_at=started,
        counts={"eligible": 40, "skipped": {"no marketing consent": 3}, "skipped_at_send": {"unsubscribed": 2}})

    with noise_source(offset(1)):  # counts of people are released with noise: here a known +1
        page = text(admin_client.get(reverse("admin:marketing_campaign_change", args=[campaign.pk])))
    visible = outside_details(page)

    assert f"<h1>{campaign} (started 1 Dec 2026 09:30)</h1>" in page
    assert "no marketing consent: 4; unsubscribed: 3" in visible and ">41<" in visible
    assert "&quot;" not in visible and "skipped_at_send" not in visible
    details = re.search(r'<details class="stored-details".*?</details>', page, flags=re.S).group(0)
    assert "&quot;eligible&quot;: 41" in details
