"""Finishing a key rotation: rewrite every encrypted value under the current keys, resumably, verified."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils.encoding import force_bytes

from primitives.encrypted_fields import (
    FORMAT_VERSION,
    KEY_ID_LENGTH,
    BlindIndexField,
    EncryptedTextField,
    current_field_keys,
)

from .models import ReencryptionCheckpoint


class ReencryptionVerificationError(RuntimeError):
    """A rewritten value did not read back as it was, or not under the current key: the batch is undone."""


def _rotating_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if isinstance(f, (EncryptedTextField, BlindIndexField))]


def keys_fingerprint() -> str:
    """Names the current field keys and blind-index key together, without revealing either."""
    blind = hmac.new(force_bytes(settings.BLIND_INDEX_KEY), b"fingerprint", hashlib.sha256).hexdigest()[:16]
    return f"{current_field_keys().key_id.hex()}:{blind}"


def _stored(model: type[models.Model], fields: list[models.Field], pks: list) -> dict:
    """The raw stored bytes of the encrypted columns, straight from the table (not through the field)."""
    encrypted = [f for f in fields if isinstance(f, EncryptedTextField)]
    if not encrypted:
        return {}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in encrypted)
    placeholders = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(model._meta.pk.column)}, {columns} FROM {quote(model._meta.db_table)} "
                       f"WHERE {quote(model._meta.pk.column)} IN ({placeholders})", pks)
        return {row[0]: dict(zip([f.attname for f in encrypted], row[1:], strict=True)) for row in cursor.fetchall()}


def _verify(model: type[models.Model], fields: list[models.Field], expected: dict) -> None:
    pks = list(expected)
    key_id = current_field_keys().key_id
    read_back = {row[0]: row[1:] for row in model._base_manager.filter(pk__in=pks).values_list(
        "pk", *[f.attname for f in fields])}
    raw = _stored(model, fields, pks)
    for pk, values in expected.items():
        if read_back.get(pk) != values:
            raise ReencryptionVerificationError(f"{model._meta.label} #{pk} did not read back as it was.")
        for name, stored in raw.get(pk, {}).items():
            if stored is not None and bytes(stored)[:1 + KEY_ID_LENGTH] != FORMAT_VERSION + key_id:
                raise ReencryptionVerificationError(f"{model._meta.label} #{pk}.{name} is not under the current key.")


def personal_data_reencrypt(
    *, models_to_rewrite: Iterable[type[models.Model]] | None = None, batch_size: int = 500,
    restart: bool = False, max_batches: int | None = None,
) -> dict[str, int]:
    """Re-save every encrypted value and blind index under the current keys; returns rows rewritten per model.

    Guarantees: each batch is rewritten, read back and verified (same values, current key)
    in its own transaction together with a checkpoint, so an interrupted run resumes after
    the last verified batch and a verification failure undoes only its batch. Rows are read
    with any configured key (current or old) and written with the current one. Once it has
    finished under the current keys, FIELD_ENCRYPTION_OLD_KEYS can be emptied (and blind
    indexes match a new BLIND_INDEX_KEY). `max_batches` stops early (to run in slices).
    """
    if models_to_rewrite is None:
        models_to_rewrite = apps.get_models()
    fingerprint = keys_fingerprint()
    rewritten: dict[str, int] = {}
    batches = 0
    for model in models_to_rewrite:
        fields = _rotating_fields(model)
        if not fields:
            continue
        label = model._meta.label
        checkpoint, _ = ReencryptionCheckpoint.objects.get_or_create(label=label, defaults={"keys": fingerprint})
        if restart or checkpoint.keys != fingerprint:
            checkpoint.keys, checkpoint.last_pk, checkpoint.rows, checkpoint.finished = fingerprint, "", 0, False
            checkpoint.save()
        count = 0
        while not checkpoint.finished:
            if max_batches is not None and batches >= max_batches:
                rewritten[label] = count
                return rewritten
            batch_query = model._base_manager.order_by("pk")
            if checkpoint.last_pk:
                batch_query = batch_query.filter(pk__gt=model._meta.pk.to_python(checkpoint.last_pk))
            with transaction.atomic():
                batch = list(batch_query.select_for_update()[:batch_size])
                if not batch:
                    checkpoint.finished = True
                    checkpoint.save(update_fields=["finished", "updated_at"])
                    break
                expected = {}
                for row in batch:
                    for field in fields:
                        if isinstance(field, BlindIndexField):
                            setattr(row, field.attname, field.index_of(getattr(row, field.source)))
                    expected[row.pk] = tuple(getattr(row, f.attname) for f in fields)
                model._base_manager.bulk_update(batch, [f.name for f in fields])
                _verify(model, fields, expected)
                checkpoint.last_pk, checkpoint.rows = str(batch[-1].pk), checkpoint.rows + len(batch)
                checkpoint.save(update_fields=["last_pk", "rows", "updated_at"])
            count += len(batch)
            batches += 1
        rewritten[label] = count
    return rewritten
