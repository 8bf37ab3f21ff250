"""Rendered fragments that are the same for every visitor, cached under the catalog's version.

Product grids, product details and the category navigation cost most of a page's
time to render and are identical for everyone. They are cached (Redis in
production, local memory on the embedded default) under keys that hold the catalog
version. Whatever changes what they show bumps that version after its transaction
commits: the catalog, stock and price services call `catalog_changed()`, and saves
and deletes of catalog rows (the admin, a shell) do too through the receivers
below. The next request then renders afresh; fragments of older versions are never
read again and expire.

Nothing personal goes in: the consent banner, CSRF token, CSP nonce, cart count,
recommendations and their reasons are rendered per request, outside any fragment
(`{% shared_fragment %}` in `templatetags/catalog_fragments.py`).
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest

VERSION_KEY = "catalog:fragments:version"
# Fragments of a superseded version are never read again; this bounds how long they stay.
FRAGMENT_TIMEOUT = 60 * 60
# Each process also keeps the fragments it used last in memory (keys hold the version, so a
# bump reaches them too): a page then costs one cache round trip, for the version.
LOCAL_FRAGMENTS = 1000
_REQUEST_ATTRIBUTE = "_catalog_fragments_version"


def catalog_version() -> str:
    """The current catalog version (one cache read). A random token, so a version lost to
    eviction or a cache restart can never come back and revive stale fragments."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY) or uuid.uuid4().hex
    return version


def catalog_version_for(request: HttpRequest | None) -> str:
    """The catalog version, read once per request however many fragments the page has."""
    if request is None:
        return catalog_version()
    version = getattr(request, _REQUEST_ATTRIBUTE, None)
    if version is None:
        version = catalog_version()
        setattr(request, _REQUEST_ATTRIBUTE, version)
    return version


def catalog_version_bump() -> None:
    """Make every shared fragment stale now."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def catalog_changed() -> None:
    """Bump the version when the current transaction commits (now, outside one).

    Nothing is bumped for a rolled-back change. (A transaction writing many rows bumps
    once per row at commit: one cache write each, cheaper than tracking them.)
    """
    transaction.on_commit(catalog_version_bump)


def fragment_key(version: str, name: str, vary_on: tuple[object, ...]) -> str:
    digest = hashlib.sha256("\x1f".join(str(value) for value in vary_on).encode()).hexdigest()[:32]
    return f"catalog:fragment:{version}:{name}:{digest}"


class _RecentFragments:
    """The process's most recently used fragments (a bounded LRU; threads share it)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.entries: OrderedDict[str, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self.lock:
            content = self.entries.get(key)
            if content is not None:
                self.entries.move_to_end(key)
            return content

    def put(self, key: str, content: str) -> None:
        with self.lock:
            self.entries[key] = content
            self.entries.move_to_end(key)
            while len(self.entries) > self.limit:
                self.entries.popitem(last=False)


_recent = _RecentFragments(LOCAL_FRAGMENTS)


def fragment_get(key: str) -> str | None:
    """A fragment from this process's memory, else from the shared cache."""
    content = _recent.get(key)
    if content is None:
        content = cache.get(key)
        if content is not None:
            _recent.put(key, content)
    return content


def fragment_set(key: str, content: str) -> None:
    cache.set(key, content, FRAGMENT_TIMEOUT)
    _recent.put(key, content)


def _catalog_row_changed(sender, **kwargs) -> None:
    catalog_changed()


def connect_model_receivers() -> None:
    """Saves and deletes of what fragments show: products, variants, pictures, categories.

    Writes that go around `save()` (bulk updates in the stock and catalog services)
    call `catalog_changed()` themselves.
    """
    from .models import Category, Product, ProductImage, ProductVariant

    for model in (Category, Product, ProductImage, ProductVariant):
        post_save.connect(_catalog_row_changed, sender=model, dispatch_uid=f"catalog_fragments_save_{model.__name__}")
        post_delete.connect(_catalog_row_changed, sender=model,
                            dispatch_uid=f"catalog_fragments_delete_{model.__name__}")
