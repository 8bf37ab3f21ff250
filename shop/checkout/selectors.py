"""Checkout reads: the summary a shopper confirms, computed on the server from the catalog."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from primitives.money import Money, money_sum, shop_currency
from shop.cart.models import Cart
from shop.cart.selectors import cart_lines
from shop.catalog.stock import stock_available
from shop.pricing import PriceQuote, PriceStrategy, tax
from shop.pricing.lines import PricedLine
from shop.pricing.locks import cart_line_price

from .models import Checkout, CheckoutStatus, ShippingMethod


@dataclass(frozen=True)
class SummaryLine:
    """A cart line at checkout: its price as the cart made it for the shipping country, and the stock."""

    priced: PricedLine
    available: int

    @property
    def variant_id(self) -> int:
        return self.priced.variant_id

    @property
    def product_id(self) -> int:
        return self.priced.product_id

    @property
    def sku(self) -> str:
        return self.priced.sku

    @property
    def title(self) -> str:
        return self.priced.title

    @property
    def quantity(self) -> int:
        return self.priced.quantity

    @property
    def unit_price(self) -> Money:
        """At the shipping country's VAT."""
        return self.priced.unit_price

    @property
    def home_unit_price(self) -> Money:
        """At the home country's VAT, as in the catalog."""
        return self.priced.home_unit_price

    @property
    def quote(self) -> PriceQuote:
        """At the shipping country's VAT, as the review shows it."""
        return self.priced.quote

    @property
    def price_rule(self) -> str:
        return self.priced.rule

    @property
    def personalized(self) -> bool:
        return self.priced.personalized

    @property
    def line_total(self) -> Money:
        return self.priced.line_total

    @property
    def home_line_total(self) -> Money:
        return self.home_unit_price * self.quantity


@dataclass(frozen=True)
class CheckoutSummary:
    lines: tuple[SummaryLine, ...]
    country: str
    vat_rate: Decimal
    home_vat_rate: Decimal
    shipping_method: ShippingMethod | None
    shipping: Money
    home_shipping: Money

    @property
    def currency(self) -> str:
        return shop_currency()

    @property
    def subtotal(self) -> Money:
        return money_sum([line.line_total for line in self.lines], self.currency)

    @property
    def total(self) -> Money:
        return self.subtotal + self.shipping

    @property
    def home_total(self) -> Money:
        """What the same order costs with home VAT: the prices the shopper saw in the shop."""
        return money_sum([line.home_line_total for line in self.lines], self.currency) + self.home_shipping

    @property
    def vat_change(self) -> Money:
        return self.total - self.home_total

    @property
    def tax(self) -> Money:
        amounts = [tax.vat_included(line.line_total.amount, self.vat_rate) for line in self.lines]
        amounts.append(tax.vat_included(self.shipping.amount, self.vat_rate))
        return Money(sum(amounts, Decimal("0.00")), self.currency)

    @property
    def quantities(self) -> dict[int, int]:
        return {line.variant_id: line.quantity for line in self.lines}

    @property
    def shortages(self) -> list[SummaryLine]:
        return [line for line in self.lines if line.quantity > line.available]

    def fingerprint(self) -> str:
        """What is being bought, where to, for how much: two attempts with the same fingerprint are one."""
        data = {
            "lines": [[line.variant_id, line.quantity, str(line.unit_price.amount)] for line in self.lines],
            "country": self.country,
            "shipping": self.shipping_method.code if self.shipping_method else None,
            "total": str(self.total.amount),
            "currency": self.currency,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def checkout_for_cart(*, cart: Cart | None) -> Checkout | None:
    if cart is None:
        return None
    return (Checkout.objects.select_related("shipping_address", "shipping_method")
            .filter(cart=cart, status=CheckoutStatus.OPEN).first())


def shipping_methods_for(*, country: str) -> list[ShippingMethod]:
    return [method for method in ShippingMethod.objects.filter(is_active=True) if method.serves(country)]


def checkout_summary(*, checkout: Checkout, strategy: PriceStrategy) -> CheckoutSummary:
    """The lines of the checkout's cart priced for its shipping country (three queries).

    Each line is priced by the cart's `cart_line_price` (shop.pricing.locks) for the country:
    what the shopper saw when adding the item while that quote holds, or the current price if lower."""
    country = checkout.country or tax.home_country()
    lines = cart_lines(cart=checkout.cart) if checkout.cart_id else []
    available = stock_available(variants=[line.variant for line in lines], holder=checkout.token)
    now = timezone.now()
    summary_lines = []
    for line in lines:
        summary_lines.append(SummaryLine(
            priced=cart_line_price(line=line, strategy=strategy, now=now, country=country),
            available=available[line.variant_id]))
    method = checkout.shipping_method
    home_shipping = Money(method.price if method else Decimal("0.00"), shop_currency())
    return CheckoutSummary(
        lines=tuple(summary_lines), country=country, vat_rate=tax.vat_rate(country),
        home_vat_rate=tax.home_vat_rate(), shipping_method=method,
        shipping=Money(tax.price_for_country(home_shipping.amount, country), home_shipping.currency),
        home_shipping=home_shipping,
    )


def checkout_reservation_active(*, checkout: Checkout) -> bool:
    return checkout.reserved_until is not None and checkout.reserved_until > timezone.now()
