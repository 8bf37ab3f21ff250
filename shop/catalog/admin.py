"""Merchant screens for the catalog: products with their variants, pictures and stock inline."""

from decimal import Decimal

from django.contrib import admin, messages
from django.utils.html import format_html

from .models import Category, Product, ProductImage, ProductVariant
from .services import product_image_thumbnail_generate, product_price_refresh


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class ProductVariantInline(admin.TabularInline):
    model = ProductVariant
    fields = ["sku", "name", "price", "stock_quantity", "position"]
    extra = 0
    min_num = 1


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    fields = ["image", "alt_text", "position", "preview"]
    readonly_fields = ["preview"]
    extra = 0

    @admin.display(description="Thumbnail")
    def preview(self, image: ProductImage) -> str:
        if not image.thumbnail:
            return "—"
        return format_html('<img src="{}" alt="" width="80">', image.thumbnail.url)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "price", "stock", "popularity", "is_published"]
    list_filter = ["is_published", "category"]
    list_select_related = ["category"]
    search_fields = ["title", "variants__sku"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["price", "popularity", "updated_at"]
    fields = ["title", "slug", "category", "description", "is_published", "created_at", "price", "popularity",
              "updated_at"]
    inlines = [ProductVariantInline, ProductImageInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("variants")

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
