"""The price seam: which price a shopper pays, chosen once per request.

The shop owns this interface; the default strategy charges the catalog price.
Another app may register a different strategy factory in its `AppConfig.ready()`:

    from shop import pricing
    pricing.price_strategy_register(lambda request: MyStrategy(...))

A strategy must not query the database per item (prices computed per request
break listings, sorting and query budgets): it reads prices that a scheduled
task has stored beforehand. Every price is VAT-inclusive at the shop's home
rate; `shop.checkout.tax` converts for the shipping country.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from django.http import HttpRequest

from shop.catalog.models import Product, ProductVariant
from shop.money import Money, shop_currency


class PriceStrategy(Protocol):
    name: str

    def variant_price(self, variant: ProductVariant) -> Money:
        """The unit price, VAT included, for this shopper."""

    def product_price(self, product: Product) -> Money:
        """The 'from' price shown for a product: the lowest variant price."""


class CatalogPrice:
    """The default: everyone pays the price in the catalog."""

    name = "catalog"

    def variant_price(self, variant: ProductVariant) -> Money:
        return Money(variant.price, shop_currency())

    def product_price(self, product: Product) -> Money:
        return Money(product.price, shop_currency())


StrategyFactory = Callable[[HttpRequest | None], PriceStrategy]


def _catalog_price(request: HttpRequest | None) -> PriceStrategy:
    return CatalogPrice()


_factory: StrategyFactory = _catalog_price


def price_strategy_register(factory: StrategyFactory | None) -> None:
    """Use `factory(request)` to choose each request's strategy; None restores the catalog price."""
    global _factory
    _factory = factory or _catalog_price


def price_strategy_for(request: HttpRequest | None) -> PriceStrategy:
    """The request's strategy, chosen once and kept on the request."""
    if request is None:
        return _factory(None)
    strategy = getattr(request, "_shop_price_strategy", None)
    if strategy is None:
        strategy = _factory(request)
        request._shop_price_strategy = strategy
    return strategy
