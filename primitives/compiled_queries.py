"""A query run many times with only one id changing: compiled once per process, the id put in.

Building a queryset with subqueries and compiling it to SQL can cost ten times what running it
does (3 ms against 0.1–0.3 ms for a person's header reading or their rails). A person's pages
run the same few shapes of query for every request, differing only in whose id they name. So
each shape is built once with a stand-in id, compiled, and kept per process and database
connection; each read sends the kept SQL with the person's id in the stand-in's place, as a
parameter (never pasted into the SQL).

On PostgreSQL each kept query is also prepared on the server, once per connection
(`DATABASE_PREPARED_QUERIES`, on by default): planning it took longer than running it (0.4 ms
against 0.1 ms for a person's rails). Turn it off behind a connection pooler that shares a server
connection between clients per transaction (PgBouncer's transaction mode), which cannot keep
prepared statements.

The stand-in is found among the compiled parameters by equality, and every place it stands is
given the person's id: it must be a value no other parameter of the shape can take (a negative
id, a nil UUID). A shape whose parameters do not hold it is refused when it is compiled. An id
equal to the stand-in is read like any other (the kept SQL already names it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.models import QuerySet
from psycopg.pq import Format

_compiled: dict[tuple, tuple[str, tuple, tuple[int, ...]]] = {}


class StandInError(ValueError):
    """The stand-in id is missing from a shape's parameters."""


def rows_for_id(shape: Hashable, build: Callable[[], QuerySet], *, stand_in: Any, value: Any) -> list[tuple]:
    """The rows of the query `build()` makes (naming `stand_in` as its id), run with `value` in
    the stand-in's place. `build` is called once per `shape`, process and database; `stand_in`
    and `value` are given as the database receives them (a UUID column's value prepared)."""
    key = (connection.alias, connection.vendor, shape)
    compiled = _compiled.get(key)
    if compiled is None:
        sql, params = build().query.sql_with_params()
        positions = tuple(n for n, param in enumerate(params) if param == stand_in)
        if not positions:
            raise StandInError(f"The shape {shape!r} does not name its stand-in id: nothing to put the id in.")
        compiled = _compiled[key] = (sql, tuple(params), positions)
    sql, params, positions = compiled
    sent = list(params)
    for position in positions:
        sent[position] = value
    with _cursor() as cursor:
        cursor.execute(sql, sent)
        return cursor.fetchall()


def _cursor():
    """A cursor of Django's (its execute wrappers included); on PostgreSQL, one that binds parameters
    on the server, which prepares each statement it runs (config/settings/base.py sets the
    connection's prepare_threshold to 0 for it). While queries are logged (DEBUG, a test counting
    them) the statement is sent as text, as any other, so that the log shows it: a prepared
    statement's later runs carry no text to log."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_QUERIES or connection.queries_logged:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    cursor = ServerBindingCursor(connection.connection)  # prepared at once (the setting's prepare_threshold 0)
    # As Django's own cursors do: timestamps in the connection's time zone.
    timestamptz = connection.connection.adapters.types["timestamptz"].oid
    if connection.timezone != connection.connection.adapters.get_loader(timestamptz, Format.TEXT).timezone:
        register_tzloader(connection.timezone, cursor)
    return connection.make_cursor(cursor)


def compiled_shapes() -> list[Hashable]:
    """The shapes compiled so far for the current database connection."""
    return [shape for alias, _, shape in _compiled if alias == connection.alias]


def compiled_queries_forget() -> None:
    """Drop every compiled shape: the next read of each compiles it again (tests start afresh)."""
    _compiled.clear()
