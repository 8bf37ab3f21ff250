"""Consent records, data requests and the privacy audit log in the admin: evidence, so read-only."""

from django.contrib import admin
from django.utils import timezone

from shop.read_only_admin import ReadOnlyAdmin

from .disclosure import budgets_in_period
from .models import (
    AuditEntry,
    ConsentRecord,
    DataRequest,
    DataRequestStatus,
    DisclosureBudget,
    DisclosureRelease,
    NoticeText,
)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "subject", "purpose", "granted", "source", "notice_version"]
    list_filter = ["purpose", "granted", "source", "notice_version"]
    date_hierarchy = "created_at"
    list_select_related = False
    show_full_result_count = False
    change_list_template = "privacy/admin/consentrecord_change_list.html"

    @admin.display(description="subject")
    def subject(self, record: ConsentRecord) -> str:
        # Pseudonyms only: the admin list shows no e-mail address.
        return f"user #{record.user_id}" if record.user_id else f"visitor {record.visitor_id}"


@admin.register(NoticeText)
class NoticeTextAdmin(ReadOnlyAdmin):
    list_display = ["version", "text_hash", "first_shown_at"]


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnlyAdmin):
    """Requests to download or erase data, with their legal deadline. Pseudonyms only, never the person."""

    list_display = ["pseudonym", "kind", "status", "created_at", "deadline", "deadline_state", "due_at",
                    "completed_at", "blocked_reason"]
    list_filter = ["kind", "status"]
    date_hierarchy = "created_at"
    fields = ["pseudonym", "kind", "status", "created_at", "deadline", "confirmed_at", "due_at", "completed_at",
              "progress", "blocked_reason", "file_expires_at"]
    show_full_result_count = False

    @admin.display(description="deadline")
    def deadline_state(self, request_row: DataRequest) -> str:
        if not request_row.is_open:
            return "answered" if request_row.status == DataRequestStatus.DONE else "closed"
        return "OVERDUE" if request_row.deadline < timezone.now() else "open"


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Each step of each request, and each look at a customer's details; ids and pseudonyms only."""

    list_display = ["at", "action", "pseudonym", "request", "actor_id", "detail"]
    list_filter = ["action"]
    date_hierarchy = "at"
    list_select_related = ["request"]
    show_full_result_count = False


@admin.register(DisclosureBudget)
class DisclosureBudgetAdmin(ReadOnlyAdmin):
    """The privacy budget: each family of figures counted from people, its epsilon, this period's
    budget and what it has spent (the page's table); past months' ledger rows below it."""

    list_display = ["period", "family", "spent", "releases"]
    list_filter = ["period"]
    change_list_template = "privacy/admin/disclosurebudget_change_list.html"
    show_full_result_count = False

    def changelist_view(self, request, extra_context=None):
        period, budgets = budgets_in_period()
        return super().changelist_view(request, {**(extra_context or {}), "period": period, "budgets": budgets,
                                                 "title": f"Privacy budget of {period}"})


@admin.register(DisclosureRelease)
class DisclosureReleaseAdmin(ReadOnlyAdmin):
    """Every release of figures counted from people: the noisy values as shown, never the exact ones."""

    list_display = ["released_at", "family", "release_key", "period", "epsilon_spent", "reused_from"]
    list_filter = ["family", "period"]
    date_hierarchy = "released_at"
    list_select_related = ["reused_from"]
    show_full_result_count = False
