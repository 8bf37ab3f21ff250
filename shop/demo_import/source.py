"""Read, validate and clean an Online Retail file into an import plan, without the database.

Every row ends up either in the plan or counted under a reason for skipping it;
a file that cannot be read as a whole raises `ImportFileError` and nothing is imported.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from .naming import category_for, readable_title

REQUIRED_COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                    "CustomerID", "Country")
# Stock codes that are charges, fees or manual adjustments rather than products.
NON_PRODUCT_CODES = frozenset({"POST", "D", "M", "C2", "DOT", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS",
                               "S", "B", "m"})
SOURCE_TIME_ZONE = ZoneInfo("Europe/London")
# Stock on hand is set to about a month of recent demand.
STOCK_DEMAND_WINDOW = timedelta(days=90)
STOCK_MONTHS_OF_DEMAND = Decimal(1) / Decimal(3)


class ImportFileError(Exception):
    """The file cannot be imported as a whole; the message says why."""


class SkipReason:
    DUPLICATE_LINE = "exact duplicate of an earlier line"
    NOT_A_PRODUCT = "charge or fee, not a product (postage, discounts, bank charges, ...)"
    NO_POSITIVE_PRICE = "zero or negative unit price (adjustment)"
    STOCK_ADJUSTMENT = "negative quantity on a sale invoice (stock adjustment)"
    ZERO_QUANTITY = "zero quantity"
    NO_DESCRIPTION = "product never described in the file"
    UNMATCHED_CANCELLATION = "cancellation with no earlier matching purchase by the same customer"


@dataclass(frozen=True)
class PlannedProduct:
    sku: str
    title: str
    category: str
    price: Decimal
    stock_quantity: int
    first_sold_at: datetime


@dataclass
class PlannedLine:
    sku: str
    quantity: int
    unit_price: Decimal
    quantity_cancelled: int = 0


@dataclass
class PlannedOrder:
    number: str
    customer_number: str | None
    placed_at: datetime
    country: str
    lines: list[PlannedLine] = field(default_factory=list)

    @property
    def fully_cancelled(self) -> bool:
        return all(line.quantity_cancelled == line.quantity for line in self.lines)


@dataclass
class ImportPlan:
    rows_read: int
    products: list[PlannedProduct]
    customer_numbers: list[str]
    orders: list[PlannedOrder]
    cancellation_lines_applied: int
    skipped: Counter[str]


def _open_text(path: Path):
    """Open plain, gzip, xz or bzip2 files by their first bytes, not their names."""
    try:
        with path.open("rb") as probe:
            magic = probe.read(6)
    except FileNotFoundError:
        raise ImportFileError(f"No such file: {path}") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a directory, not a data file.") from None
    except PermissionError:
        raise ImportFileError(f"Cannot read {path}: permission denied.") from None
    if magic.startswith(b"\x1f\x8b"):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.open(path, "rt", encoding="utf-8", newline="")
    if magic.startswith(b"BZh"):
        return bz2.open(path, "rt", encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


def read_frame(path: Path) -> pd.DataFrame:
    """Read the whole file as text columns, failing clearly on a damaged or foreign file."""
    try:
        with _open_text(path) as handle:
            frame = pd.read_csv(handle, dtype=str, keep_default_na=False, na_values=[""])
    except ImportFileError:
        raise
    except (EOFError, lzma.LZMAError, gzip.BadGzipFile, zlib.error, OSError) as error:
        raise ImportFileError(f"{path} is damaged or truncated: {error}") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"{path} is not UTF-8 text (nor a gzip/xz/bzip2 file of it).") from None
    except pd.errors.EmptyDataError:
        raise ImportFileError(f"{path} is empty.") from None
    except pd.errors.ParserError as error:
        raise ImportFileError(f"{path} is not a well-formed CSV file: {error}") from None
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise ImportFileError(
            f"{path} lacks the column(s) {', '.join(missing)}; expected {', '.join(REQUIRED_COLUMNS)}."
        )
    if frame.empty:
        raise ImportFileError(f"{path} has a header but no rows.")
    return frame[list(REQUIRED_COLUMNS)]


def _parse_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed columns; any row whose number or date does not parse makes the file invalid."""
    parsed = pd.DataFrame({
        "invoice": frame["InvoiceNo"].str.strip(),
        "sku": frame["StockCode"].str.strip(),
        "description": frame["Description"].str.strip(),
        "quantity": pd.to_numeric(frame["Quantity"], errors="coerce"),
        "price_text": frame["UnitPrice"].str.strip(),
        "price": pd.to_numeric(frame["UnitPrice"], errors="coerce"),
        "placed_at": pd.to_datetime(frame["InvoiceDate"], format="%Y-%m-%d %H:%M:%S", errors="coerce"),
        "customer": frame["CustomerID"].str.strip().str.removesuffix(".0"),
        "country": frame["Country"].fillna("").str.strip(),
    })
    broken = (
        parsed["invoice"].isna() | parsed["sku"].isna() | parsed["quantity"].isna()
        | parsed["price"].isna() | parsed["placed_at"].isna()
        | (parsed["quantity"] != parsed["quantity"].round())
    )
    if broken.any():
        rows = (broken[broken].index[:5] + 2).tolist()  # +2: header line and 1-based numbering
        raise ImportFileError(
            f"{int(broken.sum())} row(s) have a missing or unreadable invoice, stock code, quantity, "
            f"price or date (first at line(s) {', '.join(map(str, rows))}); the file may be truncated. "
            "Nothing was imported."
        )
    parsed["quantity"] = parsed["quantity"].astype("int64")
    parsed["is_cancellation"] = parsed["invoice"].str.upper().str.startswith("C")
    return parsed


def _is_product_code(sku: pd.Series) -> pd.Series:
    return ~sku.isin(NON_PRODUCT_CODES) & ~sku.str.lower().str.startswith("gift") & ~sku.str.startswith("DCGS")


def _to_aware(timestamp: pd.Timestamp) -> datetime:
    return timestamp.to_pydatetime().replace(tzinfo=SOURCE_TIME_ZONE)


def _plan_products(sales: pd.DataFrame, described: pd.DataFrame) -> list[PlannedProduct]:
    # The most frequent description names the product; ties go to the alphabetically first.
    names = (described.groupby(["sku", "description"]).size().reset_index(name="n")
             .sort_values(["sku", "n", "description"], ascending=[True, False, True])
             .drop_duplicates("sku").set_index("sku")["description"])
    median_price = sales.groupby("sku")["price"].median()
    first_sold = sales.groupby("sku")["placed_at"].min()
    recent_start = sales["placed_at"].max() - STOCK_DEMAND_WINDOW
    recent_units = sales[sales["placed_at"] >= recent_start].groupby("sku")["quantity"].sum()
    products = []
    for sku in sorted(names.index):
        description = names[sku]
        units = int(recent_units.get(sku, 0))
        products.append(PlannedProduct(
            sku=sku,
            title=readable_title(description)[:200],
            category=category_for(description),
            price=Decimal(f"{median_price[sku]:.2f}"),
            stock_quantity=int(Decimal(units) * STOCK_MONTHS_OF_DEMAND),
            first_sold_at=_to_aware(first_sold[sku]),
        ))
    return products


def _apply_cancellations(cancellations: pd.DataFrame, orders: dict[str, PlannedOrder]) -> tuple[int, int]:
    """Reduce earlier purchases by each cancellation line; return (applied, unmatched).

    A cancellation names neither the invoice nor the line it reverses, so it is
    matched to the same customer's latest earlier purchases of the same stock
    code, newest first, never cancelling more units than were bought.
    """
    purchases: dict[tuple[str, str], list[tuple[datetime, PlannedLine]]] = defaultdict(list)
    for order in orders.values():
        if order.customer_number is None:
            continue
        for line in order.lines:
            purchases[(order.customer_number, line.sku)].append((order.placed_at, line))
    for candidates in purchases.values():
        candidates.sort(key=lambda item: item[0], reverse=True)

    applied = unmatched = 0
    for row in cancellations.itertuples(index=False):
        to_cancel = -int(row.quantity)
        cancelled_at = _to_aware(row.placed_at)
        matched = False
        if isinstance(row.customer, str):
            for placed_at, line in purchases.get((row.customer, row.sku), ()):
                if placed_at > cancelled_at or to_cancel == 0:
                    continue
                take = min(to_cancel, line.quantity - line.quantity_cancelled)
                if take > 0:
                    line.quantity_cancelled += take
                    to_cancel -= take
                    matched = True
        if matched:
            applied += 1
        else:
            unmatched += 1
    return applied, unmatched


def plan_import(path: Path) -> ImportPlan:
    """Read `path` and decide, row by row, what the shop will hold. Raises ImportFileError."""
    frame = read_frame(Path(path))
    rows = _parse_columns(frame)
    skipped: Counter[str] = Counter()

    duplicate = rows.duplicated(keep="first")
    skipped[SkipReason.DUPLICATE_LINE] = int(duplicate.sum())
    rows = rows[~duplicate]

    product = _is_product_code(rows["sku"])
    skipped[SkipReason.NOT_A_PRODUCT] = int((~product).sum())
    rows = rows[product]

    no_price = rows["price"] <= 0
    skipped[SkipReason.NO_POSITIVE_PRICE] = int(no_price.sum())
    rows = rows[~no_price]

    zero = rows["quantity"] == 0
    skipped[SkipReason.ZERO_QUANTITY] = int(zero.sum())
    rows = rows[~zero]

    adjustment = (rows["quantity"] < 0) & ~rows["is_cancellation"]
    skipped[SkipReason.STOCK_ADJUSTMENT] = int(adjustment.sum())
    rows = rows[~adjustment]

    sales = rows[~rows["is_cancellation"] & (rows["quantity"] > 0)]
    cancellations = rows[rows["is_cancellation"] & (rows["quantity"] < 0)]
    described = rows[rows["description"].notna()]
    products = _plan_products(sales, described[~described["is_cancellation"]])
    known_skus = {planned.sku for planned in products}

    undescribed = ~sales["sku"].isin(known_skus)
    skipped[SkipReason.NO_DESCRIPTION] = int(undescribed.sum())
    sales = sales[~undescribed]

    orders: dict[str, PlannedOrder] = {}
    for row in sales.sort_values(["placed_at", "invoice"], kind="stable").itertuples(index=False):
        order = orders.get(row.invoice)
        if order is None:
            order = orders[row.invoice] = PlannedOrder(
                number=row.invoice,
                customer_number=row.customer if isinstance(row.customer, str) else None,
                placed_at=_to_aware(row.placed_at),
                country=row.country,
            )
        order.lines.append(PlannedLine(sku=row.sku, quantity=int(row.quantity),
                                       unit_price=Decimal(row.price_text).quantize(Decimal("0.01"))))

    applied, unmatched = _apply_cancellations(cancellations, orders)
    skipped[SkipReason.UNMATCHED_CANCELLATION] = unmatched
    customers = sorted({order.customer_number for order in orders.values() if order.customer_number})
    return ImportPlan(
        rows_read=len(frame),
        products=products,
        customer_numbers=customers,
        orders=list(orders.values()),
        cancellation_lines_applied=applied,
        skipped=Counter({reason: count for reason, count in skipped.items() if count}),
    )
