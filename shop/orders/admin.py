"""Merchant screens for orders: status changes and refunds are admin actions that call the services.

Customer details are decrypted only for staff with `orders.view_customer_details`.
"""

from django.contrib import admin, messages
from django.utils.html import format_html_join

from shop.checkout.tax import country_name

from .models import Order, OrderLine, OrderStatus, OrderStatusChange
from .services import order_status_change
from .status import OrderTransitionError


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = ["line_number", "product_sku", "product_title", "quantity", "quantity_cancelled", "unit_price"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


ORDER_FIELDS = ["number", "status", "source", "placed_at", "invoice_number", "currency", "subtotal",
                "shipping_method", "shipping_total", "total", "vat_rate", "tax_total", "shipping_country"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "placed_at", "status", "total", "currency", "source", "invoice_number"]
    list_filter = ["status", "source", "placed_at"]
    search_fields = ["number", "invoice_number"]  # encrypted details cannot be searched
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, OrderStatusChangeInline]
    actions = ["mark_shipped", "mark_delivered", "cancel_orders", "refund_orders"]

    def get_fields(self, request, obj=None):
        return ORDER_FIELDS + (["customer"] if self.can_see_customer(request) else ["customer_hidden"])

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @staticmethod
    def can_see_customer(request) -> bool:
        return request.user.has_perm("orders.view_customer_details")

    @admin.display(description="Customer")
    def customer(self, order: Order) -> str:
        address = order.shipping_address
        parts = [order.contact_email or "—"]
        if address:
            parts += [*address.lines(), country_name(address.country)]
            if address.phone:
                parts.append(address.phone)
        return format_html_join("", "{}<br>", ((part,) for part in parts))

    @admin.display(description="Customer")
    def customer_hidden(self, order: Order) -> str:
        return "Hidden: your role does not include customer details."

    def has_change_status_permission(self, request) -> bool:
        return request.user.has_perm("orders.change_order_status")

    def has_refund_permission(self, request) -> bool:
        return request.user.has_perm("orders.refund_order")

    def _change(self, request, queryset, status: str, done: str) -> None:
        changed = 0
        for order in queryset:
            try:
                order_status_change(order_id=order.pk, to_status=status, by_user_id=request.user.pk,
                                    note=f"By {request.user} in the admin")
                changed += 1
            except OrderTransitionError as error:
                self.message_user(request, f"{order.number}: {error.message}", messages.ERROR)
        if changed:
            self.message_user(request, f"{changed} order{'s' if changed != 1 else ''} {done}.", messages.SUCCESS)

    @admin.action(description="Mark as shipped (e-mails the customer)", permissions=["change_status"])
    def mark_shipped(self, request, queryset):
        self._change(request, queryset, OrderStatus.SHIPPED, "marked as shipped")

    @admin.action(description="Mark as delivered", permissions=["change_status"])
    def mark_delivered(self, request, queryset):
        self._change(request, queryset, OrderStatus.DELIVERED, "marked as delivered")

    @admin.action(description="Cancel (refunds a paid order and restocks)", permissions=["refund"])
    def cancel_orders(self, request, queryset):
        self._change(request, queryset, OrderStatus.CANCELLED, "cancelled")

    @admin.action(description="Refund in full (through the payment provider; restocks)", permissions=["refund"])
    def refund_orders(self, request, queryset):
        self._change(request, queryset, OrderStatus.REFUNDED, "refunded")
