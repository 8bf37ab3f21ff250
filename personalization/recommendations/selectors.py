"""Reads about recommendations: the serving version and its lists, and what data a reason rests on.

The newsletter's digest reads the serving lists through `serving_for_you_lists` and
`serving_trending_list`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, QuerySet

from primitives.subjects import Subject

from .models import BehaviourEvent, EventKind, ModelVersion, ModelVersionStatus, Rail, RecommendationList


def model_version_serving() -> ModelVersion | None:
    return ModelVersion.objects.filter(status=ModelVersionStatus.ACTIVE).first()


def serving_lists() -> QuerySet[RecommendationList]:
    """The stored lists of the serving version."""
    return RecommendationList.objects.filter(version__status=ModelVersionStatus.ACTIVE)


def serving_for_you_lists(*, user_ids: Iterable[int]) -> dict[int, list]:
    """The serving version's "for you" list of each of these customers that has one, by account id.

    Consent is the caller's to check: these are the lists stored for whoever is asked about."""
    return dict(serving_lists().filter(rail=Rail.FOR_YOU, user_id__in=list(user_ids))
                .values_list("user_id", "items"))


def serving_trending_list() -> list:
    """The serving version's trending list (the same for everyone); empty without one."""
    return (serving_lists().filter(rail=Rail.TRENDING, user__isnull=True, product__isnull=True)
            .values_list("items", flat=True).first()) or []


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
