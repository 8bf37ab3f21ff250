"""Download my data: every exportable row about one person, as JSON and as a readable page, in a ZIP.

Like the erasure, the export walks the registry: each entry with "export": True
contributes its rows about the person (privacy/reach.py), every concrete field,
encrypted fields decrypted. Nobody else's rows are reached, because every path starts
from the person's own ids.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import datetime
from html import escape

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .reach import SubjectIdentity, rows_of
from .registry import declarations

SCHEMA_VERSION = 1
# A credential is never handed out, even to its owner: the export says one is set.
WITHHELD_FIELDS = {settings.AUTH_USER_MODEL: {"password"}}
WITHHELD = "(set, not exported)"


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


def export_document(*, identity: SubjectIdentity, pseudonym: str,
                    progress: Callable[[int], None] | None = None) -> dict:
    """The person's data, one section per declared model with rows, schema-versioned."""
    exportable = sorted(label for label, d in declarations().items() if d.export)
    sections = {}
    for number, label in enumerate(exportable, start=1):
        columns, rows = _section_rows(label, identity)
        if rows:
            declaration = declarations()[label]
            model = apps.get_model(label)
            sections[label] = {
                "title": str(model._meta.verbose_name_plural).capitalize(),
                "purpose": declaration.purpose, "retention": declaration.retention,
                "columns": columns, "rows": rows,
            }
        if progress is not None:
            progress(int(90 * number / len(exportable)))
    return {
        "schema": "attuned-personal-data", "schema_version": SCHEMA_VERSION,
        "generated_at": timezone.now(), "request": pseudonym, "sections": sections,
    }


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %Z")
    if isinstance(value, (dict, list)):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return str(value)


def export_html(document: dict) -> str:
    """A page anyone can open in a browser; plain HTML, no script, every value escaped."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Your data at {escape(settings.SHOP_NAME)}</title>",
        "<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse;margin-bottom:2rem}"
        "td,th{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}</style>",
        "</head><body>",
        f"<h1>Your data at {escape(settings.SHOP_NAME)}</h1>",
        f"<p>Made {escape(_cell(document['generated_at']))}. The same data, for other programs, is in "
        "<code>data.json</code> beside this page.</p>",
    ]
    if not document["sections"]:
        parts.append("<p>We hold no data about you.</p>")
    for label, section in document["sections"].items():
        parts.append(f"<h2>{escape(section['title'])}</h2><p>Why we keep it: {escape(section['purpose'])}. "
                     f"For how long: {escape(section['retention'])}.</p>")
        parts.append("<table><thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in section["columns"])
                     + "</tr></thead><tbody>")
        parts.extend("<tr>" + "".join(f"<td>{escape(_cell(row[c]))}</td>" for c in section["columns"]) + "</tr>"
                     for row in section["rows"])
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)


def export_archive(document: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1))
        archive.writestr("index.html", export_html(document))
    return buffer.getvalue()
