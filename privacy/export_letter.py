"""The readable copy of a person's data (index.html in their download), written from the export document.

Every row of the document becomes an item in plain words: a title, a date, facts with
human labels, money with its currency, products by title. Internal columns (ids, keys,
blind indexes, hashes, flags) are read to choose the words but never printed. A model
without its own wording here is shown by the verbose names of its personal fields, so a
newly exported model is never left out of the letter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string

from primitives.money import format_money, format_percent

from .registry import declarations

TEMPLATE = "privacy/export/index.html"


@dataclass
class Item:
    title: str
    when: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    entries: list[str] = field(default_factory=list)

    def fact(self, label: str, value: Any) -> None:
        """Adds a fact unless there is nothing to say."""
        if value not in (None, "", []):
            self.facts.append((label, str(value)))


def _datetime(value: Any) -> datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if isinstance(value, datetime) else None


def when(value: Any) -> str:
    """A moment as people write it, in UTC: '7 December 2026, 04:03 UTC'."""
    moment = _datetime(value)
    if moment is None:
        return ""
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def day(value: Any) -> str:
    moment = _datetime(value)
    if moment is None:
        return f"{value.day} {value:%B %Y}" if isinstance(value, date) else ""
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y}"


def amount(value: Any, currency: str | None) -> str:
    return format_money(Decimal(str(value)), currency) if value not in (None, "") else ""


@cache
def _choice_labels(label: str, name: str) -> dict[Any, str]:
    return {value: str(text) for value, text in apps.get_model(label)._meta.get_field(name).flatchoices}


def choice(label: str, name: str, value: Any) -> str:
    """A stored choice as the shop words it (its display label)."""
    return _choice_labels(label, name).get(value, str(value)) if value not in (None, "") else ""


class Letter:
    """The document, with what the presenters look up in it."""

    def __init__(self, document: dict):
        self.document = document
        self.sections: dict[str, dict] = document["sections"]
        self.lookups: dict[str, dict[str, str]] = document.get("lookups", {})
        self.lines_by_order: dict[Any, list[dict]] = {}
        for line in self.rows("orders.OrderLine"):
            self.lines_by_order.setdefault(line["order"], []).append(line)

    def rows(self, label: str) -> list[dict]:
        return self.sections.get(label, {}).get("rows", [])

    def named(self, label: str, pk: Any, fallback: str) -> str:
        return self.lookups.get(label, {}).get(str(pk), fallback)

    def product(self, pk: Any) -> str:
        return self.named("catalog.Product", pk, "a product no longer in the catalogue")

    def variant(self, pk: Any) -> str:
        return self.named("catalog.ProductVariant", pk, "a product no longer in the catalogue")

    def order(self, pk: Any) -> str:
        return f"order {self.named('orders.Order', pk, '(no longer yours)')}" if pk is not None else ""


Presenter = Callable[[dict, Letter], Item]


def _user(row: dict, letter: Letter) -> Item:
    item = Item("Your account", when=f"Opened {when(row['date_joined'])}")
    item.fact("E-mail address", row["email"])
    item.fact("Last logged in", when(row["last_login"]) or "Never")
    item.fact("Customer number in our earlier shop system", row["imported_customer_number"])
    if row["is_staff"]:
        item.fact("Role", "Member of the shop's staff")
    if not row["is_active"]:
        item.fact("State", "Switched off: it cannot be used to log in")
    item.fact("Login secret", "Kept only in scrambled form, and never included in a copy")
    return item


def _email_address(row: dict, letter: Letter) -> Item:
    item = Item(row["email"])
    item.fact("Confirmed", "Yes, you opened the link we sent" if row["verified"] else "Not yet")
    if row["primary"]:
        item.fact("Use", "The address we write to")
    return item


def _address_lines(row: dict) -> str:
    return ", ".join(part for part in (row.get("line1"), row.get("line2"), row.get("city"), row.get("postcode"),
                                       row.get("country")) if part)


def _address(row: dict, letter: Letter) -> Item:
    item = Item(row["full_name"] or "A delivery address", when=f"Saved {when(row['created_at'])}")
    item.fact("Address", _address_lines(row))
    item.fact("Phone", row["phone"])
    return item


def _api_token(row: dict, letter: Letter) -> Item:
    item = Item(row["name"] or "An access key for the shop's API", when=f"Created {when(row['created_at'])}")
    item.fact("Last used", when(row["last_used_at"]) or "Never")
    return item


def _visitor_link(row: dict, letter: Letter) -> Item:
    return Item("A browser you logged in from", when=f"First logged in from it {when(row['created_at'])}")


def _cart(row: dict, letter: Letter) -> Item:
    return Item("Your basket", when=f"Started {when(row['created_at'])}",
                facts=[("Last changed", when(row["updated_at"]))])


def _quoted(price: Any, personalized: bool, reason: str, public: Any) -> str:
    text = amount(price, settings.SHOP_CURRENCY)
    if price is not None and personalized:
        text += f" (your price: {reason or 'a price for your customer group'}; " \
                f"everyone else paid {amount(public, settings.SHOP_CURRENCY)})"
    return text


def _cart_line(row: dict, letter: Letter) -> Item:
    item = Item(letter.variant(row["variant"]), when=f"Added {when(row['added_at'])}")
    item.fact("Quantity", row["quantity"])
    item.fact("Price when you added it", _quoted(row["quoted_price"], row["quoted_personalized"],
                                                 row["quoted_reason"], row["quoted_public_price"]))
    return item


def _checkout(row: dict, letter: Letter) -> Item:
    item = Item("A checkout", when=f"Started {when(row['created_at'])}")
    item.fact("What became of it", choice("checkout.Checkout", "status", row["status"]))
    item.fact("E-mail address you gave", row["email"])
    item.fact("Last changed", when(row["updated_at"]))
    return item


def _order(row: dict, letter: Letter) -> Item:
    currency = row["currency"]
    item = Item(f"Order {row['number']}", when=f"Placed {when(row['placed_at'])}")
    item.fact("Status", choice("orders.Order", "status", row["status"]))
    item.fact("Total", amount(row["total"], currency))
    if row["source"] == "web":
        item.fact("Products", amount(row["subtotal"], currency))
        delivery = amount(row["shipping_total"], currency)
        item.fact("Delivery", f"{delivery} ({row['shipping_method']})" if row["shipping_method"] else delivery)
        item.fact(f"VAT included ({format_percent(row['vat_rate'])})", amount(row["tax_total"], currency))
        item.fact("Invoice number", row["invoice_number"])
    else:
        item.fact("About these figures", "Imported from our earlier shop system, which kept the total but not "
                                        "its breakdown into products, delivery and VAT")
    item.fact("Delivered to (country)", row["shipping_country"])
    item.fact("E-mail address you gave", row["email"])
    for line in letter.lines_by_order.get(row["id"], ()):
        text = f"{line['quantity']} × {line['product_title']} at {amount(line['unit_price'], currency)} each"
        if line["price_personalized"]:
            text += " (a price for your customer group)"
        if line["quantity_cancelled"]:
            text += f"; {line['quantity_cancelled']} cancelled"
        item.entries.append(text)
    return item


def _order_line(row: dict, letter: Letter) -> Item:
    # Shown inside its order when the order is in the copy; alone otherwise.
    return Item(f"{row['quantity']} × {row['product_title']}",
                facts=[("Order", letter.order(row["order"])), ("Price each", amount(row["unit_price"], None))])


def _payment(row: dict, letter: Letter) -> Item:
    item = Item(f"Payment of {amount(row['amount'], row['currency'])}", when=when(row["created_at"]))
    item.fact("For", letter.order(row["order"]))
    item.fact("Outcome", choice("payments.Payment", "status", row["status"]))
    item.fact("What the payment provider said", row["message"])
    return item


def _refund(row: dict, letter: Letter) -> Item:
    item = Item(f"Refund of {amount(row['amount'], row['currency'])}", when=when(row["created_at"]))
    item.fact("Outcome", choice("payments.Refund", "status", row["status"]))
    item.fact("Why", row["reason"])
    return item


def _status_change(row: dict, letter: Letter) -> Item:
    label = "orders.OrderStatusChange"
    moved = choice(label, "to_status", row["to_status"])
    if row["from_status"]:
        moved = f"{choice(label, 'from_status', row['from_status'])} to {moved}"
    order = letter.order(row["order"])
    item = Item(f"{order[:1].upper()}{order[1:]}: {moved}", when=when(row["changed_at"]))
    item.fact("Note", row["note"])
    return item


def _consent(row: dict, letter: Letter) -> Item:
    label = "privacy.ConsentRecord"
    decision = "you agreed" if row["granted"] else "you said no"
    item = Item(f"{choice(label, 'purpose', row['purpose'])}: {decision}", when=when(row["created_at"]))
    item.fact("How", choice(label, "source", row["source"]))
    item.fact("Privacy notice you were shown", f"Version {row['notice_version']}")
    return item


def _order_email(row: dict, letter: Letter) -> Item:
    kind = str(row["kind"]).replace("_", " ")
    return Item(f"{kind.capitalize()} e-mail about {letter.order(row['order'])}", when=when(row["sent_at"]))


def _data_request(row: dict, letter: Letter) -> Item:
    label = "privacy.DataRequest"
    item = Item(choice(label, "kind", row["kind"]), when=f"Asked {when(row['created_at'])}")
    item.fact("Status", choice(label, "status", row["status"]))
    item.fact("Confirmed on", when(row["confirmed_at"]))
    item.fact("Carried out on", when(row["completed_at"]))
    item.fact("We must answer by", day(row["deadline"]))
    item.fact("Why it waits", row["blocked_reason"])
    return item


def _log_entry(row: dict, letter: Letter) -> Item:
    entry = LogEntry(action_flag=row["action_flag"], change_message=row["change_message"] or "")
    action = {1: "Added", 2: "Changed", 3: "Deleted"}.get(row["action_flag"], "Changed")
    item = Item(f"{action}: {row['object_repr']}", when=when(row["action_time"]))
    item.fact("What changed", entry.get_change_message())
    return item


PRESENTERS: dict[str, Presenter] = {
    settings.AUTH_USER_MODEL: _user,
    "account.EmailAddress": _email_address,
    "accounts.SavedAddress": _address,
    "accounts.ApiToken": _api_token,
    "privacy.VisitorLink": _visitor_link,
    "cart.Cart": _cart,
    "cart.CartLine": _cart_line,
    "checkout.Checkout": _checkout,
    "checkout.Address": _address,
    "orders.Order": _order,
    "orders.OrderLine": _order_line,
    "payments.Payment": _payment,
    "payments.Refund": _refund,
    "orders.OrderStatusChange": _status_change,
    "privacy.ConsentRecord": _consent,
    "orders.OrderEmail": _order_email,
    "privacy.DataRequest": _data_request,
    "admin.LogEntry": _log_entry,
}
# Shown inside another section's items when that section is in the copy.
SHOWN_WITHIN = {"orders.OrderLine": "orders.Order"}


def _readable(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime) or (isinstance(value, str) and parse_datetime(value) is not None):
        return when(value)
    if isinstance(value, (list, dict)):
        return ""  # structured values are in data.json
    return str(value)


def _generic(label: str) -> Presenter:
    """Any other model: its personal fields under their verbose names."""
    model = apps.get_model(label)
    declaration = declarations().get(label)
    names = declaration.fields_classified("personal") if declaration else []

    def present(row: dict, letter: Letter) -> Item:
        item = Item(str(model._meta.verbose_name).capitalize())
        for name in names:
            model_field = model._meta.get_field(name)
            if model_field.is_relation or row.get(name) is None:
                continue
            value = choice(label, name, row[name]) if model_field.choices else _readable(row[name])
            item.fact(str(model_field.verbose_name).capitalize(), value)
        return item

    return present


def presenter_for(label: str) -> Presenter:
    """The wording of `label`'s rows: privacy's own for the shop's models, the one an app above
    privacy declares for its models (registry "letter"), else the model's personal fields."""
    if label in PRESENTERS:
        return PRESENTERS[label]
    declaration = declarations().get(label)
    if declaration is not None and declaration.letter is not None and declaration.letter.presenter:
        return import_string(declaration.letter.presenter)
    return _generic(label)


def letter_context(document: dict) -> dict:
    """The letter's groups in order, each with its kinds of data and their items."""
    letter = Letter(document)
    groups = []
    for group in document["groups"]:
        kinds = []
        for label, section in document["sections"].items():
            if section["group"] != group["key"] or SHOWN_WITHIN.get(label) in document["sections"]:
                continue
            present = presenter_for(label)
            kinds.append({
                "title": section["heading"], "purpose": section["purpose"], "retention": section["retention"],
                "origin": section["origin"], "recipients": section["recipients"],
                "items": [present(row, letter) for row in section["rows"]],
            })
        if kinds:
            groups.append({**group, "kinds": kinds})
    return {"shop_name": settings.SHOP_NAME, "generated_at": when(document["generated_at"]), "groups": groups}


def letter_html(document: dict) -> str:
    """The letter as one self-contained page: inline styles, no script, nothing fetched."""
    return render_to_string(TEMPLATE, letter_context(document))
