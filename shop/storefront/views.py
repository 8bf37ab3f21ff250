"""Storefront pages: thin views over catalog selectors.

A page asked for without cookies is kept whole and shared (`cookieless_pages`): each view first
looks for the kept copy and builds its context only without one; what must happen on every
request (the events) happens either way.
"""

from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from shop import events
from shop.recommendations import rails_for
from shop.catalog import selectors
from shop.catalog.search import normalise_query
from primitives.subjects import request_subject

from . import seo
from .cookieless_pages import cookieless_page, cookieless_page_render
from .forms import ListingFilterForm

PAGE_SIZE = 24
# The query parameters a listing reads; an address with any other is not kept (see cookieless_pages).
LISTING_PARAMETERS = ("sort", "page", *ListingFilterForm.base_fields)
SEARCH_PARAMETERS = ("q", *LISTING_PARAMETERS)


def _page(request: HttpRequest, products) -> Page:
    return Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))


def _sort_from(request: HttpRequest, options: dict, default: str) -> str:
    sort = request.GET.get("sort", default)
    return sort if sort in options else default


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    page = cookieless_page(request)
    if page is None:
        rails = rails_for(request, page="home")
        page = cookieless_page_render(request, "storefront/home.html", {
            "rails": rails,
            "categories": selectors.category_list_with_counts(),
            "popular_products": selectors.product_popular(),
            "new_products": selectors.product_newest(),
        }, keep=_rails_shared(rails))
    return page.response(request)


def _rails_shared(rails) -> bool:
    """No rail of the page is about the person (a page with such a rail is never kept)."""
    return rails.shared_key is not None or not rails  # the key first: asking it reads no kept rails


@require_GET
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = cookieless_page(request, query_params=LISTING_PARAMETERS)
    if page is not None:
        return page.response(request)
    tree = selectors.category_tree()
    category = next((c for c in tree.by_id.values() if c.slug == slug), None)
    if category is None:
        raise Http404("No such category.")
    sort = _sort_from(request, selectors.SORT_OPTIONS, selectors.DEFAULT_SORT)
    form = ListingFilterForm(request.GET)
    products = selectors.CategoryListing(category_ids=tree.descendant_ids(category), sort=sort,
                                         filters=form.filters())
    return cookieless_page_render(request, "storefront/category.html", {
        "category": category,
        "ancestors": tree.ancestors(category),
        "subcategories": tree.children.get(category.pk, []),
        "page": _page(request, products),
        "sort": sort,
        "sort_options": selectors.SORT_OPTIONS.values(),
        "filter_form": form,
    }, query_params=LISTING_PARAMETERS).response(request)


@require_GET
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = cookieless_page(request)
    if page is None:
        product = selectors.product_detail(slug=slug)
        variants = list(product.variants.all())
        rails = rails_for(request, page="product", product_id=product.pk)
        page = cookieless_page_render(request, "storefront/product.html", {
            "product": product,
            "variants": variants,
            "images": list(product.images.all()),
            "default_variant": next((v for v in variants if v.stock_quantity), variants[0] if variants else None),
            "structured_data": seo.product_structured_data(request=request, product=product, variants=variants)
            if variants else None,
            "more_from_category": selectors.product_more_from_category(product=product),
            "rails": rails,
        }, facts={"product_id": product.pk}, keep=_rails_shared(rails))
    events.emit(events.ProductViewed(subject=request_subject(request), product_id=page.facts["product_id"]))
    return page.response(request)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = normalise_query(request.GET.get("q", ""))
    page = cookieless_page(request, query_params=SEARCH_PARAMETERS)
    if page is None:
        sort = _sort_from(request, selectors.SEARCH_SORT_OPTIONS, selectors.RELEVANCE.key)
        form = ListingFilterForm(request.GET)
        results = None
        if query:
            results = _page(request, selectors.product_search_results(query=query, sort=sort, filters=form.filters()))
        page = cookieless_page_render(request, "storefront/search.html", {
            "query": query,
            "page": results,
            "suggestion": results.paginator.object_list.suggestion if results is not None else None,
            "sort": sort,
            "sort_options": selectors.SEARCH_SORT_OPTIONS.values(),
            "filter_form": form,
        }, facts={"result_count": results.paginator.count if results is not None else 0},
            query_params=SEARCH_PARAMETERS)
    if query:
        events.emit(events.SearchPerformed(subject=request_subject(request), query=query,
                                           result_count=page.facts["result_count"]))
    return page.response(request)


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    return sitemap_view(request, sitemaps=seo.SITEMAPS)


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(seo.robots_txt(request), content_type="text/plain; charset=utf-8")
