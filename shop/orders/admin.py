"""Merchant screens for orders: status changes and refunds are admin actions that call the services.

Customer details are decrypted only for staff with `orders.view_customer_details`.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from primitives.money import format_money, format_percent
from shop.pricing.tax import country_name
from shop.read_only_admin import CappedCountAdmin

from .models import Order, OrderLine, OrderStatus, OrderStatusChange
from .services import order_status_change
from .signals import customer_details_viewed
from .status import ALLOWED_TRANSITIONS, OrderTransitionError

DONE = {OrderStatus.SHIPPED: "marked as shipped", OrderStatus.DELIVERED: "marked as delivered",
        OrderStatus.CANCELLED: "cancelled", OrderStatus.REFUNDED: "refunded"}

# The buttons on an order's page: target status, label, what it does, the permission it needs.
ORDER_BUTTONS = (
    (OrderStatus.SHIPPED, "Mark as shipped", "The customer is e-mailed that the order is on its way.",
     "orders.change_order_status"),
    (OrderStatus.DELIVERED, "Mark as delivered", "The order is recorded as delivered.",
     "orders.change_order_status"),
    (OrderStatus.CANCELLED, "Cancel order", "A paid order is refunded in full through the payment provider, "
     "its units go back into stock and the customer is e-mailed.", "orders.refund_order"),
    (OrderStatus.REFUNDED, "Refund in full", "The payment is refunded in full through the payment provider, "
     "its units go back into stock and the customer is e-mailed.", "orders.refund_order"),
)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = ["line_number", "product_sku", "product_title", "quantity", "quantity_cancelled", "unit_price"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order")

    def get_fields(self, request, obj=None):
        return ["line_number", "product_sku", "product_title", "quantity", "quantity_cancelled",
                "unit_price_display", "price_rule", "price_personalized"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="Unit price")
    def unit_price_display(self, line: OrderLine) -> str:
        return format_money(line.unit_price, line.order.currency)


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


ORDER_FIELDS = ["number", "status", "source", "placed_at", "invoice_number", "subtotal_display",
                "shipping_method", "shipping_total_display", "total_display", "vat_rate_display",
                "tax_total_display", "shipping_country", "payments_display"]


@admin.register(Order)
class OrderAdmin(CappedCountAdmin):
    list_display = ["number", "placed_at", "status", "total_display", "source", "invoice_number"]
    list_filter = ["status", "source", "placed_at"]
    search_fields = ["number", "invoice_number"]  # encrypted details cannot be searched
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, OrderStatusChangeInline]
    actions = ["mark_shipped", "mark_delivered", "cancel_orders", "refund_orders"]

    change_form_template = "admin/orders/order/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("shipping_address")

    @admin.display(description="Total", ordering="total")
    def total_display(self, order: Order) -> str:
        return format_money(order.total, order.currency)

    @admin.display(description="Subtotal")
    def subtotal_display(self, order: Order) -> str:
        return format_money(order.subtotal, order.currency)

    @admin.display(description="Shipping")
    def shipping_total_display(self, order: Order) -> str:
        return format_money(order.shipping_total, order.currency)

    @admin.display(description="VAT included")
    def tax_total_display(self, order: Order) -> str:
        return format_money(order.tax_total, order.currency)

    @admin.display(description="VAT rate")
    def vat_rate_display(self, order: Order) -> str:
        return format_percent(order.vat_rate)

    @admin.display(description="Payments")
    def payments_display(self, order: Order) -> str:
        payments = list(order.payments.order_by("created_at"))
        if not payments:
            return "None recorded (imported or unpaid)."
        return format_html_join("", "{} · {} · {} · reference {} · {}<br>", (
            (p.provider, p.get_status_display(), format_money(p.amount, p.currency), p.reference or "—",
             p.created_at.strftime("%d %b %Y %H:%M")) for p in payments))

    # --- Buttons on the order's page, each with a confirmation step -------------------

    def get_urls(self):
        return [path("<int:order_id>/status/<str:to_status>/", self.admin_site.admin_view(self.status_view),
                     name="orders_order_status")] + super().get_urls()

    @staticmethod
    def buttons_for(request, order: Order) -> list[dict]:
        allowed = ALLOWED_TRANSITIONS.get(order.status, frozenset())
        return [{"status": status, "label": label, "effect": effect,
                 "url": reverse("admin:orders_order_status", args=[order.pk, status])}
                for status, label, effect, permission in ORDER_BUTTONS
                if status in allowed and request.user.has_perm(permission)]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}),
                         "order_buttons": self.buttons_for(request, order) if order else []}
        if order is not None and self.can_see_customer(request):  # audited by privacy
            customer_details_viewed.send(sender=Order, order_id=order.pk, staff_user_id=request.user.pk)
        return super().change_view(request, object_id, form_url, extra_context)

    def status_view(self, request, order_id: int, to_status: str):
        """GET: what the change will do, and a confirm button. POST: make it through the service."""
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            raise Http404("No such order.")
        button = next((b for b in self.buttons_for(request, order) if b["status"] == to_status), None)
        if button is None:
            if not any(to_status == status for status, *_ in ORDER_BUTTONS):
                raise Http404("No such change.")
            if not any(request.user.has_perm(perm) for status, *_, perm in ORDER_BUTTONS if status == to_status):
                raise PermissionDenied
            self.message_user(request, f"Order {order.number} is {order.get_status_display().lower()}: "
                                       "that change is no longer possible.", messages.WARNING)
            return redirect("admin:orders_order_change", order.pk)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "order": order, "button": button,
                   "title": f"{button['label']}: order {order.number}?",
                   "total": format_money(order.total, order.currency)}
        if request.method == "POST":
            try:
                order_status_change(order_id=order.pk, to_status=to_status, by_user_id=request.user.pk,
                                    note=f"By {request.user} in the admin")
            except OrderTransitionError as error:
                # Lost a race (another refund or change got there first), or refused: say why, change nothing.
                order.refresh_from_db()
                return TemplateResponse(request, "admin/orders/order/status_confirm.html",
                                        {**context, "error": f"{order.number}: {error.message}", "refused": True},
                                        status=error.status)
            self.message_user(request, f"Order {order.number} {DONE[to_status]}.", messages.SUCCESS)
            return redirect("admin:orders_order_change", order.pk)
        return TemplateResponse(request, "admin/orders/order/status_confirm.html", context)

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

    @staticmethod
    def customer_link(order: Order) -> str:
        if not order.user_id:
            return "Guest order (no account)."
        return format_html('<a href="{}">Customer page: orders, spend and consent</a>',
                           reverse("merchant_customer", args=[order.user_id]))

    @admin.display(description="Customer")
    def customer(self, order: Order) -> str:
        address = order.shipping_address
        parts = [order.contact_email or "—"]
        if address:
            parts += [*address.lines(), country_name(address.country)]
            if address.phone:
                parts.append(address.phone)
        return format_html("{}{}", format_html_join("", "{}<br>", ((part,) for part in parts)),
                           self.customer_link(order))

    @admin.display(description="Customer")
    def customer_hidden(self, order: Order) -> str:
        return format_html("Contact details hidden: your role does not include customer details.<br>{}",
                           self.customer_link(order))

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
