"""The merchant's screens for customer segments and segment prices.

Segment screens show each run's released report (personalization/segments/released.py): sizes,
profiles and moves with noise added once per run, never the exact figures the run stored; groups
whose released size is under SEGMENT_MIN_SIZE are left out.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format

from primitives.charts import horizontal_bars
from primitives.money import format_money

from .models import SEGMENT_INPUTS_NOTE, SegmentDiscount, SegmentRun
from .pricing import segment_discount_effect
from .released import SegmentReport, segment_report, with_released_reports
from .selectors import segment_runs_newest_first

CHART_WIDTH, BAR_HEIGHT, LABEL_WIDTH = 640, 26, 130
NOISE_NOTE = ("Customer counts, sizes, profiles and moves are about: released once per run with noise added "
              "(differential privacy), so that no one customer can be read from them. Discounts and prices are "
              "exact.")


def segment_bars(run: SegmentRun | SegmentReport | None) -> dict | None:
    """A server-side SVG bar chart of the run's segment sizes (no script: the CSP holds)."""
    if run is None or not run.segments:
        return None
    bars = horizontal_bars(items=[(s["name"], s["size"]) for s in run.segments],
                           track=CHART_WIDTH - LABEL_WIDTH - 60, row_height=BAR_HEIGHT)
    return {"bars": bars, "width": CHART_WIDTH, "height": len(bars) * BAR_HEIGHT + 8, "label_width": LABEL_WIDTH}


@admin.register(SegmentRun)
class SegmentRunAdmin(admin.ModelAdmin):
    list_display = ["computed_at", "customers_about", "k", "silhouette_shown", "reported_segments",
                    "suppressed_about"]
    # The released lists (segments, movement) are shown as tables by the template, their JSON behind "Details".
    fields = ["computed_at", "customers_about", "k", "silhouette_shown", "min_size", "suppressed_about"]
    readonly_fields = fields
    change_list_template = "admin/segments/segmentrun/change_list.html"
    change_form_template = "admin/segments/segmentrun/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request: HttpRequest):
        # Each row's released report comes with it: no query per run listed.
        return with_released_reports(super().get_queryset(request))

    @admin.display(description="silhouette")
    def silhouette_shown(self, run: SegmentRun) -> str:
        return f"{run.silhouette:.3f}" if run.silhouette is not None else "—"

    @admin.display(description="customers (about)")
    def customers_about(self, run: SegmentRun) -> int:
        return segment_report(run).customers

    @admin.display(description="in no segment (about)")
    def suppressed_about(self, run: SegmentRun) -> int:
        return segment_report(run).suppressed

    @admin.display(description="segments (about)")
    def reported_segments(self, run: SegmentRun) -> str:
        return ", ".join(f"{s['name']} ({s['size']})" for s in segment_report(run).segments) or "none reported"

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        if run is not None:
            report = segment_report(run)
            extra_context = {**(extra_context or {}), "title": f"Customer segments of {_when(run.computed_at)}",
                             "subtitle": None, "report": report, "noise_note": NOISE_NOTE,
                             "stored_details": json.dumps({"segments": report.segments, "movement": report.movement},
                                                          indent=2, ensure_ascii=False)}
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        latest_run = segment_runs_newest_first().first()
        latest = segment_report(latest_run) if latest_run is not None else None
        extra_context = {**(extra_context or {}), "latest": latest, "chart": segment_bars(latest),
                         "noise_note": NOISE_NOTE}
        return super().changelist_view(request, extra_context)


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y H:i")


@admin.register(SegmentDiscount)
class SegmentDiscountAdmin(admin.ModelAdmin):
    """Segment prices: discounts only, for consenting customers of a segment; refused with a reason when
    they would be a mark-up, above the maximum, for an unknown segment or a second enabled one."""

    list_display = ["segment", "percent", "enabled", "reason", "updated_at"]
    list_filter = ["enabled", "segment"]
    readonly_fields = ["effect", "created_at", "updated_at"]
    fieldsets = [(None, {
        "description": f"{SEGMENT_INPUTS_NOTE} A segment price is shown only to signed-in customers with "
                       "personalization consent in force, labelled as personalized with the reason below; "
                       "everyone else pays the public price. It is never below the product's price floor.",
        "fields": ["segment", "percent", "enabled", "reason", "effect", "created_at", "updated_at"],
    })]

    @admin.display(description="effect on the catalog")
    def effect(self, discount: SegmentDiscount) -> str:
        if discount.pk is None:
            return "Save the discount disabled to see its effect on the catalog before enabling it."
        found = segment_discount_effect(segment=discount.segment, percent=discount.percent)
        latest_run = segment_runs_newest_first().first()
        sizes = {s["name"]: s["size"] for s in segment_report(latest_run).segments} if latest_run else {}
        customers = ("no reported customers in the latest run" if discount.segment not in sizes
                     else f"about {sizes[discount.segment]:,} customers in the latest run")
        return (f"{customers}; {found.lowered:,} of {found.variants:,} published variants get a lower price "
                f"(on average {found.average_cut_percent}% lower, at most {format_money(found.largest_cut)} less), "
                f"{found.held_at_floor:,} of them held at their floor; {found.unchanged:,} stay at the public "
                "price (their floor leaves no room).")

    def changelist_view(self, request: HttpRequest, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": SEGMENT_INPUTS_NOTE})
