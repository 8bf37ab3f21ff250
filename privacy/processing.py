"""The record of processing activities (GDPR Art. 30(1)), built from the registry: what the
privacy page and the notice list as "what we keep"."""

from __future__ import annotations

from dataclasses import dataclass, field

from .registry import LEGAL_BASES, declarations
from .retention import enforced_labels


@dataclass(frozen=True)
class ProcessingActivity:
    """One line of the record of processing activities (GDPR Art. 30(1))."""

    purpose: str
    legal_basis: str
    data_subjects: list[str]
    personal_fields: list[str]
    pseudonymous_fields: list[str]
    retention: list[str]
    recipients: list[str]
    models: list[str]
    erasure: list[str]
    retention_enforced: list[str] = field(default_factory=list)


def processing_activities() -> list[ProcessingActivity]:
    """Every declared model holding personal data, grouped by purpose and legal basis."""
    grouped: dict[tuple[str, str], list] = {}
    for declaration in declarations().values():
        if declaration.holds_personal_data:
            grouped.setdefault((declaration.purpose, declaration.legal_basis), []).append(declaration)
    activities = []
    for (purpose, basis), group in sorted(grouped.items()):
        def collect(values):
            return sorted({v for v in values if v})
        activities.append(ProcessingActivity(
            purpose=purpose,
            legal_basis=LEGAL_BASES.get(basis, basis),
            data_subjects=collect(d.data_subjects for d in group),
            personal_fields=[f"{d.label}.{n}" for d in group for n in d.fields_classified("personal")],
            pseudonymous_fields=[f"{d.label}.{n}" for d in group for n in d.fields_classified("pseudonymous")],
            retention=collect(d.retention for d in group),
            recipients=collect(r for d in group for r in d.recipients),
            models=[d.label for d in group],
            erasure=[f"{d.label}: {d.erasure}" for d in group],
            retention_enforced=[f"{d.label}: {d.retention_days} days from {d.retention_basis}" for d in group
                                if d.retention_days is not None and d.label in enforced_labels()],
        ))
    return activities
