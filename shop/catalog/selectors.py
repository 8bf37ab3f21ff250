"""Catalog reads. Each returns a queryset whose page costs a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Category, Product, ProductVariant
from .search import product_search


@dataclass(frozen=True)
class SortOption:
    key: str
    label: str
    ordering: tuple[str, ...]


SORT_OPTIONS: dict[str, SortOption] = {
    option.key: option
    for option in (
        SortOption("popular", "Best-selling", ("-popularity", "title")),
        SortOption("price-asc", "Price: low to high", ("price", "title")),
        SortOption("price-desc", "Price: high to low", ("-price", "title")),
        SortOption("newest", "Newest", ("-created_at", "title")),
        SortOption("name", "Name", ("title",)),
    )
}
DEFAULT_SORT = "popular"


def category_list_with_counts() -> QuerySet[Category]:
    """Top-level categories with the number of published products in each."""
    return Category.objects.filter(parent__isnull=True).annotate(
        product_count=Count("products", filter=Q(products__is_published=True))
    )


def category_get(*, slug: str) -> Category:
    return get_object_or_404(Category, slug=slug)


def product_list(*, category: Category | None = None, sort: str = DEFAULT_SORT) -> QuerySet[Product]:
    """Published products for a listing, with category and stock flag loaded."""
    products = Product.objects.published().select_related("category").with_stock_flag()
    if category is not None:
        products = products.filter(category=category)
    return products.order_by(*SORT_OPTIONS.get(sort, SORT_OPTIONS[DEFAULT_SORT]).ordering)


def product_search_results(*, query: str) -> QuerySet[Product]:
    return product_search(Product.objects.published().select_related("category").with_stock_flag(), query)


def product_popular(*, limit: int = 8) -> list[Product]:
    return list(product_list()[:limit])


def product_newest(*, limit: int = 8) -> list[Product]:
    return list(product_list(sort="newest")[:limit])


def product_detail(*, slug: str) -> Product:
    """A published product with its category and variants (in display order)."""
    products = Product.objects.published().select_related("category").with_stock_flag().prefetch_related(
        Prefetch("variants", queryset=ProductVariant.objects.order_by("position", "id"))
    )
    return get_object_or_404(products, slug=slug)


def product_more_from_category(*, product: Product, limit: int = 4) -> list[Product]:
    return list(product_list(category=product.category).exclude(pk=product.pk)[:limit])
