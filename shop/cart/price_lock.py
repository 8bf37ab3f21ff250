"""The price shown is the price charged: a cart line holds the unit price it was quoted when added.

One function, `cart_line_price`, prices a cart line for the cart page, the checkout summary,
order placement and the API alike:

- within the lock (`CART_PRICE_LOCK_MINUTES` after the line was added or renewed) the shopper
  pays the quoted price, or the current one if that is lower;
- a personalized quote holds only while the shopper's strategy still gives that rule (consent
  withdrawn, a segment left: the current price, usually the public one);
- after the lock (or once a personal quote no longer holds) the current price applies, and the
  line says what it was quoted (old -> new) when the two differ.

No query: the strategy quotes from stored prices, the lock is on the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from primitives.money import Money, shop_currency
from shop.pricing import PriceQuote, PriceStrategy

from .models import CartLine


@dataclass(frozen=True)
class LinePrice:
    """A cart line's unit price: the quote charged and, when it moved, what was quoted before."""

    quote: PriceQuote
    locked_until: datetime | None = None  # set while the quoted price is what is charged
    changed_from: Money | None = None     # the price quoted when added, when it no longer holds and moved

    @property
    def amount(self) -> Money:
        return self.quote.amount

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None


def price_lock_deadline(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(minutes=settings.CART_PRICE_LOCK_MINUTES)


def _quoted(line: CartLine) -> PriceQuote | None:
    if line.quoted_price is None:
        return None
    currency = shop_currency()
    public = line.quoted_public_price if line.quoted_public_price is not None else line.quoted_price
    return PriceQuote(amount=Money(line.quoted_price, currency), public=Money(public, currency),
                      rule=line.quoted_rule, personalized=line.quoted_personalized, reason=line.quoted_reason)


def _lock_holds(line: CartLine, current: PriceQuote, now: datetime) -> bool:
    if line.quoted_price is None or line.price_locked_until is None or line.price_locked_until <= now:
        return False
    # A personal price was quoted to the person the strategy recognised then (a segment, with
    # consent); once the strategy no longer gives that rule, it no longer holds.
    return not line.quoted_personalized or current.rule == line.quoted_rule


def cart_line_price(*, line: CartLine, strategy: PriceStrategy, now: datetime | None = None) -> LinePrice:
    """The unit price this shopper pays for `line` now (see the module's docstring)."""
    now = now or timezone.now()
    current = strategy.variant_quote(line.variant)
    quoted = _quoted(line)
    if quoted is None:
        return LinePrice(quote=current)
    if _lock_holds(line, current, now):
        if current.amount.amount < quoted.amount.amount:
            return LinePrice(quote=current)
        # The price quoted is charged; the public price beside a personal one is today's.
        held = PriceQuote(amount=quoted.amount, public=current.public if quoted.personalized else quoted.amount,
                          rule=quoted.rule, personalized=quoted.personalized, reason=quoted.reason)
        return LinePrice(quote=held, locked_until=line.price_locked_until)
    if current.amount.amount != quoted.amount.amount:
        return LinePrice(quote=current, changed_from=quoted.amount)
    return LinePrice(quote=current)


def cart_line_lock(line: CartLine, quote: PriceQuote, now: datetime | None = None) -> list[str]:
    """Set the line's quoted price from `quote`, held for the configured minutes; the fields to save."""
    line.quoted_price = quote.amount.rounded().amount
    line.quoted_public_price = quote.public.rounded().amount
    line.quoted_rule = quote.rule[:60]
    line.quoted_personalized = quote.personalized
    line.quoted_reason = quote.reason[:120]
    line.price_locked_until = price_lock_deadline(now)
    return ["quoted_price", "quoted_public_price", "quoted_rule", "quoted_personalized", "quoted_reason",
            "price_locked_until"]


def cart_line_lock_copy(source: CartLine, target: CartLine) -> list[str]:
    """Give `target` the quoted price and lock of `source` (merging carts on login)."""
    fields = ["quoted_price", "quoted_public_price", "quoted_rule", "quoted_personalized", "quoted_reason",
              "price_locked_until"]
    for name in fields:
        setattr(target, name, getattr(source, name))
    return fields


def lock_in_force(line: CartLine, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return line.quoted_price is not None and line.price_locked_until is not None and line.price_locked_until > now
