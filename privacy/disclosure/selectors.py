"""Reads of the releases and of the budget they spend."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Expression, Subquery

from ..models import DisclosureBudget, DisclosureRelease
from .families import budget_period, families


@dataclass(frozen=True)
class FamilyBudget:
    key: str
    label: str
    epsilon: float
    budget: float
    spent: float
    releases: int
    reused: int  # releases in the period that repeated an earlier one (budget spent)

    @property
    def remaining(self) -> float:
        return max(self.budget - self.spent, 0.0)


def budgets_in_period(period: str | None = None) -> tuple[str, list[FamilyBudget]]:
    """Every declared family with its epsilon, the period's budget and what it has spent. Two queries."""
    period = period or budget_period()
    ledgers = {row.family: row for row in DisclosureBudget.objects.filter(period=period)}
    reused: dict[str, int] = {}
    for family_key in DisclosureRelease.objects.filter(period=period, reused_from__isnull=False,
                                                       epsilon_spent=0).values_list("family", flat=True):
        reused[family_key] = reused.get(family_key, 0) + 1
    rows = []
    for declared in families():
        ledger = ledgers.get(declared.key)
        rows.append(FamilyBudget(key=declared.key, label=declared.label, epsilon=declared.epsilon,
                                 budget=declared.budget, spent=ledger.spent if ledger else 0.0,
                                 releases=ledger.releases if ledger else 0, reused=reused.get(declared.key, 0)))
    return period, rows


def releases_newest_first(family_key: str) -> list[DisclosureRelease]:
    """Every release of a family, the latest first (for figures released a few at a time)."""
    return list(DisclosureRelease.objects.filter(family=family_key).order_by("-released_at", "-id"))


def release_values(family_key: str, *, release_key: Expression) -> Subquery:
    """The values of a family's release as a column of another query (None where there is no
    release yet): a list of things released one each (model versions) reads them with its rows."""
    return Subquery(DisclosureRelease.objects.filter(family=family_key, release_key=release_key)
                    .values("values")[:1])
