"""Product search: the one place that knows which database does the matching.

PostgreSQL ranks with full-text search (title weighted over description) and
adds trigram similarity so a misspelt word still finds its products. SQLite,
the embedded default, matches every word as a substring and ranks title hits first.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from .models import Product

MAX_QUERY_LENGTH = 100
# Trigram word similarity above which a title word counts as a (misspelt) match.
TRIGRAM_THRESHOLD = 0.45


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
    vector = SearchVector("title", weight="A", config="english") + SearchVector(
        "description", weight="B", config="english"
    ) + SearchVector("category__name", weight="C", config="english")
    text_query = SearchQuery(query, search_type="websearch", config="english")
    return (
        queryset.annotate(
            text_rank=SearchRank(vector, text_query),
            similarity=TrigramWordSimilarity(query, "title"),
        )
        .filter(Q(text_rank__gt=0) | Q(similarity__gte=TRIGRAM_THRESHOLD))
        .annotate(relevance=Greatest(F("text_rank") * 2, F("similarity"), output_field=FloatField()))
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
