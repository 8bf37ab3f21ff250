"""The registry of personal data: every model of every installed app, every field classified.

Each app declares its models in a plain-data module `<app>/personal_data.py` (a dict
`MODELS`, optionally a list `COOKIES`), discovered here the way the admin discovers
`admin.py`. Privacy reaches an app's rows only through what it declares: lookup paths,
and dotted paths to the app's own functions (finders, scrubbers, erasure blockers,
retention purges, kept beside the models in `<app>/personal_data_rules.py`); it imports
no app's models. The shop imports nothing of privacy (the layers contract in
pyproject.toml). Models of third-party apps are declared in `privacy/personal_data.py`.

Format of one entry, keyed by "app_label.ModelName":

    "fields": {field name: "personal" | "pseudonymous" | "not_personal"}  # every concrete field
    "purpose": why the data is kept, in a sentence
    "legal_basis": "consent" | "contract" | "legal_obligation" | "legitimate_interest"
    "retention": how long, in words
    "subject": lookup path to the accounts.User the row is about, "self" for the user
               model itself, None when the row is about nobody
    "export": include in "download my data"
    "erasure": "delete" | "anonymise" | "keep"
    "anonymise_fields": {field: replacement value}  or  "anonymiser": "dotted.path(queryset)"
    optional: "recipients": [processors or other recipients], "data_subjects": who it is about

How a person's rows are found (privacy/reach.py), besides "subject", all optional:
    "guest": lookup path to a BlindIndexField of the e-mail a guest gave ("email_index")
    "visitor": name of the field holding an anonymous visitor's key (UUID or its hex)
    "parent": a foreign key; the row is the person's when the row it points to is
    "referenced_by": ["app_label.Model.field", ...]; the row is the person's when one of
                     the person's rows of that model points to it through that field
    "finder": "dotted.path" of a function(identity) -> QuerySet, for rows no path reaches
              (a session's user inside its data, an e-mail inside a log text)
    "scrubber": "dotted.path" of a function(queryset, identity) run on erasure for rows
                that are kept but may quote the person (an e-mail in a note)
    "explainer": "dotted.path" of a function(entry) -> str: one entry of the rows' JSON "items"
                 in words, shown beside it in the person's copy (why a product was recommended)

How the rows read in the person's copy (privacy/export_letter.py), for models of the apps above
privacy, which privacy does not name (all optional; without them a model is shown by its
personal fields under "Other data we hold about you"):
    "letter": {"group": one of privacy.export.GROUPS' keys, "heading": the section's title,
               "origin": where the rows came from, in a sentence,
               "mailed": true when the rows are about e-mails (the mail server carried them),
               "presenter": "dotted.path" of a function(row, letter) -> privacy.export_letter.Item,
               "product_ids_in": the JSON field that holds product ids, named by title}
    "letter_lookup": "dotted.path" of a function(ids) -> (pk, name) pairs: what the copy calls
                     a row of this model that other rows point at ("Weekly picks" for a campaign)
    "visitor_keys": a lookup path on the person's rows whose values are further visitor keys
                    of theirs (a subscriber's consent key, the browser an account logged in
                    from, the browser in an order's payment snapshot); it may follow foreign
                    keys and end in the keys of a JSON field (privacy/reach.py)

Erasure, when it must wait:
    "erasure_blocker": "dotted.path" of a function(queryset of the person's rows) -> list of
                       reasons, in words for the person, why their erasure must wait (orders
                       still being fulfilled); an empty list lets it go ahead

Retention, machine-readable (enforced by privacy/retention.py where a purge exists):
    "retention_days": how many days, "retention_basis": what they count from
    "retention_purge": "dotted.path" of a function(*, cutoff) -> int that deletes or anonymises
                       the rows whose retention_basis lies before `cutoff` (now minus
                       retention_days) and returns how many; privacy/retention.py runs it
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.module_loading import import_string

CLASSIFICATIONS = ("personal", "pseudonymous", "not_personal")
LEGAL_BASES = {
    "consent": "Consent (Art. 6(1)(a))",
    "contract": "Contract (Art. 6(1)(b))",
    "legal_obligation": "Legal obligation (Art. 6(1)(c))",
    "legitimate_interest": "Legitimate interests (Art. 6(1)(f))",
}
ERASURE_METHODS = ("delete", "anonymise", "keep")
REQUIRED_KEYS = ("fields", "purpose", "legal_basis", "retention", "subject", "export", "erasure")
OPTIONAL_KEYS = ("anonymise_fields", "anonymiser", "recipients", "data_subjects", "guest", "visitor", "parent",
                 "referenced_by", "finder", "scrubber", "visitor_keys", "retention_days", "retention_basis",
                 "erasure_blocker", "retention_purge", "explainer", "letter", "letter_lookup")
LETTER_KEYS = ("group", "heading", "origin", "mailed", "presenter", "product_ids_in")


@dataclass(frozen=True)
class LetterDeclaration:
    """How a model's rows read in the person's copy (see "letter" above)."""

    group: str
    heading: str
    origin: str
    mailed: bool = False
    presenter: str | None = None
    product_ids_in: str | None = None


@dataclass(frozen=True)
class ModelDeclaration:
    label: str
    fields: dict[str, str]
    purpose: str
    legal_basis: str
    retention: str
    subject: str | None
    export: bool
    erasure: str
    declared_in: str
    anonymise_fields: dict[str, Any] = field(default_factory=dict)
    anonymiser: str | None = None
    recipients: tuple[str, ...] = ()
    data_subjects: str = ""
    guest: str | None = None
    visitor: str | None = None
    parent: str | None = None
    referenced_by: tuple[str, ...] = ()
    finder: str | None = None
    scrubber: str | None = None
    visitor_keys: str | None = None
    retention_days: int | None = None
    retention_basis: str = ""
    erasure_blocker: str | None = None
    retention_purge: str | None = None
    explainer: str | None = None
    letter: LetterDeclaration | None = None
    letter_lookup: str | None = None

    def fields_classified(self, classification: str) -> list[str]:
        return [name for name, value in self.fields.items() if value == classification]

    @property
    def holds_personal_data(self) -> bool:
        return any(value != "not_personal" for value in self.fields.values())


def _declaration_modules() -> list[tuple[str, Any]]:
    modules = []
    for app_config in apps.get_app_configs():
        name = f"{app_config.name}.personal_data"
        if importlib.util.find_spec(name) is not None:
            modules.append((name, importlib.import_module(name)))
    return modules


def _declaration_from(label: str, entry: dict[str, Any], module_name: str) -> ModelDeclaration:
    missing = [key for key in REQUIRED_KEYS if key not in entry]
    unknown = [key for key in entry if key not in REQUIRED_KEYS + OPTIONAL_KEYS]
    if missing or unknown:
        raise ImproperlyConfigured(
            f"{module_name}: {label} has missing keys {missing} or unknown keys {unknown}."
        )
    return ModelDeclaration(
        label=label, fields=dict(entry["fields"]), purpose=entry["purpose"], legal_basis=entry["legal_basis"],
        retention=entry["retention"], subject=entry["subject"], export=bool(entry["export"]),
        erasure=entry["erasure"], declared_in=module_name,
        anonymise_fields=dict(entry.get("anonymise_fields", {})), anonymiser=entry.get("anonymiser"),
        recipients=tuple(entry.get("recipients", ())), data_subjects=entry.get("data_subjects", ""),
        guest=entry.get("guest"), visitor=entry.get("visitor"), parent=entry.get("parent"),
        referenced_by=tuple(entry.get("referenced_by", ())), finder=entry.get("finder"),
        scrubber=entry.get("scrubber"), visitor_keys=entry.get("visitor_keys"),
        retention_days=entry.get("retention_days"),
        retention_basis=entry.get("retention_basis", ""),
        erasure_blocker=entry.get("erasure_blocker"), retention_purge=entry.get("retention_purge"),
        explainer=entry.get("explainer"), letter=_letter_from(label, entry.get("letter"), module_name),
        letter_lookup=entry.get("letter_lookup"),
    )


def _letter_from(label: str, letter: dict[str, Any] | None, module_name: str) -> LetterDeclaration | None:
    if letter is None:
        return None
    unknown = [key for key in letter if key not in LETTER_KEYS]
    missing = [key for key in ("group", "heading", "origin") if key not in letter]
    if missing or unknown:
        raise ImproperlyConfigured(
            f"{module_name}: {label}'s letter has missing keys {missing} or unknown keys {unknown}.")
    return LetterDeclaration(**letter)


@lru_cache(maxsize=1)
def declarations() -> dict[str, ModelDeclaration]:
    """Every declaration of every installed app, keyed by model label. Read once per process."""
    found: dict[str, ModelDeclaration] = {}
    for module_name, module in _declaration_modules():
        for label, entry in getattr(module, "MODELS", {}).items():
            if label in found:
                raise ImproperlyConfigured(
                    f"{label} is declared twice: in {found[label].declared_in} and {module_name}."
                )
            found[label] = _declaration_from(label, entry, module_name)
    return found


@lru_cache(maxsize=1)
def declared_cookies() -> list[dict[str, str]]:
    cookies: list[dict[str, str]] = []
    for _, module in _declaration_modules():
        cookies.extend(getattr(module, "COOKIES", []))
    return cookies


def _subject_problem(model: type[models.Model], path: str | None) -> str | None:
    if path is None:
        return None
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    if path == "self":
        return None if model is user_model else "subject 'self' is only for the user model"
    current = model
    for part in path.split(LOOKUP_SEP):
        try:
            relation = current._meta.get_field(part)
        except FieldDoesNotExist:
            return f"subject path {path!r} does not resolve ({part!r})"
        if not relation.is_relation or relation.related_model is None:
            return f"subject path {path!r} does not follow relations ({part!r})"
        current = relation.related_model
    return None if current is user_model else f"subject path {path!r} ends at {current._meta.label}, not the user"


def _declaration_problems(model: type[models.Model], declaration: ModelDeclaration) -> list[str]:
    label = model._meta.label
    problems = []
    concrete = [f.name for f in model._meta.concrete_fields]
    for name in concrete:
        if name not in declaration.fields:
            problems.append(f"{label}.{name} is not classified (declare it in {declaration.declared_in})")
    for name, value in declaration.fields.items():
        if name not in concrete:
            problems.append(f"{label}.{name} is declared but is not a concrete field")
        elif value not in CLASSIFICATIONS:
            problems.append(f"{label}.{name} has classification {value!r}, not one of {CLASSIFICATIONS}")
    if declaration.legal_basis not in LEGAL_BASES:
        problems.append(f"{label} has legal basis {declaration.legal_basis!r}, not one of {sorted(LEGAL_BASES)}")
    if declaration.erasure not in ERASURE_METHODS:
        problems.append(f"{label} has erasure {declaration.erasure!r}, not one of {ERASURE_METHODS}")
    if declaration.erasure == "anonymise" and not declaration.anonymiser:
        uncovered = [n for n in declaration.fields_classified("personal") if n not in declaration.anonymise_fields]
        if uncovered:
            problems.append(f"{label} is anonymised but says nothing about personal fields {uncovered}")
    for name in declaration.anonymise_fields:
        if name not in concrete:
            problems.append(f"{label} anonymises {name!r}, which is not a concrete field")
    if declaration.holds_personal_data and not declaration.retention.strip():
        problems.append(f"{label} holds personal data but states no retention")
    subject_problem = _subject_problem(model, declaration.subject)
    if subject_problem:
        problems.append(f"{label}: {subject_problem}")
    problems.extend(f"{label}: {problem}" for problem in _reach_problems(model, declaration))
    return problems


def _field_at(model: type[models.Model], path: str) -> models.Field | None:
    """The field a lookup path ends at; what follows a JSON field are keys inside it."""
    current: Any = model
    found = None
    for part in path.split(LOOKUP_SEP):
        if isinstance(found, models.JSONField):
            return found
        try:
            found = current._meta.get_field(part)
        except (FieldDoesNotExist, AttributeError):
            return None
        current = found.related_model
    return found


def _reach_problems(model: type[models.Model], declaration: ModelDeclaration) -> list[str]:
    problems = []
    for key in ("guest", "visitor", "visitor_keys"):
        path = getattr(declaration, key)
        if path is not None and _field_at(model, path) is None:
            problems.append(f"{key} path {path!r} does not resolve")
    if declaration.parent is not None:
        parent = _field_at(model, declaration.parent)
        if parent is None or not parent.concrete or not (parent.many_to_one or parent.one_to_one):
            problems.append(f"parent {declaration.parent!r} is not a foreign key")
    for reference in declaration.referenced_by:
        other_label, _, field_name = reference.rpartition(".")
        try:
            other = apps.get_model(other_label)
            pointing = other._meta.get_field(field_name)
        except (LookupError, ValueError, FieldDoesNotExist):
            problems.append(f"referenced_by {reference!r} does not resolve")
            continue
        if pointing.related_model is not model:
            problems.append(f"referenced_by {reference!r} does not point to {model._meta.label}")
    if declaration.retention_days is not None and (
            not isinstance(declaration.retention_days, int) or not declaration.retention_basis):
        problems.append("retention_days must be a whole number of days with a retention_basis")
    if declaration.retention_purge is not None and declaration.retention_days is None:
        problems.append("retention_purge needs retention_days")
    return problems + _hook_problems(declaration)


HOOKS = ("finder", "scrubber", "anonymiser", "erasure_blocker", "retention_purge", "explainer", "letter_lookup")


def _hook_problems(declaration: ModelDeclaration) -> list[str]:
    """A declared function must exist and belong to the declaring app's own package: a dotted
    path is an import, and privacy must not reach into another app's modules through one."""
    problems = []
    own_package = declaration.declared_in.split(".")[0]
    hooks = [(key, getattr(declaration, key)) for key in HOOKS]
    if declaration.letter is not None:
        hooks.append(("letter presenter", declaration.letter.presenter))
    for key, path in hooks:
        if path is None:
            continue
        if path.split(".")[0] != own_package:
            problems.append(f"{key} {path!r} lies outside {own_package}, which declares it")
            continue
        try:
            import_string(path)
        except ImportError:
            problems.append(f"{key} {path!r} does not import")
    return problems


def registry_problems(
    *,
    models_to_check: Iterable[type[models.Model]] | None = None,
    declared: dict[str, ModelDeclaration] | None = None,
) -> list[str]:
    """Everything wrong with the registry, one sentence each; empty when every field is classified.

    By default checks every installed model (including auto-created many-to-many tables)
    against the declarations of every installed app.
    """
    known = declarations() if declared is None else declared
    if models_to_check is None:
        models_to_check = apps.get_models(include_auto_created=True)
    problems: list[str] = []
    checked: set[str] = set()
    for model in models_to_check:
        label = model._meta.label
        checked.add(label)
        if model._meta.proxy or not model._meta.managed and not model._meta.auto_created:
            continue
        declaration = known.get(label)
        if declaration is None:
            problems.append(f"{label} is not declared: add it to {model._meta.app_config.name}.personal_data.MODELS"
                            if model._meta.app_config else f"{label} is not declared")
            continue
        problems.extend(_declaration_problems(model, declaration))
    installed = checked | {m._meta.label for m in apps.get_models(include_auto_created=True)}
    for label in sorted(set(known) - installed):
        problems.append(f"{label} is declared in {known[label].declared_in} but is not an installed model")
    return problems
