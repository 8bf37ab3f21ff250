"""The families of figures counted from people, with what each may spend (settings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

# What each family is, in the merchant's words (the budget page). The epsilon and the budget are
# settings (PRIVACY_DISCLOSURE_FAMILIES).
FAMILY_LABELS = {
    "rail_customers": "Customers behind a product rail (\"bought by about N customers\"), once per model version",
    "consent_rates": "Consent in force per purpose (merchant dashboard), once per week",
    "segment_reports": "Segment sizes and profiles (segments admin), once per segment run",
    "model_version_counts": "Customers, visitors, events and orders a model version learned from, once per version",
    "campaign_counts": "Newsletter subscribers and e-mails sent (marketing admin), once per week",
}


class UnknownFamily(KeyError):
    """A release named a family that settings do not declare."""


@dataclass(frozen=True)
class Family:
    key: str
    label: str
    epsilon: float  # spent by each release
    budget: float  # per period


def family(key: str) -> Family:
    declared = settings.PRIVACY_DISCLOSURE_FAMILIES
    if key not in declared:
        raise UnknownFamily(f"No disclosure family {key!r} in PRIVACY_DISCLOSURE_FAMILIES.")
    entry = declared[key]
    return Family(key=key, label=FAMILY_LABELS.get(key, key), epsilon=float(entry["epsilon"]),
                  budget=float(entry["budget"]))


def families() -> list[Family]:
    return [family(key) for key in settings.PRIVACY_DISCLOSURE_FAMILIES]


def budget_period(moment: datetime | None = None) -> str:
    """The budget period holding `moment`: its calendar month in UTC, e.g. "2026-12"."""
    return (moment or timezone.now()).astimezone(UTC).strftime("%Y-%m")


def week_key(moment: datetime | None = None) -> str:
    """The ISO week holding `moment` (UTC), e.g. "2026-W50": the release key of weekly figures."""
    year, week, _ = (moment or timezone.now()).astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"

