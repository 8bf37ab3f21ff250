"""Money: a Decimal amount with its currency, rounded half up to the penny, and how it is written.

Floats never hold money. On SQLite decimal aggregates come back as floats, so
sums of money are taken in Python over Decimal values, never in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

PENNY = Decimal("0.01")
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def round_money(amount: Decimal) -> Decimal:
    """The shop's one rounding rule: half up to the penny (2.345 -> 2.35)."""
    return Decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP)


def shop_currency() -> str:
    return settings.SHOP_CURRENCY


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("Money never holds a float; pass a Decimal or a string.")
        object.__setattr__(self, "amount", Decimal(self.amount))

    @classmethod
    def zero(cls, currency: str | None = None) -> Money:
        return cls(Decimal("0.00"), currency or shop_currency())

    @classmethod
    def of(cls, amount: Decimal | str | int, currency: str | None = None) -> Money:
        return cls(Decimal(amount), currency or shop_currency())

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, float):
            raise TypeError("multiply Money by an int or a Decimal")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def rounded(self) -> Money:
        return Money(round_money(self.amount), self.currency)

    def __str__(self) -> str:
        return f"{round_money(self.amount)} {self.currency}"


def money_sum(values: list[Money] | tuple[Money, ...], currency: str | None = None) -> Money:
    total = Money.zero(currency or (values[0].currency if values else None))
    for value in values:
        total = total + value
    return total


def format_money(amount: Money | Decimal | None, currency: str | None = None) -> str:
    """An amount with its currency symbol, rounded half up: 2.55 -> '£2.55', -1 -> '−£1.00'."""
    if amount is None or amount == "":
        return ""
    if isinstance(amount, Money):
        amount, currency = amount.amount, amount.currency
    code = currency or shop_currency()
    symbol = CURRENCY_SYMBOLS.get(code)
    rounded = round_money(Decimal(amount))
    value = f"{abs(rounded):,.2f}"
    sign = "−" if rounded < 0 else ""
    return f"{sign}{symbol}{value}" if symbol else f"{sign}{value} {code}"


def format_percent(rate: Decimal | None) -> str:
    """A rate as a percentage without a false rounding: 0.2 -> '20%', 0.055 -> '5.5%', 0 -> '0%'."""
    if rate is None:
        return ""
    value = (Decimal(rate) * 100).normalize()
    return f"{value:f}%"
