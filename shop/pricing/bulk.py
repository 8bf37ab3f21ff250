"""Writing many rows in a fixed number of statements, on SQLite and PostgreSQL.

Django's `bulk_update` builds a CASE expression per field and row in Python (about 0.3 ms per
row and field: 5 s for the catalog's variants). Here the values go into a temporary table in one
`executemany`, and one UPDATE copies them over: four statements whatever the row count.
`bulk_create` on SQLite splits its INSERT into batches of 999 parameters (one statement per 90
price changes); `rows_insert` is one `executemany`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models

_TEMP_TABLE = "pricing_bulk_values"


def rows_update(*, model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence]) -> int:
    """Set `fields` of each row `(pk, *values)` of `model`. Returns the rows written.

    Call inside a transaction (the temporary table lives and dies within it)."""
    if not rows:
        return 0
    meta = model._meta
    concrete = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table, pk_column = quote(meta.db_table), quote(meta.pk.column)
    columns = [quote(field.column) for field in concrete]
    types = [field.db_type(connection) for field in concrete]
    pk_type = "bigint"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_TEMP_TABLE}")
        definitions = ", ".join(f"{column} {kind}" for column, kind in zip(columns, types, strict=True))
        cursor.execute(f"CREATE TEMPORARY TABLE {_TEMP_TABLE} (id {pk_type} PRIMARY KEY, {definitions})")
        placeholders = ", ".join(["%s"] * (len(fields) + 1))
        prepared = [
            [pk, *(field.get_db_prep_save(value, connection) for field, value in zip(concrete, values, strict=True))]
            for pk, *values in rows
        ]
        cursor.executemany(f"INSERT INTO {_TEMP_TABLE} VALUES ({placeholders})", prepared)
        assignments = ", ".join(f"{column} = (SELECT v.{column} FROM {_TEMP_TABLE} v WHERE v.id = {table}.{pk_column})"
                                for column in columns)
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk_column} IN (SELECT id FROM {_TEMP_TABLE})")
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE {_TEMP_TABLE}")
    return written


def rows_insert(*, objects: Sequence[models.Model]) -> int:
    """Insert unsaved model instances of one model in one `executemany` (no primary keys returned)."""
    if not objects:
        return 0
    meta = objects[0]._meta
    concrete = [field for field in meta.concrete_fields if not field.primary_key and not field.generated]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in concrete)
    placeholders = ", ".join(["%s"] * len(concrete))
    rows = [[field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in concrete]
            for instance in objects]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})", rows)
    return len(rows)
