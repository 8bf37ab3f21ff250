"""A priced line: one value from the cart to the order line.

`cart_line_price` (shop.pricing.locks) makes a `PricedLine` for a cart line at the shipping
country's VAT; the checkout summary holds it, the payment's snapshot stores its `to_json()`,
and the order line is created from `PricedLine.from_json()` of that snapshot. What the shopper
was quoted (the public price beside a personal one, its reason, an announced reduction) stays
on the line the whole way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from primitives.money import Money

from . import PriceQuote


def _amount(money: Money | None) -> str | None:
    return None if money is None else str(money.amount)


def _money(amount: str | None, currency: str) -> Money | None:
    return None if amount is None else Money(Decimal(amount), currency)


@dataclass(frozen=True, kw_only=True)
class PricedLine:
    """A line's unit price for one shopper, at the VAT of the country it ships to."""

    variant_id: int
    product_id: int
    sku: str
    title: str
    quantity: int
    unit_price: Money                  # what the shopper pays per unit
    public_unit_price: Money           # what anyone without a personal price pays per unit
    # The unit price at the home country's VAT, as the catalog shows it; None on lines of
    # payments snapshotted before it was kept.
    home_unit_price: Money | None
    rule: str                          # what produced the price: "list", "demand:<id>", "segment:<name>"
    personalized: bool = False         # the unit price is a personal one
    reason: str = ""                   # why a personal price applies, as shown beside it
    reduced_from: Money | None = None  # an announced reduction: the lowest price of the 30 days before it
    locked_until: datetime | None = None  # set while the price quoted when added is what is charged
    changed_from: Money | None = None  # the price quoted when added (home VAT), once it no longer holds and moved

    @property
    def quote(self) -> PriceQuote:
        """The unit price as the pages show one."""
        return PriceQuote(amount=self.unit_price, public=self.public_unit_price, rule=self.rule,
                          personalized=self.personalized, reason=self.reason, reduced_from=self.reduced_from)

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None

    @property
    def line_total(self) -> Money:
        return self.unit_price * self.quantity

    def to_json(self) -> dict:
        """Plain JSON: amounts as exact decimal strings with one currency, times in ISO 8601."""
        return {
            "variant_id": self.variant_id, "product_id": self.product_id, "sku": self.sku, "title": self.title,
            "quantity": self.quantity, "currency": self.unit_price.currency,
            "unit_price": _amount(self.unit_price), "public_unit_price": _amount(self.public_unit_price),
            "home_unit_price": _amount(self.home_unit_price), "rule": self.rule,
            "personalized": self.personalized, "reason": self.reason, "reduced_from": _amount(self.reduced_from),
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
            "changed_from": _amount(self.changed_from),
        }

    @classmethod
    def from_json(cls, data: dict, *, currency: str) -> PricedLine:
        """The line `to_json` wrote; also a snapshot line of the earlier shape (variant, SKU, title,
        quantity, unit price and, on later ones, `price_rule` and `price_personalized`), whose
        public price was not kept: it reads as the unit price. `currency` is the snapshot's, for
        lines that do not name their own."""
        currency = data.get("currency") or currency
        unit_price = _money(data["unit_price"], currency)
        identity = {"variant_id": data["variant_id"], "product_id": data["product_id"], "sku": data["sku"],
                    "title": data["title"], "quantity": data["quantity"]}
        if "public_unit_price" not in data:
            return cls(**identity, unit_price=unit_price, public_unit_price=unit_price, home_unit_price=None,
                       rule=data.get("price_rule", ""), personalized=data.get("price_personalized", False))
        locked_until = data.get("locked_until")
        return cls(
            **identity, unit_price=unit_price, public_unit_price=_money(data["public_unit_price"], currency),
            home_unit_price=_money(data.get("home_unit_price"), currency), rule=data.get("rule", ""),
            personalized=data.get("personalized", False), reason=data.get("reason", ""),
            reduced_from=_money(data.get("reduced_from"), currency),
            locked_until=datetime.fromisoformat(locked_until) if locked_until else None,
            changed_from=_money(data.get("changed_from"), currency),
        )
