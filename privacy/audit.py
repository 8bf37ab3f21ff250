"""The privacy audit log: each step of a data request and each look at a customer's decrypted details.

Entries carry a request's random pseudonym and ids, never a name, an address or an
e-mail: the log must outlive the erasure it proves without undoing it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from primitives.audit import audit_append

from .models import AuditEntry, DataRequest


def audit_record(*, action: str, request: DataRequest | None = None, actor_id: int | None = None,
                 pseudonym: uuid.UUID | None = None, detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry. `detail` holds ids, counts and codes; any personal data in it is blotted out."""
    return audit_append(
        AuditEntry, at=timezone.now(), action=action, request=request, actor_id=actor_id,
        pseudonym=pseudonym or (request.pseudonym if request is not None else None), detail=detail or {},
    )
