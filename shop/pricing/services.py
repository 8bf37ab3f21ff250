"""Pricing writes: the recompute of demand prices for the whole catalog, and a rule's preview.

`prices_recompute` reads the catalog, the sales and the recent price history in a fixed number
of queries, asks each variant's rule (or the list price) for a target, passes it through the
guardrails, and writes what moved in a fixed number of statements too (`bulk.py`).
"""

from __future__ import annotations

import logging
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from primitives.audit import audit_entries_build
from primitives.money import round_money
from shop.catalog.fragments import catalog_changed
from shop.catalog.models import Product, ProductVariant
from shop.catalog.selectors import category_tree

from . import LIST_PRICE_RULE
from .bulk import rows_insert, rows_update
from .demand import RuleParameters, demand_signal
from .guardrails import guarded_price
from .models import DemandRule, PriceChange, PriceChangeSource, PricingRun, PricingRunStatus
from .reductions import reduced_from_after
from .sales import units_sold_by_variant
from .selectors import (
    RECOMPUTE_RUNNING_MESSAGE,
    daily_references,
    enabled_demand_rules,
    lowest_prices_in_window,
)

logger = logging.getLogger(__name__)

HUNDRED = Decimal("100")
NO_DAILY_LIMIT = Decimal("1000000")


class RecomputeInProgress(Exception):
    """Another recompute is running: this one did not start."""


@dataclass
class VariantPricing:
    """What the rules and guardrails ask for one variant."""

    variant: ProductVariant
    product: Product
    rule: DemandRule | None
    code: str
    new_price: Decimal
    reduced_from: Decimal | None
    inputs: dict
    clamps: tuple[str, ...]
    moves: bool  # the price changes (a move too small to make is not one)
    old_price: Decimal  # the price before (the variant's own is updated when the plan is applied)


@dataclass
class PricePlan:
    entries: list[VariantPricing]
    products: dict[int, Product]

    @property
    def moves(self) -> list[VariantPricing]:
        return [entry for entry in self.entries if entry.moves]

    @property
    def clamped(self) -> int:
        return sum(1 for entry in self.entries if entry.clamps)


def _category_chains() -> dict[int, list[int]]:
    """{category id: [itself, its parent, ... the root]}."""
    tree = category_tree()
    return {category_id: [category_id, *(ancestor.pk for ancestor in reversed(tree.ancestors(category)))]
            for category_id, category in tree.by_id.items()}


def _rule_chooser(rules: Iterable[DemandRule]) -> Callable[[list[int]], DemandRule | None]:
    """The rule for a product: the rule of its nearest category with one, else a catalog-wide rule
    (the oldest rule wins a tie)."""
    ordered = sorted(rules, key=lambda rule: (rule.pk is None, rule.pk or 0))
    scoped: dict[int, DemandRule] = {}
    for rule in ordered:
        if rule.category_id is not None:
            scoped.setdefault(rule.category_id, rule)
    catalog_wide = next((rule for rule in ordered if rule.category_id is None), None)

    def choose(chain: list[int]) -> DemandRule | None:
        for category_id in chain:
            if category_id in scoped:
                return scoped[category_id]
        return catalog_wide

    return choose


def _parameters(rule: DemandRule) -> RuleParameters:
    return RuleParameters(max_increase_percent=rule.max_increase_percent,
                          max_decrease_percent=rule.max_decrease_percent,
                          scarce_cover_days=rule.scarce_cover_days, ample_cover_days=rule.ample_cover_days)


def price_plan(*, rules: list[DemandRule], now: datetime, daily_limit: bool = True) -> PricePlan:
    """Every variant's price under `rules` at `now`, through the guardrails. Reads only.

    Without `daily_limit`, the prices the rules settle at (what a preview shows)."""
    products_qs = Product.objects.only("id", "title", "category_id", "price", "reduced_from", "price_floor",
                                       "price_ceiling")
    variants_qs = ProductVariant.objects.only("id", "product_id", "sku", "base_price", "price", "price_rule",
                                              "reduced_from", "price_changed_at", "stock_quantity").order_by("id")
    products = {product.pk: product for product in products_qs}
    variants = list(variants_qs)
    chains = _category_chains()
    choose = _rule_chooser(rules)
    sales = units_sold_by_variant(windows={rule.velocity_window_days for rule in rules}, now=now)
    references = daily_references(now=now) if daily_limit else {}
    lowest = lowest_prices_in_window(now=now)
    max_daily_change = settings.PRICING_MAX_DAILY_CHANGE if daily_limit else NO_DAILY_LIMIT
    band, min_change = settings.PRICING_DEFAULT_BAND, settings.PRICING_MIN_CHANGE

    entries = []
    for variant in variants:
        product = products[variant.product_id]
        rule = choose(chains.get(product.category_id, []))
        if rule is not None:
            window = rule.velocity_window_days
            signal = demand_signal(units_sold=sales.get(variant.pk, {}).get(window, 0), window_days=window,
                                   stock=variant.stock_quantity, rule=_parameters(rule))
            target = variant.base_price * (1 + signal.adjustment)
            code, inputs = rule.code, {"window_days": window, **signal.inputs()}
        else:
            target, code, inputs = variant.base_price, LIST_PRICE_RULE, {}
        reference = references[variant.pk].price if variant.pk in references else variant.price
        guarded = guarded_price(target=target, list_price=variant.base_price, floor=product.price_floor,
                                ceiling=product.price_ceiling, reference_price=reference,
                                max_daily_change=max_daily_change, band=band)
        new_price = guarded.price
        moves = new_price != variant.price
        if (moves and abs(new_price - variant.price) < variant.price * min_change
                and new_price != variant.base_price and guarded.allows(variant.price)):
            moves, new_price = False, variant.price  # pennies of churn, and the price keeps its guardrails
        reduced_from = variant.reduced_from
        if moves:
            reduced_from = reduced_from_after(
                old_price=variant.price, new_price=new_price, current_reduced_from=variant.reduced_from,
                lowest_before=min(variant.price, lowest.get(variant.pk, variant.price)))
        inputs.update({"list_price": str(variant.base_price), "target": str(round_money(max(target, Decimal("0")))),
                       "reference_price": str(reference), "floor": str(guarded.bounds.low),
                       "ceiling": str(guarded.bounds.high), "clamps": list(guarded.clamps)})
        entries.append(VariantPricing(variant=variant, product=product, rule=rule, code=code, new_price=new_price,
                                      reduced_from=reduced_from, inputs=inputs, clamps=guarded.clamps, moves=moves,
                                      old_price=variant.price))
    return PricePlan(entries=entries, products=products)


def _plan_apply(*, plan: PricePlan, now: datetime, run: PricingRun | None) -> None:
    """Write the plan: the variants that moved (or whose rule changed), their history, their products.

    The variant rows are locked first (in primary-key order, as checkout locks them) and a move
    is made only if its variant still has the price and list price it was computed from: a list
    price the merchant set meanwhile wins, and the next recompute starts from it."""
    if not any(entry.moves or entry.code != entry.variant.price_rule for entry in plan.entries):
        return
    current = {pk: (price, list_price) for pk, price, list_price in ProductVariant.objects.select_for_update()
               .order_by("pk").values_list("pk", "price", "base_price")}
    changed_variants, changes, changed_meanwhile = [], [], set()
    for entry in plan.entries:
        variant = entry.variant
        if current.get(variant.pk) != (entry.old_price, variant.base_price):
            entry.moves, entry.code = False, variant.price_rule  # changed since it was read: left alone
            changed_meanwhile.add(variant.product_id)
            continue
        if entry.moves:
            changes.append({"variant_id": variant.pk, "product_id": variant.product_id,
                            "old_price": variant.price, "new_price": entry.new_price,
                            "reduced_from": entry.reduced_from, "rule": entry.code,
                            "source": PriceChangeSource.RECOMPUTE, "inputs": entry.inputs,
                            "changed_at": now, "run": run})
            variant.price, variant.reduced_from, variant.price_changed_at = entry.new_price, entry.reduced_from, now
            variant.price_rule = entry.code
            changed_variants.append(variant)
        elif entry.code != variant.price_rule:
            variant.price_rule = entry.code
            changed_variants.append(variant)
    if not changed_variants:
        return
    rows_update(model=ProductVariant, fields=["price", "price_rule", "price_changed_at", "reduced_from"],
                rows=[(variant.pk, variant.price, variant.price_rule, variant.price_changed_at, variant.reduced_from)
                      for variant in changed_variants])
    rows_insert(objects=audit_entries_build(PriceChange, changes))
    touched = {variant.product_id for variant in changed_variants}
    by_product: dict[int, list[ProductVariant]] = defaultdict(list)
    for entry in plan.entries:
        if entry.variant.product_id in touched - changed_meanwhile:
            by_product[entry.variant.product_id].append(entry.variant)
    if touched & changed_meanwhile:  # those products' other variants are read again, as they are now
        for variant in ProductVariant.objects.filter(product_id__in=touched & changed_meanwhile).only(
                "id", "product_id", "price", "reduced_from"):
            by_product[variant.product_id].append(variant)
    changed_products = []
    for product_id, variants in by_product.items():
        product = plan.products[product_id]
        price, reduced_from = product_from_price(variants)
        if (product.price, product.reduced_from) != (price, reduced_from):
            product.price, product.reduced_from, product.updated_at = price, reduced_from, now
            changed_products.append(product)
    rows_update(model=Product, fields=["price", "reduced_from", "updated_at"],
                rows=[(product.pk, product.price, product.reduced_from, product.updated_at)
                      for product in changed_products])
    catalog_changed()


def product_from_price(variants: Iterable[ProductVariant]) -> tuple[Decimal, Decimal | None]:
    """A product's 'from' price (its lowest variant price) and that variant's announced reduction."""
    lowest = min(variants, key=lambda variant: (variant.price, -(variant.reduced_from or 0)))
    return lowest.price, lowest.reduced_from


def _run_start(*, trigger: str) -> PricingRun:
    """Take the one running slot (a unique constraint), abandoning a crashed run first."""
    started = timezone.now()
    stale = started - timedelta(seconds=settings.PRICING_RUN_STALE_SECONDS)
    PricingRun.objects.filter(status=PricingRunStatus.RUNNING, started_at__lte=stale).update(
        status=PricingRunStatus.ABANDONED, finished_at=started)
    try:
        with transaction.atomic():
            return PricingRun.objects.create(started_at=started, status=PricingRunStatus.RUNNING, trigger=trigger)
    except IntegrityError as error:
        raise RecomputeInProgress(RECOMPUTE_RUNNING_MESSAGE) from error


@dataclass
class MoveSummary:
    """How a set of prices moves: counts up, down and unchanged, and by how much (percent)."""

    total: int
    up: int
    down: int
    same: int
    mean_up_percent: Decimal | None = None
    median_up_percent: Decimal | None = None
    max_up_percent: Decimal | None = None
    mean_down_percent: Decimal | None = None
    median_down_percent: Decimal | None = None
    max_down_percent: Decimal | None = None
    biggest: list[tuple[str, Decimal, Decimal, Decimal]] = field(default_factory=list)  # (name, old, new, %)


def _percent(old: Decimal, new: Decimal) -> Decimal:
    return ((new - old) / old * HUNDRED) if old else Decimal("0")


def moves_summary(pairs: Iterable[tuple[str, Decimal, Decimal]], *, examples: int = 5) -> MoveSummary:
    """Summarise (name, old price, new price) pairs."""
    pairs = list(pairs)
    ups = [(name, old, new, _percent(old, new)) for name, old, new in pairs if new > old]
    downs = [(name, old, new, _percent(old, new)) for name, old, new in pairs if new < old]
    one = Decimal("0.1")

    def stats(moves):
        if not moves:
            return None, None, None
        values = [abs(move[3]) for move in moves]
        return (Decimal(sum(values) / len(values)).quantize(one), Decimal(statistics.median(values)).quantize(one),
                max(values).quantize(one))

    mean_up, median_up, max_up = stats(ups)
    mean_down, median_down, max_down = stats(downs)
    biggest = sorted(ups + downs, key=lambda move: (-abs(move[3]), move[0]))[:examples]
    return MoveSummary(total=len(pairs), up=len(ups), down=len(downs), same=len(pairs) - len(ups) - len(downs),
                       mean_up_percent=mean_up, median_up_percent=median_up, max_up_percent=max_up,
                       mean_down_percent=mean_down, median_down_percent=median_down, max_down_percent=max_down,
                       biggest=[(name, old, new, percent.quantize(one)) for name, old, new, percent in biggest])


@dataclass
class RecomputeResult:
    run: PricingRun
    summary: MoveSummary  # per variant that the rules priced or moved
    clamped: int


def prices_recompute(*, dry_run: bool = False, now: datetime | None = None, trigger: str = "command",
                     progress: Callable[[str], None] | None = None) -> RecomputeResult:
    """Recompute every variant's demand price and store what moved (the whole catalog, in a fixed
    number of queries). Sets each variant's price, rule, change time and announced reduction, then
    each product's 'from' price; records a PriceChange per move and renews shared fragments after
    commit.

    One at a time: raises RecomputeInProgress when another is running. Safe to run twice: the
    second run finds nothing more to move (the daily limit is measured from 24 hours ago).
    A dry run computes the same and writes only its run record. `progress` hears each stage."""
    now = now or timezone.now()
    say = progress or (lambda message: None)
    clock = time.perf_counter()
    if dry_run:
        plan = price_plan(rules=enabled_demand_rules(), now=now)
        say(f"Priced {len(plan.entries)} variants (dry run: nothing is written).")
        summary = _plan_summary(plan)
        run = PricingRun.objects.create(
            started_at=timezone.now(), finished_at=timezone.now(), status=PricingRunStatus.FINISHED, dry_run=True,
            trigger=trigger, variants_seen=len(plan.entries), prices_raised=summary.up,
            prices_lowered=summary.down, clamped=plan.clamped, duration_seconds=time.perf_counter() - clock)
        return RecomputeResult(run=run, summary=summary, clamped=plan.clamped)
    run = _run_start(trigger=trigger)
    try:
        with transaction.atomic():
            plan = price_plan(rules=enabled_demand_rules(), now=now)
            say(f"Priced {len(plan.entries)} variants; writing {len(plan.moves)} price changes ...")
            _plan_apply(plan=plan, now=now, run=run)
    except Exception as error:
        PricingRun.objects.filter(pk=run.pk).update(status=PricingRunStatus.FAILED, finished_at=timezone.now(),
                                                    error=f"{type(error).__name__}: {error}"[:300],
                                                    duration_seconds=time.perf_counter() - clock)
        raise
    summary = _plan_summary(plan, moved_only=True)
    run.status, run.finished_at = PricingRunStatus.FINISHED, timezone.now()
    run.variants_seen, run.prices_raised, run.prices_lowered = len(plan.entries), summary.up, summary.down
    run.clamped, run.duration_seconds = plan.clamped, time.perf_counter() - clock
    run.save()
    logger.info("pricing run %s: %s variants, %s up, %s down, %s held by a guardrail, %.2f s",
                run.pk, run.variants_seen, run.prices_raised, run.prices_lowered, run.clamped, run.duration_seconds)
    return RecomputeResult(run=run, summary=summary, clamped=plan.clamped)


def _plan_summary(plan: PricePlan, *, moved_only: bool = False) -> MoveSummary:
    entries = plan.moves if moved_only else plan.entries
    return moves_summary((f"{entry.product.title} ({entry.variant.sku})", entry.old_price, entry.new_price)
                         for entry in entries)


@dataclass
class RulePreview:
    """A rule's effect on the catalog, were it enabled: products it would price, how they move."""

    products_in_scope: int
    products_total: int
    summary: MoveSummary  # per product 'from' price, once the prices settle
    days_to_settle: int   # the daily limit spreads larger moves over this many days
    clamped: int          # variants a floor or ceiling would hold


def demand_rule_preview(*, rule: DemandRule, now: datetime | None = None) -> RulePreview:
    """What enabling `rule` (saved or not; nothing is written) would do to the whole catalog's
    prices, next to the other enabled rules: the prices it settles at against today's."""
    now = now or timezone.now()
    others = [other for other in enabled_demand_rules() if rule.pk is None or other.pk != rule.pk]
    plan = price_plan(rules=[*others, rule], now=now, daily_limit=False)
    by_product: dict[int, list[VariantPricing]] = defaultdict(list)
    for entry in plan.entries:
        if entry.rule is rule:
            by_product[entry.product.pk].append(entry)
    pairs = []
    for entries in by_product.values():
        product = entries[0].product
        new_from = min(entry.new_price for entry in entries)
        old_from = min(entry.variant.price for entry in entries)
        pairs.append((product.title, old_from, new_from))
    summary = moves_summary(pairs)
    largest = max((abs(move[3]) for move in summary.biggest), default=Decimal("0"))
    daily = settings.PRICING_MAX_DAILY_CHANGE * HUNDRED
    days = int(-(-largest // daily)) if largest else 0
    clamped = sum(1 for entries in by_product.values() for entry in entries if entry.clamps)
    return RulePreview(products_in_scope=len(by_product), products_total=len(plan.products), summary=summary,
                       days_to_settle=days, clamped=clamped)


@dataclass(frozen=True)
class HistoryPurged:
    price_changes: int
    runs: int


def price_history_purge(*, now: datetime | None = None) -> HistoryPurged:
    """Delete price changes and finished recompute runs older than PRICING_HISTORY_RETENTION_DAYS.

    Everything that reads history looks back at most PRICE_CHART_DAYS (the 24-hour limit, the
    30-day reference, the admin's chart), walking back from the prices in force, so older rows are
    not needed. A running recompute is never deleted. Safe to run twice: the second finds nothing.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.PRICING_HISTORY_RETENTION_DAYS)
    changes = PriceChange.objects.filter(changed_at__lt=cutoff).delete()[1].get(PriceChange._meta.label, 0)
    runs = (PricingRun.objects.filter(started_at__lt=cutoff).exclude(status=PricingRunStatus.RUNNING)
            .delete()[1].get(PricingRun._meta.label, 0))
    return HistoryPurged(price_changes=changes, runs=runs)
