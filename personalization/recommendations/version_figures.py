"""What a model version learned from, as the admin shows it: released with noise once per version.

The training stores its exact counts (subjects, customers, visitors, events, orders) on the
version; the admin shows this release of them instead (privacy.disclosure, family
"model_version_counts"), made by the first look at the version and read back after. Events and
orders are counted again for the release with each subject's contribution clamped (EVENTS_CLAMP,
ORDERS_CLAMP), among the subjects whose consent is in force then, so one person changes them by
at most the clamp. Products and lists are the shop's own and stay exact.
"""

from __future__ import annotations

from django.db.models import CharField, Count, OuterRef, Value
from django.db.models.functions import Cast, Concat

from privacy.disclosure import Figure, figures_release, release_values
from privacy.purposes import PERSONALIZATION
from privacy.selectors import consenting_subjects

from .models import BehaviourEvent, EventKind, ModelVersion

EVENTS_CLAMP = 200
ORDERS_CLAMP = 50
# One person changes: subjects, customers or visitors, events, orders and (if they had bought
# something new in the held-out weeks) the evaluation's customers.
FIGURES_PER_PERSON = 5
PERSON_COUNTS = ("subjects", "customers", "visitors", "events", "orders")
FAMILY = "model_version_counts"
# The name a list's query gives the values of each row's release (`with_released_figures`).
RELEASED = "released_figures"


KEY_PREFIX = "model-version-"  # a version's release key: the prefix and its id


def with_released_figures(versions):
    """`versions` reading each one's release with its row (one query for a whole list), so that
    `version_figures` reads no more for a version already released."""
    key = Concat(Value(KEY_PREFIX), Cast(OuterRef("pk"), output_field=CharField()))
    return versions.annotate(**{RELEASED: release_values(FAMILY, release_key=key)})


def version_figures_exact(version: ModelVersion) -> dict[str, Figure]:
    users, visitors = consenting_subjects(purpose=PERSONALIZATION)
    events = orders = 0
    per_subject = (BehaviourEvent.objects.filter(kind=EventKind.PURCHASED, occurred_at__lte=version.trained_until)
                   .values("user_id", "visitor_id")
                   .annotate(events=Count("id"), orders=Count("order_id", distinct=True)).order_by())
    for row in per_subject.iterator(chunk_size=5000):
        if row["user_id"] in users or row["visitor_id"] in visitors:
            events += min(row["events"], EVENTS_CLAMP)
            orders += min(row["orders"], ORDERS_CLAMP)
    counts = version.counts or {}
    figures = {name: Figure(int(counts.get(name, 0))) for name in ("subjects", "customers", "visitors")}
    figures["events"] = Figure(events, EVENTS_CLAMP)
    figures["orders"] = Figure(orders, ORDERS_CLAMP)
    figures["evaluation_customers"] = Figure(int((version.metrics or {}).get("customers") or 0))
    return figures


def version_figures(version: ModelVersion) -> dict[str, int]:
    """The released counts of people behind `version` (released now if this is the first look)."""
    if not version.counts:
        return {}
    values = getattr(version, RELEASED, None)
    if values is None:
        values = figures_release(family_key=FAMILY, release_key=f"{KEY_PREFIX}{version.pk}",
                                 compute=lambda: version_figures_exact(version),
                                 figures_per_person=FIGURES_PER_PERSON).values
    return {name: max(int(value), 0) for name, value in values.items() if value is not None}
