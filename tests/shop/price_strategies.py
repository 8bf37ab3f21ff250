"""A personalized price strategy for shop tests, registered through the seam like a real one.

Members (accounts whose id is in `MembersPrice.members`) pay 10% less than the public price,
labelled with a reason; everyone else pays the public price. It reads nothing from the
database: the membership set is the test's.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from primitives.money import Money, round_money
from shop import pricing

RULE = "segment:loyal"
REASON = "Thank you for being a loyal customer"


class MembersPrice(pricing.PublicPrice):
    name = "members"
    fragment_key = "segment:loyal:10"
    members: set[int] = set()

    def _quote(self, public: pricing.PriceQuote) -> pricing.PriceQuote:
        amount = Money(round_money(public.amount.amount * Decimal("0.9")), public.amount.currency)
        return pricing.PriceQuote(amount=amount, public=public.public, rule=RULE, personalized=True, reason=REASON,
                                  reduced_from=public.reduced_from)

    def variant_quote(self, variant):
        return self._quote(pricing.public_variant_quote(variant))

    def product_quote(self, product):
        return self._quote(pricing.public_product_quote(product))


def members_price_factory(request, customer=None):
    user = customer if request is None else getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.pk in MembersPrice.members:
        return MembersPrice()
    return pricing.PublicPrice()


@pytest.fixture
def members_price():
    """Register the strategy; the test adds account ids to the returned set."""
    MembersPrice.members = set()
    previous = pricing.price_strategy_register(members_price_factory)
    yield MembersPrice.members
    pricing.price_strategy_register(previous)
    MembersPrice.members = set()
