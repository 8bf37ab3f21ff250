"""Demand pricing: the recompute on real rows, its guardrails, the 30-day reference, the command,
the scheduled job and one recompute at a time."""

import io
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from shop.catalog.fragments import catalog_version
from shop.catalog.models import Product, ProductVariant
from shop.pricing.list_prices import ListPriceRefused, variant_list_price_set
from shop.pricing.guardrails import guarded_price
from shop.pricing.models import DemandRule, PriceChange, PriceChangeSource, PricingRun, PricingRunStatus
from shop.pricing.services import RecomputeInProgress, demand_rule_preview, prices_recompute
from shop.orders.models import OrderStatus
from tests.factories import CategoryFactory, OrderFactory, ProductFactory, order_line_create

NOW = timezone.now().replace(microsecond=0)


def rule(**overrides) -> DemandRule:
    values = {"name": "Demand", "enabled": True, "max_increase_percent": Decimal("10"),
              "max_decrease_percent": Decimal("20"), "velocity_window_days": 28, "scarce_cover_days": 14,
              "ample_cover_days": 60}
    return DemandRule.objects.create(**{**values, **overrides})


def product(title: str, *, price="10.00", stock=10, sold=0, category=None, days_ago=3, **fields) -> Product:
    made = ProductFactory(title=title, price=Decimal(price), variant__stock=stock,
                          **({"category": category} if category else {}), **fields)
    if sold:
        order = OrderFactory(placed_at=NOW - timedelta(days=days_ago), status=OrderStatus.DELIVERED)
        order_line_create(order=order, product=made, quantity=sold)
    return made


def variant_of(item: Product) -> ProductVariant:
    return ProductVariant.objects.get(product=item)


@pytest.fixture
def shelves(db):
    """Three products under one catalog-wide rule: selling fast, not selling, selling steadily."""
    return {
        "hot": product("Hot lamp", stock=5, sold=28),     # 1 a day, 5 days of cover: scarce
        "cold": product("Cold vase", stock=100),           # nothing sold: ample
        "steady": product("Steady mug", stock=30, sold=28),  # 30 days of cover: neither
    }


@pytest.mark.django_db
def test_a_recompute_prices_the_catalog_from_velocity_and_cover_and_records_why(
        shelves, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    demand = rule()
    version = catalog_version()

    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(26):
        result = prices_recompute(now=NOW)

    hot, cold, steady = (variant_of(shelves[name]) for name in ("hot", "cold", "steady"))
    # hot: +10% x (14 - 5) / 14 = +6.43% of £10.00
    assert (hot.price, hot.price_rule, hot.price_changed_at, hot.reduced_from) == (
        Decimal("10.64"), demand.code, NOW, None)
    # cold: -20% asked, held to -10% by the daily limit; announced against the 30-day lowest (£10.00)
    assert (cold.price, cold.price_rule, cold.reduced_from) == (Decimal("9.00"), demand.code, Decimal("10.00"))
    assert (steady.price, steady.price_rule, steady.price_changed_at) == (Decimal("10.00"), demand.code, None)
    assert Product.objects.get(pk=shelves["cold"].pk).price == Decimal("9.00")
    assert Product.objects.get(pk=shelves["cold"].pk).reduced_from == Decimal("10.00")
    assert Product.objects.get(pk=shelves["hot"].pk).price == Decimal("10.64")

    changes = {change.variant_id: change for change in PriceChange.objects.all()}
    assert set(changes) == {hot.pk, cold.pk}  # an unchanged price records nothing
    assert changes[cold.pk].inputs["clamps"] == ["daily_limit"]
    assert changes[cold.pk].inputs["cover_days"] is None and changes[cold.pk].inputs["stock"] == 100
    assert changes[hot.pk].inputs["velocity_per_day"] == "1.000"
    assert changes[hot.pk].inputs["cover_days"] == "5.0"
    assert changes[hot.pk].inputs["raw_adjustment_percent"] == "6.43"
    assert changes[hot.pk].run == result.run
    assert "1.000 sold a day over 28 days, 5 in stock (5.0 days of cover): 6.43%" in changes[hot.pk].explanation
    assert (result.run.status, result.run.prices_raised, result.run.prices_lowered) == ("finished", 1, 1)
    assert catalog_version() != version  # shared fragments showing the old prices are renewed


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_catalog(django_assert_max_num_queries):
    rule()
    for index in range(60):
        product(f"Item {index}", stock=index % 7, sold=index % 5)
    with django_assert_max_num_queries(26):
        result = prices_recompute(now=NOW)
    assert result.run.variants_seen == 60 and result.summary.up + result.summary.down >= 25


@pytest.mark.django_db
def test_cancelled_units_and_unplaced_orders_do_not_count_as_sales():
    demand = rule()
    lamp = product("Lamp", stock=5)
    paid = OrderFactory(placed_at=NOW - timedelta(days=2), status=OrderStatus.PAID)
    line = order_line_create(order=paid, product=lamp, quantity=28)
    line.quantity_cancelled = 28
    line.save()
    for status in (OrderStatus.PENDING, OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        order_line_create(order=OrderFactory(placed_at=NOW - timedelta(days=2), status=status), product=lamp,
                          quantity=50)
    old = OrderFactory(placed_at=NOW - timedelta(days=40), status=OrderStatus.DELIVERED)  # outside the window
    order_line_create(order=old, product=lamp, quantity=50)

    prices_recompute(now=NOW)

    change = PriceChange.objects.get()
    assert change.inputs["velocity_per_day"] == "0.000" and change.rule == demand.code
    assert variant_of(lamp).price == Decimal("9.00")  # nothing sold: the decrease, held by the daily limit


@pytest.mark.django_db
def test_repeated_recomputes_within_a_day_move_no_further_than_the_daily_limit(shelves):
    rule()
    for hour in range(0, 24, 3):
        prices_recompute(now=NOW + timedelta(hours=hour))
    assert variant_of(shelves["cold"]).price == Decimal("9.00")
    assert PriceChange.objects.filter(variant__product=shelves["cold"]).count() == 1

    prices_recompute(now=NOW + timedelta(hours=24, minutes=1))  # a day later: another 10% at most
    assert variant_of(shelves["cold"]).price == Decimal("8.10")
    prices_recompute(now=NOW + timedelta(hours=48, minutes=2))
    assert variant_of(shelves["cold"]).price == Decimal("8.00")  # the rule's -20% reached


@pytest.mark.django_db
def test_disabling_every_rule_brings_prices_back_towards_the_list_price_within_the_daily_limit(shelves):
    demand = rule()
    prices_recompute(now=NOW)
    prices_recompute(now=NOW + timedelta(days=1, minutes=1))
    assert variant_of(shelves["cold"]).price == Decimal("8.10")

    demand.enabled = False
    demand.save()
    prices_recompute(now=NOW + timedelta(days=2, minutes=2))
    cold, hot = variant_of(shelves["cold"]), variant_of(shelves["hot"])
    # +10% of £8.10; still below the £9.00 its last reduction quoted, so still announced
    assert (cold.price, cold.price_rule, cold.reduced_from) == (Decimal("8.91"), "list", Decimal("9.00"))
    assert (hot.price, hot.price_rule) == (Decimal("10.00"), "list")
    assert hot.reduced_from is None  # a return to the list price is not an announced reduction
    prices_recompute(now=NOW + timedelta(days=3, minutes=3))
    cold = variant_of(shelves["cold"])
    assert (cold.price, cold.reduced_from) == (Decimal("9.80"), None)  # back above the quoted £9.00
    prices_recompute(now=NOW + timedelta(days=4, minutes=4))
    cold = variant_of(shelves["cold"])
    assert (cold.price, cold.price_rule, cold.reduced_from) == (Decimal("10.00"), "list", None)


@pytest.mark.django_db
def test_a_category_rule_wins_over_the_catalog_wide_one_and_other_products_keep_theirs():
    lighting = CategoryFactory(name="Lighting")
    lamps = CategoryFactory(name="Lamps", parent=lighting)
    wide = rule(name="Everything", max_decrease_percent=Decimal("5"))
    lighting_rule = rule(name="Lighting", category=lighting, max_decrease_percent=Decimal("8"))
    lamp = product("Lamp", category=lamps, stock=40)
    mug = product("Mug", stock=40)

    prices_recompute(now=NOW)

    assert (variant_of(lamp).price, variant_of(lamp).price_rule) == (Decimal("9.20"), lighting_rule.code)
    assert (variant_of(mug).price, variant_of(mug).price_rule) == (Decimal("9.50"), wide.code)


@pytest.mark.django_db
def test_a_products_own_floor_and_ceiling_hold_whatever_the_rule():
    rule(max_increase_percent=Decimal("40"), max_decrease_percent=Decimal("40"))
    scarce = product("Scarce", stock=0, sold=28, price_ceiling=Decimal("10.30"))
    idle = product("Idle", stock=50, price_floor=Decimal("9.60"))

    prices_recompute(now=NOW)

    assert variant_of(scarce).price == Decimal("10.30")
    assert variant_of(idle).price == Decimal("9.60")
    assert PriceChange.objects.get(variant__product=idle).inputs["clamps"] == ["daily_limit", "floor"]


@pytest.mark.django_db
def test_a_dry_run_changes_nothing_and_says_what_would_move(shelves):
    rule()
    before = list(ProductVariant.objects.order_by("pk").values_list("price", "price_rule", "reduced_from"))
    products_before = list(Product.objects.order_by("pk").values_list("price", "reduced_from"))
    out = io.StringIO()

    call_command("recompute_prices", "--dry-run", stdout=out)

    assert list(ProductVariant.objects.order_by("pk").values_list("price", "price_rule", "reduced_from")) == before
    assert list(Product.objects.order_by("pk").values_list("price", "reduced_from")) == products_before
    assert not PriceChange.objects.exists()
    text = out.getvalue()
    assert "3 variants priced" in text and "2 would move (1 up, 1 down)" in text
    assert "Cold vase (SKU-" in text and "£10.00 -> £9.00 (-10.0%)" in text
    assert "Dry run: nothing was changed." in text
    assert PricingRun.objects.get().dry_run is True


@pytest.mark.django_db
def test_the_command_saves_and_summarises(shelves):
    rule()
    out = io.StringIO()
    call_command("recompute_prices", stdout=out)
    assert "2 moved (1 up, 1 down)" in out.getvalue() and "Prices saved." in out.getvalue()
    assert variant_of(shelves["cold"]).price == Decimal("9.00")


@pytest.mark.django_db
def test_the_scheduled_job_recomputes_and_is_safe_to_run_twice(shelves):
    rule()
    out = io.StringIO()
    call_command("run_scheduled_jobs", "recompute-demand-prices", stdout=out)
    call_command("run_scheduled_jobs", "recompute-demand-prices", stdout=out)

    assert "recompute-demand-prices: done (1 up, 1 down of 3 variants)" in out.getvalue()
    assert "recompute-demand-prices: done (0 up, 0 down of 3 variants)" in out.getvalue()
    assert variant_of(shelves["hot"]).price == Decimal("10.64")
    assert PriceChange.objects.count() == 2


@pytest.mark.django_db
def test_the_job_is_in_the_beat_schedule_hourly(settings):
    assert settings.CELERY_BEAT_SCHEDULE["recompute-demand-prices"] == {
        "task": "shop.pricing.tasks.recompute_demand_prices", "schedule": 60 * 60}


@pytest.mark.django_db
def test_while_a_recompute_runs_another_does_not_start(shelves):
    rule()
    PricingRun.objects.create(started_at=timezone.now(), status=PricingRunStatus.RUNNING)

    with pytest.raises(RecomputeInProgress):
        prices_recompute(now=NOW)
    out = io.StringIO()
    call_command("run_scheduled_jobs", "recompute-demand-prices", stdout=out)
    with pytest.raises(CommandError, match="being recomputed"):
        call_command("recompute_prices", stdout=io.StringIO())

    assert "skipped: another recompute is running" in out.getvalue()
    assert not PriceChange.objects.exists()
    assert variant_of(shelves["cold"]).price == Decimal("10.00")


@pytest.mark.django_db
def test_a_crashed_recompute_stops_blocking_after_the_stale_time(shelves, settings):
    rule()
    crashed = PricingRun.objects.create(started_at=timezone.now() - timedelta(seconds=settings.PRICING_RUN_STALE_SECONDS + 1),
                                        status=PricingRunStatus.RUNNING)
    prices_recompute(now=NOW)
    crashed.refresh_from_db()
    assert crashed.status == PricingRunStatus.ABANDONED
    assert variant_of(shelves["cold"]).price == Decimal("9.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_recomputes_at_once_on_postgresql_one_runs_one_is_refused():
    rule()
    product("Cold vase", stock=100)
    barrier = threading.Barrier(2)
    outcomes = []

    def recompute():
        try:
            barrier.wait()
            outcomes.append(prices_recompute(now=NOW).run.status)
        except RecomputeInProgress:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=recompute) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Either the second was refused while the first ran, or it started after and found nothing to move.
    assert outcomes.count("finished") >= 1
    assert PriceChange.objects.count() == 1
    assert ProductVariant.objects.get().price == Decimal("9.00")


# --- The 30-day reference of an announced reduction -----------------------------------------

def history(variant: ProductVariant, *moves: tuple[int, str]) -> None:
    """Price changes `days_ago` before NOW, each from the previous price, ending at the variant's price."""
    price = variant.price
    for days_ago, new in moves:
        PriceChange.objects.create(variant=variant, product_id=variant.product_id, old_price=price,
                                   new_price=Decimal(new), rule="list", source=PriceChangeSource.MERCHANT,
                                   changed_at=NOW - timedelta(days=days_ago))
        price = Decimal(new)
    variant.price = price
    variant.save()


@pytest.mark.django_db
def test_a_reduction_quotes_the_lowest_price_of_the_30_days_before_it():
    lamp = product("Lamp", price="20.00")
    variant = variant_of(lamp)
    # 40 days of history: £20 -> £12 (38 days ago) -> £18 (32 days ago: £12 ended before the window)
    # -> £16 (10 days ago) -> £19 (2 days ago). Lowest in force in the 30 days: £16.
    history(variant, (38, "12.00"), (32, "18.00"), (10, "16.00"), (2, "19.00"))
    variant.base_price = Decimal("19.00")
    variant.save()

    variant_list_price_set(variant=variant, list_price=Decimal("15.00"), now=NOW)

    variant.refresh_from_db()
    assert (variant.price, variant.reduced_from) == (Decimal("15.00"), Decimal("16.00"))
    assert Product.objects.get(pk=lamp.pk).reduced_from == Decimal("16.00")
    assert PriceChange.objects.latest("changed_at").reduced_from == Decimal("16.00")


@pytest.mark.django_db
def test_a_price_in_force_at_the_start_of_the_window_counts_though_it_was_set_before_it():
    variant = variant_of(product("Lamp", price="20.00"))
    history(variant, (38, "12.00"), (25, "18.00"))  # £12 was in force from 38 to 25 days ago

    variant_list_price_set(variant=variant, list_price=Decimal("15.00"), now=NOW)

    variant.refresh_from_db()
    assert (variant.price, variant.reduced_from) == (Decimal("15.00"), None)  # £12 < £15: no reduction to announce


@pytest.mark.django_db
def test_a_cut_to_no_lower_than_the_30_day_lowest_is_not_an_announced_reduction():
    variant = variant_of(product("Lamp", price="20.00"))
    history(variant, (20, "14.00"), (5, "19.00"))  # £14 was in force within the 30 days

    variant_list_price_set(variant=variant, list_price=Decimal("15.00"), now=NOW)

    variant.refresh_from_db()
    assert (variant.price, variant.reduced_from) == (Decimal("15.00"), None)


@pytest.mark.django_db
def test_a_price_older_than_30_days_is_not_the_reference_and_a_rise_back_ends_the_reduction():
    variant = variant_of(product("Lamp", price="20.00"))
    history(variant, (35, "12.00"), (31, "18.00"))  # £12 ended 31 days ago: outside the window

    variant_list_price_set(variant=variant, list_price=Decimal("15.00"), now=NOW)
    variant.refresh_from_db()
    assert variant.reduced_from == Decimal("18.00")

    variant_list_price_set(variant=variant, list_price=Decimal("17.00"), now=NOW + timedelta(days=1))
    variant.refresh_from_db()
    assert variant.reduced_from == Decimal("18.00")  # still below the reference: still announced
    variant_list_price_set(variant=variant, list_price=Decimal("18.00"), now=NOW + timedelta(days=2))
    variant.refresh_from_db()
    assert variant.reduced_from is None


@pytest.mark.django_db
def test_a_merchant_list_price_applies_at_once_and_is_the_next_daily_reference():
    rule()
    idle = product("Idle", price="10.00", stock=100)
    prices_recompute(now=NOW)
    variant = variant_of(idle)
    assert variant.price == Decimal("9.00")

    variant_list_price_set(variant=variant, list_price=Decimal("20.00"), now=NOW + timedelta(hours=1))
    variant.refresh_from_db()
    assert (variant.price, variant.base_price, variant.price_rule) == (Decimal("20.00"), Decimal("20.00"), "list")
    merchant = PriceChange.objects.get(source=PriceChangeSource.MERCHANT)
    assert (merchant.old_price, merchant.new_price, merchant.rule) == (Decimal("9.00"), Decimal("20.00"), "list")

    prices_recompute(now=NOW + timedelta(hours=2))  # 10% from £20, not from the £10 of yesterday
    variant.refresh_from_db()
    assert variant.price == Decimal("18.00")


@pytest.mark.django_db
def test_a_list_price_outside_the_products_bounds_is_refused_and_nothing_changes():
    variant = variant_of(product("Lamp", price="10.00", price_floor=Decimal("8.00"), price_ceiling=Decimal("12.00")))
    with pytest.raises(ListPriceRefused, match="above this product's ceiling"):
        variant_list_price_set(variant=variant, list_price=Decimal("13.00"))
    variant.refresh_from_db()
    assert (variant.price, variant.base_price) == (Decimal("10.00"), Decimal("10.00"))
    assert not PriceChange.objects.exists()


def test_guardrails_round_to_pence_and_never_go_negative():
    guarded = guarded_price(target=Decimal("-5"), list_price=Decimal("0.10"), floor=None, ceiling=None,
                            reference_price=Decimal("0.10"), max_daily_change=Decimal("0.10"), band=Decimal("0.25"))
    assert guarded.price == Decimal("0.09") and guarded.price >= 0
    assert guarded_price(target=Decimal("10.005"), list_price=Decimal("10"), floor=None, ceiling=None,
                         reference_price=Decimal("10"), max_daily_change=Decimal("0.10"),
                         band=Decimal("0.25")).price == Decimal("10.01")


@pytest.mark.django_db
def test_the_preview_counts_what_a_rule_would_move_without_saving(shelves):
    draft = DemandRule(name="Draft", enabled=False, max_increase_percent=Decimal("10"),
                       max_decrease_percent=Decimal("20"), velocity_window_days=28, scarce_cover_days=14,
                       ample_cover_days=60)
    preview = demand_rule_preview(rule=draft, now=NOW)

    assert (preview.products_in_scope, preview.summary.up, preview.summary.down, preview.summary.same) == (3, 1, 1, 1)
    assert preview.summary.max_down_percent == Decimal("20.0")  # the settled price, not the first day's
    assert preview.summary.max_up_percent == Decimal("6.4")
    assert preview.days_to_settle == 2
    assert [name for name, *_ in preview.summary.biggest] == ["Cold vase", "Hot lamp"]
    assert not DemandRule.objects.exists() and not PriceChange.objects.exists()
    assert variant_of(shelves["cold"]).price == Decimal("10.00")


@pytest.mark.django_db
def test_the_demo_gets_an_enabled_rule_once_and_its_scheduled_jobs_apply_it(shelves):
    out = io.StringIO()
    call_command("create_demo_demand_rule", stdout=out)
    call_command("create_demo_demand_rule", stdout=out)
    assert DemandRule.objects.get().enabled is True
    assert "A demand rule exists already: nothing created." in out.getvalue()

    call_command("run_scheduled_jobs", "recompute-demand-prices", stdout=io.StringIO())

    demo = DemandRule.objects.get()
    assert variant_of(shelves["cold"]).price == Decimal("9.00")  # nothing sold: down, within the daily limit
    assert variant_of(shelves["cold"]).price_rule == demo.code


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_task_runs_on_a_real_worker_through_the_broker():
    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from shop.pricing.tasks import recompute_demand_prices

    rule()
    cold = product("Cold vase", stock=100)
    app.conf.task_always_eager = False  # the shop's tests run tasks in-process; this one goes through Redis
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        outcome = recompute_demand_prices.delay().get(timeout=60)
    assert outcome == "0 up, 1 down of 1 variants"
    assert variant_of(cold).price == Decimal("9.00")


@pytest.mark.django_db
def test_a_price_outside_the_daily_limit_moves_back_inside_however_small_the_move():
    # £1.16 -> £1.05 exactly 24 hours ago, back to £1.16 an hour ago (within the limit of the £1.16 of
    # 24 hours before that). Now the price in force 24 hours ago is £1.05: £1.16 is 10.5% above it,
    # so it comes down to £1.15 although that move is under PRICING_MIN_CHANGE.
    variant = variant_of(product("Lamp", price="1.16"))
    for moment, old, new in ((NOW - timedelta(hours=24), "1.16", "1.05"), (NOW - timedelta(hours=1), "1.05", "1.16")):
        PriceChange.objects.create(variant=variant, product_id=variant.product_id, old_price=Decimal(old),
                                   new_price=Decimal(new), rule="list", changed_at=moment)

    prices_recompute(now=NOW)

    variant.refresh_from_db()
    assert variant.price == Decimal("1.15")


@pytest.mark.django_db
def test_a_list_price_set_while_the_recompute_computed_wins_over_the_computed_price(shelves):
    from shop.pricing.services import _plan_apply, price_plan

    rule()
    plan = price_plan(rules=list(DemandRule.objects.all()), now=NOW)  # the recompute has read the catalog
    cold = variant_of(shelves["cold"])
    variant_list_price_set(variant=cold, list_price=Decimal("12.00"), now=NOW)  # the merchant, meanwhile

    _plan_apply(plan=plan, now=NOW, run=None)

    cold.refresh_from_db()
    assert (cold.price, cold.price_rule) == (Decimal("12.00"), "list")
    assert variant_of(shelves["hot"]).price == Decimal("10.64")  # the others were written
    assert list(PriceChange.objects.filter(variant=cold).values_list("new_price", flat=True)) == [Decimal("12.00")]


@pytest.mark.django_db
def test_a_product_whose_other_variant_changed_meanwhile_gets_its_from_price_from_the_rows_as_they_are():
    from shop.pricing.services import _plan_apply, price_plan

    rule()
    vase = product("Vase", price="10.00", stock=100)
    large = ProductVariant.objects.create(product=vase, sku="VASE-L", price=Decimal("14.00"), stock_quantity=100)
    plan = price_plan(rules=list(DemandRule.objects.all()), now=NOW)
    variant_list_price_set(variant=variant_of_sku("SKU-" + str(vase.pk)), list_price=Decimal("16.00"), now=NOW)

    _plan_apply(plan=plan, now=NOW, run=None)

    large.refresh_from_db()
    assert large.price == Decimal("12.60")  # moved by the rule (-10% today)
    assert Product.objects.get(pk=vase.pk).price == Decimal("12.60")  # not the £9.00 planned for the other


def variant_of_sku(sku: str) -> ProductVariant:
    return ProductVariant.objects.get(sku=sku)


# --- How long price history is kept --------------------------------------------------------

@pytest.mark.django_db
def test_price_history_past_its_retention_is_purged_and_what_reads_history_is_unchanged(settings):
    from shop.pricing.selectors import lowest_price_before, product_price_history
    from shop.pricing.services import price_history_purge
    from shop.pricing.tasks import purge_old_price_history

    settings.PRICING_HISTORY_RETENTION_DAYS = 120
    lamp = product("Lamp", price="20.00")
    variant = variant_of(lamp)
    history(variant, (300, "14.00"), (130, "17.00"), (100, "12.00"), (20, "18.00"), (2, "16.00"))
    old_run = PricingRun.objects.create(started_at=NOW - timedelta(days=200), status=PricingRunStatus.FINISHED)
    recent_run = PricingRun.objects.create(started_at=NOW - timedelta(days=3), status=PricingRunStatus.FINISHED)
    stuck_run = PricingRun.objects.create(started_at=NOW - timedelta(days=150), status=PricingRunStatus.RUNNING)
    PriceChange.objects.filter(changed_at__lt=NOW - timedelta(days=120)).update(run=old_run)
    chart = product_price_history(product=lamp, now=NOW)
    lowest = lowest_price_before(variant_id=variant.pk, current_price=variant.price, now=NOW)

    purged = price_history_purge(now=NOW)

    assert (purged.price_changes, purged.runs) == (2, 1)
    assert sorted(PriceChange.objects.values_list("new_price", flat=True)) == [
        Decimal("12.00"), Decimal("16.00"), Decimal("18.00")]
    assert set(PricingRun.objects.values_list("pk", flat=True)) == {recent_run.pk, stuck_run.pk}
    assert product_price_history(product=lamp, now=NOW) == chart  # the 90-day chart reads no older row
    assert lowest_price_before(variant_id=variant.pk, current_price=variant.price, now=NOW) == lowest
    assert purge_old_price_history() == "0 price changes and 0 recompute runs purged"  # twice: nothing more


@pytest.mark.django_db
def test_the_purge_is_scheduled_daily_and_a_retention_shorter_than_the_chart_is_refused(settings):
    from shop.pricing.checks import price_history_kept_long_enough

    assert settings.CELERY_BEAT_SCHEDULE["purge-old-price-history"] == {
        "task": "shop.pricing.tasks.purge_old_price_history", "schedule": 24 * 60 * 60}
    assert price_history_kept_long_enough(None) == []
    settings.PRICING_HISTORY_RETENTION_DAYS = 60
    [error] = price_history_kept_long_enough(None)
    assert error.id == "pricing.E001" and "at least 90 days" in error.msg
