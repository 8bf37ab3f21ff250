"""Cart reads: a cart page costs a fixed number of queries, whatever it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from primitives.compiled_queries import instances_for, sent_value
from primitives.money import Money, money_sum, round_money, shop_currency
from primitives.subjects import Subject
from shop.catalog.models import ProductVariant, StockReservation
from shop.catalog.stock import units_reserved
from shop.pricing import PriceQuote, PriceStrategy
from shop.pricing.lines import PricedLine
from shop.pricing.locks import cart_line_price

from .models import Cart, CartLine


@dataclass(frozen=True)
class CartLineView:
    variant: ProductVariant
    quantity: int
    price: PricedLine  # the unit price charged, lock included (shop.pricing.locks)
    available: int

    @property
    def unit_price(self) -> Money:
        return self.price.unit_price

    @property
    def quote(self) -> PriceQuote:
        return self.price.quote

    @property
    def product(self):
        return self.variant.product

    @property
    def line_total(self) -> Money:
        return Money(round_money(self.unit_price.amount) * self.quantity, self.unit_price.currency)

    @property
    def exceeds_stock(self) -> bool:
        return self.quantity > self.available


@dataclass(frozen=True)
class CartView:
    cart: Cart | None
    lines: tuple[CartLineView, ...]

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal(self) -> Money:
        return money_sum([line.line_total for line in self.lines], shop_currency())

    @property
    def has_shortages(self) -> bool:
        return any(line.exceeds_stock for line in self.lines)

    @property
    def price_changes(self) -> list[CartLineView]:
        """Lines whose price moved since they were added (their quoted price no longer holds)."""
        return [line for line in self.lines if line.price.changed_from is not None]


def cart_find(*, user_id: int | None = None, visitor_key: str | None = None) -> Cart | None:
    if user_id is not None:
        return Cart.objects.filter(user_id=user_id).first()
    if visitor_key:
        return Cart.objects.filter(visitor_key=visitor_key).first()
    return None


def cart_lines(*, cart: Cart) -> list[CartLine]:
    return list(cart.lines.select_related("variant__product__category").order_by("added_at", "id"))


def cart_view(*, cart: Cart | None, strategy: PriceStrategy) -> CartView:
    """The cart's lines with unit prices from `strategy` (each line's quoted price while it holds,
    shop.pricing.locks) and what stock allows, in one query."""
    if cart is None:
        return CartView(cart=None, lines=())
    return _cart_view(cart, _lines_of("cart", cart.pk), strategy)


def cart_view_of(*, owner: Subject | None, strategy: PriceStrategy) -> CartView:
    """`cart_view` of the account's or the visitor's cart, found and read in one query; its `cart`
    is None when there are no lines (nothing to show)."""
    if owner is None:
        return CartView(cart=None, lines=())
    lines = _lines_of("user", owner.user_id) if owner.is_user else _lines_of("visitor", owner.visitor_key)
    return _cart_view(lines[0].cart if lines else None, lines, strategy)


# Every cart page reads its lines in one of three shapes (by cart, account or visitor key); each
# is built and compiled once per process (primitives.compiled_queries), with these in the places
# of the owner and of the time that decides which stock reservations still hold.
_STAND_IN_OWNERS = {"cart": -0x5E6, "user": -0x5E6, "visitor": "stand-in visitor key"}
_STAND_IN_NOW = datetime(2000, 1, 1, 0, 0, 0, 424242, tzinfo=UTC)
_RESERVATION_EXPIRY = StockReservation._meta.get_field("expires_at")
_OWNER_FILTERS = {"cart": "cart_id", "user": "cart__user_id", "visitor": "cart__visitor_key"}


def _lines_of(owned_by: str, owner: int | str) -> list[CartLine]:
    """The lines of a cart, each with its variant and product, its cart, and the units of its
    variant that unexpired reservations hold (`units_reserved`), oldest first."""
    stand_in_now = sent_value(_RESERVATION_EXPIRY, _STAND_IN_NOW)

    def build():
        return (CartLine.objects.filter(**{_OWNER_FILTERS[owned_by]: _STAND_IN_OWNERS[owned_by]})
                .select_related("cart", "variant__product").order_by("added_at", "id")
                .annotate(units_reserved=units_reserved(OuterRef("variant"), now=_STAND_IN_NOW)))

    return instances_for(("cart.lines", owned_by), build, stand_ins={
        _STAND_IN_OWNERS[owned_by]: owner, stand_in_now: sent_value(_RESERVATION_EXPIRY, timezone.now())})


def _cart_view(cart: Cart | None, lines: list[CartLine], strategy: PriceStrategy) -> CartView:
    now = timezone.now()
    return CartView(cart=cart, lines=tuple(
        CartLineView(variant=line.variant, quantity=line.quantity,
                     price=cart_line_price(line=line, strategy=strategy, now=now),
                     available=max(0, line.variant.stock_quantity - line.units_reserved))
        for line in lines
    ))


def cart_item_count(*, user_id: int | None = None, visitor_key: str | None = None) -> int:
    """Units in the shopper's cart, for the header (one query, none for a visitor without a cart)."""
    if user_id is not None:
        lines = CartLine.objects.filter(cart__user_id=user_id)
    elif visitor_key:
        lines = CartLine.objects.filter(cart__visitor_key=visitor_key)
    else:
        return 0
    return lines.aggregate(units=Sum("quantity"))["units"] or 0


def account_cart_units(*, user_id: int) -> Coalesce:
    """The units in an account's cart as an expression, for a query that reads more about the
    person at once (privacy.consent_session): the same figure as `cart_item_count`."""
    units = (CartLine.objects.filter(cart__user_id=user_id).order_by().values("cart_id")
             .annotate(units=Sum("quantity")).values("units")[:1])
    return Coalesce(Subquery(units, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class IdleCart:
    cart_id: int
    user_id: int
    first_added_at: "datetime"
    product_ids: tuple[int, ...]


def carts_idle_of_accounts(*, idle_since, not_before) -> list[IdleCart]:
    """Accounts' carts that still hold lines and have not changed since `idle_since` (but did after
    `not_before`), each with the time its oldest line was added and its products; two queries."""
    carts = list(Cart.objects.filter(user__isnull=False, updated_at__lt=idle_since, updated_at__gte=not_before,
                                     lines__isnull=False).distinct().order_by("pk").values_list("pk", "user_id"))
    lines: dict[int, list[tuple]] = {}
    for cart_id, added_at, product_id in (CartLine.objects.filter(cart_id__in=[pk for pk, _ in carts])
                                          .order_by("added_at", "id")
                                          .values_list("cart_id", "added_at", "variant__product_id")):
        lines.setdefault(cart_id, []).append((added_at, product_id))
    return [IdleCart(cart_id=pk, user_id=user_id, first_added_at=lines[pk][0][0],
                     product_ids=tuple(dict.fromkeys(product for _, product in lines[pk])))
            for pk, user_id in carts if pk in lines]
