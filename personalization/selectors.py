"""Reads for pages about recommendations: the serving version, and what data a reason rests on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, QuerySet

from primitives.subjects import Subject

from .models import BehaviourEvent, EventKind, ModelVersion, ModelVersionStatus, SegmentRun


def model_version_serving() -> ModelVersion | None:
    return ModelVersion.objects.filter(status=ModelVersionStatus.ACTIVE).first()


def segment_runs_newest_first() -> QuerySet[SegmentRun]:
    """Segment runs, the latest (the one pages and prices use) first."""
    return SegmentRun.objects.order_by("-computed_at", "-id")


@dataclass(frozen=True)
class HistorySummary:
    purchases: int
    first: datetime | None
    last: datetime | None


def events_about_product(*, subject: Subject, product_id: int, kind: EventKind, limit: int = 20) -> list[datetime]:
    """When the subject did `kind` with the product, newest first (their own stored events only)."""
    return list(BehaviourEvent.objects.of_subject(user_id=subject.user_id, visitor_id=subject.visitor_id)
                .filter(product_id=product_id, kind=kind).order_by("-occurred_at")
                .values_list("occurred_at", flat=True)[:limit])


def purchase_history_summary(*, subject: Subject) -> HistorySummary:
    found = (BehaviourEvent.objects.of_subject(user_id=subject.user_id, visitor_id=subject.visitor_id)
             .filter(kind=EventKind.PURCHASED).aggregate(n=Count("id"), first=Min("occurred_at"),
                                                          last=Max("occurred_at")))
    return HistorySummary(purchases=found["n"], first=found["first"], last=found["last"])
