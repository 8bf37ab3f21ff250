"""Tiny files in the Online Retail format, built line by line so each test shows its data."""

from __future__ import annotations

import csv
import gzip
import io
import lzma
from pathlib import Path

HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]

TITLES = {
    "10001": "RED RETROSPOT JUMBO BAG",
    "10002": "PINK POLKADOT JUMBO BAG",
    "10003": "WHITE HANGING HEART T-LIGHT HOLDER",
    "10004": "GLASS STAR T-LIGHT HOLDER",
    "10005": "ENAMEL MUG PANTRY",
    "10006": "CERAMIC MUG STRAWBERRY",
    "10007": "WOODEN PICTURE FRAME",
    "10008": "PAPER CHAIN KIT CHRISTMAS",
    "85123A": "CREAM CUPID HEARTS COAT HANGER",
}


def line(invoice: str, code: str, when: str, customer: str, quantity: int = 1, price: str = "1.25") -> list[str]:
    return [invoice, code, TITLES.get(code, f"ITEM {code}"), str(quantity), when, price, customer, "United Kingdom"]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER, compression: str | None = None) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    if compression == "gz":
        data = gzip.compress(data)
    elif compression == "xz":
        data = lzma.compress(data)
    path.write_bytes(data)
    return path


def shop_history() -> list[list[str]]:
    """Three months of a small shop with clear structure.

    - Bags 10001 and 10002 are almost always bought together; so are holders
      10003 and 10004; mugs 10005 and 10006.
    - Frame 10007 sells steadily all along; paper chain 10008 sells only in
      the last two weeks before the cutoff (2011-03-01), to many customers.
    - Customers 101..112 each buy one pair early on.
    """
    rows: list[list[str]] = []
    invoice = 500000
    pairs = [("10001", "10002"), ("10003", "10004"), ("10005", "10006")]
    for n, customer in enumerate(range(101, 113)):
        first, second = pairs[n % 3]
        day = 1 + n
        rows.append(line(str(invoice), first, f"2010-12-{day:02d} 10:00:00", str(customer)))
        rows.append(line(str(invoice), second, f"2010-12-{day:02d} 10:00:00", str(customer)))
        invoice += 1
    for n, customer in enumerate(range(201, 216)):
        rows.append(line(str(invoice), "10007", f"2011-01-{1 + n:02d} 09:00:00", str(customer)))
        invoice += 1
    for n, customer in enumerate(range(301, 306)):
        rows.append(line(str(invoice), "10008", f"2011-02-{15 + n:02d} 09:00:00", str(customer)))
        invoice += 1
    # Customer 101 (bags) comes back and buys the first bag again, plus a frame.
    rows.append(line(str(invoice), "10001", "2011-02-20 12:00:00", "101"))
    rows.append(line(str(invoice), "10007", "2011-02-20 12:00:00", "101"))
    invoice += 1
    # Test window (from 2011-03-01): 102 (holders before) buys both bags, new to them;
    # 104 (bags before) re-buys a bag and buys a holder; new customer 999 buys a
    # paper chain and a bag.
    rows.append(line(str(invoice), "10001", "2011-03-02 12:00:00", "102"))
    rows.append(line(str(invoice), "10002", "2011-03-02 12:00:00", "102"))
    invoice += 1
    rows.append(line(str(invoice), "10008", "2011-03-03 12:00:00", "999"))
    rows.append(line(str(invoice), "10001", "2011-03-03 12:00:00", "999"))
    invoice += 1
    rows.append(line(str(invoice), "10001", "2011-03-04 12:00:00", "104"))
    rows.append(line(str(invoice), "10003", "2011-03-04 12:00:00", "104"))
    return rows
