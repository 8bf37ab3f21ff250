"""Reads of the segment runs."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import SegmentRun


def segment_runs_newest_first() -> QuerySet[SegmentRun]:
    """Segment runs, the latest (the one pages and prices use) first."""
    return SegmentRun.objects.order_by("-computed_at", "-id")
