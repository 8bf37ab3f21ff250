"""Pricing reads: the price history a recompute needs, the history of a product.

Each function is one query, whatever the size of the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone

from primitives.money import round_money
from shop.catalog.models import ProductVariant
from shop.catalog.selectors import category_tree

from .models import DemandRule, PriceChange, PriceChangeSource, PricingRun, PricingRunStatus

DAY = timedelta(days=1)


@dataclass(frozen=True)
class DailyReference:
    """What the daily limit is measured from: the price in force 24 hours ago, or the merchant's
    own change since then (a list price the merchant set is the new starting point)."""

    price: Decimal
    since_merchant_change: bool


def daily_references(*, now: datetime) -> dict[int, DailyReference]:
    """{variant id: its reference}, for the variants whose price changed in the last 24 hours
    (any other variant's reference is its current price)."""
    references: dict[int, DailyReference] = {}
    rows = (PriceChange.objects.filter(changed_at__gt=now - DAY, changed_at__lte=now)
            .order_by("variant_id", "changed_at", "id")
            .values_list("variant_id", "old_price", "new_price", "source"))
    for variant_id, old_price, new_price, source in rows:
        if source == PriceChangeSource.MERCHANT:
            references[variant_id] = DailyReference(price=new_price, since_merchant_change=True)
        elif variant_id not in references:  # the first change of the day: its old price was in force then
            references[variant_id] = DailyReference(price=old_price, since_merchant_change=False)
    return references


def lowest_prices_in_window(*, now: datetime, days: int | None = None,
                            variant_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """{variant id: the lowest price in force in the `days` (30) before now, by its changes}.

    A variant's current price was in force too: callers take the lower of the two."""
    days = days or settings.PRICING_REDUCTION_REFERENCE_DAYS
    changes = PriceChange.objects.filter(changed_at__gt=now - timedelta(days=days), changed_at__lte=now)
    if variant_ids is not None:
        changes = changes.filter(variant_id__in=list(variant_ids))
    rows = (changes.values("variant_id").annotate(low_old=Min("old_price"), low_new=Min("new_price")).order_by())
    return {row["variant_id"]: min(Decimal(row["low_old"]), Decimal(row["low_new"])) for row in rows}


def lowest_price_before(*, variant_id: int, current_price: Decimal, now: datetime) -> Decimal:
    """The lowest price a variant had in the 30 days before now (its current price included)."""
    lowest = lowest_prices_in_window(now=now, variant_ids=[variant_id])
    return min(current_price, lowest.get(variant_id, current_price))


def enabled_demand_rules() -> list[DemandRule]:
    return list(DemandRule.objects.filter(enabled=True).order_by("id"))


RECOMPUTE_RUNNING_MESSAGE = "Prices are being recomputed; try again in a minute."


def recompute_running() -> PricingRun | None:
    """The recompute running now, if any (a crashed one stops counting after PRICING_RUN_STALE_SECONDS)."""
    stale = timezone.now() - timedelta(seconds=settings.PRICING_RUN_STALE_SECONDS)
    return PricingRun.objects.filter(status=PricingRunStatus.RUNNING, started_at__gt=stale).first()


# The product page's price chart in the admin covers this many days; price history is kept at least
# this long (PRICING_HISTORY_RETENTION_DAYS, checked at start-up).
PRICE_CHART_DAYS = 90


@dataclass(frozen=True)
class HistoryPoint:
    at: datetime
    price: Decimal


def product_price_history(*, product, now: datetime, days: int = PRICE_CHART_DAYS) -> list[HistoryPoint]:
    """The product's "from" price (its lowest variant price) over the last `days`, one point per
    change plus the start and now: a step line."""
    start = now - timedelta(days=days)
    changes = list(PriceChange.objects.filter(product=product, changed_at__gt=start)
                   .order_by("changed_at", "id").values_list("variant_id", "old_price", "new_price", "changed_at"))
    current = {variant_id: price for variant_id, price in product.variants.values_list("id", "price")}
    if not current:
        return []
    # Walk back from the current prices to those in force at the start.
    prices = dict(current)
    for variant_id, old_price, _new, _at in reversed(changes):
        if variant_id in prices:
            prices[variant_id] = old_price
    points = [HistoryPoint(at=start, price=min(prices.values()))]
    for variant_id, _old, new_price, at in changes:
        if variant_id in prices:
            prices[variant_id] = new_price
            points.append(HistoryPoint(at=at, price=min(prices.values())))
    points.append(HistoryPoint(at=now, price=min(current.values())))
    return points


@dataclass(frozen=True)
class BoundConflict:
    title: str
    sku: str
    list_price: Decimal
    bound_name: str  # "floor" or "ceiling"
    bound: Decimal
    move: str        # "a 20% decrease"
    extreme: Decimal


@dataclass(frozen=True)
class BoundConflicts:
    count: int  # products
    example: BoundConflict | None


def rule_bound_conflicts(*, category, max_increase_percent: Decimal, max_decrease_percent: Decimal) -> BoundConflicts:
    """Products in the scope whose own floor or ceiling the rule's range could cross (at its
    extremes, before guardrails): a rule must fit inside the bounds the merchant set."""
    variants = (ProductVariant.objects.filter(Q(product__price_floor__isnull=False)
                                              | Q(product__price_ceiling__isnull=False))
                .select_related("product").only("sku", "base_price", "product__title", "product__price_floor",
                                                "product__price_ceiling").order_by("product__title", "id"))
    if category is not None:
        variants = variants.filter(product__category_id__in=category_tree().descendant_ids(category))
    hundred = Decimal("100")
    products, example = set(), None
    for variant in variants:
        product = variant.product
        lowest = round_money(variant.base_price * (1 - max_decrease_percent / hundred))
        highest = round_money(variant.base_price * (1 + max_increase_percent / hundred))
        conflict = None
        if product.price_floor is not None and lowest < product.price_floor:
            conflict = BoundConflict(product.title, variant.sku, variant.base_price, "floor", product.price_floor,
                                     f"a {max_decrease_percent:g}% decrease", lowest)
        elif product.price_ceiling is not None and highest > product.price_ceiling:
            conflict = BoundConflict(product.title, variant.sku, variant.base_price, "ceiling", product.price_ceiling,
                                     f"a {max_increase_percent:g}% increase", highest)
        if conflict is not None:
            products.add(product.pk)
            example = example or conflict
    return BoundConflicts(count=len(products), example=example)
