"""Merchant screens for the catalog: categories, and the pieces of the product screen that are
not about prices (the pictures inline, the stock filter). The product screen itself, where list
prices, floors and ceilings are edited, is shop/pricing/product_admin.py.
"""

from django.contrib import admin
from django.utils.html import format_html

from .models import Category, ProductImage


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class LabelledTabularInline(admin.TabularInline):
    """A table row's inputs have only a column heading: name each one for screen readers."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.widget.attrs.setdefault("aria-label", str(field.label))
        return field

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class Labelled(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:
                    form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this row"

        return Labelled


class ProductImageInline(LabelledTabularInline):
    model = ProductImage
    fields = ["image", "alt_text", "position", "preview"]
    readonly_fields = ["preview"]
    extra = 0

    @admin.display(description="Thumbnail")
    def preview(self, image: ProductImage) -> str:
        if not image.thumbnail:
            return "—"
        return format_html('<img src="{}" alt="" width="80">', image.thumbnail.url)


LOW_STOCK_UNITS = 5


class StockFilter(admin.SimpleListFilter):
    """The low-stock list: products with a variant at LOW_STOCK_UNITS units or fewer."""

    title = "stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return [("low", f"Low ({LOW_STOCK_UNITS} or fewer)"), ("out", "Sold out")]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.filter(variants__stock_quantity__lte=LOW_STOCK_UNITS).distinct()
        if self.value() == "out":
            return queryset.filter(variants__stock_quantity=0).distinct()
        return queryset
