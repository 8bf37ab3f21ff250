"""Reading and cleaning files in the Online Retail CSV format (plain, gzip or xz).

``load_purchases`` is the one entry point: it returns the purchases as
``Interactions`` plus an items frame, and a report of what it skipped and why.
Every problem with the file is raised as ``RecommenderDataError`` with a
message a person can act on.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

import pandas as pd

from .errors import RecommenderDataError
from .interactions import Interactions

REQUIRED_COLUMNS = (
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
)

# Stock codes that are charges, fees or adjustments rather than products
# (see the data set's README). Compared upper-cased; gift vouchers by prefix.
NON_PRODUCT_CODES = frozenset(
    {"POST", "D", "M", "C2", "DOT", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS", "S", "B"}
)
NON_PRODUCT_PREFIXES = ("GIFT",)

# Words that describe a colour or pattern, not what the product is; skipped
# when picking a category word from a title.
_NOT_A_CATEGORY = frozenset(
    """RED PINK BLUE WHITE GREEN BLACK IVORY CREAM PURPLE YELLOW ORANGE GOLD SILVER BROWN
    GREY GRAY NATURAL PASTEL VINTAGE RETROSPOT POLKADOT SPOTTY SMALL LARGE MINI JUMBO
    SET OF AND THE WITH FOR DESIGN ASSORTED COLOUR COLOURS HEART HEARTS""".split()
)


@dataclass(frozen=True)
class CleaningReport:
    """How many lines were read and why each skipped line was skipped."""

    lines_read: int
    duplicate_lines: int
    cancellations: int
    no_customer: int
    non_positive_quantity: int
    non_positive_price: int
    not_a_product: int
    unparseable: int
    purchases: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _open_any(path: Path) -> IO[bytes]:
    """Open plain, gzip, xz or bzip2 by looking at the first bytes, not the name."""
    with path.open("rb") as handle:
        magic = handle.read(6)
    if magic.startswith(b"\x1f\x8b"):
        return gzip.open(path, "rb")
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.open(path, "rb")
    if magic.startswith(b"BZh"):
        return bz2.open(path, "rb")
    return path.open("rb")


def read_transactions(path: str | Path) -> pd.DataFrame:
    """Every line of the file as strings, exactly as written (ids are never re-typed).

    Raises ``RecommenderDataError`` when the file is missing, unreadable or
    lacks one of ``REQUIRED_COLUMNS``.
    """
    path = Path(path)
    if not path.is_file():
        raise RecommenderDataError(f"data file not found: {path}")
    try:
        with _open_any(path) as handle:
            frame = pd.read_csv(handle, dtype=str, keep_default_na=False, na_filter=False)
    except (OSError, EOFError, lzma.LZMAError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise RecommenderDataError(f"cannot read {path}: {exc}") from exc
    except pd.errors.EmptyDataError as exc:
        raise RecommenderDataError(f"{path} is empty") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise RecommenderDataError(
            f"{path} is missing required column(s): {', '.join(missing)} "
            f"(expected {', '.join(REQUIRED_COLUMNS)})"
        )
    return frame


def is_product_code(codes: pd.Series) -> pd.Series:
    """True where a stock code names a real product rather than a fee or adjustment."""
    upper = codes.str.strip().str.upper()
    not_product = upper.isin(NON_PRODUCT_CODES) | (upper == "")
    for prefix in NON_PRODUCT_PREFIXES:
        not_product |= upper.str.startswith(prefix)
    return ~not_product


def clean_purchases(raw: pd.DataFrame) -> tuple[Interactions, CleaningReport]:
    """Purchases only: identified customers, no cancellations, quantity and price above zero,
    real products, exact duplicate lines dropped once."""
    lines_read = len(raw)
    frame = raw.drop_duplicates()
    duplicates = lines_read - len(frame)

    quantity = pd.to_numeric(frame["Quantity"].str.strip(), errors="coerce")
    price = pd.to_numeric(frame["UnitPrice"].str.strip(), errors="coerce")
    when = pd.to_datetime(frame["InvoiceDate"].str.strip(), errors="coerce", format="mixed")
    unparseable = quantity.isna() | price.isna() | when.isna()

    invoice = frame["InvoiceNo"].str.strip()
    # Ids are kept exactly as written so recommendations can be joined back to the file.
    customer = frame["CustomerID"]
    cancelled = invoice.str.upper().str.startswith("C")
    anonymous = customer.str.strip() == ""
    bad_quantity = ~(quantity > 0)
    bad_price = ~(price > 0)
    not_product = ~is_product_code(frame["StockCode"])

    # Count each skipped line once, under the first reason that applies.
    reasons = [unparseable, cancelled, anonymous, bad_quantity, bad_price, not_product]
    counts = []
    taken = pd.Series(False, index=frame.index)
    for reason in reasons:
        hit = reason & ~taken
        counts.append(int(hit.sum()))
        taken |= hit

    keep = ~taken
    purchases = pd.DataFrame(
        {
            "user_id": customer[keep],
            "item_id": frame.loc[keep, "StockCode"],
            "timestamp": when[keep],
            "quantity": quantity[keep].astype("float64"),
            "basket_id": invoice[keep],
        }
    )
    report = CleaningReport(
        lines_read=lines_read,
        duplicate_lines=duplicates,
        unparseable=counts[0],
        cancellations=counts[1],
        no_customer=counts[2],
        non_positive_quantity=counts[3],
        non_positive_price=counts[4],
        not_a_product=counts[5],
        purchases=int(keep.sum()),
    )
    return Interactions(purchases), report


def catalog_from_transactions(raw: pd.DataFrame, before: pd.Timestamp | None = None) -> pd.DataFrame:
    """Items the shop had sold (to anyone, guests included) before ``before``.

    Title is the description used most often for the code (ties: alphabetical),
    because one code carries several spellings in this data. Category is a
    single word picked from the title; see ``derive_categories``.
    """
    frame = raw[is_product_code(raw["StockCode"])]
    if before is not None:
        when = pd.to_datetime(frame["InvoiceDate"].str.strip(), errors="coerce", format="mixed")
        frame = frame[when < before]
    described = pd.DataFrame(
        {"item_id": frame["StockCode"], "title": frame["Description"].str.strip()}
    )
    counts = described.groupby(["item_id", "title"], sort=True).size().rename("n").reset_index()
    # Prefer a non-empty title, then the most used one, then alphabetical order.
    counts["empty"] = counts["title"] == ""
    counts = counts.sort_values(["item_id", "empty", "n", "title"], ascending=[True, True, False, True])
    items = counts.drop_duplicates("item_id")[["item_id", "title"]].reset_index(drop=True)
    items["category"] = derive_categories(items["title"])
    return items


_WORD = re.compile(r"[A-Z][A-Z\-]{2,}")


def derive_categories(titles: pd.Series) -> pd.Series:
    """A one-word category per title: the word of the title that most often ends a
    title across the catalog ('HOLDER', 'BAG', 'CANDLE'), skipping colours,
    sizes and patterns. Product names here put the kind of thing last, so this
    groups 'LUNCH BAG RED RETROSPOT' with 'JUMBO BAG PINK POLKADOT'. Crude but
    deterministic; ties go to the later word in the title, then alphabetical."""
    words = [
        [w for w in _WORD.findall(str(t).upper()) if w not in _NOT_A_CATEGORY] for t in titles
    ]
    ends = Counter(ws[-1] for ws in words if ws)
    return pd.Series(
        [
            max(enumerate(ws), key=lambda p: (ends[p[1]], p[0]))[1] if ws else "OTHER"
            for ws in words
        ],
        index=titles.index,
        dtype=object,
    )


def load_purchases(path: str | Path) -> tuple[pd.DataFrame, Interactions, CleaningReport]:
    """Read a file, returning (raw lines, purchases, report). Raises when nothing is usable."""
    raw = read_transactions(path)
    purchases, report = clean_purchases(raw)
    if len(purchases) == 0:
        raise RecommenderDataError(
            f"{path} has no purchases (identified customer, not cancelled, quantity and "
            "price above zero, real product)"
        )
    return raw, purchases, report
