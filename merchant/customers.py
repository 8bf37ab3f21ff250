"""The merchant's page about one customer: orders, total spend and consent in force.

Here rather than in `shop` because the consent state and data requests come from `privacy`.
Contact details (e-mail, addresses) are shown only to staff with `orders.view_customer_details`,
and each showing is written to the privacy audit log (ids only).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format

from primitives.subjects import Subject
from privacy.audit import audit_record
from privacy.models import ConsentSource, DataRequest
from privacy.purposes import CONSENT_PURPOSES, PURPOSES_BY_KEY
from privacy.selectors import consent_state
from shop.accounts.models import SavedAddress
from shop.pricing.tax import country_name
from shop.orders.models import Order

from .selectors import SOLD_STATUSES

RECENT_ORDERS = 20


@dataclass(frozen=True)
class CustomerSummary:
    orders: list[Order]
    order_count: int
    spend: Decimal
    consent: list[tuple[str, bool, str]]  # label, granted, how it was decided
    data_requests: list[DataRequest]


def customer_summary(*, user_id: int) -> CustomerSummary:
    orders = Order.objects.filter(user_id=user_id)
    totals = orders.aggregate(n=Count("id"))
    spend = orders.filter(status__in=SOLD_STATUSES).aggregate(s=Sum("total"))["s"] or 0
    state = consent_state(subject=Subject(user_id=user_id))
    consent = []
    for purpose in CONSENT_PURPOSES:
        decision = state.decisions.get(purpose)
        how = (f"{ConsentSource(decision.source).label}, {decision.created_at:%d %b %Y}" if decision
               else "not decided under the current notice")
        consent.append((PURPOSES_BY_KEY[purpose].label, state.granted(purpose), how))
    return CustomerSummary(orders=list(orders.order_by("-placed_at", "-id")[:RECENT_ORDERS]),
                           order_count=totals["n"], spend=Decimal(str(spend)).quantize(Decimal("0.01")),
                           consent=consent,
                           data_requests=list(DataRequest.objects.filter(user_id=user_id)
                                              .order_by("-created_at", "-id")[:RECENT_ORDERS]))


def customer_title(customer) -> str:
    """The page's title: the customer's number and how long they have had an account, never their
    address or name (the title stays in browser history and tabs, whoever may see the details)."""
    title = f"Customer #{customer.pk}, account since {date_format(timezone.localtime(customer.date_joined), 'j M Y')}"
    if customer.imported_customer_number:
        title += f" (imported customer {customer.imported_customer_number})"
    return title


def customer_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """Mounted inside the admin (admin_view: staff only); needs permission to view orders."""
    if not request.user.has_perm("orders.view_order"):
        raise PermissionDenied
    customer = get_user_model().objects.filter(pk=user_id).first()
    if customer is None:
        raise Http404("No such customer.")
    may_see_details = request.user.has_perm("orders.view_customer_details")
    summary = customer_summary(user_id=customer.pk)
    if may_see_details:
        audit_record(action="customer_details_viewed", actor_id=request.user.pk,
                     detail={"user_id": customer.pk, "page": "customer"})
    addresses = ([(address, country_name(address.country))
                  for address in SavedAddress.objects.filter(user=customer)] if may_see_details else [])
    context = {**admin.site.each_context(request), "customer": customer, "summary": summary,
               "may_see_details": may_see_details, "addresses": addresses,
               "title": customer_title(customer)}
    return TemplateResponse(request, "admin/merchant/customer.html", context)
