"""The merchant's screens for campaigns and subscribers, and the audited digest preview."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods

from personalization.recommendations.previews import customer_pseudonym, preview_audit_record
from primitives.encrypted_fields import blind_index
from privacy.consent import has_consent
from privacy.purposes import MARKETING
from shop.accounts.models import User

from .campaign_figures import campaign_figures
from .campaigns import digest_preview
from .models import Campaign, Subscriber, SubscriberStatus
from .newsletter import subscriber_subject


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y H:i")


class DigestPreviewForm(forms.Form):
    customer = forms.EmailField(label="Subscriber's e-mail address")


CAMPAIGN_NOISE_NOTE = ("Counts of people (about) are released once a week with noise added (differential "
                       "privacy), so that no one subscriber can be read from them; a campaign started since the "
                       "week's first look shows its counts from next week.")
# (figure, column heading); "interrupted": sends a worker began and never finished (perhaps
# delivered, so never tried again).
CAMPAIGN_COLUMNS = (("eligible", "eligible"), ("sent", "sent"), ("bounced", "bounced"),
                    ("interrupted", "interrupted"))


def _skipped_words(figures: dict | None) -> str:
    if figures is None:
        return "—"
    skipped = Counter(figures.get("skipped", {}))
    return "; ".join(f"{reason}: {count}" for reason, count in sorted(skipped.items()) if count) or "none"


def _column(figures: dict[int, dict], name: str, heading: str):
    def shown(campaign: Campaign):
        return figures.get(campaign.pk, {}).get(name, "—")
    shown.short_description = f"{heading} (about)"
    shown.__name__ = name  # the column's class: "field-<name>"
    return shown


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Per campaign: eligible, sent, bounced, skipped and why, as released (about); and the audited
    digest preview."""

    list_display = ["key", "kind", "created_at"]
    list_filter = ["kind"]
    # The released counts are shown by the template, their JSON behind "Details".
    fields = ["key", "kind", "created_at", "updated_at"]
    readonly_fields = fields
    change_list_template = "admin/marketing/campaign/change_list.html"
    change_form_template = "admin/marketing/campaign/change_form.html"

    def get_list_display(self, request: HttpRequest):
        figures = campaign_figures()  # one release read per page, whatever the number of campaigns

        def skipped(campaign: Campaign) -> str:
            return _skipped_words(figures.get(campaign.pk))
        skipped.short_description = "skipped, and why (about)"
        return [*self.list_display, *(_column(figures, name, heading) for name, heading in CAMPAIGN_COLUMNS),
                skipped]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "noise_note": CAMPAIGN_NOISE_NOTE})

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        campaign = self.get_object(request, object_id)
        if campaign is not None:
            released = campaign_figures().get(campaign.pk)
            rows = [(heading, released.get(name, "—") if released else "—") for name, heading in CAMPAIGN_COLUMNS]
            extra_context = {**(extra_context or {}),
                             "title": f"{campaign} (started {_when(campaign.created_at)})", "subtitle": None,
                             "released_rows": rows + [("skipped, and why", _skipped_words(released))],
                             "noise_note": CAMPAIGN_NOISE_NOTE,
                             "stored_details": json.dumps(released or {}, indent=2, ensure_ascii=False)}
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("preview/", self.admin_site.admin_view(require_http_methods(["GET", "POST"])(self.preview)),
                 name="marketing_campaign_preview"),
            *super().get_urls(),
        ]

    def preview(self, request: HttpRequest) -> HttpResponse:
        """The digest a consenting subscriber would get now; every look is audited (staff and a pseudonym)."""
        if not (request.user.has_perm("marketing.view_campaign")
                and request.user.has_perm("recommendations.view_recommendationlist")):
            raise PermissionDenied
        form = DigestPreviewForm(request.POST or None)
        context = {**self.admin_site.each_context(request), "title": "Preview a digest", "form": form,
                   "opts": self.model._meta}
        if form.is_bound and form.is_valid():
            subscriber = _consenting_subscriber(form.cleaned_data["customer"])
            if subscriber is None:
                form.add_error("customer", "No confirmed subscriber with that address has marketing consent.")
            else:
                pseudonym = (customer_pseudonym(subscriber.user_id) if subscriber.user_id
                             else subscriber_pseudonym(subscriber.pk))
                preview_audit_record(staff=request.user, pseudonym=pseudonym)
                context.update({"pseudonym": pseudonym, "digest": digest_preview(subscriber=subscriber)})
        return TemplateResponse(request, "admin/marketing/campaign/preview.html", context,
                                status=400 if form.errors else 200)


def subscriber_pseudonym(subscriber_id: int) -> str:
    """A keyed pseudonym of a subscriber without an account, for the preview audit log."""
    message = f"digest-preview-subscriber:{subscriber_id}".encode()
    return hmac.new(settings.BLIND_INDEX_KEY.encode(), message, hashlib.sha256).hexdigest()[:16]


def _consenting_subscriber(email: str) -> Subscriber | None:
    subscriber = Subscriber.objects.filter(email_index=blind_index(email), status=SubscriberStatus.CONFIRMED).first()
    if subscriber is None:
        user = User.objects.filter(email__iexact=email).first()
        subscriber = Subscriber.objects.filter(user=user, status=SubscriberStatus.CONFIRMED).first() if user else None
    if subscriber is None or not has_consent(subscriber_subject(subscriber), MARKETING):
        return None
    return subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """Counts and states only: the addresses stay encrypted and are not listed."""

    list_display = ["pk", "status", "has_account", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status"]
    fields = ["status", "created_at", "confirmed_at", "unsubscribed_at"]
    readonly_fields = fields

    @admin.display(boolean=True, description="account")
    def has_account(self, subscriber: Subscriber) -> bool:
        return subscriber.user_id is not None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
