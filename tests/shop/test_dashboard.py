"""The merchant's dashboard on the admin index: real aggregates of the sample catalog as SVG charts,
consent rates only above the minimum group size, a fixed number of queries, and no inline script."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from merchant import selectors
from privacy.disclosure import noise_source
from privacy.models import ConsentRecord, ConsentSource
from privacy.notice import notice_current
from shop.orders.models import Order, OrderStatus
from tests.factories import OrderFactory, ProductFactory, UserFactory
from tests.privacy.disclosure.sources import offset


def owner(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def consent(n: int, purpose: str, granted: int) -> None:
    notice = notice_current()
    now = timezone.now()
    ConsentRecord.objects.bulk_create([
        ConsentRecord(user=UserFactory(), purpose=purpose, granted=index < granted, notice_version=notice.version,
                      text_hash=notice.text_hash, source=ConsentSource.BANNER, created_at=now)
        for index in range(n)])


@pytest.mark.django_db(transaction=True)
def test_dashboard_shows_the_sample_catalogs_real_numbers(client, sample_catalog):
    owner(client)
    end = selectors.sales_end()
    latest_day = Order.objects.filter(status__in=selectors.SOLD_STATUSES).latest("placed_at").placed_at
    expected_day = timezone.localtime(latest_day).date()
    day_start = timezone.make_aware(timezone.datetime.combine(expected_day, timezone.datetime.min.time()))
    day_revenue = Order.objects.filter(status__in=selectors.SOLD_STATUSES, placed_at__gte=day_start,
                                       placed_at__lt=day_start + timedelta(days=1)).aggregate(s=Sum("total"))["s"]

    html = client.get(reverse("admin:index")).content.decode()

    assert end == expected_day
    assert 'data-testid="merchant-dashboard"' in html and "<svg" in html
    by_day = selectors.sales_by_day(end=end)
    assert by_day[-1].revenue == Decimal(str(day_revenue)).quantize(Decimal("0.01")) > 0
    assert f"£{by_day[-1].revenue:,.2f}" in html
    delivered = Order.objects.filter(status=OrderStatus.DELIVERED).count()
    assert delivered > 0 and f"{delivered:,}</td>" in html
    [top] = selectors.top_products(end=end, limit=1)
    assert top.title in html and top.units > 0
    assert "<script" not in html.split('data-testid="merchant-dashboard"')[1].split("</section>")[0]
    assert " style=" not in html.split('data-testid="merchant-dashboard"')[1].split("</section>")[0]


@pytest.mark.django_db
def test_weekly_sales_add_up_the_days(client):
    ProductFactory()
    end = timezone.localdate()
    for days_ago, total in ((0, "10.00"), (1, "5.50"), (8, "2.25")):
        OrderFactory(total=Decimal(total), placed_at=timezone.now() - timedelta(days=days_ago))
    OrderFactory(total=Decimal("99.00"), status=OrderStatus.REFUNDED)  # taken back: not a sale

    weeks = selectors.sales_by_week(end=end)
    days = selectors.sales_by_day(end=end)

    assert sum(p.revenue for p in weeks) == sum(p.revenue for p in days) == Decimal("17.75")
    assert days[-1].revenue + days[-2].revenue == Decimal("15.50")


@pytest.mark.django_db
def test_consent_rates_are_hidden_below_the_minimum_group_size(client, settings):
    settings.SEGMENT_MIN_SIZE = 20
    consent(20, "analytics", granted=5)
    consent(19, "marketing", granted=19)
    owner(client)

    with noise_source(offset(0)):  # the floor applies to the released counts; no noise here to see it
        rates = {rate.purpose: rate for rate in selectors.consent_rates()}
    html = re.sub(r"\s+", " ", client.get(reverse("admin:index")).content.decode())

    assert rates["analytics"].shown and rates["analytics"].rate == Decimal("0.25")
    assert not rates["marketing"].shown and rates["marketing"].rate is None
    assert "25%" in html and "fewer than 20 people" in html and "100%" not in html


@pytest.mark.django_db
def test_low_stock_lists_the_emptiest_first(client):
    ProductFactory(title="Plenty", variant__stock=50)
    ProductFactory(title="Last Two", variant__stock=2)
    ProductFactory(title="Sold Out", variant__stock=0)

    rows, total = selectors.low_stock()

    assert [row.title for row in rows] == ["Sold Out", "Last Two"] and total == 2


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 40])
def test_dashboard_queries_do_not_grow_with_the_shop(client, django_assert_max_num_queries, count):
    owner(client)
    for n in range(count):
        OrderFactory(total=Decimal("3.00"))
        ProductFactory(variant__stock=n % 4)
    consent(count, "analytics", granted=count // 2)

    with django_assert_max_num_queries(28):  # the week's first look also releases the consent figures
        client.get(reverse("admin:index"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("admin:index"))
    assert 'data-testid="merchant-dashboard"' in response.content.decode()


@pytest.mark.django_db
def test_staff_without_order_access_see_no_dashboard(client):
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_product"))
    client.force_login(user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200 and "merchant-dashboard" not in response.content.decode()
