"""The one audit write path: every trail is declared, written through it, and holds no personal data."""

import ast
import logging
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

from primitives.audit import NotAnAuditTrail, audit_append, audit_append_many, audit_trail, audit_trails
from personalization.recommendations.models import PreviewAuditEntry
from privacy.audit import audit_record
from privacy.models import AuditEntry, DataRequest
from shop.orders.models import OrderSource, OrderStatus, OrderStatusChange
from shop.orders.services import order_status_change
from shop.pricing.list_prices import _price_change_record
from shop.pricing.models import PriceChange
from tests.factories import OrderFactory, ProductFactory
from tests.hardening.log_capture import ConfiguredHandlersCaptured

ROOT = Path(__file__).resolve().parents[2]
OUR_PACKAGES = ("shop", "privacy", "personalization", "merchant", "config")
ADDRESS, PHONE = "jane.doe@example.com", "+44 20 7946 0000"


@pytest.mark.django_db
def test_personal_data_in_an_entrys_detail_is_blotted_out_and_its_codes_stay():
    entry = audit_record(action="erasure_done", detail={
        "rows": {"orders.Order": 2}, "by": "account", "note": f"asked by {ADDRESS} on {PHONE}"})

    stored = AuditEntry.objects.get(pk=entry.pk).detail
    assert stored["rows"] == {"orders.Order": 2} and stored["by"] == "account"
    assert ADDRESS not in stored["note"] and PHONE not in stored["note"]
    assert stored["note"] == "asked by [redacted] on [redacted]"


@pytest.mark.django_db
def test_the_audit_and_the_log_blot_out_the_same_text():
    text = f"Customer {ADDRESS} called from {PHONE} about SW1A 1AA"
    entry = audit_record(action="customer_details_viewed", detail={"note": text})
    with ConfiguredHandlersCaptured() as written:
        logging.getLogger("privacy").warning(text)

    stored = AuditEntry.objects.get(pk=entry.pk).detail["note"]
    assert stored == "Customer [redacted] called from [redacted] about [redacted]"
    assert stored in written.getvalue() and ADDRESS not in written.getvalue()


@pytest.mark.django_db
def test_an_entry_for_a_model_that_is_no_audit_trail_is_refused():
    with pytest.raises(NotAnAuditTrail, match="privacy.DataRequest"):
        audit_append(DataRequest, kind="export")
    assert not DataRequest.objects.exists()


def test_a_trail_naming_a_field_it_does_not_have_is_refused():
    with pytest.raises(NotAnAuditTrail, match="no field remarks"):
        audit_trail(free_text=("remarks",))(DataRequest)


def test_privacys_own_trail_is_declared():
    assert AuditEntry in audit_trails()


def _writes_outside_the_write_path(trail_names: set[str]) -> list[str]:
    found = []
    for package in OUR_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                target = node.func
                # Model.objects.create(...) / Model.objects.bulk_create(...) / Model(...)
                if (isinstance(target, ast.Attribute) and target.attr in {"create", "bulk_create", "get_or_create"}
                        and isinstance(target.value, ast.Attribute) and isinstance(target.value.value, ast.Name)
                        and target.value.value.id in trail_names):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                elif isinstance(target, ast.Name) and target.id in trail_names:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_audit_trail_is_written_through_the_one_write_path():
    apps.check_models_ready()
    names = {model.__name__ for model in audit_trails()}
    assert _writes_outside_the_write_path(names) == []


def test_the_write_path_check_finds_a_direct_write():
    """The scan above can fail: order lines, written by bulk_create, are found."""
    assert any(place.startswith("shop/orders/services.py:") for place in _writes_outside_the_write_path({"OrderLine"}))


def test_the_shops_and_the_recommendations_trails_are_declared():
    trails = audit_trails()
    assert PreviewAuditEntry in trails
    assert trails[OrderStatusChange].free_text == ("note",)
    assert trails[PriceChange].details == ("inputs",)


@pytest.mark.django_db
def test_a_staff_note_on_an_order_status_change_keeps_its_words_and_loses_the_address():
    order = OrderFactory(status=OrderStatus.PAID, source=OrderSource.IMPORT)

    order_status_change(order_id=order.pk, to_status=OrderStatus.SHIPPED, note=f"Left with {ADDRESS}, {PHONE}")

    change = OrderStatusChange.objects.get(order=order, to_status=OrderStatus.SHIPPED)
    assert change.note == "Left with [redacted], [redacted]"


@pytest.mark.django_db
def test_a_price_changes_inputs_are_blotted_out_where_they_quote_a_person_and_its_numbers_stay():
    product = ProductFactory()
    variant = product.variants.get()
    old_price = variant.price

    _price_change_record(variant=variant, old_price=old_price, new_price=old_price + 1, now=timezone.now(),
                         reason=f"Asked by {ADDRESS}", list_price=old_price + 1, clamps=["daily_limit"])

    change = PriceChange.objects.get(variant=variant)
    assert change.inputs == {"reason": "Asked by [redacted]", "list_price": str(old_price + 1),
                             "clamps": ["daily_limit"]}


@pytest.mark.django_db
def test_entries_appended_together_are_cleaned_each():
    audit_append_many(AuditEntry, [{"at": timezone.now(), "action": "probe", "detail": {"note": ADDRESS}}] * 2)

    assert [entry.detail for entry in AuditEntry.objects.filter(action="probe")] == [{"note": "[redacted]"}] * 2
