"""One write path for every audit trail, and its rule: no personal data.

An audit trail is an append-only table that outlives the erasure of the people it
mentions (a data request's steps, a staff look at a customer, an order's status
changes, a price's moves). Each is a model of its own app, with the retention its
app declares; what they share is how an entry is written:

- the model is declared an audit trail with `@audit_trail(...)`, naming its
  free-text fields (a staff note) and its detail fields (JSON of ids, counts and codes);
- every entry goes through `audit_append` / `audit_append_many`, which blot out
  personal data in those fields by the same rule as the logs (`primitives.redaction`)
  before the row is written, so a note quoting an address keeps only "[redacted]".

People appear in a trail only as ids and pseudonyms, in the fields the model gives them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models

from .redaction import redact

Model = TypeVar("Model", bound=models.Model)


@dataclass(frozen=True)
class AuditTrail:
    """How one model is an audit trail: the fields whose text is redacted on the way in."""

    free_text: tuple[str, ...] = ()
    details: tuple[str, ...] = ()


_TRAILS: dict[type[models.Model], AuditTrail] = {}


class NotAnAuditTrail(TypeError):
    """Raised when an entry is appended to a model that is not declared an audit trail."""


def audit_trail(*, free_text: Iterable[str] = (), details: Iterable[str] = ()):
    """Class decorator: declare a model an audit trail (see the module's docstring)."""

    def declare(model: type[Model]) -> type[Model]:
        trail = AuditTrail(free_text=tuple(free_text), details=tuple(details))
        field_names = {field.name for field in model._meta.local_fields}
        unknown = [name for name in (*trail.free_text, *trail.details) if name not in field_names]
        if unknown:
            raise NotAnAuditTrail(f"{model.__name__} has no field {', '.join(unknown)}.")
        _TRAILS[model] = trail
        return model

    return declare


def audit_trails() -> dict[type[models.Model], AuditTrail]:
    """Every declared audit trail (once the apps are loaded)."""
    return dict(_TRAILS)


def _without_personal_data(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {key: _without_personal_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_personal_data(item) for item in value]
    return value


def audit_entry_clean(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with personal data blotted out of the model's free-text and detail fields."""
    trail = _TRAILS.get(model)
    if trail is None:
        raise NotAnAuditTrail(f"{model._meta.label} is not declared an audit trail (@audit_trail).")
    return {name: _without_personal_data(value) if name in (*trail.free_text, *trail.details) else value
            for name, value in values.items()}


def audit_append(model: type[Model], **values: Any) -> Model:
    """Append one entry to the audit trail `model`."""
    return model._default_manager.create(**audit_entry_clean(model, values))


def audit_entries_build(model: type[Model], entries: Iterable[Mapping[str, Any]]) -> list[Model]:
    """Unsaved entries of the audit trail `model`, cleaned, for a caller that inserts many rows its
    own way (shop.pricing.bulk)."""
    return [model(**audit_entry_clean(model, entry)) for entry in entries]


def audit_append_many(model: type[Model], entries: Iterable[Mapping[str, Any]], *,
                      batch_size: int | None = None) -> list[Model]:
    """Append several entries to the audit trail `model` in as few statements as the database allows."""
    return model._default_manager.bulk_create(audit_entries_build(model, entries), batch_size=batch_size)
