from django.contrib import admin

from .models import BehaviourEvent


@admin.register(BehaviourEvent)
class BehaviourEventAdmin(admin.ModelAdmin):
    """Read-only: events are written by the shop's consented activity, never by hand."""

    list_display = ["occurred_at", "kind", "product", "user", "visitor_id"]
    list_filter = ["kind"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["product", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
