"""Catalog resources, read-only: categories, listings with filters and sorting, search, detail."""

from __future__ import annotations

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from primitives.subjects import request_subject
from shop import events
from shop.api.errors import ServiceRefusal
from shop.catalog import selectors
from shop.catalog.models import Product
from shop.catalog.search import normalise_query

from .serializers import (
    CategorySerializer,
    ListingQuerySerializer,
    ProductCardSerializer,
    ProductDetailSerializer,
    SearchQuerySerializer,
)


class CategoryList(GenericAPIView):
    """Every category with its published products' count, its subcategories' included (two queries)."""

    permission_classes = [permissions.AllowAny]
    pagination_class = None
    serializer_class = CategorySerializer

    @extend_schema(summary="List categories", operation_id="categories_list",
                   responses=CategorySerializer(many=True))
    def get(self, request):
        tree = selectors.category_tree()
        counts = dict(Product.objects.published().values_list("category_id")
                      .annotate(n=Count("pk")).order_by())
        rows = []
        for category in tree.by_id.values():
            total = sum(counts.get(pk, 0) for pk in tree.descendant_ids(category))
            rows.append({"id": category.pk, "name": category.name, "slug": category.slug,
                         "parent_id": category.parent_id, "product_count": total})
        return Response(CategorySerializer(rows, many=True).data)


class ProductList(GenericAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = ProductCardSerializer

    @extend_schema(parameters=[ListingQuerySerializer], summary="List products", operation_id="products_list",
                   responses=ProductCardSerializer(many=True),
                   description="Published products, filtered and sorted; paginated.")
    def get(self, request):
        query = ListingQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        slug = query.validated_data.get("category")
        category_ids = None
        if slug:
            tree = selectors.category_tree()
            category = next((c for c in tree.by_id.values() if c.slug == slug), None)
            if category is None:
                raise ServiceRefusal("There is no category with that slug.", status_code=404, code="not_found")
            category_ids = tree.descendant_ids(category)
        products = selectors.product_list(category_ids=category_ids, sort=query.validated_data["sort"],
                                          filters=query.filters())
        page = self.paginate_queryset(products)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ProductSearch(GenericAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = ProductCardSerializer
    throttle_scope = "search"

    @extend_schema(parameters=[SearchQuerySerializer], summary="Search products", operation_id="products_search",
                   responses=ProductCardSerializer(many=True),
                   description="Matches by relevance (or another order); paginated; throttled.")
    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        words = normalise_query(query.validated_data["q"])
        if not words:
            raise ServiceRefusal("q: Give at least one word to search for.", status_code=400, code="invalid")
        results = selectors.product_search_results(query=words, sort=query.validated_data["sort"],
                                                   filters=query.filters())
        page = self.paginate_queryset(results)
        events.emit(events.SearchPerformed(subject=request_subject(request, cart_token=True), query=words,
                                           result_count=self.paginator.page.paginator.count))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ProductDetail(GenericAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = ProductDetailSerializer

    @extend_schema(summary="A product, with its variants and prices")
    def get(self, request, slug: str):
        product = selectors.product_detail(slug=slug)
        events.emit(events.ProductViewed(subject=request_subject(request, cart_token=True), product_id=product.pk))
        return Response(self.get_serializer(product).data)
