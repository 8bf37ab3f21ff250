"""Storefront pages: thin views over catalog selectors."""

from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shop import events
from shop.recommendations import rails_for
from shop.catalog import selectors
from shop.catalog.search import normalise_query
from primitives.subjects import request_subject

from . import seo
from .forms import ListingFilterForm

PAGE_SIZE = 24


def _page(request: HttpRequest, products) -> Page:
    return Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))


def _sort_from(request: HttpRequest, options: dict, default: str) -> str:
    sort = request.GET.get("sort", default)
    return sort if sort in options else default


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "storefront/home.html", {
        "rails": rails_for(request, page="home"),
        "categories": selectors.category_list_with_counts(),
        "popular_products": selectors.product_popular(),
        "new_products": selectors.product_newest(),
    })


@require_GET
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tree = selectors.category_tree()
    category = next((c for c in tree.by_id.values() if c.slug == slug), None)
    if category is None:
        raise Http404("No such category.")
    sort = _sort_from(request, selectors.SORT_OPTIONS, selectors.DEFAULT_SORT)
    form = ListingFilterForm(request.GET)
    products = selectors.CategoryListing(category_ids=tree.descendant_ids(category), sort=sort,
                                         filters=form.filters())
    return render(request, "storefront/category.html", {
        "category": category,
        "ancestors": tree.ancestors(category),
        "subcategories": tree.children.get(category.pk, []),
        "page": _page(request, products),
        "sort": sort,
        "sort_options": selectors.SORT_OPTIONS.values(),
        "filter_form": form,
    })


@require_GET
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    product = selectors.product_detail(slug=slug)
    variants = list(product.variants.all())
    events.emit(events.ProductViewed(subject=request_subject(request), product_id=product.pk))
    return render(request, "storefront/product.html", {
        "product": product,
        "variants": variants,
        "images": list(product.images.all()),
        "default_variant": next((v for v in variants if v.stock_quantity), variants[0] if variants else None),
        "structured_data": seo.product_structured_data(request=request, product=product, variants=variants)
        if variants else None,
        "more_from_category": selectors.product_more_from_category(product=product),
        "rails": rails_for(request, page="product", product_id=product.pk),
    })


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = normalise_query(request.GET.get("q", ""))
    sort = _sort_from(request, selectors.SEARCH_SORT_OPTIONS, selectors.RELEVANCE.key)
    form = ListingFilterForm(request.GET)
    page = None
    if query:
        page = _page(request, selectors.product_search_results(query=query, sort=sort, filters=form.filters()))
        events.emit(events.SearchPerformed(subject=request_subject(request), query=query,
                                           result_count=page.paginator.count))
    return render(request, "storefront/search.html", {
        "query": query,
        "page": page,
        "suggestion": page.paginator.object_list.suggestion if page is not None else None,
        "sort": sort,
        "sort_options": selectors.SEARCH_SORT_OPTIONS.values(),
        "filter_form": form,
    })


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    return sitemap_view(request, sitemaps=seo.SITEMAPS)


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(seo.robots_txt(request), content_type="text/plain; charset=utf-8")
