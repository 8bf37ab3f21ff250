"""The price seam: which price a shopper pays, chosen once per request.

Every page, the cart, checkout, the order and the e-mails ask the request's strategy for
a `PriceQuote`: the amount this shopper pays, the public price anyone else pays, the rule
that produced it and, for a personalized price, a short reason to show beside it.

The default strategy quotes the public price stored on each variant (`ProductVariant.price`):
the list price, or what a demand rule set within the product's guardrails (`shop.pricing`'s
recompute). Another app may register a strategy factory in its `AppConfig.ready()`:

    from shop import pricing
    pricing.price_strategy_register(lambda request: MyStrategy(...))

A strategy must not query the database per item (prices computed per request break
listings, sorting and query budgets): it reads what was stored beforehand and what it
loaded once for the request. Every price is VAT-inclusive at the shop's home rate;
`shop.pricing.tax` converts for the shipping country.

This module is imported while apps load: it must not import models at module level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from primitives.money import Money, shop_currency

if TYPE_CHECKING:
    from django.http import HttpRequest

    from shop.catalog.models import Product, ProductVariant

LIST_PRICE_RULE = "list"
# A product's 'from' price is its lowest variant's public price, whichever rule set it.
PUBLIC_PRICE_RULE = "public"
# The key of shared fragments rendered with public prices only (see shop.catalog.fragments).
PUBLIC_PRICES = "public"


@dataclass(frozen=True)
class PriceQuote:
    """One shopper's price for a variant (or a product's 'from' price)."""

    amount: Money               # what this shopper pays, VAT included
    public: Money               # what anyone without a personal price pays (JSON-LD, sitemap, feeds)
    rule: str                   # what produced `amount`: "list", "demand:<rule id>", "segment:<name>"
                                # ("public" for a product's 'from' price)
    personalized: bool = False  # `amount` differs from the public price because of who is asking
    reason: str = ""            # one short sentence shown beside a personalized price
    # An announced reduction of the public price: the lowest price of the 30 days before it.
    reduced_from: Money | None = None


class PriceStrategy(Protocol):
    name: str
    # Shared fragments are cached per key: PUBLIC_PRICES when every quote is the public price,
    # otherwise a key naming the price group (never a person).
    fragment_key: str

    def variant_quote(self, variant: ProductVariant) -> PriceQuote:
        """The unit price of a variant for this shopper."""

    def product_quote(self, product: Product) -> PriceQuote:
        """The 'from' price shown for a product: its lowest variant price."""


def _money(amount) -> Money | None:
    return None if amount is None else Money(amount, shop_currency())


def public_variant_quote(variant: ProductVariant) -> PriceQuote:
    """The public price of a variant as stored: what anyone without a personal price pays."""
    price = Money(variant.price, shop_currency())
    return PriceQuote(amount=price, public=price, rule=variant.price_rule,
                      reduced_from=_money(variant.reduced_from))


def public_product_quote(product: Product) -> PriceQuote:
    """A product's public 'from' price as stored (its lowest variant price)."""
    price = Money(product.price, shop_currency())
    return PriceQuote(amount=price, public=price, rule=PUBLIC_PRICE_RULE, reduced_from=_money(product.reduced_from))


class PublicPrice:
    """The default: everyone pays the public price stored in the catalog."""

    name = "public"
    fragment_key = PUBLIC_PRICES

    def variant_quote(self, variant: ProductVariant) -> PriceQuote:
        return public_variant_quote(variant)

    def product_quote(self, product: Product) -> PriceQuote:
        return public_product_quote(product)


CatalogPrice = PublicPrice  # the name this strategy had before demand pricing stored its prices

# factory(request, customer=None): a request's strategy, or (request None) a customer's for an
# e-mail or a task; the factory checks consent itself.
StrategyFactory = Callable[..., PriceStrategy]


def _public_price(request: HttpRequest | None, customer=None) -> PriceStrategy:
    return PublicPrice()


_factory: StrategyFactory = _public_price


def price_strategy_register(factory: StrategyFactory | None) -> StrategyFactory:
    """Use `factory(request, customer=None)` to choose each request's (or customer's) strategy;
    None restores the public price.

    Returns the factory it replaces, so a test can put it back."""
    global _factory
    previous = _factory
    _factory = factory or _public_price
    return previous


def price_strategy_for(request: HttpRequest | None) -> PriceStrategy:
    """The request's strategy, chosen once and kept on the request."""
    if request is None:
        return _factory(None)
    strategy = getattr(request, "_shop_price_strategy", None)
    if strategy is None:
        strategy = _factory(request)
        request._shop_price_strategy = strategy
    return strategy


def price_strategy_for_customer(customer) -> PriceStrategy:
    """The strategy for an account outside any request (an e-mail, a task): what that person
    would see in the shop now."""
    return _factory(None, customer=customer)


def price_strategies_for_customers(customers: Iterable) -> dict[int, PriceStrategy]:
    """`price_strategy_for_customer` of many accounts at once (an e-mail batch), by account id.

    A factory that can choose for many in a few queries says so with a `for_customers(customers)`
    attribute returning the same mapping; otherwise it is asked once per account."""
    customers = [customer for customer in customers if customer is not None]
    for_customers = getattr(_factory, "for_customers", None)
    if for_customers is not None:
        return for_customers(customers)
    return {customer.pk: _factory(None, customer=customer) for customer in customers}
