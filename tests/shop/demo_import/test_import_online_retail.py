"""The Online Retail importer: what a merchant gets from the real file, and what it refuses."""

import csv
import gzip
import io
import lzma
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shop.accounts.models import User
from shop.catalog.models import Category, Product, ProductVariant
from shop.demo_import.loader import IMPORTED_EMAIL_DOMAIN
from shop.demo_import.source import NON_PRODUCT_CODES
from shop.orders.models import Order, OrderLine, OrderSource, OrderStatus

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def run_import(path: Path) -> str:
    out = io.StringIO()
    call_command("import_online_retail", str(path), "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def sample_rows(path: Path) -> list[dict[str, str]]:
    with lzma.open(path, "rt", newline="") as handle:
        return list(csv.DictReader(handle))


def shop_snapshot() -> dict[str, object]:
    return {
        "products": sorted(Product.objects.values_list("slug", "title", "price", "category__name")),
        "variants": sorted(ProductVariant.objects.values_list("sku", "price", "stock_quantity")),
        "users": sorted(User.objects.values_list("email", "imported_customer_number")),
        "orders": sorted(Order.objects.values_list("number", "status", "total", "placed_at")),
        "lines": OrderLine.objects.count(),
        "cancelled_units": sorted(OrderLine.objects.filter(quantity_cancelled__gt=0)
                                  .values_list("order__number", "product_sku", "quantity_cancelled")),
    }


@pytest.mark.django_db
def test_sample_import_creates_the_products_customers_and_orders_in_the_file(sample_data_path):
    rows = sample_rows(sample_data_path)
    sale_rows = [r for r in rows if not r["InvoiceNo"].startswith("C") and int(r["Quantity"]) > 0
                 and Decimal(r["UnitPrice"]) > 0 and r["StockCode"] not in NON_PRODUCT_CODES
                 and not r["StockCode"].lower().startswith("gift") and not r["StockCode"].startswith("DCGS")
                 and r["Description"]]

    report = run_import(sample_data_path)

    assert set(ProductVariant.objects.values_list("sku", flat=True)) == {r["StockCode"] for r in sale_rows}
    assert set(User.objects.values_list("imported_customer_number", flat=True)) == {
        r["CustomerID"] for r in sale_rows if r["CustomerID"]}
    assert set(Order.objects.values_list("number", flat=True)) == {r["InvoiceNo"] for r in sale_rows}
    assert "Rows skipped" in report and "exact duplicate" in report


@pytest.mark.django_db
def test_imported_customers_are_pseudonymous_and_cannot_log_in(sample_data_path):
    run_import(sample_data_path)

    customers = User.objects.filter(imported_customer_number__isnull=False)
    assert customers.exists()
    for customer in customers:
        assert customer.email == f"customer-{customer.imported_customer_number}@{IMPORTED_EMAIL_DOMAIN}"
        assert not customer.has_usable_password()
        assert not customer.is_staff


@pytest.mark.django_db
def test_titles_are_readable_and_every_product_has_a_category_and_positive_price(sample_data_path):
    run_import(sample_data_path)

    lantern = ProductVariant.objects.select_related("product").get(sku="71053").product
    assert lantern.title == "White Metal Lantern"
    assert lantern.category.name == "Lighting"
    assert not Product.objects.filter(price__lte=0).exists()
    assert 5 <= Category.objects.count() <= 12
    assert not any(p.title.isupper() and len(p.title) > 4 for p in Product.objects.all())


@pytest.mark.django_db
def test_order_totals_and_lines_match_the_file_with_cancellations_deducted(sample_data_path):
    run_import(sample_data_path)

    for order in Order.objects.filter(source=OrderSource.IMPORT).prefetch_related("lines")[:50]:
        assert order.total == sum(line.line_total for line in order.lines.all())
    cancelled_lines = OrderLine.objects.filter(quantity_cancelled__gt=0)
    assert cancelled_lines.exists(), "the sample holds cancellations of earlier purchases"
    for order in Order.objects.filter(status=OrderStatus.CANCELLED):
        assert all(line.quantity_cancelled == line.quantity for line in order.lines.all())


@pytest.mark.django_db
def test_second_import_changes_nothing(sample_data_path):
    run_import(sample_data_path)
    before = shop_snapshot()

    report = run_import(sample_data_path)

    assert shop_snapshot() == before
    assert "already there" in report


def write_csv(path: Path, body: str, opener=open) -> Path:
    with opener(path, "wt") as handle:
        handle.write(body)
    return path


GOOD_ROWS = (
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom\n"
    "536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,17850,United Kingdom\n"
)


@pytest.mark.django_db
@pytest.mark.parametrize("opener,suffix", [(open, ".csv"), (gzip.open, ".csv.gz"), (lzma.open, ".csv.xz")])
def test_plain_gzip_and_xz_files_import_alike(tmp_path, opener, suffix):
    run_import(write_csv(tmp_path / f"data{suffix}", HEADER + GOOD_ROWS, opener))

    assert Order.objects.count() == 2
    assert ProductVariant.objects.get(sku="22633").product.title == "Hand Warmer Union Jack"


@pytest.mark.django_db
def test_cancellation_reduces_the_latest_earlier_purchase_and_an_unmatched_one_is_reported(tmp_path):
    body = HEADER + GOOD_ROWS + (
        "C536400,71053,WHITE METAL LANTERN,-2,2010-12-02 10:00:00,3.39,17850,United Kingdom\n"
        "C536401,22633,HAND WARMER UNION JACK,-1,2010-12-02 10:00:00,1.85,99999,United Kingdom\n"
    )
    report = run_import(write_csv(tmp_path / "data.csv", body))

    line = OrderLine.objects.get(product_sku="71053")
    assert (line.quantity, line.quantity_cancelled) == (6, 2)
    assert line.order.total == Decimal("13.56")
    assert "1  cancellation with no earlier matching purchase" in report


BAD_FILES = {
    "missing columns": (HEADER.replace(",Country", "") + "536365,71053,X,6,2010-12-01 08:26:00,3.39,17850\n",
                        "lacks the column(s) Country"),
    "unreadable quantity": (HEADER + GOOD_ROWS + "536367,71053,X,six,2010-12-01 08:26:00,3.39,17850,UK\n",
                            "line(s) 4"),
    "truncated last row": (HEADER + GOOD_ROWS + "536367,71053,WHITE METAL LAN", "may be truncated"),
    "header only": (HEADER, "no rows"),
    "empty": ("", "is empty"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_fail_with_a_clear_message_and_import_nothing(tmp_path, case):
    body, message = BAD_FILES[case]

    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_import(write_csv(tmp_path / "bad.csv", body))

    assert not Product.objects.exists() and not Order.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_truncated_xz_file_is_refused(tmp_path, sample_data_path):
    damaged = tmp_path / "damaged.csv.xz"
    damaged.write_bytes(sample_data_path.read_bytes()[:20_000])

    with pytest.raises(CommandError, match="damaged or truncated"):
        run_import(damaged)
    assert not Order.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("make_path,message", [
    (lambda tmp: tmp / "nowhere.csv", "No such file"),
    (lambda tmp: tmp, "is a directory"),
])
def test_unreadable_paths_are_refused(tmp_path, make_path, message):
    with pytest.raises(CommandError, match=message):
        run_import(make_path(tmp_path))


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_full_shared_file_imports_and_reimports_to_the_same_counts(shared_data_path):
    run_import(shared_data_path)
    counts = (Product.objects.count(), User.objects.count(), Order.objects.count(), OrderLine.objects.count())

    assert counts[0] >= 3500 and counts[1] >= 3900 and counts[2] >= 15000

    run_import(shared_data_path)
    assert (Product.objects.count(), User.objects.count(), Order.objects.count(),
            OrderLine.objects.count()) == counts
