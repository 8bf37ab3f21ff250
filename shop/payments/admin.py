from django.contrib import admin

from .models import Payment, Refund


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "status", "amount", "currency", "provider", "reference", "order"]
    list_filter = ["status", "provider"]
    search_fields = ["reference", "order__number"]
    exclude = ["snapshot"]
    list_select_related = ["order"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "status", "payment", "amount", "currency", "reference", "reason"]
    list_filter = ["status"]
