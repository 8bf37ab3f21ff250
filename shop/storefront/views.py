"""Storefront pages: thin views over catalog selectors."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shop import events
from shop.catalog import selectors
from shop.catalog.search import normalise_query
from shop.visitors import subject_for

PAGE_SIZE = 24


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _sort_from(request: HttpRequest) -> str:
    sort = request.GET.get("sort", selectors.DEFAULT_SORT)
    return sort if sort in selectors.SORT_OPTIONS else selectors.DEFAULT_SORT


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "storefront/home.html", {
        "categories": selectors.category_list_with_counts(),
        "popular_products": selectors.product_popular(),
        "new_products": selectors.product_newest(),
    })


def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = selectors.category_get(slug=slug)
    sort = _sort_from(request)
    return render(request, "storefront/category.html", {
        "category": category,
        "page": _page(request, selectors.product_list(category=category, sort=sort)),
        "sort": sort,
        "sort_options": selectors.SORT_OPTIONS.values(),
    })


def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    product = selectors.product_detail(slug=slug)
    variants = list(product.variants.all())
    events.emit(events.ProductViewed(subject=subject_for(request), product_id=product.pk))
    return render(request, "storefront/product.html", {
        "product": product,
        "variants": variants,
        "default_variant": next((v for v in variants if v.stock_quantity), variants[0] if variants else None),
        "more_from_category": selectors.product_more_from_category(product=product),
    })


def search(request: HttpRequest) -> HttpResponse:
    query = normalise_query(request.GET.get("q", ""))
    results = selectors.product_search_results(query=query) if query else None
    return render(request, "storefront/search.html", {
        "query": query,
        "page": _page(request, results) if results is not None else None,
    })
