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

from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, FloatField, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

if TYPE_CHECKING:
    from .models import Product

MAX_QUERY_LENGTH = 100
# Trigram word similarity above which a title word counts as a (misspelt) match:
# "lanturn" against "lantern" is 0.5. pg_trgm's `%>` operator (the one the index
# answers) reads it from pg_trgm.word_similarity_threshold, set on each new connection.
TRIGRAM_THRESHOLD = 0.45
SEARCH_CONFIG = "english"
# A product only its category's name matches ranks below any title or description match.
CATEGORY_MATCH_RELEVANCE = 0.01


class ProductSearchDocument(Func):
    """What a product is found by: its title (weight A) and description (weight B) as a tsvector.

    The expression of the generated column `Product.search_vector`. It is immutable
    (explicit text search configuration), as PostgreSQL requires of a stored
    generated column. Elsewhere the column is NULL: SQLite matches substrings.
    """

    output_field = SearchVectorField()

    def __init__(self) -> None:
        super().__init__(F("title"), F("description"))

    def as_sql(self, compiler, connection, **extra_context):
        return "NULL", []

    def as_postgresql(self, compiler, connection, **extra_context):
        title, title_params = compiler.compile(self.source_expressions[0])
        description, description_params = compiler.compile(self.source_expressions[1])
        sql = (f"(setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE({title}, '')), 'A') || "
               f"setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE({description}, '')), 'B'))")
        return sql, [*title_params, *description_params]


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
    from .models import Category, Product

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
