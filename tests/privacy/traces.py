"""Scans for what is left of a person: every value of every table, and every cache entry.

Encrypted columns are scanned as stored, so a test looks for the forms a trace takes at
rest (plain text, blind indexes, hashes, ids) rather than for what decryption would give.
"""

import json

from django.apps import apps
from django.core.cache import cache


def _text(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def rows_holding(traces: list[str]) -> list[str]:
    """Model, field and row of every value, in every table, that holds one of the traces (lower case)."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        fields = list(model._meta.concrete_fields)
        for row in model._base_manager.values_list("pk", *[f.attname for f in fields]):
            for field, value in zip(fields, row[1:], strict=True):
                if value is None:
                    continue
                text = _text(value).lower()
                found += [f"{model._meta.label}.{field.name} #{row[0]}" for trace in traces if trace in text]
    return found


def cache_holding(traces: list[str]) -> list[str]:
    """The traces found in any cache key or value, on Redis or the in-process cache."""
    backend = cache._cache
    if hasattr(backend, "get_client"):
        client = backend.get_client(write=False)
        items = [(key, client.get(key) if client.type(key) == b"string" else b"")
                 for key in client.scan_iter(count=1000)]
    else:
        items = list(backend.items())
    hits = []
    for key, value in items:
        text = (key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)).lower()
        text += bytes(value).decode("utf-8", "replace").lower() if isinstance(value, (bytes, bytearray)) else ""
        hits += [trace for trace in traces if trace in text]
    return hits
