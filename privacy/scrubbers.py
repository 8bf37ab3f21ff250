"""Finders, anonymisers and scrubbers named by privacy's own registry entries (sessions, the admin
log), for rows no plain path reaches; each app keeps its own beside its models.

Each takes what the registry says it takes (registry.py): a finder gets the identity and
returns a queryset; an anonymiser gets the queryset of the person's rows; a scrubber gets
the queryset and the identity, for rows that are kept but may quote the person.
"""

from __future__ import annotations

import hashlib
import re

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db.models import Q, QuerySet

from primitives import subjects
from primitives.encrypted_fields import blind_index
from primitives.subjects import ERASED, SubjectIdentity

# --- Sessions: the user id is inside the signed session data, not a column ----------------

def sessions_of(identity: SubjectIdentity) -> QuerySet:
    """Sessions logged in as one of the person's accounts, or holding one of their browsers'
    visitor keys (decoded one by one: no column holds either)."""
    if not identity.user_ids and not identity.visitor_ids:
        return Session.objects.none()
    wanted_users = {str(user_id) for user_id in identity.user_ids}
    wanted_visitors = {visitor_id.hex for visitor_id in identity.visitor_ids}
    keys = []
    store = Session.get_session_store_class()()
    for key, data in Session.objects.values_list("session_key", "session_data").iterator(chunk_size=2000):
        decoded = store.decode(data)
        if (str(decoded.get("_auth_user_id")) in wanted_users
                or decoded.get(subjects.SESSION_KEY) in wanted_visitors):
            keys.append(key)
    return Session.objects.filter(session_key__in=keys)


# --- Admin log entries: the object's name (an e-mail address) is copied into the row -------

def log_entries_about(identity: SubjectIdentity) -> QuerySet:
    """Entries about one of the person's accounts, or naming one of their addresses."""

    condition = Q(pk__in=[])
    if identity.user_ids:
        user_type = ContentType.objects.get_for_model(apps.get_model(settings.AUTH_USER_MODEL))
        condition |= Q(content_type=user_type, object_id__in=[str(pk) for pk in identity.user_ids])
    for email in identity.emails:
        condition |= Q(object_repr__icontains=email) | Q(change_message__icontains=email)
    return LogEntry.objects.filter(condition)


def log_entries_anonymise(queryset: QuerySet) -> int:
    """Keep that a change was made and by whom; drop the name of what it was made to."""
    return queryset.update(object_repr=ERASED, change_message="")


# --- The cache --------------------------------------------------------------------------

def _raw_keys(pattern: str) -> list[str]:
    """Cache keys (as stored) matching a glob pattern, on Redis or the in-process cache."""
    backend = cache._cache if hasattr(cache, "_cache") else None
    if hasattr(backend, "get_client"):  # Django's Redis cache
        client = backend.get_client(write=True)
        return [key.decode() if isinstance(key, bytes) else key
                for key in client.scan_iter(match=f"*{pattern}", count=1000)]
    if isinstance(backend, dict):  # LocMemCache
        regex = re.compile(".*" + re.escape(pattern).replace(r"\*", ".*") + "$")
        return [key for key in list(backend) if regex.match(key)]
    return []


def _raw_delete(keys: list[str]) -> None:
    backend = cache._cache
    if not keys:
        return
    if hasattr(backend, "get_client"):
        backend.get_client(write=True).delete(*keys)
    else:
        with cache._lock:
            for key in keys:
                backend.pop(key, None)
                cache._expire_info.pop(key, None)


def cache_purge(identity: SubjectIdentity) -> int:
    """Drop what the cache holds about the person: login-throttle entries keyed by their address
    (allauth keeps a SHA-256 of it), and throttles keyed by the blind index of their address."""
    keys: list[str] = []
    indexes = set(identity.email_indexes) | {blind_index(email) for email in identity.emails}
    for email in identity.emails:
        for variant in {email, email.lower()}:
            keys.extend(_raw_keys(f"allauth:rl:*{hashlib.sha256(variant.encode('utf8')).hexdigest()}"))
    for index in indexes:
        keys.extend(_raw_keys(f"*{index}"))
    _raw_delete(sorted(set(keys)))
    return len(set(keys))
