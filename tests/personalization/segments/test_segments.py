"""Customer segments: from consenting customers' orders, named in the merchant's words, never a group
smaller than SEGMENT_MIN_SIZE in any report, and a person's segment exported, erased and withdrawn."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from personalization.segments.models import SegmentMembership, SegmentRun
from personalization.segments.segmentation import movement_between, segments_compute
from primitives.subjects import Subject
from privacy.erasure import subject_erase
from privacy.export import export_document
from privacy.reach import identity_for_user
from privacy.disclosure import noise_source
from privacy.services import consent_decide
from shop.orders.models import OrderStatus
from tests.factories import OrderFactory, UserFactory
from tests.privacy.disclosure.sources import offset

pytestmark = pytest.mark.django_db


def customers(count: int, *, orders: int, days_ago: float, total: str, consents: bool = True) -> list:
    made = []
    for _ in range(count):
        user = UserFactory()
        consent_decide(subject=Subject.for_user(user), choices={"personalization": consents}, source="settings")
        for n in range(orders):
            OrderFactory(user=user, total=Decimal(total), placed_at=timezone.now() - timedelta(days=days_ago + n * 20))
        made.append(user)
    return made


@pytest.fixture
def shop_customers():
    """Three kinds of customers, 25 of each, and 10 who did not consent."""
    return {
        "loyal": customers(25, orders=8, days_ago=3, total="40.00"),
        "lapsing": customers(25, orders=2, days_ago=300, total="30.00"),
        "new": customers(25, orders=1, days_ago=2, total="25.00"),
        "unconsenting": customers(10, orders=8, days_ago=3, total="40.00", consents=False),
    }


def test_segments_find_and_name_the_groups_of_consenting_customers(shop_customers, settings):
    settings.SEGMENT_MIN_SIZE = 20

    run = segments_compute()

    assert run.customers == 75  # the 10 without consent are in no feature and no count
    assert {s["name"]: s["size"] for s in run.segments} == {"loyal": 25, "lapsing": 25, "new": 25}
    assert run.k == 3 and run.silhouette > 0.5
    members = dict(SegmentMembership.objects.filter(run=run).values_list("user_id", "segment"))
    for name in ("loyal", "lapsing", "new"):
        assert {members[user.pk] for user in shop_customers[name]} == {name}
    assert not any(user.pk in members for user in shop_customers["unconsenting"])
    loyal = next(s for s in run.segments if s["name"] == "loyal")
    assert loyal["frequency"] == 8 and loyal["monetary"] == 320


def test_the_same_data_gives_the_same_segments(shop_customers):
    first, second = segments_compute(), segments_compute()
    assert first.segments == second.segments
    assert (dict(first.memberships.values_list("user_id", "segment"))
            == dict(second.memberships.values_list("user_id", "segment")))


def test_no_segment_smaller_than_the_minimum_is_reported_or_stored(settings):
    settings.SEGMENT_MIN_SIZE = 20
    customers(30, orders=6, days_ago=3, total="40.00")
    customers(25, orders=1, days_ago=250, total="20.00")
    customers(5, orders=2, days_ago=20, total="900.00")  # five big spenders: too few to be shown

    run = segments_compute()

    assert all(s["size"] >= 20 for s in run.segments)
    assert sum(s["size"] for s in run.segments) + run.suppressed == 60
    assert all(row["customers"] >= 20 for row in run.movement)
    sizes = {}
    for segment in SegmentMembership.objects.filter(run=run).values_list("segment", flat=True):
        sizes[segment] = sizes.get(segment, 0) + 1
    assert all(size >= 20 for size in sizes.values())


def test_too_few_customers_in_all_means_no_segment(settings, capsys):
    settings.SEGMENT_MIN_SIZE = 20
    customers(12, orders=3, days_ago=5, total="40.00")

    call_command("compute_segments")

    run = SegmentRun.objects.get()
    assert run.segments == [] and run.suppressed == 12 and not SegmentMembership.objects.exists()
    assert "No segment reported: fewer than 20 customers in all." in capsys.readouterr().out


def test_the_command_prints_the_segments_with_their_sizes(shop_customers, capsys):
    call_command("compute_segments")
    out = capsys.readouterr().out
    for name in ("loyal", "lapsing", "new"):
        assert f"  {name}: 25 customers" in out


def test_movement_hides_moves_of_fewer_than_the_minimum():
    previous = {n: "new" for n in range(30)} | {100 + n: "loyal" for n in range(3)}
    current = {n: "loyal" for n in range(30)} | {100 + n: "lapsing" for n in range(3)}

    rows = movement_between(previous, current, min_size=20)

    assert rows == [{"from": "new", "to": "loyal", "customers": 30},
                    {"from": "other moves", "to": "(each fewer than 20)", "customers": 3}]


def test_a_second_run_reports_how_membership_moved(shop_customers, settings):
    settings.SEGMENT_MIN_SIZE = 20
    segments_compute()
    for user in shop_customers["new"]:  # every new customer comes back, again and again
        for n in range(7):
            OrderFactory(user=user, total=Decimal("40.00"), placed_at=timezone.now() - timedelta(days=1 + n * 20))

    run = segments_compute()

    assert {"from": "new", "to": "loyal", "customers": 25} in run.movement
    assert SegmentRun.objects.count() == 2


def test_cancelled_orders_do_not_count(settings):
    settings.SEGMENT_MIN_SIZE = 1
    [user] = customers(1, orders=1, days_ago=2, total="10.00")
    OrderFactory(user=user, total=Decimal("999.00"), status=OrderStatus.CANCELLED)
    customers(3, orders=1, days_ago=2, total="10.00")

    run = segments_compute()

    assert sum(s["monetary"] * s["size"] for s in run.segments) == pytest.approx(40.0)


def test_a_persons_segment_is_exported_erased_and_goes_with_their_consent(shop_customers):
    segments_compute()
    ada, bob = shop_customers["loyal"][:2]

    document = export_document(identity=identity_for_user(user_id=ada.pk), pseudonym="p")
    assert [row for row in document["sections"]["segments.SegmentMembership"]["rows"]
            if "loyal" in str(row)]

    consent_decide(subject=Subject.for_user(bob), choices={"personalization": False}, source="settings")
    assert not SegmentMembership.objects.filter(user=bob).exists()

    subject_erase(identity=identity_for_user(user_id=ada.pk))
    assert not SegmentMembership.objects.filter(user_id=ada.pk).exists()


def test_the_admin_shows_sizes_profiles_and_moves_as_svg_without_small_groups(admin_client, settings):
    settings.SEGMENT_MIN_SIZE = 20
    customers(30, orders=6, days_ago=3, total="40.00")
    customers(25, orders=1, days_ago=250, total="20.00")
    customers(5, orders=2, days_ago=20, total="900.00")
    run = segments_compute()

    with noise_source(offset(2)):  # sizes are released with noise: here a known +2
        page = admin_client.get("/admin/segments/segmentrun/").content.decode()

    assert "<svg" in page and "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    for segment in run.segments:
        assert f">{segment['name']}</th><td>{segment['size'] + 2}</td>" in page
    assert "big baskets" not in page
