"""Sales as demand pricing reads them: units sold per variant in the days before a moment.

The orders app knows what was sold. It registers its reader here in its `AppConfig.ready()`
(shop/orders/apps.py), so pricing reads sales without depending on orders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

# source(windows=..., now=...) -> {variant id: {window days: units sold in the window before now}}
SalesSource = Callable[..., dict[int, dict[int, int]]]

_source: SalesSource | None = None


class NoSalesSource(RuntimeError):
    """No app has said where sales come from: demand prices cannot be computed."""


def sales_source_register(source: SalesSource | None) -> SalesSource | None:
    """Read sales through `source`; returns the source it replaces, so a test can put it back."""
    global _source
    previous, _source = _source, source
    return previous


def units_sold_by_variant(*, windows: Iterable[int], now: datetime) -> dict[int, dict[int, int]]:
    """{variant id: {window days: units sold in the window before `now`, less cancelled units}}.

    Raises NoSalesSource when none is registered, rather than pricing as if nothing had sold."""
    if _source is None:
        raise NoSalesSource("No sales source is registered: the orders app registers one when it loads.")
    return _source(windows=windows, now=now)
