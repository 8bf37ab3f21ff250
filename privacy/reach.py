"""Finding every row about one person, by walking the registry.

A person is known by a `SubjectIdentity`: their account ids, the blind indexes of
e-mail addresses proven to be theirs (a verified account address, or the address an
e-mailed link reached), and the random keys of browsers they used anonymously.
Each declaration in the registry says how its rows are reached from those (see
privacy/registry.py: "subject", "guest", "visitor", "parent", "referenced_by",
"finder"); `rows_of` turns that into one queryset with subqueries, so finding
a person's rows costs one query per model whatever their number.
"""

from __future__ import annotations

import uuid
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.module_loading import import_string

from primitives.encrypted_fields import blind_index, normalise_email
from primitives.subjects import SubjectIdentity

from .registry import ModelDeclaration, declarations


def identity_for_user(*, user_id: int, visitor_id: uuid.UUID | None = None) -> SubjectIdentity:
    """An account holder: the account, every address on it, and the browser they asked from.

    Guest orders count as theirs only under an address the account has verified, so
    nobody reaches another person's guest orders by signing up with their address.
    """

    user = apps.get_model(settings.AUTH_USER_MODEL)._base_manager.filter(pk=user_id).first()
    addresses = list(EmailAddress.objects.filter(user_id=user_id).values_list("email", "verified"))
    emails = {normalise_email(email) for email, _ in addresses}
    if user is not None and user.email:
        emails.add(normalise_email(user.email))
    verified = sorted({normalise_email(email) for email, is_verified in addresses if is_verified})
    return SubjectIdentity(
        user_ids=(user_id,),
        email_indexes=tuple(blind_index(email) for email in verified),
        visitor_ids=(visitor_id,) if visitor_id else (),
        emails=tuple(sorted(emails)),
    )


def identity_for_guest(*, email_index: str, email: str | None = None,
                       visitor_id: uuid.UUID | None = None) -> SubjectIdentity:
    """A guest, proven by an e-mailed link to the address whose blind index is `email_index`."""
    return SubjectIdentity(email_indexes=(email_index,), visitor_ids=(visitor_id,) if visitor_id else (),
                           emails=(normalise_email(email),) if email else ())


def _as_visitor_id(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def identity_with_linked_keys(identity: SubjectIdentity) -> SubjectIdentity:
    """The identity plus every visitor key its rows name ("visitor_keys" in the registry), so that
    what is recorded under those keys is reached too: a subscriber's consent, and what a browser
    recorded before its user logged in or ordered (consent decisions, a cart, a session).

    Only visitor keys are added, never accounts or addresses, and only keys named by rows
    reached from the person's own account or addresses: a browser someone else also used
    leads to that browser's records, never to the other person's account or to their
    other browsers.
    """
    keys = set(identity.visitor_ids)
    for label, declaration in declarations().items():
        if declaration.visitor_keys:
            values = rows_of(label, identity).values_list(declaration.visitor_keys, flat=True)
            keys.update(key for key in map(_as_visitor_id, values) if key is not None)
    if keys == set(identity.visitor_ids):
        return identity
    return SubjectIdentity(user_ids=identity.user_ids, email_indexes=identity.email_indexes,
                           visitor_ids=tuple(sorted(keys, key=str)), emails=identity.emails)


def _visitor_values(field: models.Field, identity: SubjectIdentity) -> list[Any]:
    if isinstance(field, models.UUIDField):
        return list(identity.visitor_ids)
    return [visitor_id.hex for visitor_id in identity.visitor_ids]


def rows_of(label: str, identity: SubjectIdentity, *, _seen: frozenset[str] = frozenset()) -> QuerySet:
    """The rows of model `label` about the person, as the registry declares how to reach them.

    A model no declared path reaches gives an empty queryset (never every row).
    """
    declaration: ModelDeclaration = declarations()[label]
    model = apps.get_model(label)
    manager = model._base_manager
    if label in _seen:  # a cycle of parents: stop rather than recurse
        return manager.none()
    seen = _seen | {label}
    condition = Q()
    reached = False
    if declaration.subject == "self" and identity.user_ids:
        condition |= Q(pk__in=identity.user_ids)
        reached = True
    elif declaration.subject and identity.user_ids:
        condition |= Q(**{f"{declaration.subject}__in": identity.user_ids})
        reached = True
    if declaration.guest and identity.email_indexes:
        guest_rows = Q(**{f"{declaration.guest}__in": identity.email_indexes})
        if declaration.subject and declaration.subject != "self":
            # Only rows placed without an account: an account's rows are reached through the account.
            guest_rows &= Q(**{f"{declaration.subject}__isnull": True})
        condition |= guest_rows
        reached = True
    if declaration.visitor and identity.visitor_ids:
        field = model._meta.get_field(declaration.visitor)
        condition |= Q(**{f"{declaration.visitor}__in": _visitor_values(field, identity)})
        reached = True
    if declaration.parent:
        parent_model = model._meta.get_field(declaration.parent).related_model
        condition |= Q(**{f"{declaration.parent}__in": rows_of(parent_model._meta.label, identity, _seen=seen)
                          .values("pk")})
        reached = True
    for reference in declaration.referenced_by:
        other_label, _, field_name = reference.rpartition(".")
        condition |= Q(pk__in=rows_of(apps.get_model(other_label)._meta.label, identity, _seen=seen)
                       .filter(**{f"{field_name}__isnull": False}).values(field_name))
        reached = True
    if declaration.finder:
        condition |= Q(pk__in=import_string(declaration.finder)(identity).values("pk"))
        reached = True
    if not reached:
        return manager.none()
    return manager.filter(condition)
