"""The recommendations seam: which product rails a page shows, with a reason for every product.

The shop owns this interface and shows no rail by default. Another app registers a
source in its `AppConfig.ready()`:

    from shop import recommendations
    recommendations.rail_source_register(MyRails())

A source answers from lists stored beforehand (no fitting or matrix work in a
request), decides for itself what it may use about the person (consent is its
business, on the server), and costs at most one query per page. The shop then
loads the products of every rail in at most one more query (none for the products
whose cards are kept under the catalog version already), leaves out what is
unpublished or out of stock, and renders them as product cards.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.http import HttpRequest

from shop.catalog.fragments import shared_read
from shop.catalog.models import Product
from shop.catalog.selectors import product_cards_by_id

logger = logging.getLogger(__name__)

SHOWN_PER_RAIL = 8


@dataclass(frozen=True)
class Suggestion:
    """One recommended product and why, in words a person can read."""

    product_id: int
    reason: str
    why_url: str = ""


@dataclass(frozen=True)
class RailSpec:
    """What a source proposes: a titled, ordered list of suggestions (more than are shown)."""

    key: str
    title: str
    suggestions: Sequence[Suggestion]
    personal: bool = False  # uses data about the person (shown only with their consent)


@dataclass(frozen=True)
class RailEntry:
    product: Product
    reason: str
    why_url: str


@dataclass(frozen=True)
class ProductRail:
    """A rail ready to render: products loaded, unpublished and out-of-stock ones left out."""

    key: str
    title: str
    entries: list[RailEntry] = field(default_factory=list)
    personal: bool = False


class Rails(list):
    """A page's rails; `shared_key` names them when nothing in them is about the person."""

    shared_key: str | None = None


class KeptRails(Sequence):
    """A page's rails that are the same for everyone who gets them, named by `shared_key` before
    anything is read: a page that shows its kept rendering of them (a shared fragment under the
    key) reads nothing at all. Iterating, indexing, `len()` or truth reads them, once (the copy
    kept under the catalog version, else the source and the products)."""

    def __init__(self, shared_key: str, read: Callable[[], Rails]):
        self.shared_key = shared_key
        self._read = read
        self._rails: Rails | None = None

    def _read_once(self) -> Rails:
        if self._rails is None:
            self._rails = self._read()
        return self._rails

    def __getitem__(self, index):
        # A template asks `rails["shared_key"]` before `rails.shared_key`: answered without reading.
        if not isinstance(index, (int, slice)):
            raise TypeError(f"Rails are read by position, not by {type(index).__name__}.")
        return self._read_once()[index]

    def __len__(self) -> int:
        return len(self._read_once())

    def __iter__(self) -> Iterator[ProductRail]:
        return iter(self._read_once())


class RailSource(Protocol):
    def rails(self, request: HttpRequest, *, page: str, product_id: int | None = None,
              basket_product_ids: Sequence[int] = ()) -> list[RailSpec]:
        """The rails for `page` ("home", "product", "cart", "account", "order_placed")."""

    def shared_rails_key(self, request: HttpRequest, *, page: str, product_id: int | None = None,
                         basket_product_ids: Sequence[int] = ()) -> Hashable | None:
        """What `rails` with these arguments depends on, when its answer is the same for everyone
        who gets this key until the catalog version changes (which a source bumps when its lists
        change): the page's rails are then kept under it and `rails` is asked only when they are
        not. None when they may be about the person. (Optional: a source without it is asked every
        time, and its rails are kept when none of them is personal.)"""


class NoRails:
    """The default: a shop without a recommender shows no rail."""

    def rails(self, request: HttpRequest, *, page: str, product_id: int | None = None,
              basket_product_ids: Sequence[int] = ()) -> list[RailSpec]:
        return []

    def shared_rails_key(self, request: HttpRequest, *, page: str, product_id: int | None = None,
                         basket_product_ids: Sequence[int] = ()) -> Hashable | None:
        return None


_source: RailSource = NoRails()


def rail_source_register(source: RailSource | None) -> RailSource:
    """Use `source` for every page's rails (None: the default, no rails); returns the one it replaces,
    so whoever swaps a source in can put the previous one back."""
    global _source
    previous, _source = _source, source or NoRails()
    return previous


class _NotShared(Exception):
    """A source's rails under a shared key turned out to be about the person."""


def rails_for(request: HttpRequest, *, page: str, product_id: int | None = None,
              basket_product_ids: Sequence[int] = (), shown: int = SHOWN_PER_RAIL) -> Rails | KeptRails:
    """The page's rails with their products, at most `shown` each; empty rails are dropped.

    Costs the source's query plus one: every rail's products are loaded together (none when
    the rails are the same for everyone and the catalog version's copy is cached). Rails the
    source names as the same for everyone (`shared_rails_key`) are read only when the page uses
    more of them than their `shared_key` (`KeptRails`).
    """
    arguments = {"page": page, "product_id": product_id, "basket_product_ids": basket_product_ids}
    shared_rails_key = getattr(_source, "shared_rails_key", None)
    shared = _source_asked(shared_rails_key, request, arguments) if shared_rails_key else None
    if shared is _FAILED:
        return Rails()
    if shared is not None:
        # The key is the source's: another source's rails under an equal key are other rails.
        source = f"{type(_source).__module__}.{type(_source).__qualname__}"
        vary_on = (page, product_id, tuple(basket_product_ids), shown, source, shared)
        return KeptRails(_shared_key(vary_on), lambda: _kept_rails_read(request, vary_on, arguments, shown))
    specs = _specs(request, arguments)
    if not specs:
        return Rails()
    if any(spec.personal for spec in specs):
        return _rails_load(specs, product_id=product_id, basket_product_ids=basket_product_ids, shown=shown)
    # Rails that say nothing about the person are the same for everyone who gets these suggestions:
    # their products are kept under the catalog version (a stock or catalog change reloads them),
    # and `shared_key` lets the template keep their rendering the same way.
    vary_on = (page, product_id, tuple(basket_product_ids), shown, repr(specs))
    rails = shared_read("rails", vary_on, lambda: _rails_load(
        specs, product_id=product_id, basket_product_ids=basket_product_ids, shown=shown))
    rails.shared_key = _shared_key(vary_on)
    return rails


def _shared_key(vary_on: tuple) -> str:
    return hashlib.sha256(repr(vary_on).encode()).hexdigest()[:32]


# What `_source_asked` answers for a source that raised.
_FAILED = object()


def _source_asked(question: Callable, request: HttpRequest, arguments: dict):
    """The rail source's answer to `question` (its `rails` or `shared_rails_key`), or `_FAILED`,
    logged, when it raises: a failing recommender must never break the page it decorates."""
    try:
        return question(request, **arguments)
    except Exception:
        logger.exception("The rail source failed for the %s page; the page is shown without rails.", arguments["page"])
        return _FAILED


def _specs(request: HttpRequest, arguments: dict) -> list[RailSpec]:
    specs = _source_asked(_source.rails, request, arguments)
    return [] if specs is _FAILED else specs


def _kept_rails_read(request: HttpRequest, vary_on: tuple, arguments: dict, shown: int) -> Rails:
    """The rails a source named as the same for everyone: the copy kept under the catalog version,
    else read and kept; a rail about the person among them is neither shown nor kept."""

    def read() -> Rails:
        specs = _specs(request, arguments)
        if any(spec.personal for spec in specs):
            logger.error("The rail source named the %s page's rails as the same for everyone, but one is "
                         "about the person: the page is shown without rails.", arguments["page"])
            raise _NotShared
        return _rails_load(specs, product_id=arguments["product_id"],
                           basket_product_ids=arguments["basket_product_ids"], shown=shown)

    try:
        rails = shared_read("rails", vary_on, read)
    except _NotShared:
        return Rails()
    rails.shared_key = _shared_key(vary_on)
    return rails


def _rails_load(specs: Sequence[RailSpec], *, product_id: int | None, basket_product_ids: Sequence[int],
                shown: int) -> Rails:
    wanted = {s.product_id for spec in specs for s in spec.suggestions}
    excluded = {product_id, *basket_product_ids} - {None}
    products = product_cards_by_id(ids=wanted - excluded)
    rails = Rails()
    for spec in specs:
        entries, seen = [], set()
        for suggestion in spec.suggestions:
            product = products.get(suggestion.product_id)
            if product is None or not product.in_stock or product.pk in seen:
                continue
            seen.add(product.pk)
            entries.append(RailEntry(product=product, reason=suggestion.reason, why_url=suggestion.why_url))
            if len(entries) >= shown:
                break
        if entries:
            rails.append(ProductRail(key=spec.key, title=spec.title, entries=entries, personal=spec.personal))
    return rails
