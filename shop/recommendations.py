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
from collections.abc import Sequence
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


class RailSource(Protocol):
    def rails(self, request: HttpRequest, *, page: str, product_id: int | None = None,
              basket_product_ids: Sequence[int] = ()) -> list[RailSpec]:
        """The rails for `page` ("home", "product", "cart", "account", "order_placed")."""


class NoRails:
    """The default: a shop without a recommender shows no rail."""

    def rails(self, request: HttpRequest, *, page: str, product_id: int | None = None,
              basket_product_ids: Sequence[int] = ()) -> list[RailSpec]:
        return []


_source: RailSource = NoRails()


def rail_source_register(source: RailSource | None) -> RailSource:
    """Use `source` for every page's rails (None: the default, no rails); returns the one it replaces,
    so whoever swaps a source in can put the previous one back."""
    global _source
    previous, _source = _source, source or NoRails()
    return previous


def rails_for(request: HttpRequest, *, page: str, product_id: int | None = None,
              basket_product_ids: Sequence[int] = (), shown: int = SHOWN_PER_RAIL) -> Rails:
    """The page's rails with their products, at most `shown` each; empty rails are dropped.

    Costs the source's query plus one: every rail's products are loaded together (none when
    the rails are the same for everyone and the catalog version's copy is cached).
    """
    try:
        specs = _source.rails(request, page=page, product_id=product_id, basket_product_ids=basket_product_ids)
    except Exception:  # a failing recommender must never break the page it decorates
        logger.exception("The rail source failed for the %s page; the page is shown without rails.", page)
        return Rails()
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
    rails.shared_key = hashlib.sha256(repr(vary_on).encode()).hexdigest()[:32]
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
