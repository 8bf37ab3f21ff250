"""Catalog reads. Each costs a fixed number of queries whatever the catalog size; what every visitor
sees alike is kept under the catalog version (fragments.py) and read lazily, when a template needs it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject, cached_property

from .fragments import shared_read, shared_read_each
from .models import Category, Product, ProductImage, ProductVariant
from .search import product_search
from .spelling import query_correction, words_of


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
# Search adds ranking by relevance, its default.
RELEVANCE = SortOption("relevance", "Relevance", ("-relevance", "-popularity", "title"))
SEARCH_SORT_OPTIONS: dict[str, SortOption] = {RELEVANCE.key: RELEVANCE, **SORT_OPTIONS}


@dataclass(frozen=True)
class ListingFilters:
    """What a shopper narrowed a listing to. Prices are VAT-inclusive catalog prices."""

    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock_only: bool = False

    @property
    def active(self) -> bool:
        return self.min_price is not None or self.max_price is not None or self.in_stock_only


@dataclass(frozen=True)
class CategoryTree:
    """Every category, loaded in one query, with parents and children resolved in memory."""

    by_id: dict[int, Category]
    children: dict[int | None, list[Category]]

    def ancestors(self, category: Category) -> list[Category]:
        chain, parent_id = [], category.parent_id
        while parent_id is not None and parent_id in self.by_id and len(chain) < 20:
            chain.insert(0, self.by_id[parent_id])
            parent_id = self.by_id[parent_id].parent_id
        return chain

    def descendant_ids(self, category: Category) -> list[int]:
        ids, stack = [], [category.pk]
        while stack:
            current = stack.pop()
            ids.append(current)
            stack.extend(child.pk for child in self.children.get(current, ()))
        return ids


def category_tree() -> CategoryTree:
    """Every category (one query, none while the catalog version's copy is cached)."""
    return shared_read("category-tree", (), _category_tree_load)


def _category_tree_load() -> CategoryTree:
    categories = list(Category.objects.order_by("position", "name"))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    return CategoryTree(by_id={c.pk: c for c in categories}, children=children)


def category_list_with_counts() -> list[Category]:
    """Top-level categories with the number of published products in each (read when iterated)."""
    return SimpleLazyObject(lambda: list(Category.objects.filter(parent__isnull=True).annotate(
        product_count=Count("products", filter=Q(products__is_published=True))
    )))


def _listing_base() -> QuerySet[Product]:
    """Published products with what a product card shows: category, stock flag, first picture."""
    return (Product.objects.published().select_related("category").with_stock_flag()
            .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"))))


def _filtered(products: QuerySet[Product], filters: ListingFilters | None) -> QuerySet[Product]:
    if filters is None:
        return products
    if filters.min_price is not None:
        products = products.filter(price__gte=filters.min_price)
    if filters.max_price is not None:
        products = products.filter(price__lte=filters.max_price)
    if filters.in_stock_only:
        products = products.filter(in_stock=True)
    return products


def product_list(*, category: Category | None = None, category_ids: list[int] | None = None,
                 sort: str = DEFAULT_SORT, filters: ListingFilters | None = None) -> QuerySet[Product]:
    """Published products for a listing (a category and its subcategories), filtered and sorted."""
    products = _listing_base()
    if category_ids is not None:
        products = products.filter(category_id__in=category_ids)
    elif category is not None:
        products = products.filter(category=category)
    products = _filtered(products, filters)
    return products.order_by(*SORT_OPTIONS.get(sort, SORT_OPTIONS[DEFAULT_SORT]).ordering)


def product_list_count(*, category_ids: list[int], filters: ListingFilters | None = None) -> int:
    """How many published products a category listing holds with these filters: one query, none
    while the catalog version's count is kept (publishing, stock and price changes bump it)."""
    return shared_read("listing-count", (tuple(sorted(category_ids)), filters),
                       lambda: _filtered(_listing_base().filter(category_id__in=category_ids), filters).count())


class CategoryListing(Sequence):
    """A category's products for a paginator, built only when a page is read.

    The count comes from `product_list_count`; the query is built and run only for a page a
    template iterates, so a page whose grid is a cached fragment builds neither.
    """

    ordered = True  # by the sort asked for

    def __init__(self, *, category_ids: list[int], sort: str, filters: ListingFilters | None):
        self.category_ids, self.sort, self.filters = category_ids, sort, filters

    @cached_property
    def queryset(self) -> QuerySet[Product]:
        return product_list(category_ids=self.category_ids, sort=self.sort, filters=self.filters)

    def count(self) -> int:
        return product_list_count(category_ids=self.category_ids, filters=self.filters)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return SimpleLazyObject(lambda: list(self.queryset[index]))
        return self.queryset[index]


# Result positions a search keeps (a page of 24 beyond them is empty; the count stays exact).
SEARCH_MAX_RESULTS = 5000
# Titles of the best results in which every typed word is looked for before a spelling is suggested.
SUGGESTION_TITLES_CHECKED = 48


@dataclass(frozen=True)
class _Matches:
    ids: tuple[int, ...]
    total: int
    suggestion: str | None = None


class SearchResults(Sequence):
    """What a search found, for a paginator.

    The text is matched once per search and catalog version: one query returns the matching
    ids in result order with their total, kept under the catalog version, so the count and
    every page come from it (a page then loads its products by id; none when its grid is a
    cached fragment). `queryset` is the matching query itself.
    """

    ordered = True  # by relevance, or the order asked for

    def __init__(self, *, query: str, sort: str, filters: ListingFilters | None):
        self.query, self.sort, self.filters = query, sort, filters

    @cached_property
    def queryset(self) -> QuerySet[Product]:
        return self._queryset_for(self.query)

    def _queryset_for(self, query: str) -> QuerySet[Product]:
        results = _filtered(product_search(_listing_base(), query), self.filters)
        option = SEARCH_SORT_OPTIONS.get(self.sort, RELEVANCE)
        return results if option is RELEVANCE else results.order_by(*option.ordering)

    @cached_property
    def _matches(self) -> _Matches:
        return shared_read("search-matches", (self.query, self.sort, self.filters), self._match)

    def _match(self) -> _Matches:
        rows = self._rows(self.queryset)
        suggestion = None
        # The title vocabulary is read only when a typed word is in no title found (a typo, or a
        # word only descriptions hold), so a search that finds its words costs what it did.
        found_titles = " ".join(title.lower() for _, _, title in rows[:SUGGESTION_TITLES_CHECKED])
        if any(word not in found_titles for word in words_of(self.query)):
            suggestion = query_correction(query=self.query)
            # PostgreSQL's trigrams already forgave the typo; SQLite searches the corrected words.
            if suggestion and not rows:
                rows = self._rows(self._queryset_for(suggestion))
        return _Matches(ids=tuple(pk for pk, _, _ in rows), total=rows[0][1] if rows else 0, suggestion=suggestion)

    @staticmethod
    def _rows(queryset: QuerySet[Product]) -> list[tuple[int, int, str]]:
        return list(queryset.annotate(total=Window(Count("pk"))).values_list("pk", "total", "title")
                    [:SEARCH_MAX_RESULTS])

    @property
    def suggestion(self) -> str | None:
        """What the shopper probably meant, built from title words, when a typed word is in no title;
        on SQLite the results are then this suggestion's."""
        return self._matches.suggestion

    def count(self) -> int:
        return self._matches.total

    def __len__(self) -> int:
        return self.count()

    def _load(self, ids) -> list[Product]:
        found = _listing_base().in_bulk(list(ids))
        return [found[pk] for pk in ids if pk in found]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return SimpleLazyObject(lambda: self._load(self._matches.ids[index]))
        return self._load([self._matches.ids[index]])[0]

    def __iter__(self):
        return iter(self._load(self._matches.ids))


def product_search_results(*, query: str, sort: str = RELEVANCE.key,
                           filters: ListingFilters | None = None) -> SearchResults:
    """Products matching `query`, filtered, by relevance unless another order is asked for."""
    return SearchResults(query=query, sort=sort, filters=filters)


IN_STOCK_ONLY = ListingFilters(in_stock_only=True)


# The lists below are built and read only when a template iterates them: a page whose grid
# comes from the shared fragment cache spends nothing on them.
def product_popular(*, limit: int = 8) -> list[Product]:
    return SimpleLazyObject(lambda: list(product_list()[:limit]))


def product_newest(*, limit: int = 8) -> list[Product]:
    """The newest products a shopper can buy now (some variant in stock), newest first."""
    return SimpleLazyObject(lambda: list(product_list(sort="newest", filters=IN_STOCK_ONLY)[:limit]))


def product_detail(*, slug: str) -> Product:
    """A published product with its category, variants (in display order) and pictures.

    Three queries, none while the catalog version's copy is cached; Http404 when there is no such
    published product.
    """
    return shared_read("product-detail", (slug,), lambda: _product_detail_load(slug))


def _product_detail_load(slug: str) -> Product:
    products = _listing_base().prefetch_related(
        Prefetch("variants", queryset=ProductVariant.objects.order_by("position", "id"))
    )
    return get_object_or_404(products, slug=slug)


def product_more_from_category(*, product: Product, limit: int = 4) -> list[Product]:
    return SimpleLazyObject(lambda: list(product_list(category=product.category).exclude(pk=product.pk)[:limit]))


def product_cards_by_id(*, ids) -> Mapping[int, Product]:
    """Published products by id with what a product card shows: each kept under the catalog
    version (`shared_read_each`), so only those not kept yet are read, in ONE query."""
    if not ids:
        return {}
    return shared_read_each("product-card", ids, _product_cards_load)


def _product_cards_load(ids) -> dict[int, Product]:
    """The first picture comes as annotations rather than a prefetch (which would be a second
    query), and is put where the card looks for it (`product.images.all`)."""
    first = ProductImage.objects.filter(product=OuterRef("pk")).order_by("position", "id")
    products = (Product.objects.published().with_stock_flag().filter(pk__in=list(ids))
                .annotate(card_image=Subquery(first.values("image")[:1]),
                          card_thumbnail=Subquery(first.values("thumbnail")[:1]),
                          card_image_alt=Subquery(first.values("alt_text")[:1])))
    found = {}
    for product in products:
        pictures = ([ProductImage(product=product, image=product.card_image, thumbnail=product.card_thumbnail or "",
                                  alt_text=product.card_image_alt or "")] if product.card_image else [])
        product._prefetched_objects_cache = {"images": pictures}
        found[product.pk] = product
    return found
