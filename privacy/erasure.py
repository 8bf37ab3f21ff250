"""Erasing one person, as the registry declares: delete, anonymise, or keep (and scrub).

The engine knows no model: every entry of every app's personal_data.py says how its
rows are found (privacy/reach.py) and what happens to them, so a new model needs a
declaration, not code here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from primitives.subjects import SubjectIdentity

from .reach import rows_of
from .registry import ModelDeclaration, declarations

CHUNK = 2000


@dataclass
class ErasurePlan:
    """The primary keys of the person's rows per model, taken before anything changes,
    so that anonymising one model cannot hide the rows of another from the erasure."""

    rows: dict[str, list]

    def counts(self) -> dict[str, int]:
        return {label: len(pks) for label, pks in self.rows.items() if pks}


def _acts_on(declaration: ModelDeclaration) -> bool:
    return declaration.erasure in ("delete", "anonymise") or bool(declaration.scrubber)


def erasure_plan(*, identity: SubjectIdentity) -> ErasurePlan:
    """Which rows the erasure of `identity` touches, one query per declared model."""
    rows = {}
    for label, declaration in declarations().items():
        if _acts_on(declaration):
            rows[label] = list(rows_of(label, identity).values_list("pk", flat=True))
    return ErasurePlan(rows=rows)


def _chunks(pks: list) -> list[list]:
    return [pks[start:start + CHUNK] for start in range(0, len(pks), CHUNK)]


def subject_erase(*, identity: SubjectIdentity) -> dict[str, int]:
    """Delete, anonymise or scrub every row of the person, in one transaction; rows per model.

    Guarantees: kept rows are scrubbed and anonymised before anything is deleted (a
    deletion may cut the path to them); the user rows go last; running it again
    finds nothing more to do.
    """
    known = declarations()
    user_label = apps.get_model(settings.AUTH_USER_MODEL)._meta.label
    with transaction.atomic():
        plan = erasure_plan(identity=identity)
        for label, pks in plan.rows.items():
            declaration = known[label]
            if not pks:
                continue
            manager = apps.get_model(label)._base_manager
            for chunk in _chunks(pks):
                queryset = manager.filter(pk__in=chunk)
                if declaration.scrubber:
                    import_string(declaration.scrubber)(queryset, identity)
                if declaration.erasure == "anonymise":
                    if declaration.anonymiser:
                        import_string(declaration.anonymiser)(queryset)
                    else:
                        queryset.update(**declaration.anonymise_fields)
        deletions = [label for label in plan.rows if known[label].erasure == "delete" and label != user_label]
        if user_label in plan.rows:
            deletions.append(user_label)
        for label in deletions:
            manager = apps.get_model(label)._base_manager
            for chunk in _chunks(plan.rows[label]):
                manager.filter(pk__in=chunk).delete()
    return plan.counts()
