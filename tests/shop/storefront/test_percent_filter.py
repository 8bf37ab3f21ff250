from decimal import Decimal

import pytest

from shop.storefront.templatetags.storefront import percent


@pytest.mark.parametrize("rate,shown", [
    (Decimal("0.20"), "20%"), (Decimal("0.055"), "5.5%"), (Decimal("0"), "0%"), (Decimal("0.2100"), "21%"),
])
def test_vat_rates_show_without_false_rounding(rate, shown):
    assert percent(rate) == shown
