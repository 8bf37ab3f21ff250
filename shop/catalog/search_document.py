"""The text a product is found by on PostgreSQL: the expression of its generated search column.

Below the models (`Product.search_vector` is built from it); the matching itself is in search.py.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db.models import F, Func

SEARCH_CONFIG = "english"


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
