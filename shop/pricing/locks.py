"""The price shown is the price charged: a cart line holds the unit price it was quoted when added.

One function, `cart_line_price`, prices a cart line for the cart page, the checkout summary,
order placement and the API alike, as a `PricedLine` (shop.pricing.lines):

- within the lock (`CART_PRICE_LOCK_MINUTES` after the line was added or renewed) the shopper
  pays the quoted price, or the current one if that is lower;
- a personalized quote holds only while the shopper's strategy still gives that rule (consent
  withdrawn, a segment left: the current price, usually the public one);
- after the lock (or once a personal quote no longer holds) the current price applies, and the
  line says what it was quoted (old -> new) when the two differ.

No query: the strategy quotes from stored prices, the lock is on the line.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from primitives.money import Money, shop_currency

from . import PriceQuote, PriceStrategy
from .lines import PricedLine
from .tax import home_country, quote_for_country


class QuotedLine(Protocol):
    """A cart line as the lock reads and writes it (shop.cart.models.CartLine)."""

    variant: object
    variant_id: int
    quantity: int
    quoted_price: object
    quoted_public_price: object
    quoted_rule: str
    quoted_personalized: bool
    quoted_reason: str
    price_locked_until: datetime | None


LOCK_FIELDS = ["quoted_price", "quoted_public_price", "quoted_rule", "quoted_personalized", "quoted_reason",
               "price_locked_until"]


def price_lock_deadline(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(minutes=settings.CART_PRICE_LOCK_MINUTES)


def _quoted(line: QuotedLine) -> PriceQuote | None:
    if line.quoted_price is None:
        return None
    currency = shop_currency()
    public = line.quoted_public_price if line.quoted_public_price is not None else line.quoted_price
    return PriceQuote(amount=Money(line.quoted_price, currency), public=Money(public, currency),
                      rule=line.quoted_rule, personalized=line.quoted_personalized, reason=line.quoted_reason)


def _lock_holds(line: QuotedLine, current: PriceQuote, now: datetime) -> bool:
    if line.quoted_price is None or line.price_locked_until is None or line.price_locked_until <= now:
        return False
    # A personal price was quoted to the person the strategy recognised then (a segment, with
    # consent); once the strategy no longer gives that rule, it no longer holds.
    return not line.quoted_personalized or current.rule == line.quoted_rule


def _priced(line: QuotedLine, quote: PriceQuote, country: str, *, locked_until: datetime | None = None,
            changed_from: Money | None = None) -> PricedLine:
    variant = line.variant
    at_country = quote_for_country(quote, country)
    return PricedLine(
        variant_id=line.variant_id, product_id=variant.product_id, sku=variant.sku, title=str(variant),
        quantity=line.quantity, unit_price=at_country.amount, public_unit_price=at_country.public,
        home_unit_price=quote.amount.rounded(), rule=quote.rule, personalized=quote.personalized,
        reason=quote.reason, reduced_from=at_country.reduced_from, locked_until=locked_until,
        changed_from=changed_from)


def cart_line_price(*, line: QuotedLine, strategy: PriceStrategy, now: datetime | None = None,
                    country: str | None = None) -> PricedLine:
    """The unit price this shopper pays for `line` now (see the module's docstring), at the VAT
    of `country` (the home country's by default, as the catalog shows prices)."""
    now = now or timezone.now()
    country = country or home_country()
    current = strategy.variant_quote(line.variant)
    quoted = _quoted(line)
    if quoted is None:
        return _priced(line, current, country)
    if _lock_holds(line, current, now):
        if current.amount.amount < quoted.amount.amount:
            return _priced(line, current, country)
        # The price quoted is charged; the public price beside a personal one is today's.
        held = PriceQuote(amount=quoted.amount, public=current.public if quoted.personalized else quoted.amount,
                          rule=quoted.rule, personalized=quoted.personalized, reason=quoted.reason)
        return _priced(line, held, country, locked_until=line.price_locked_until)
    if current.amount.amount != quoted.amount.amount:
        return _priced(line, current, country, changed_from=quoted.amount)
    return _priced(line, current, country)


def cart_line_lock(line: QuotedLine, quote: PriceQuote, now: datetime | None = None) -> list[str]:
    """Set the line's quoted price from `quote`, held for the configured minutes; the fields to save."""
    line.quoted_price = quote.amount.rounded().amount
    line.quoted_public_price = quote.public.rounded().amount
    line.quoted_rule = quote.rule[:60]
    line.quoted_personalized = quote.personalized
    line.quoted_reason = quote.reason[:120]
    line.price_locked_until = price_lock_deadline(now)
    return list(LOCK_FIELDS)


def cart_line_lock_copy(source: QuotedLine, target: QuotedLine) -> list[str]:
    """Give `target` the quoted price and lock of `source` (merging carts on login)."""
    for name in LOCK_FIELDS:
        setattr(target, name, getattr(source, name))
    return list(LOCK_FIELDS)


def lock_in_force(line: QuotedLine, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return line.quoted_price is not None and line.price_locked_until is not None and line.price_locked_until > now
