"""Consent records in the admin: evidence, so read-only — no adding, changing or deleting."""

from django.contrib import admin

from .models import ConsentRecord, NoticeText


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
