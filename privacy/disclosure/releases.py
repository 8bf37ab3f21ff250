"""Releasing figures counted from people: noise once per release key, paid from the period's budget.

What it guarantees:
- A figure family is released at most once per release key (a model version, a week, a segment
  run): the release is stored and every later read gets the same values, so reloading a page
  never draws fresh noise that could be averaged away.
- Each paid release spends the family's epsilon from the budget of the current period (a
  calendar month, UTC); the ledger row is locked while spending, so two releases never both
  spend the last of it. A release the budget cannot pay for repeats the last paid release
  (figures it did not hold are withheld) and spends nothing.
- The exact figures are computed only while no release exists for the key, and never stored.
- Releases are kept for the current and the previous period (the ledger for good): a key older
  than that is released again if it is asked for, from that period's budget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import DisclosureBudget, DisclosureRelease
from .families import budget_period, family
from .noise import noisy_many

# Two releases of the same budget within rounding of each other still fit.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Figure:
    """An exact figure and how much one person can change it (1 for a count of people; the
    clamp for a sum of clamped amounts)."""

    exact: int
    sensitivity: int = 1


ExactFigures = Mapping[str, "int | Figure"]


def figures_release(*, family_key: str, release_key: str, compute: Callable[[], ExactFigures],
                    figures_per_person: int | Callable[[ExactFigures], int] = 1,
                    now: datetime | None = None) -> DisclosureRelease:
    """The release of `family_key` for `release_key`, made now if there is none yet.

    `compute` gives the exact figures (called only when a release is made). The family's epsilon
    is shared equally by the `figures_per_person` figures that one person can change at once
    (e.g. 2 for "decided" and "granted" of one purpose), or given by a function of the exact
    figures where that depends on how many there are; each figure is noised accordingly.
    """
    existing = _release_of(family_key, release_key)
    if existing is not None:
        return existing
    declared = family(family_key)
    now = now or timezone.now()
    period = budget_period(now)
    exact = compute()
    if callable(figures_per_person):
        figures_per_person = max(figures_per_person(exact), 1)
    if figures_per_person < 1:
        raise ValueError("figures_per_person must be at least 1")
    with transaction.atomic():
        DisclosureBudget.objects.get_or_create(family=family_key, period=period)
        ledger = DisclosureBudget.objects.select_for_update().get(family=family_key, period=period)
        made_meanwhile = _release_of(family_key, release_key)
        if made_meanwhile is not None:
            return made_meanwhile
        if ledger.spent + declared.epsilon > declared.budget + _TOLERANCE:
            return _last_release_repeated(family_key, release_key, period=period, now=now)
        values = _noised(exact, epsilon=declared.epsilon / figures_per_person)
        release = DisclosureRelease.objects.create(
            family=family_key, release_key=release_key, period=period, values=values,
            epsilon_spent=declared.epsilon, released_at=now)
        ledger.spent += declared.epsilon
        ledger.releases += 1
        ledger.save(update_fields=["spent", "releases"])
        _older_releases_drop(family_key, current=period)
    return release


def _older_releases_drop(family_key: str, *, current: str) -> None:
    """Keep this period's and the last period's releases of the family (a rail release holds tens of
    thousands of figures per model version); the ledger keeps what every period spent."""
    year, month = (int(part) for part in current.split("-"))
    previous = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    DisclosureRelease.objects.filter(family=family_key, period__lt=previous).delete()


def _noised(exact: ExactFigures, *, epsilon: float) -> dict[str, int]:
    """Every figure noised for `epsilon` at its own sensitivity, in one draw per sensitivity."""
    figures = {name: figure if isinstance(figure, Figure) else Figure(exact=int(figure))
               for name, figure in exact.items()}
    values: dict[str, int] = {}
    for sensitivity in sorted({figure.sensitivity for figure in figures.values()}):
        names = [name for name, figure in figures.items() if figure.sensitivity == sensitivity]
        drawn = noisy_many([figures[name].exact for name in names], epsilon=epsilon, sensitivity=sensitivity)
        values.update(zip(names, drawn, strict=True))
    return {name: values[name] for name in figures}  # in the order given


def _release_of(family_key: str, release_key: str) -> DisclosureRelease | None:
    return DisclosureRelease.objects.filter(family=family_key, release_key=release_key).first()


def _last_release_repeated(family_key: str, release_key: str, *, period: str, now: datetime) -> DisclosureRelease:
    """Over budget: the last paid release's values again, under the new key, for free."""
    last_paid = (DisclosureRelease.objects.filter(family=family_key, reused_from__isnull=True, epsilon_spent__gt=0)
                 .order_by("-released_at", "-id").first())
    return DisclosureRelease.objects.create(
        family=family_key, release_key=release_key, period=period,
        values=last_paid.values if last_paid else {}, epsilon_spent=0.0, reused_from=last_paid, released_at=now)
