"""Rendered fragments that are the same for every visitor, cached under the catalog's version.

Product grids, product details, the category navigation and the footer cost most of a page's
time to render and are identical for everyone. They are cached (Redis in
production, local memory on the embedded default) under keys that hold the catalog
version. Whatever changes what they show bumps that version after its transaction
commits: the catalog, stock and price services call `catalog_changed()`, and saves
and deletes of catalog rows (the admin, a shell) do too through the receivers
below. The next request then renders afresh; fragments of older versions are never
read again and expire.

Catalog reads that every visitor sees alike (a product with its variants and pictures, the
category tree) are kept the same way (`shared_read`), so a cached product page reads no
catalog row.

Beside the catalog version, and read with it in the same cache round trip, a stock holds version
changes whenever a checkout holds stock or gives it back (`stock_holds_changed`, called by
shop.catalog.stock): what shows the units others hold (a cart's "only 2 in stock",
shop.cart.session) is current while both are unchanged. Shared fragments show no holds and do not
depend on it.

Nothing personal goes in: the consent banner, CSRF token, CSP nonce, cart count,
recommendations and their reasons are rendered per request, outside any fragment
(`{% shared_fragment %}` in `templatetags/catalog_fragments.py`).
"""

from __future__ import annotations

import hashlib
import pickle
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import Category, Product, ProductImage, ProductVariant

T = TypeVar("T")

VERSION_KEY = "catalog:fragments:version"
STOCK_HOLDS_VERSION_KEY = "catalog:stock-holds:version"
VERSION_KEYS = (VERSION_KEY, STOCK_HOLDS_VERSION_KEY)
# Fragments of a superseded version are never read again; this bounds how long they stay.
FRAGMENT_TIMEOUT = 60 * 60
# Each process also keeps the fragments it used last in memory (keys hold the version, so a
# bump reaches them too): a page then costs one cache round trip, for the version.
LOCAL_FRAGMENTS = 1000

# The versions read for the request this thread is serving (None: not read yet, or no request).
_request = threading.local()


# A cache in this process's memory (the embedded default) never hears of a change made by another
# process (an import, a job run by cron): there the version lasts a minute, which bounds how long
# such a change can stay unseen. A shared cache (Redis) keeps it until the next change.
LOCAL_CACHE_VERSION_TIMEOUT = 60


def _version_timeout() -> int | None:
    return LOCAL_CACHE_VERSION_TIMEOUT if isinstance(caches["default"], LocMemCache) else None


def _read_versions() -> dict[str, str]:
    """The catalog version and the stock holds version, in one cache round trip."""
    versions = cache.get_many(VERSION_KEYS)
    for key in VERSION_KEYS:
        if versions.get(key) is None:
            cache.add(key, uuid.uuid4().hex, timeout=_version_timeout())
            versions[key] = cache.get(key) or uuid.uuid4().hex
    return versions


def _versions() -> dict[str, str]:
    if not getattr(_request, "active", False):
        return _read_versions()
    if _request.versions is None:
        _request.versions = _read_versions()
    return _request.versions


def catalog_version() -> str:
    """The current catalog version: a random token, so a version lost to eviction or a cache
    restart can never come back and revive stale fragments. Read once per request (however
    many fragments and shared reads the page has, together with `stock_holds_version`);
    outside requests, at every call."""
    return _versions()[VERSION_KEY]


def stock_holds_version() -> str:
    """A random token that changes whenever stock is reserved for a checkout or given back
    (`stock_holds_changed`): what depends on the units others hold (a cart's "only 2 left") is
    current while it is unchanged and no hold it counted has expired. Read with the catalog
    version."""
    return _versions()[STOCK_HOLDS_VERSION_KEY]


def _request_started(**kwargs) -> None:
    _request.active, _request.versions = True, None


def _request_finished(**kwargs) -> None:
    _request.active, _request.versions = False, None


def _version_bump(key: str) -> None:
    version = uuid.uuid4().hex
    cache.set(key, version, timeout=_version_timeout())
    if getattr(_request, "active", False) and _request.versions is not None:
        _request.versions = {**_request.versions, key: version}


def catalog_version_bump() -> None:
    """Make every shared fragment stale now (the request that bumps sees its own change too)."""
    _version_bump(VERSION_KEY)


def stock_holds_changed() -> None:
    """Change the stock holds version when the current transaction commits (now, outside one)."""
    transaction.on_commit(lambda: _version_bump(STOCK_HOLDS_VERSION_KEY))


def catalog_changed() -> None:
    """Bump the version when the current transaction commits (now, outside one).

    Nothing is bumped for a rolled-back change. (A transaction writing many rows bumps
    once per row at commit: one cache write each, cheaper than tracking them.)
    """
    transaction.on_commit(catalog_version_bump)


# A request's price group (shop.pricing registers it in its AppConfig.ready()): fragments that
# show prices are kept per group. Without one they are rendered afresh for every request.
PriceGroup = Callable[[object], str]
_price_group: PriceGroup | None = None


def price_group_register(price_group: PriceGroup | None) -> PriceGroup | None:
    """Key fragments with prices by `price_group(request)`; returns the function it replaces."""
    global _price_group
    previous, _price_group = _price_group, price_group
    return previous


def price_group(request) -> str | None:
    """The key of the request's price group, or None when no group is known (nothing to share)."""
    return None if _price_group is None else _price_group(request)


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


def fragment_set(key: str, content) -> None:
    cache.set(key, content, FRAGMENT_TIMEOUT)
    _recent.put(key, content)


def shared_read(name: str, vary_on: tuple[object, ...], load: Callable[[], T]) -> T:
    """`load()`'s result (catalog rows everyone sees alike, e.g. a product with its variants),
    kept under the catalog version like a fragment. Each caller gets its own copy."""
    if not settings.SHOP_SHARED_FRAGMENTS:
        return load()
    key = fragment_key(catalog_version(), name, vary_on)
    stored = fragment_get(key)
    if stored is not None:
        return pickle.loads(stored)
    value = load()
    fragment_set(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def shared_read_each(name: str, ids: Iterable[Hashable], load: Callable[[set], dict]) -> Mapping:
    """`shared_read` of many rows at once, each kept on its own under the catalog version: the
    rows kept already come from the process's memory or one cache round trip, and `load(ids)`
    reads only the others (one query), returning what it found by id. An id it did not find is
    kept as absent too, so asking again reads nothing. Each caller gets its own copies, made as
    it reads each row: a caller that stops early (a rail filled by its first products) does not
    pay for the rest."""
    ids = set(ids)
    if not settings.SHOP_SHARED_FRAGMENTS:
        return load(ids)
    version = catalog_version()
    keys = {fragment_key(version, name, (id_,)): id_ for id_ in ids}
    stored = {key: content for key in keys if (content := _recent.get(key)) is not None}
    if len(stored) < len(keys):
        for key, content in cache.get_many([key for key in keys if key not in stored]).items():
            _recent.put(key, content)
            stored[key] = content
    kept = {keys[key]: content for key, content in stored.items()}
    missing = ids - kept.keys()
    loaded = {}
    if missing:
        loaded = load(missing)
        written = {key: pickle.dumps(loaded.get(id_), protocol=pickle.HIGHEST_PROTOCOL)
                   for key, id_ in keys.items() if id_ in missing}
        cache.set_many(written, FRAGMENT_TIMEOUT)
        for key, content in written.items():
            _recent.put(key, content)
    return _KeptRows({id_: content for id_, content in kept.items() if content != _ABSENT},
                     {id_: row for id_, row in loaded.items() if id_ in missing and row is not None})


# A row kept as absent (not found when it was read) is this, whatever its name.
_ABSENT = pickle.dumps(None, protocol=pickle.HIGHEST_PROTOCOL)


class _KeptRows(Mapping):
    """Rows by id: those read just now as they are, those kept as their pickles, each made into
    the caller's own copy the first time it is read."""

    def __init__(self, pickled: dict, rows: dict):
        self._pickled, self._rows = pickled, rows

    def __getitem__(self, id_):
        if id_ not in self._rows:
            self._rows[id_] = pickle.loads(self._pickled[id_])
        return self._rows[id_]

    def __iter__(self):
        return iter(self._pickled.keys() | self._rows.keys())

    def __len__(self) -> int:
        return len(self._pickled.keys() | self._rows.keys())


def _catalog_row_changed(sender, **kwargs) -> None:
    catalog_changed()


def connect_model_receivers() -> None:
    """Saves and deletes of what fragments show: products, variants, pictures, categories
    (and the request boundaries within which the version is read once).

    Writes that go around `save()` (bulk updates in the stock and catalog services)
    call `catalog_changed()` themselves.
    """
    request_started.connect(_request_started, dispatch_uid="catalog_fragments_request_started")
    request_finished.connect(_request_finished, dispatch_uid="catalog_fragments_request_finished")

    for model in (Category, Product, ProductImage, ProductVariant):
        post_save.connect(_catalog_row_changed, sender=model, dispatch_uid=f"catalog_fragments_save_{model.__name__}")
        post_delete.connect(_catalog_row_changed, sender=model,
                            dispatch_uid=f"catalog_fragments_delete_{model.__name__}")
