"""A query run many times with only one id changing: compiled once per process, the id put in.

Building a queryset with subqueries and compiling it to SQL can cost ten times what running it
does (3 ms against 0.1–0.3 ms for a person's header reading or their rails). A person's pages
run the same few shapes of query for every request, differing only in whose id they name. So
each shape is built once with a stand-in id, compiled, and kept per process and database
connection; each read sends the kept SQL with the person's id in the stand-in's place, as a
parameter (never pasted into the SQL).

The stand-in must be a value no real row has (a negative id, a nil UUID): it is found among the
compiled parameters by equality, and every place it stands is given the person's id. A shape
whose parameters do not hold it is refused when it is compiled, and an id equal to the stand-in
is refused when it is read.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.db import connection
from django.db.models import QuerySet

_compiled: dict[tuple, tuple[str, tuple, tuple[int, ...]]] = {}


class StandInError(ValueError):
    """The stand-in id is missing from a shape's parameters, or was asked to be read."""


def rows_for_id(shape: Hashable, build: Callable[[], QuerySet], *, stand_in: Any, value: Any) -> list[tuple]:
    """The rows of the query `build()` makes (naming `stand_in` as its id), run with `value` in
    the stand-in's place. `build` is called once per `shape`, process and database; `stand_in`
    and `value` are given as the database receives them (a UUID column's value prepared)."""
    if value == stand_in:
        raise StandInError("The stand-in id cannot be read: it names no row.")
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
    with connection.cursor() as cursor:
        cursor.execute(sql, sent)
        return cursor.fetchall()


def compiled_shapes() -> list[Hashable]:
    """The shapes compiled so far for the current database connection."""
    return [shape for alias, _, shape in _compiled if alias == connection.alias]


def compiled_queries_forget() -> None:
    """Drop every compiled shape: the next read of each compiles it again (tests start afresh)."""
    _compiled.clear()
