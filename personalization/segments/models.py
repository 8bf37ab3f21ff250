"""Customer segments' rows: each run, who fell in which segment, and the segment discounts.

Its tables are named after the label whose migrations created them (`personalization_<model>`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .discount_rules import segment_discount_percent_problems
from .names import SEGMENT_NAMES


class SegmentRun(models.Model):
    """One computation of customer segments: which k, how well separated, and each segment's profile.

    `segments` holds, per reported segment, its name, size and mean recency (days),
    frequency (orders) and monetary value (spend per customer); no segment smaller than
    `min_size` is reported. `movement` counts customers per (previous, current) segment,
    with the same minimum.
    """

    computed_at = models.DateTimeField(db_index=True)
    customers = models.PositiveIntegerField(default=0)
    k = models.PositiveSmallIntegerField(default=0)
    silhouette = models.FloatField(null=True, blank=True)
    min_size = models.PositiveIntegerField()
    suppressed = models.PositiveIntegerField(default=0, help_text="Customers in no reported segment.")
    segments = models.JSONField(default=list)
    movement = models.JSONField(default=list)

    class Meta:
        db_table = "personalization_segmentrun"
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"Segments of {self.computed_at:%Y-%m-%d %H:%M}"


class SegmentMembership(models.Model):
    """Which segment a consenting customer fell into in one run. Personal data: exported and erased."""

    run = models.ForeignKey(SegmentRun, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    segment = models.CharField(max_length=40)

    class Meta:
        db_table = "personalization_segmentmembership"
        constraints = [models.UniqueConstraint(fields=["run", "user"], name="segment_membership_once_per_run")]

    def __str__(self) -> str:
        return f"{self.segment} (run {self.run_id})"


def segment_choices() -> list[tuple[str, str]]:
    """The segments segmentation names (from recency, frequency and spend only)."""
    return [(name, name.capitalize()) for name in SEGMENT_NAMES]


SEGMENT_INPUTS_NOTE = ("Segments come from the recency, frequency and monetary value of a customer's orders "
                       "only; country, device, browsing intensity and sensitive attributes are never inputs.")


class SegmentDiscount(models.Model):
    """A lower price for the customers of one segment: a personalized price, given only with consent.

    Only discounts exist (0 < percent < 100, and at most PERSONALIZATION_MAX_SEGMENT_DISCOUNT
    through the admin): a personalized mark-up cannot be stored. At most one enabled discount
    per segment. The strategy in personalization/segments/pricing.py applies it to signed-in customers
    with personalization consent in force who are in that segment in the latest run; everyone
    else pays the public price. The rule names no person; which rule applies to whom is the
    person's segment membership (personal data, exported and erased).
    """

    segment = models.CharField(max_length=40, choices=segment_choices, help_text=SEGMENT_INPUTS_NOTE)
    percent = models.DecimalField(
        "discount (%)", max_digits=5, decimal_places=2,
        help_text="How much lower than the public price, in percent: more than 0, at most "
                  "PERSONALIZATION_MAX_SEGMENT_DISCOUNT. Never below the product's price floor.")
    enabled = models.BooleanField(default=True)
    reason = models.CharField(max_length=80, help_text="Shown to the shopper beside the price, e.g. "
                                                       "\"Thank you for being a loyal customer\".")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "personalization_segmentdiscount"
        ordering = ["segment", "-enabled", "-updated_at"]
        verbose_name = "personalized price (segment discount)"
        verbose_name_plural = "personalized prices (segment discounts)"
        constraints = [
            models.UniqueConstraint(fields=["segment"], condition=models.Q(enabled=True),
                                    name="segment_discount_one_enabled_per_segment",
                                    violation_error_message="This segment already has an enabled discount: "
                                                            "disable that one first."),
            models.CheckConstraint(condition=models.Q(percent__gt=0, percent__lt=100),
                                   name="segment_discount_only_lower",
                                   violation_error_message="A segment price can only be lower: personalized "
                                                           "mark-ups are not allowed."),
        ]

    def clean(self) -> None:
        # The segment is checked against the segments computed (choices), the percent here.
        problems = segment_discount_percent_problems(self.percent)
        if problems:
            raise ValidationError({"percent": problems})

    def __str__(self) -> str:
        return f"{self.segment}: {self.percent}% off{'' if self.enabled else ' (disabled)'}"
