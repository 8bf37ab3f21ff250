"""What the merchant may preview: a product's rails, and a consenting customer's (audited)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from primitives.audit import audit_append
from privacy.consent import has_consent
from privacy.purposes import PERSONALIZATION

from .models import PreviewAuditEntry, Rail, RecommendationList
from .selectors import model_version_serving


def customer_pseudonym(user_id: int) -> str:
    """A keyed pseudonym of a customer: the same for every preview of them, meaningless without the key."""
    message = f"recommendation-preview:{user_id}".encode()
    return hmac.new(settings.BLIND_INDEX_KEY.encode(), message, hashlib.sha256).hexdigest()[:16]


def preview_audit_record(*, staff, pseudonym: str) -> PreviewAuditEntry:
    """Record that `staff` looked at what the customer (or subscriber) behind `pseudonym` is recommended."""
    return audit_append(PreviewAuditEntry, staff=staff, customer_pseudonym=pseudonym, viewed_at=timezone.now(),
                        version=model_version_serving())


def product_preview(*, product_id: int) -> dict[str, list[dict]]:
    """The serving version's lists for one product (they name nobody)."""
    rows = RecommendationList.objects.filter(version__status="active", product_id=product_id,
                                             rail__in=[Rail.ALSO_BOUGHT, Rail.SIMILAR])
    return {row.rail: row.items for row in rows.order_by("rail")}


@dataclass(frozen=True)
class CustomerPreview:
    pseudonym: str
    rails: dict[str, list[dict]]


def customer_preview(*, customer, staff) -> CustomerPreview | None:
    """A consenting customer's stored lists, with an audit entry naming `staff` and a pseudonym.

    None (and no entry) for a customer without personalization consent: nothing is shown.
    """
    if not has_consent(customer, PERSONALIZATION):
        return None
    pseudonym = customer_pseudonym(customer.pk)
    preview_audit_record(staff=staff, pseudonym=pseudonym)
    rows = RecommendationList.objects.filter(version__status="active", user=customer,
                                             rail__in=[Rail.FOR_YOU, Rail.BUY_AGAIN])
    return CustomerPreview(pseudonym=pseudonym, rails={row.rail: row.items for row in rows.order_by("rail")})
