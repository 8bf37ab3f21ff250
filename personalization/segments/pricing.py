"""Segment prices: a lower price for consenting customers of a segment, plugged into the shop's price seam.

Registered in `SegmentsConfig.ready()` as the shop's strategy factory
(`shop.pricing.price_strategy_register`). A shopper gets a segment price only when all hold:

- personalization consent is in force, checked on the server: for a request, the consent the
  middleware resolved for it; for a customer outside a request (an e-mail, a task), the
  consent records of that account;
- they are signed in;
- they are in a segment of the latest segment run that has an enabled `SegmentDiscount`.

Everyone else gets `shop.pricing.PublicPrice()`. The membership and the discount are read in
one query per request (none for a visitor or a shopper without consent), never per item.
Segments come from the recency, frequency and monetary value of orders only; nothing else
about the person (country, device, browsing, sensitive attributes) decides a price. A
withdrawal of consent deletes the person's memberships at once (receivers), and the next
request's consent check fails anyway: the next page shows the public price.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet, Subquery
from django.http import HttpRequest

from primitives.compiled_queries import rows_for_id
from primitives.money import Money, round_money
from privacy.consent import has_consent
from privacy.purposes import PERSONALIZATION
from privacy.selectors import consenting_subjects
from shop.accounts.models import User
from shop.catalog.models import ProductVariant
from shop.pricing import (
    PriceQuote,
    PriceStrategy,
    PublicPrice,
    public_product_quote,
    public_variant_quote,
)

from .discount_rules import max_segment_discount
from .models import SegmentDiscount, SegmentMembership
from .selectors import segment_runs_newest_first

if TYPE_CHECKING:
    from primitives.subjects import SubjectIdentity
    from shop.catalog.models import Product

SEGMENT_RULE = "segment:{segment}"
HUNDRED = Decimal(100)


def _latest_run_id() -> Subquery:
    return Subquery(segment_runs_newest_first().values("pk")[:1])


def segment_discounts_for_user(user_id: int) -> QuerySet[SegmentDiscount]:
    """The enabled discounts of the segments the customer is in, in the latest run; largest first.

    Consent is not checked here: memberships exist only for customers who consented, and
    go at once when they withdraw. The strategy checks consent besides."""
    segments = SegmentMembership.objects.filter(user_id=user_id, run_id=_latest_run_id()).values("segment")
    return (SegmentDiscount.objects.filter(enabled=True, segment__in=segments)
            .order_by("-percent", "segment"))


class SegmentPrice:
    """The public price less the segment's discount, rounded to the penny, within the guardrails:
    never below the product's floor (when set), never above the public price."""

    name = "segment"

    def __init__(self, *, segment: str, percent: Decimal, reason: str):
        self.segment = segment
        # A discount stored before the maximum was lowered gives no more than the maximum now.
        self.percent = min(Decimal(percent), max_segment_discount())
        self.reason = reason
        self.rule = SEGMENT_RULE.format(segment=segment)
        # Names the price group (segment and percent), never a person.
        self.fragment_key = f"segment:{segment}:{format(self.percent.normalize(), 'f')}"

    def lowered_amount(self, public: Decimal, *, floor: Decimal | None) -> Decimal:
        """The public amount less the discount, to the penny, not below `floor`, not above `public`."""
        amount = round_money(public * (HUNDRED - self.percent) / HUNDRED)
        if floor is not None:
            amount = max(amount, floor)
        return min(amount, public)

    def _lower(self, public: PriceQuote, *, floor: Decimal | None) -> PriceQuote:
        amount = self.lowered_amount(public.public.amount, floor=floor)
        if amount >= public.public.amount:
            return public
        return replace(public, amount=Money(amount, public.public.currency), rule=self.rule, personalized=True,
                       reason=self.reason)

    def variant_quote(self, variant: ProductVariant) -> PriceQuote:
        # The variant's product is loaded with it by the shop's selectors (for the floor).
        return self._lower(public_variant_quote(variant), floor=variant.product.price_floor)

    def product_quote(self, product: Product) -> PriceQuote:
        return self._lower(public_product_quote(product), floor=product.price_floor)


def _consenting_user_id(request, customer) -> int | None:
    """The signed-in customer whose personalization consent is in force, or None."""
    if request is None:
        if customer is None or not getattr(customer, "is_active", False):
            return None
        return customer.pk if has_consent(customer, PERSONALIZATION) else None
    user = getattr(request, "user", None)  # an API request's user is the one its token authenticated
    if user is None or not user.is_authenticated:
        return None
    django_request = request if isinstance(request, HttpRequest) else getattr(request, "_request", None)
    resolved = getattr(django_request, "privacy_consent", None)
    subject = resolved.subject if resolved is not None else None
    if subject is not None and subject.is_user and subject.user_id == user.pk:
        consented = has_consent(django_request, PERSONALIZATION)  # the request's resolved consent
    else:
        consented = has_consent(user, PERSONALIZATION)  # signed in by an API token: the account's records
    return user.pk if consented else None


def segment_price_strategy(request: HttpRequest | None = None, customer=None) -> PriceStrategy:
    """The shop's strategy factory: a segment price for a consenting customer in a discounted segment,
    else the public price. At most one query (none without a signed-in, consenting customer)."""
    user_id = _consenting_user_id(request, customer)
    if user_id is None:
        return PublicPrice()
    found = _largest_discount_of(user_id)
    if found is None:
        return PublicPrice()
    segment, percent, reason = found
    return SegmentPrice(segment=segment, percent=percent, reason=reason)


# Every page of a signed-in customer asks for their discount: the query (two subqueries) is compiled
# once per process with this stand-in id, which no account has (primitives.compiled_queries).
_STAND_IN_USER_ID = -0x5E6
_percent_field = SegmentDiscount._meta.get_field("percent")


def _largest_discount_of(user_id: int) -> tuple[str, Decimal, str] | None:
    """`segment_discounts_for_user(user_id)`'s first discount as (segment, percent, reason)."""
    rows = rows_for_id("segments.largest_discount_of_user",
                       lambda: segment_discounts_for_user(_STAND_IN_USER_ID).values_list("segment", "percent", "reason")[:1],
                       stand_in=_STAND_IN_USER_ID, value=user_id)
    if not rows:
        return None
    segment, percent, reason = rows[0]
    return segment, _percent_field.to_python(percent), reason


def segment_price_strategies(customers: Iterable) -> dict[int, PriceStrategy]:
    """`segment_price_strategy` of many accounts outside a request (an e-mail batch), by account id:
    the same choice for each, in three queries for all (consent, memberships, discounts)."""
    strategies: dict[int, PriceStrategy] = {customer.pk: PublicPrice() for customer in customers}
    active = [customer.pk for customer in customers if getattr(customer, "is_active", False)]
    consenting, _ = consenting_subjects(purpose=PERSONALIZATION, user_ids=active) if active else (set(), set())
    if not consenting:
        return strategies
    segments_of: dict[int, set[str]] = {}
    for user_id, segment in SegmentMembership.objects.filter(
            user_id__in=consenting, run_id=_latest_run_id()).values_list("user_id", "segment"):
        segments_of.setdefault(user_id, set()).add(segment)
    if not segments_of:
        return strategies
    discounts = list(SegmentDiscount.objects.filter(enabled=True).order_by("-percent", "segment")
                     .only("segment", "percent", "reason"))  # as segment_discounts_for_user orders them
    for user_id, segments in segments_of.items():
        best = next((discount for discount in discounts if discount.segment in segments), None)
        if best is not None:
            strategies[user_id] = SegmentPrice(segment=best.segment, percent=best.percent, reason=best.reason)
    return strategies


segment_price_strategy.for_customers = segment_price_strategies  # shop.pricing.price_strategies_for_customers


def segment_discount_applying(*, user_id: int) -> SegmentDiscount | None:
    """The discount the customer's prices carry now, as the strategy decides (consent included)."""
    customer = User.objects.filter(pk=user_id).first()
    if customer is None or _consenting_user_id(None, customer) is None:
        return None
    return segment_discounts_for_user(user_id).first()


def personalized_prices_of(identity: SubjectIdentity) -> QuerySet[SegmentDiscount]:
    """The registry's finder: the segment discount that applies to the person now (for their export).

    The rule itself names nobody; the person's link to it is their membership."""
    applying = [discount.pk for user_id in identity.user_ids
                if (discount := segment_discount_applying(user_id=user_id)) is not None]
    return SegmentDiscount.objects.filter(pk__in=applying)


@dataclass(frozen=True)
class SegmentDiscountEffect:
    """What a segment discount would do, for the merchant before enabling it. Counts, never people."""

    customers: int | None      # in the segment in the latest run (as reported: None if not reported)
    variants: int              # published variants
    lowered: int               # get a lower price
    held_at_floor: int         # of those, stopped at the product's floor (less than the full discount)
    unchanged: int             # the floor leaves no room: the public price
    largest_cut: Decimal       # the largest reduction of one unit, in money
    average_cut_percent: Decimal  # the average reduction of the lowered ones, in percent


def segment_discount_effect(*, segment: str, percent: Decimal) -> SegmentDiscountEffect:
    """The whole catalog priced with `percent` off for `segment`, as the strategy would (floor included)."""
    strategy = SegmentPrice(segment=segment, percent=percent, reason="")
    latest = segment_runs_newest_first().only("segments").first()
    reported = {s["name"]: s["size"] for s in latest.segments} if latest else {}
    lowered = held = unchanged = 0
    largest = Decimal("0.00")
    cut_percents = Decimal(0)
    rows = (ProductVariant.objects.filter(product__is_published=True)
            .values_list("price", "product__price_floor").iterator(chunk_size=2000))
    full = HUNDRED - strategy.percent
    for price, floor in rows:
        amount = strategy.lowered_amount(price, floor=floor)
        if amount >= price:
            unchanged += 1
            continue
        lowered += 1
        held += amount > round_money(price * full / HUNDRED)
        largest = max(largest, price - amount)
        cut_percents += (price - amount) * HUNDRED / price
    return SegmentDiscountEffect(
        customers=reported.get(segment), variants=lowered + unchanged, lowered=lowered, held_at_floor=held,
        unchanged=unchanged, largest_cut=largest,
        average_cut_percent=(cut_percents / lowered).quantize(Decimal("0.1")) if lowered else Decimal("0.0"))
