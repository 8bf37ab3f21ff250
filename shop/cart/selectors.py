"""Cart reads: a cart page costs a fixed number of queries, whatever it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import IntegerField, OuterRef, PositiveBigIntegerField, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from primitives.compiled_queries import instances_for, instances_from_rows, instances_with_rows_for, rows_for_id, sent_value
from primitives.money import Money, money_sum, round_money, shop_currency
from primitives.subjects import Subject
from shop.catalog.models import ProductVariant, StockReservation
from shop.catalog.fragments import catalog_version, stock_holds_version
from shop.catalog.stock import holds_end, units_reserved
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
    lines = _lines_of(*_owned_by(owner))
    return _cart_view(lines[0].cart if lines else None, lines, strategy)


# Every cart page reads its lines in one of three shapes (by cart, account or visitor key); each
# is built and compiled once per process (primitives.compiled_queries), with these in the places
# of the owner and of the time that decides which stock reservations still hold.
_STAND_IN_OWNERS = {"cart": -0x5E6, "user": -0x5E6, "visitor": "stand-in visitor key"}
_STAND_IN_NOW = datetime(2000, 1, 1, 0, 0, 0, 424242, tzinfo=UTC)
_RESERVATION_EXPIRY = StockReservation._meta.get_field("expires_at")
_OWNER_FILTERS = {"cart": "cart_id", "user": "cart__user_id", "visitor": "cart__visitor_key"}


def _lines_query(owned_by: str):
    """The lines of a cart, each with its variant and product (but for the product's description and
    search text, which no cart shows), its cart, the units of its variant that unexpired
    reservations hold (`units_reserved`) and when the first of them ends (`holds_end`), oldest first."""
    def build():
        return (CartLine.objects.filter(**{_OWNER_FILTERS[owned_by]: _STAND_IN_OWNERS[owned_by]})
                .select_related("cart", "variant__product")
                .defer("variant__product__description", "variant__product__search_vector")
                .order_by("added_at", "id")
                .annotate(units_reserved=units_reserved(OuterRef("variant"), now=_STAND_IN_NOW),
                          holds_end=holds_end(OuterRef("variant"), now=_STAND_IN_NOW)))
    return build


def _lines_stand_ins(owned_by: str, owner: int | str, now: datetime) -> dict:
    return {_STAND_IN_OWNERS[owned_by]: owner,
            sent_value(_RESERVATION_EXPIRY, _STAND_IN_NOW): sent_value(_RESERVATION_EXPIRY, now)}


def _lines_of(owned_by: str, owner: int | str) -> list[CartLine]:
    return instances_for(("cart.lines", owned_by), _lines_query(owned_by),
                         stand_ins=_lines_stand_ins(owned_by, owner, timezone.now()))


def _owned_by(owner: Subject) -> tuple[str, int | str]:
    return ("user", owner.user_id) if owner.is_user else ("visitor", owner.visitor_key)


# --- A copy of the lines for the owner's own session (shop.cart.session.request_cart_view) ---------

_STAND_IN_CART_OWNER = {"user": -0x5E7, "visitor": "stand-in visitor key of a revision"}
# Every request of the shopper's decodes their session, on every page: a copy of a cart with more
# lines than this (about 750 bytes each) is not kept, and such a cart's page reads its lines.
LINES_KEPT_AT_MOST = 20


def cart_revision_of(*, owner: Subject) -> int | None:
    """The revision of the owner's cart (None: they have no cart), in one small query."""
    owned_by, key = _owned_by(owner)
    stand_in = _STAND_IN_CART_OWNER[owned_by]
    rows = rows_for_id(("cart.revision", owned_by), lambda: Cart.objects.filter(
        **{"user_id" if owned_by == "user" else "visitor_key": stand_in}).values_list("revision"),
        stand_in=stand_in, value=key)
    return int(rows[0][0]) if rows else None


def account_cart_revision(*, user_id: int) -> Subquery:
    """The revision of an account's cart as an expression (None: no cart), for a query that reads
    more about the person at once (privacy.consent_session): the same figure as `cart_revision_of`."""
    return Subquery(Cart.objects.filter(user_id=user_id).values("revision")[:1],
                    output_field=PositiveBigIntegerField())


def cart_view_with_copy(*, owner: Subject, strategy: PriceStrategy, revision: int) -> tuple[CartView, dict | None]:
    """`cart_view_of` the owner's cart, with a copy of what was read (JSON, for the owner's own
    session) that `cart_view_from_copy` turns into the same view while it is current (None when
    the rows hold a value no session can keep, or when there are more than `LINES_KEPT_AT_MOST`).
    The copy holds the revision its rows were read at (`revision`, read before, for a cart without
    lines: a line added since makes the copy stale at once), and the catalog and stock holds
    versions as they were before the rows were read: a change that commits in between makes the
    copy stale rather than keeping it under the new ones."""
    owned_by, key = _owned_by(owner)
    versions = catalog_version(), stock_holds_version()
    now = timezone.now()
    read = instances_with_rows_for(("cart.lines", owned_by), _lines_query(owned_by),
                                   stand_ins=_lines_stand_ins(owned_by, key, now))
    lines = read.instances
    view = _cart_view(lines[0].cart if lines else None, lines, strategy, now=now)
    if read.rows is None or len(lines) > LINES_KEPT_AT_MOST:
        return view, None
    ends = [line.holds_end for line in lines if line.holds_end is not None]
    copy = {
        "owner": [owned_by, key],
        "revision": lines[0].cart.revision if lines else revision,
        "catalog": versions[0],
        "holds": versions[1],
        "until": min(ends).isoformat() if ends else None,
        "sql": read.shape_sql,
        "rows": read.rows,
    }
    return view, copy


def cart_view_from_copy(*, owner: Subject, strategy: PriceStrategy, copy: object, revision: int) -> CartView | None:
    """The view a copy from `cart_view_with_copy` makes, priced now by `strategy`; or None when it
    is not a copy of this owner's cart at `revision` (a line changed since, wherever), the catalog
    or the stock holds changed since (a price, the stock, another shopper's checkout), or a hold it
    counted has ended. No query."""
    owned_by, key = _owned_by(owner)
    if not isinstance(copy, dict) or copy.get("owner") != [owned_by, key] or copy.get("revision") != revision:
        return None
    if copy.get("catalog") != catalog_version() or copy.get("holds") != stock_holds_version():
        return None
    now = timezone.now()
    try:
        if copy.get("until") is not None and datetime.fromisoformat(copy["until"]) <= now:
            return None
    except (TypeError, ValueError):
        return None
    lines = instances_from_rows(("cart.lines", owned_by), _lines_query(owned_by),
                                stand_ins=_lines_stand_ins(owned_by, key, now), rows=copy["rows"],
                                shape_sql=copy.get("sql"))
    if lines is None:
        return None
    return _cart_view(lines[0].cart if lines else None, lines, strategy, now=now)


def _cart_view(cart: Cart | None, lines: list[CartLine], strategy: PriceStrategy, *,
               now: datetime | None = None) -> CartView:
    now = now or timezone.now()
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
