"""The order page and the receipts strike through a public price only beside a personal price that
differs from it."""

from decimal import Decimal

import pytest

from shop.orders.models import OrderLine


@pytest.mark.parametrize(("personalized", "unit", "public", "struck"), [
    (True, "9.00", "10.00", Decimal("10.00")),  # a personal price below the public one
    (False, "10.00", "10.00", None),            # the public price itself
    (False, "9.00", "10.00", None),             # a lower price that is not personal (an announced reduction)
    (True, "10.00", "10.00", None),             # a personal price no lower than the public one
    (True, "9.00", None, None),                 # placed before order lines kept the public price
])
def test_only_a_personal_price_beside_a_different_public_one_strikes_it_through(personalized, unit, public, struck):
    line = OrderLine(price_personalized=personalized, unit_price=Decimal(unit),
                     public_unit_price=Decimal(public) if public else None)

    assert line.public_price_struck == struck
