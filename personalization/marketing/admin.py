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
from django.db.models import Count, Q
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

from .campaigns import digest_preview
from .models import Campaign, MarketingEmailStatus, Subscriber, SubscriberStatus
from .newsletter import subscriber_subject


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y H:i")


class DigestPreviewForm(forms.Form):
    customer = forms.EmailField(label="Subscriber's e-mail address")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Per campaign: eligible, sent, bounced, skipped and why; and the audited digest preview."""

    list_display = ["key", "kind", "created_at", "eligible", "sent", "bounced", "interrupted", "skipped"]
    list_filter = ["kind"]
    # The stored counts are read through the columns below; their JSON waits behind "Details".
    fields = ["key", "kind", "created_at", "updated_at", "eligible", "sent", "bounced", "interrupted", "skipped"]
    readonly_fields = fields
    change_list_template = "admin/marketing/campaign/change_list.html"
    change_form_template = "admin/marketing/campaign/change_form.html"

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        campaign = self.get_object(request, object_id)
        if campaign is not None:
            extra_context = {**(extra_context or {}),
                             "title": f"{campaign} (started {_when(campaign.created_at)})", "subtitle": None,
                             "stored_details": json.dumps(campaign.counts, indent=2, ensure_ascii=False)}
        return super().change_view(request, object_id, form_url, extra_context)


    def get_queryset(self, request):
        sent = Count("emails", filter=Q(emails__status=MarketingEmailStatus.SENT))
        bounced = Count("emails", filter=Q(emails__status=MarketingEmailStatus.BOUNCED))
        interrupted = Count("emails", filter=Q(emails__status=MarketingEmailStatus.SENDING))
        return super().get_queryset(request).annotate(sent_count=sent, bounced_count=bounced,
                                                      interrupted_count=interrupted)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="eligible")
    def eligible(self, campaign: Campaign) -> int:
        return campaign.counts.get("eligible", 0)

    @admin.display(description="sent")
    def sent(self, campaign: Campaign) -> int:
        return campaign.sent_count

    @admin.display(description="bounced")
    def bounced(self, campaign: Campaign) -> int:
        return campaign.bounced_count

    @admin.display(description="interrupted")
    def interrupted(self, campaign: Campaign) -> int:
        """Sends a worker began and never finished: perhaps delivered, so never tried again."""
        return campaign.interrupted_count

    @admin.display(description="skipped, and why")
    def skipped(self, campaign: Campaign) -> str:
        skipped = Counter(campaign.counts.get("skipped", {}))
        skipped.update(campaign.counts.get("skipped_at_send", {}))
        return "; ".join(f"{reason}: {count}" for reason, count in sorted(skipped.items()) if count) or "none"

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
