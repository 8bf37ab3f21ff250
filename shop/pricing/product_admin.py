"""The merchant's product screen: variants with their list prices (inside the product's floor
and ceiling), pictures and stock inline, the price in force and the price history."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html

from primitives.charts import step_chart
from primitives.money import format_money
from shop.catalog.admin import LabelledTabularInline, ProductImageInline, StockFilter
from shop.catalog.models import Product, ProductImage, ProductVariant
from shop.catalog.services import product_image_thumbnail_generate
from shop.read_only_admin import CappedCountAdmin

from . import LIST_PRICE_RULE
from .list_prices import (
    ListPriceRefused,
    list_price_check,
    product_price_refresh,
    product_prices_within_bounds,
    variant_list_price_set,
)
from .selectors import PRICE_CHART_DAYS, RECOMPUTE_RUNNING_MESSAGE, product_price_history, recompute_running

PRICE_HISTORY_DAYS = PRICE_CHART_DAYS


class VariantFormSet(BaseInlineFormSet):
    """List prices inside the product's own floor and ceiling (as submitted with them); none
    changed while a recompute runs (it would overwrite the change with prices computed before it)."""

    def clean(self):
        super().clean()
        product = self.instance
        floor, ceiling = product.price_floor, product.price_ceiling
        if not (floor is None or isinstance(floor, Decimal)) or not (ceiling is None or isinstance(ceiling, Decimal)):
            return  # the product form reports its own errors
        changed = False
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            list_price = form.cleaned_data.get("base_price")
            if list_price is None:
                continue
            changed = changed or "base_price" in form.changed_data
            try:
                list_price_check(list_price=list_price, floor=floor, ceiling=ceiling)
            except ListPriceRefused as error:
                form.add_error("base_price", str(error))
        if changed and recompute_running():
            raise forms.ValidationError(RECOMPUTE_RUNNING_MESSAGE)


class ProductVariantInline(LabelledTabularInline):
    """The merchant edits the list price; the price in force (set by a rule within the guardrails,
    or the list price) is shown beside it."""

    model = ProductVariant
    formset = VariantFormSet
    fields = ["sku", "name", "base_price", "current_price", "price_rule", "stock_quantity", "position"]
    readonly_fields = ["current_price", "price_rule"]
    extra = 0
    min_num = 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "base_price":
            kwargs["label"] = f"List price ({settings.SHOP_CURRENCY}, VAT included)"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Price now")
    def current_price(self, variant: ProductVariant) -> str:
        if variant.pk is None or variant.price is None:
            return "—"
        if variant.reduced_from is not None:
            return f"{format_money(variant.price)} (was {format_money(variant.reduced_from)})"
        return format_money(variant.price)


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        floor, ceiling = cleaned.get("price_floor"), cleaned.get("price_ceiling")
        if floor is not None and ceiling is not None and floor > ceiling:
            self.add_error("price_floor", f"The floor ({format_money(floor)}) is above the ceiling ({format_money(ceiling)}): "
                                          "no price could satisfy both.")
        return cleaned


@admin.register(Product)
class ProductAdmin(CappedCountAdmin):
    form = ProductForm
    list_display = ["thumbnail", "title", "category", "price_display", "stock", "popularity", "is_published"]
    list_display_links = ["thumbnail", "title"]
    list_filter = [StockFilter, "is_published", "category"]
    list_select_related = ["category"]
    search_fields = ["title", "variants__sku"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["price_display", "popularity", "updated_at", "price_history"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "description", "is_published", "created_at", "popularity",
                           "updated_at"]}),
        ("Price", {
            "fields": ["price_display", "price_floor", "price_ceiling", "price_history"],
            "description": "Every price a rule sets stays within the floor and ceiling (when empty, "
                           f"{settings.PRICING_DEFAULT_BAND * 100:.0f}% either side of each variant's list price) "
                           f"and moves at most {settings.PRICING_MAX_DAILY_CHANGE * 100:.0f}% a day. "
                           "A list price you change applies at once.",
        }),
    ]
    inlines = [ProductVariantInline, ProductImageInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "created_at":  # a date and a time box under one label
            field.widget.widgets[0].attrs["aria-label"] = "Created: date"
            field.widget.widgets[1].attrs["aria-label"] = "Created: time"
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            "variants", Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))

    @admin.display(description="Picture")
    def thumbnail(self, product: Product) -> str:
        image = next((image for image in product.images.all() if image.thumbnail), None)
        if image is None:
            return "—"
        return format_html('<img class="product-thumb" src="{}" alt="" width="48" height="48">',
                           image.thumbnail.url)

    @admin.display(description="Price", ordering="price")
    def price_display(self, product: Product) -> str:
        if product.price is None:
            return "—"
        if product.reduced_from is not None:
            return f"{format_money(product.price)} (was {format_money(product.reduced_from)})"
        return format_money(product.price)

    @admin.display(description="Price history")
    def price_history(self, product: Product) -> str:
        if product.pk is None:
            return "—"
        now = timezone.now()
        history = product_price_history(product=product, now=now, days=PRICE_HISTORY_DAYS)
        changes = list(product.price_changes.select_related("variant").filter(
            changed_at__gt=now - timedelta(days=PRICE_HISTORY_DAYS))[:50])
        return render_to_string("admin/pricing/_price_history.html", {
            "product": product, "chart": step_chart([(point.at, point.price) for point in history]), "changes": changes,
            "more": len(changes) == 50, "days": PRICE_HISTORY_DAYS})

    @admin.display(description="Stock")
    def stock(self, product: Product) -> int:
        return sum(variant.stock_quantity for variant in product.variants.all())

    def save_model(self, request, obj, form, change):
        if obj.price is None:
            obj.price = Decimal("0")  # set from the variants once they are saved
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProductVariant:
            return super().save_formset(request, form, formset, change)
        variants = formset.save(commit=False)
        for variant in formset.deleted_objects:
            variant.delete()
        repriced = [variant for variant, fields in formset.changed_objects if "base_price" in fields]
        now = timezone.now()
        for variant in variants:
            if variant.pk is None:  # a new variant's price is its list price
                variant.price, variant.price_rule, variant.price_changed_at = variant.base_price, LIST_PRICE_RULE, now
            variant.save()
        for variant in repriced:  # the price in force follows at once, recorded in the history
            variant_list_price_set(variant=variant, list_price=variant.base_price, now=now)
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        product = form.instance
        if {"price_floor", "price_ceiling"} & set(form.changed_data):
            moved = product_prices_within_bounds(product=product)
            if moved:
                self.message_user(request, f"{moved} price(s) moved inside the new floor and ceiling.")
        product_price_refresh(product=product)
        for image in product.images.filter(thumbnail=""):
            try:
                product_image_thumbnail_generate(image=image)
            except ValueError as error:
                image.delete()
                self.message_user(request, f"{error} The picture was not kept.", messages.ERROR)
