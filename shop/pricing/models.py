"""Demand rules, the price history and the log of recomputes.

A demand rule turns a variant's sales velocity and stock cover into an adjustment of its list
price, within the rule's own bounds; the guardrails (`guardrails.py`) then keep the result within
the product's floor and ceiling and the daily change limit. Every price that moves is recorded as
a `PriceChange` with the inputs that moved it, so a merchant can see why and the 30-day reference
of an announced reduction can be read from the history.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from primitives.audit import audit_trail
from shop.catalog.models import Category, Product, ProductVariant

DEMAND_RULE_PREFIX = "demand:"


class DemandRule(models.Model):
    """A merchant's rule: the same price for everyone, from sales velocity and days of stock cover.

    Cover = units in stock / units sold per day over the window. Below `scarce_cover_days` the
    price rises towards `max_increase_percent` (all of it at zero cover); above
    `ample_cover_days` it falls towards `max_decrease_percent` (all of it at twice that cover, or
    when nothing sold); in between it stays at the list price.
    """

    name = models.CharField(max_length=120)
    enabled = models.BooleanField(default=False, help_text="Preview the rule before enabling it.")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 help_text="Only products in this category and its subcategories; "
                                           "empty for the whole catalog. A category's own rule wins over "
                                           "a catalog-wide one.")
    max_increase_percent = models.DecimalField(
        "largest increase (%)", max_digits=5, decimal_places=2, default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0"))], help_text="Above the list price, when stock runs short.")
    max_decrease_percent = models.DecimalField(
        "largest decrease (%)", max_digits=5, decimal_places=2, default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0"))], help_text="Below the list price, when stock sits unsold.")
    velocity_window_days = models.PositiveIntegerField(
        "sales window (days)", default=28, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Units sold per day are counted over this many days (placed orders, less cancellations).")
    scarce_cover_days = models.PositiveIntegerField(
        "scarce below (days of cover)", default=14, validators=[MinValueValidator(1)],
        help_text="Fewer days of stock than this at the current pace of sales raises the price.")
    ample_cover_days = models.PositiveIntegerField(
        "ample above (days of cover)", default=120, validators=[MinValueValidator(1)],
        help_text="More days of stock than this lowers the price.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-enabled", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        """What a price set by this rule records as its rule: "demand:<id>"."""
        return f"{DEMAND_RULE_PREFIX}{self.pk}"


class PriceChangeSource(models.TextChoices):
    RECOMPUTE = "recompute", "Scheduled recompute"
    MERCHANT = "merchant", "Merchant's change"


@audit_trail(details=("inputs",))
class PriceChange(models.Model):
    """One variant's price moving: from what, to what, by which rule and why (its inputs); written
    through primitives.audit."""

    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="price_changes")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_changes")
    old_price = models.DecimalField(max_digits=10, decimal_places=2)
    new_price = models.DecimalField(max_digits=10, decimal_places=2)
    # The announced reduction the variant carries after this change (the 30-day lowest), if any.
    reduced_from = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    rule = models.CharField(max_length=60, help_text='"list" or "demand:<rule id>".')
    source = models.CharField(max_length=16, choices=PriceChangeSource.choices, default=PriceChangeSource.RECOMPUTE)
    # velocity (units/day), stock, cover_days, raw_adjustment, target, clamps applied, reference price
    inputs = models.JSONField(default=dict, blank=True)
    changed_at = models.DateTimeField(db_index=True)
    run = models.ForeignKey("PricingRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="changes")

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["variant", "changed_at"]), models.Index(fields=["product", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.old_price} → {self.new_price} ({self.rule})"

    @property
    def explanation(self) -> str:
        """The inputs in one line: "2.1 sold a day, 9 in stock (4.3 days of cover): +6.9%; held by the daily limit"."""
        inputs = self.inputs or {}
        if self.source == PriceChangeSource.MERCHANT:
            reason = inputs.get("reason") or "the merchant set the list price"
        elif "velocity_per_day" in inputs:
            cover = inputs.get("cover_days")
            cover_text = f"{cover} days of cover" if cover is not None else "no sales"
            reason = (f"{inputs['velocity_per_day']} sold a day over {inputs.get('window_days')} days, "
                      f"{inputs.get('stock')} in stock ({cover_text}): {inputs.get('raw_adjustment_percent')}%")
        else:
            reason = "back towards the list price"
        clamps = inputs.get("clamps") or []
        if clamps:
            reason += "; held by the " + " and ".join(clamp.replace("_", " ") for clamp in clamps)
        return reason

    @property
    def change_percent(self) -> Decimal | None:
        if not self.old_price:
            return None
        return ((self.new_price - self.old_price) / self.old_price * 100).quantize(Decimal("0.1"))


class PricingRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"
    ABANDONED = "abandoned", "Abandoned (did not finish in time)"


class PricingRun(models.Model):
    """One recompute of the catalog's demand prices.

    At most one row is running at a time (a constraint, so it holds across processes and on the
    embedded default, which has no shared cache): it is the lock that keeps two recomputes apart
    and refuses rule edits while one runs.
    """

    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=PricingRunStatus.choices, default=PricingRunStatus.RUNNING)
    dry_run = models.BooleanField(default=False)
    trigger = models.CharField(max_length=40, blank=True, help_text="What started it: the schedule, a command.")
    variants_seen = models.PositiveIntegerField(default=0)
    prices_raised = models.PositiveIntegerField(default=0)
    prices_lowered = models.PositiveIntegerField(default=0)
    clamped = models.PositiveIntegerField(default=0, help_text="Prices a guardrail held back.")
    duration_seconds = models.FloatField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["status"], condition=models.Q(status="running"),
                                               name="pricing_run_one_running")]

    def __str__(self) -> str:
        return f"Pricing run {self.pk} ({self.status})"
