from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html

from shop.read_only_admin import CappedCountAdmin

from .models import User


@admin.register(User)
class UserAdmin(CappedCountAdmin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_staff", "is_active", "date_joined", "customer_page"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "imported_customer_number"]
    readonly_fields = ["date_joined", "last_login", "imported_customer_number"]
    fieldsets = (
        (None, {"fields": ("email", "password", "imported_customer_number")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    @admin.display(description="Customer page")
    def customer_page(self, user: User) -> str:
        return format_html('<a href="{}">Orders, spend, consent</a>', reverse("merchant_customer", args=[user.pk]))
