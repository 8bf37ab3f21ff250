"""Download my data: every exportable row about one person, as JSON and as a readable letter, in a ZIP.

Like the erasure, the export walks the registry: each entry with "export": True
contributes its rows about the person (privacy/reach.py), every concrete field,
encrypted fields decrypted. Nobody else's rows are reached, because every path starts
from the person's own ids.

`data.json` is the document itself, in full. `index.html` is written from the same
document only (privacy/export_letter.py): each section says which part of the letter
it belongs to, and the document carries the read-only lookups the letter needs
(product titles, order numbers), so a program reading the JSON gets them too.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.module_loading import import_string

from primitives.subjects import SubjectIdentity

from .export_letter import letter_html
from .reach import rows_of
from .recipients import MAIL_SERVER, recipient_named
from .registry import declarations

# 2: sections carry "heading", "group", "origin" and "recipients"; the document carries "groups" and "lookups";
# recommendation lists carry "explanations".
# 3: the sections of the recommendations, the newsletter and the segments are keyed by their apps'
# labels ("recommendations.BehaviourEvent", "marketing.Subscriber", "segments.SegmentMembership").
SCHEMA_VERSION = 3
# A credential is never handed out, even to its owner: the export says one is set.
WITHHELD_FIELDS = {settings.AUTH_USER_MODEL: {"password"}}
WITHHELD = "(set, not exported)"


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    intro: str


# The parts of the letter, in the order it shows them.
GROUPS = (
    Group("account", "Your account", "What you told us when you signed up, and what you keep in your account."),
    Group("shopping", "Your basket and checkouts", "What you put in your basket and the checkouts you started."),
    Group("orders", "Your orders", "What you bought, how you paid and where it went."),
    Group("browsing", "What we learned from your browsing",
          "Recorded only while you allowed personalised recommendations."),
    Group("recommendations", "What we recommended to you, and why",
          "Worked out from what you viewed and bought, while you allowed personalised recommendations."),
    Group("consent", "Your consent decisions", "Every choice you made about cookies, personalisation and e-mail."),
    Group("emails", "E-mails we sent you", "The newsletter you signed up for and the e-mails we sent."),
    Group("requests", "Your requests", "The copies and deletions you asked for."),
    Group("staff", "Your work as a member of staff", "What you did in the shop's back office."),
    Group("other", "Other data we hold about you", "Further records the shop keeps about you."),
)
FALLBACK_GROUP = "other"


@dataclass(frozen=True)
class ExportKind:
    """Where one model's rows go in the letter and where they came from."""

    group: str
    title: str
    origin: str
    mailed: bool = False  # the rows are about e-mails, so the mail server carried them


# Keyed by model label: the models of privacy, the shop and third-party apps. The apps above
# privacy place their own models by their declaration's "letter" (privacy/registry.py). A model
# placed nowhere still lands in the letter, under FALLBACK_GROUP;
# tests/privacy/test_data_rights_export.py fails until it is placed.
EXPORT_KINDS: dict[str, ExportKind] = {
    settings.AUTH_USER_MODEL: ExportKind(
        "account", "Your account details", "You gave it when you signed up.", mailed=True),
    "account.EmailAddress": ExportKind(
        "account", "Your e-mail addresses", "You gave it when you signed up or added it to your account.",
        mailed=True),
    "accounts.SavedAddress": ExportKind("account", "Addresses you saved", "You saved it in your account."),
    "accounts.ApiToken": ExportKind("account", "Your keys for the shop's API", "You created it in your account."),
    "privacy.VisitorLink": ExportKind(
        "account", "Browsers you logged in from", "Recorded when you logged in, so that what you chose in that "
        "browser before logging in is part of your copy and of a deletion."),
    "cart.Cart": ExportKind("shopping", "Your basket", "Recorded by the shop as you shopped."),
    "cart.CartLine": ExportKind(
        "shopping", "Products in your basket", "Recorded by the shop when you added the product."),
    "checkout.Checkout": ExportKind(
        "shopping", "Checkouts you started", "Recorded by the shop when you went to the checkout."),
    "orders.Order": ExportKind(
        "orders", "Your orders", "Recorded when you placed the order (or imported from our earlier shop system)."),
    "orders.OrderLine": ExportKind(
        "orders", "Products you ordered", "Copied from the catalogue when you placed the order."),
    "checkout.Address": ExportKind("orders", "Delivery addresses", "You gave it at the checkout."),
    "payments.Payment": ExportKind(
        "orders", "Your payments", "Recorded when you paid; the payment provider reported the outcome."),
    "payments.Refund": ExportKind("orders", "Your refunds", "Recorded when we refunded you."),
    "orders.OrderStatusChange": ExportKind(
        "orders", "What happened to your orders", "Recorded by the shop as your order moved on."),
    "privacy.ConsentRecord": ExportKind(
        "consent", "Your choices", "You made these choices; we record each one as proof."),
    "orders.OrderEmail": ExportKind(
        "emails", "E-mails about your orders", "Recorded when we sent the e-mail about your order.", mailed=True),
    "privacy.DataRequest": ExportKind("requests", "Your requests about your data", "You asked for it.", mailed=True),
    "admin.LogEntry": ExportKind(
        "staff", "Changes you made in the back office", "Recorded by the back office when you made the change."),
}
FALLBACK_KIND = ExportKind(FALLBACK_GROUP, "", "Recorded by the shop.")



def export_kind(label: str) -> ExportKind:
    if label in EXPORT_KINDS:
        return EXPORT_KINDS[label]
    declaration = declarations().get(label)
    letter = declaration.letter if declaration is not None else None
    if letter is None:
        return FALLBACK_KIND
    return ExportKind(letter.group, letter.heading, letter.origin, mailed=letter.mailed)


def _json_product_fields() -> dict[str, str]:
    """Product ids held inside JSON fields rather than in a foreign key, by model label."""
    return {label: declaration.letter.product_ids_in for label, declaration in declarations().items()
            if declaration.letter is not None and declaration.letter.product_ids_in}


def _named_by_the_shop() -> dict[str, Callable[[set], Iterable[tuple[Any, str]]]]:
    """What the letter names rather than numbers (rows point at these by id), each with the one
    query that names them: the shop's products, variants and orders, and what apps declare."""
    named: dict[str, Callable[[set], Iterable[tuple[Any, str]]]] = {
        "catalog.Product": lambda ids: apps.get_model("catalog.Product")._base_manager.filter(pk__in=ids)
        .values_list("pk", "title"),
        "catalog.ProductVariant": lambda ids: (
            (pk, f"{title} ({name})" if name else title)
            for pk, title, name in apps.get_model("catalog.ProductVariant")._base_manager.filter(pk__in=ids)
            .values_list("pk", "product__title", "name")),
        "orders.Order": lambda ids: apps.get_model("orders.Order")._base_manager.filter(pk__in=ids)
        .values_list("pk", "number"),
    }
    for label, declaration in declarations().items():
        if declaration.letter_lookup:
            named[label] = import_string(declaration.letter_lookup)
    return named


def _section_rows(label: str, identity: SubjectIdentity) -> tuple[list[str], list[dict]]:
    model = apps.get_model(label)
    fields = list(model._meta.concrete_fields)
    names = [field.name for field in fields]
    withheld = WITHHELD_FIELDS.get(label, set())
    # A reference to another account (the staff member who changed an order) is someone else's id.
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    account_references = [field.name for field in fields if field.is_relation and field.related_model is user_model]
    rows = []
    values = rows_of(label, identity).order_by("pk").values_list(*[field.attname for field in fields])
    for record in values.iterator(chunk_size=2000):
        row = dict(zip(names, record, strict=True))
        for name in withheld & row.keys():
            row[name] = WITHHELD
        for name in account_references:
            if row[name] is not None and row[name] not in identity.user_ids:
                row[name] = None
        for name, value in row.items():
            if isinstance(value, (bytes, memoryview)):
                row[name] = bytes(value).hex()
        rows.append(row)
    return names, rows


def _json_product_ids(value) -> Iterable[int]:
    for entry in value or ():
        product = entry.get("product") if isinstance(entry, dict) else entry
        if isinstance(product, int):
            yield product
        if isinstance(entry, dict) and isinstance(entry.get("about"), int):
            yield entry["about"]


def _lookups(sections: dict[str, dict]) -> dict[str, dict[str, str]]:
    """Titles of the products, numbers of the orders and kinds of the campaigns the rows point at:
    one query per kind of thing, whatever the number of rows."""
    named = _named_by_the_shop()
    json_product_fields = _json_product_fields()
    wanted: dict[str, set] = {label: set() for label in named}
    for label, section in sections.items():
        model = apps.get_model(label)
        for field in model._meta.concrete_fields:
            target = field.related_model._meta.label if field.is_relation and field.related_model else None
            if target in wanted:
                wanted[target].update(row[field.name] for row in section["rows"] if row[field.name] is not None)
        if label in json_product_fields:
            for row in section["rows"]:
                wanted["catalog.Product"].update(_json_product_ids(row[json_product_fields[label]]))
    return {label: {str(pk): name for pk, name in named[label](ids)} if ids else {}
            for label, ids in wanted.items()}


def _explanations(label: str, rows: list[dict]) -> dict[str, list[str]] | None:
    explainer = declarations()[label].explainer
    if explainer is None:
        return None
    explain = import_string(explainer)
    return {str(row["id"]): [explain(entry) for entry in row.get("items") or ()] for row in rows}


def export_document(*, identity: SubjectIdentity, pseudonym: str,
                    progress: Callable[[int], None] | None = None) -> dict:
    """The person's data: one section per declared model with rows (every row, every column, as stored),
    grouped for the letter, with the lookups it names things by. Schema-versioned."""
    # In the letter's order: a known model where EXPORT_KINDS puts it, any other one after them.
    placed = list(EXPORT_KINDS)
    exportable = sorted((label for label, d in declarations().items() if d.export),
                        key=lambda label: (placed.index(label) if label in placed else len(placed), label))
    sections = {}
    for number, label in enumerate(exportable, start=1):
        columns, rows = _section_rows(label, identity)
        if rows:
            declaration = declarations()[label]
            kind = export_kind(label)
            title = str(apps.get_model(label)._meta.verbose_name_plural).capitalize()
            recipients = list(declaration.recipients) + ([MAIL_SERVER] if kind.mailed else [])
            sections[label] = {
                "title": title, "heading": kind.title or title,
                "group": kind.group if kind.group in {g.key for g in GROUPS} else FALLBACK_GROUP,
                "origin": kind.origin,
                "purpose": declaration.purpose, "retention": declaration.retention,
                "recipients": [recipient_named(role) for role in dict.fromkeys(recipients)],
                "columns": columns, "rows": rows,
            }
            explanations = _explanations(label, rows)
            if explanations is not None:
                sections[label]["explanations"] = explanations
        if progress is not None:
            progress(int(90 * number / len(exportable)))
    return {
        "schema": "attuned-personal-data", "schema_version": SCHEMA_VERSION,
        "generated_at": timezone.now(), "request": pseudonym,
        "groups": [{"key": group.key, "title": group.title, "intro": group.intro} for group in GROUPS],
        "lookups": _lookups(sections),
        "sections": sections,
    }


def export_html(document: dict) -> str:
    """The letter: a page anyone can read on a phone or print; no script, every value escaped."""
    return letter_html(document)


def export_archive(document: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1))
        archive.writestr("index.html", export_html(document))
    return buffer.getvalue()
