"""Product search: the one place that knows which database does the matching.

PostgreSQL matches a stored, GIN-indexed search vector (title weighted over
description; a generated column, so every write keeps it current) and, for a
misspelt word, a trigram GIN index on titles; categories whose name matches
count too. Both indexes answer in one query that also ranks, whatever the
catalog size. SQLite, the embedded default, matches every word as a substring
and ranks title hits first; a misspelt word that finds nothing there is corrected
against the titles' vocabulary (spelling.py, used by `SearchResults`).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from .models import Category, Product
from .search_document import SEARCH_CONFIG

MAX_QUERY_LENGTH = 100
# Trigram word similarity above which a title word counts as a (misspelt) match:
# "lanturn" against "lantern" is 0.5. pg_trgm's `%>` operator (the one the index
# answers) reads it from pg_trgm.word_similarity_threshold, set on each new connection.
TRIGRAM_THRESHOLD = 0.45
# A product only its category's name matches ranks below any title or description match.
CATEGORY_MATCH_RELEVANCE = 0.01


def connection_prepare(sender, connection, **kwargs) -> None:
    """Give each new PostgreSQL connection the typo threshold (once per connection, not per search)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
                           [str(TRIGRAM_THRESHOLD)])


def normalise_query(query: str) -> str:
    return " ".join(query.split())[:MAX_QUERY_LENGTH]


def product_search(queryset: QuerySet[Product], query: str) -> QuerySet[Product]:
    """Products of `queryset` matching `query`, annotated with `relevance` and ordered by it."""
    query = normalise_query(query)
    if not query:
        return queryset.none()
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, query)
    return _search_substring(queryset, query)


def _search_postgresql(queryset: QuerySet[Product], query: str) -> QuerySet[Product]:
    text_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    matching_categories = (Category.objects.annotate(document=SearchVector("name", config=SEARCH_CONFIG))
                           .filter(document=text_query).values("pk"))
    # One statement; each branch of the union is answered by its own index (GIN on the
    # vector, trigram GIN on titles, the category key), so no product row is scanned
    # to find matches. (An OR of the three in one WHERE makes PostgreSQL scan them all.)
    matches = (Product.objects.filter(search_vector=text_query).order_by().values("pk")
               .union(Product.objects.filter(title__trigram_word_similar=query).order_by().values("pk"),
                      Product.objects.filter(category__in=matching_categories).order_by().values("pk")))
    return (
        queryset.filter(pk__in=matches)
        .annotate(
            text_rank=SearchRank(F("search_vector"), text_query),
            similarity=TrigramWordSimilarity(query, "title"),
        )
        .annotate(relevance=Greatest(F("text_rank") * 2, F("similarity"), Value(CATEGORY_MATCH_RELEVANCE),
                                     output_field=FloatField()))
        .order_by("-relevance", "-popularity", "title")
    )


def _search_substring(queryset: QuerySet[Product], query: str) -> QuerySet[Product]:
    words = query.split()
    matches_all = Q()
    for word in words:
        matches_all &= Q(title__icontains=word) | Q(description__icontains=word) | Q(category__name__icontains=word)
    title_hits = sum(
        (Case(When(title__icontains=word, then=Value(1)), default=Value(0), output_field=IntegerField())
         for word in words),
        Value(0),
    )
    return queryset.filter(matches_all).annotate(relevance=title_hits).order_by("-relevance", "-popularity", "title")
