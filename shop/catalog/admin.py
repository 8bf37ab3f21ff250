"""Merchant screens for the catalog: products with their variants, pictures and stock inline."""

from decimal import Decimal

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Prefetch
from django.utils.html import format_html

from shop.storefront.templatetags.storefront import money

from .models import Category, Product, ProductImage, ProductVariant
from .services import product_image_thumbnail_generate, product_price_refresh


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


class ProductVariantInline(LabelledTabularInline):
    model = ProductVariant
    fields = ["sku", "name", "price", "stock_quantity", "position"]
    extra = 0
    min_num = 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "price":
            kwargs["label"] = f"Price ({settings.SHOP_CURRENCY}, VAT included)"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


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


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "title", "category", "price_display", "stock", "popularity", "is_published"]
    list_display_links = ["thumbnail", "title"]
    list_filter = [StockFilter, "is_published", "category"]
    list_select_related = ["category"]
    search_fields = ["title", "variants__sku"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["price_display", "popularity", "updated_at"]
    fields = ["title", "slug", "category", "description", "is_published", "created_at", "price_display",
              "popularity",
              "updated_at"]
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
        return money(product.price)

    @admin.display(description="Stock")
    def stock(self, product: Product) -> int:
        return sum(variant.stock_quantity for variant in product.variants.all())

    def save_model(self, request, obj, form, change):
        if obj.price is None:
            obj.price = Decimal("0")  # set from the variants once they are saved
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        product = form.instance
        product_price_refresh(product=product)
        for image in product.images.filter(thumbnail=""):
            try:
                product_image_thumbnail_generate(image=image)
            except ValueError as error:
                image.delete()
                self.message_user(request, f"{error} The picture was not kept.", messages.ERROR)
