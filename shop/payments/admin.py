from django.contrib import admin

from shop.read_only_admin import ReadOnlyAdmin

from .models import Payment, Refund


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
