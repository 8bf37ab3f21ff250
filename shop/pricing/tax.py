"""VAT by shipping country. Catalog prices include the home country's VAT.

Rounding rule (shown to shoppers): a unit price for another country is the
home price without home VAT, plus that country's VAT, rounded half up to the
penny; a line is that unit price times the quantity; the VAT in a line is
line − line ÷ (1 + rate), rounded half up to the penny; the order's VAT is the
sum of its lines' and its shipping's VAT.
"""

from dataclasses import replace
from decimal import Decimal

from django.conf import settings

from primitives.money import Money, round_money

from . import PriceQuote


def home_country() -> str:
    return settings.SHOP_HOME_COUNTRY


def vat_rate(country: str) -> Decimal:
    """The VAT rate for goods shipped to `country`; 0 for exports outside the listed countries."""
    return Decimal(settings.SHOP_VAT_RATES.get(country, "0"))


def home_vat_rate() -> Decimal:
    return vat_rate(home_country())


def price_for_country(home_gross: Decimal, country: str) -> Decimal:
    """A VAT-inclusive home price re-priced at `country`'s VAT rate, rounded half up to the penny."""
    home, rate = home_vat_rate(), vat_rate(country)
    if rate == home:
        return round_money(home_gross)
    return round_money(Decimal(home_gross) / (1 + home) * (1 + rate))


def money_for_country(money: Money | None, country: str) -> Money | None:
    """`price_for_country` of an amount of money (None stays None)."""
    return None if money is None else Money(price_for_country(money.amount, country), money.currency)


def quote_for_country(quote: PriceQuote, country: str) -> PriceQuote:
    """A quote at `country`'s VAT: its amount, public price and announced reduction re-priced."""
    return replace(quote, amount=money_for_country(quote.amount, country),
                   public=money_for_country(quote.public, country),
                   reduced_from=money_for_country(quote.reduced_from, country))


def vat_included(gross: Decimal, rate: Decimal) -> Decimal:
    """The VAT contained in a VAT-inclusive amount, rounded half up to the penny."""
    if rate == 0:
        return Decimal("0.00")
    return round_money(gross - gross / (1 + rate))


def country_name(code: str) -> str:
    return settings.SHOP_SHIPPING_COUNTRIES.get(code, code)
