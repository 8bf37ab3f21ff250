"""Search-engine basics: schema.org Product data, sitemaps, robots.txt."""

from __future__ import annotations

import json

from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest
from django.urls import reverse

from primitives.money import round_money
from shop.catalog.models import Category, Product, ProductVariant
from shop.pricing import public_variant_quote

SCHEMA_IN_STOCK = "https://schema.org/InStock"
SCHEMA_OUT_OF_STOCK = "https://schema.org/OutOfStock"


def product_structured_data(*, request: HttpRequest, product: Product, variants: list[ProductVariant]) -> str:
    """schema.org Product JSON-LD, safe to place inside a <script> element.

    Offers carry the public price (what anyone without a personal price pays), never the
    visitor's own: search engines and link previews show it to everyone."""
    url = request.build_absolute_uri(product.get_absolute_url())

    def offer(variant: ProductVariant) -> dict:
        public = public_variant_quote(variant).public
        return {"@type": "Offer", "url": url, "sku": variant.sku, "price": f"{round_money(public.amount):.2f}",
                "priceCurrency": public.currency,
                "availability": SCHEMA_IN_STOCK if variant.stock_quantity > 0 else SCHEMA_OUT_OF_STOCK}

    data: dict = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "url": url,
        "category": product.category.name,
        "offers": [offer(variant) for variant in variants] if len(variants) > 1 else offer(variants[0]),
    }
    if len(variants) == 1:
        data["sku"] = variants[0].sku
    if product.description:
        data["description"] = product.description
    images = list(product.images.all())
    if images:
        data["image"] = [request.build_absolute_uri(image.image.url) for image in images]
    text = json.dumps(data, ensure_ascii=False)
    # Nothing inside may close the script element or open a comment.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class ProductSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Product.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, product: Product):
        return product.updated_at


class CategorySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return Category.objects.order_by("pk").only("slug")


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["storefront:home"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"pages": PageSitemap, "categories": CategorySitemap, "products": ProductSitemap}

ROBOTS_DISALLOW = ("/admin/", "/accounts/", "/account/", "/cart/", "/checkout/", "/orders/", "/search/",
                   "/payments/", "/privacy/consent/")


def robots_txt(request: HttpRequest) -> str:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "",
             f"Sitemap: {request.build_absolute_uri(reverse('storefront:sitemap'))}", ""]
    return "\n".join(lines)
