from django.conf import settings
from django.contrib import admin

from primitives.money import format_money

from .models import ShippingMethod


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "price_display", "countries", "is_active", "position"]
    list_editable = ["is_active", "position"]
    prepopulated_fields = {"code": ["name"]}

    @admin.display(description="Price (VAT included)", ordering="price")
    def price_display(self, method: ShippingMethod) -> str:
        return format_money(method.price)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "price":
            kwargs["label"] = f"Price ({settings.SHOP_CURRENCY}, VAT included at the home rate)"
        return super().formfield_for_dbfield(db_field, request, **kwargs)
