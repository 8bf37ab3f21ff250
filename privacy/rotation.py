"""Finishing a key rotation: rewrite every encrypted value under the current keys."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import models, transaction

from .fields import BlindIndexField, EncryptedTextField


def _rotating_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if isinstance(f, (EncryptedTextField, BlindIndexField))]


def personal_data_reencrypt(
    *, models_to_rewrite: Iterable[type[models.Model]] | None = None, batch_size: int = 500
) -> dict[str, int]:
    """Re-save every encrypted value and blind index under the current keys; returns rows per model.

    Guarantees: each batch is rewritten in its own transaction, rows are read with any
    configured key (current or old) and written with the current one, and running it
    twice changes nothing visible. Afterwards FIELD_ENCRYPTION_OLD_KEYS can be emptied
    (and blind indexes match a new BLIND_INDEX_KEY).
    """
    if models_to_rewrite is None:
        models_to_rewrite = apps.get_models()
    rewritten: dict[str, int] = {}
    for model in models_to_rewrite:
        fields = _rotating_fields(model)
        if not fields:
            continue
        count, last_pk = 0, None
        while True:
            batch_query = model._base_manager.order_by("pk")
            if last_pk is not None:
                batch_query = batch_query.filter(pk__gt=last_pk)
            with transaction.atomic():
                batch = list(batch_query.select_for_update()[:batch_size])
                if not batch:
                    break
                for row in batch:
                    for field in fields:
                        if isinstance(field, BlindIndexField):
                            setattr(row, field.attname, field.index_of(getattr(row, field.source)))
                model._base_manager.bulk_update(batch, [f.name for f in fields])
            count += len(batch)
            last_pk = batch[-1].pk
        rewritten[model._meta.label] = count
    return rewritten
