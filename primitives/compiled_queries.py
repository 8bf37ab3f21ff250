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
prepared statements. On PostgreSQL, too, every parameter of a shape but its stand-ins is written
into the kept SQL as a literal, quoted by psycopg, so that the server's one plan for the statement
knows them; only the stand-ins' values are sent as parameters.

The stand-in is found among the compiled parameters by equality, and every place it stands is
given the person's id: it must be a value no other parameter of the shape can take (a negative
id, a nil UUID). A shape whose parameters do not hold it is refused when it is compiled. An id
equal to the stand-in is read like any other (the kept SQL already names it). A shape may have
more than one stand-in (`rows_for`: a person's id and the time of the read), each replaced by its
own value.

`instances_for` reads model instances rather than rows: what Django's own iteration of the
queryset works out before reading (which columns make which object, of the select_related ones
too, and how each column's value is converted) is kept with the SQL, so each read only builds the
objects. `instances_with_rows_for` also gives the rows read, in a form JSON holds (a session), and
`instances_from_rows` builds the same objects from them later without a query, as long as they
were read by the SQL this process compiles for the shape (a hash of it is kept with them).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.models import Field, Model, QuerySet
from django.db.models.query import get_related_populators
from psycopg.pq import Format

_compiled: dict[tuple, "_Compiled"] = {}


class StandInError(ValueError):
    """A stand-in is missing from a shape's parameters, or a read gives other stand-ins than the
    shape was compiled with."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    positions: tuple[tuple[Any, tuple[int, ...]], ...]  # each stand-in, and the places it stands
    reader: "_InstanceReader | None" = None


@dataclass(frozen=True)
class _InstanceReader:
    """What a queryset's own iteration (Django's ModelIterable) works out from its compiler before
    reading rows, kept so that each read only builds the instances."""

    model: type[Model]
    fields: slice
    init_list: tuple[str, ...]
    related_populators: tuple
    annotation_columns: tuple[tuple[str, int], ...]
    converters: tuple[tuple[int, tuple, Any], ...]
    columns: int

    def instances(self, rows: list[tuple]) -> list[Model]:
        db, built = connection.alias, []
        for row in rows:
            row = list(row[:self.columns])
            for position, row_converters, expression in self.converters:
                value = row[position]
                for converter in row_converters:
                    value = converter(value, expression, connection)
                row[position] = value
            instance = self.model.from_db(db, self.init_list, row[self.fields])
            for populator in self.related_populators:
                populator.populate(row, instance)
            for name, position in self.annotation_columns:
                setattr(instance, name, row[position])
            built.append(instance)
        return built


def rows_for_id(shape: Hashable, build: Callable[[], QuerySet], *, stand_in: Any, value: Any) -> list[tuple]:
    """The rows of the query `build()` makes (naming `stand_in` as its id), run with `value` in
    the stand-in's place. `build` is called once per `shape`, process and database; `stand_in`
    and `value` are given as the database receives them (a UUID column's value prepared)."""
    return rows_for(shape, build, stand_ins={stand_in: value})


def rows_for(shape: Hashable, build: Callable[[], QuerySet], *, stand_ins: Mapping[Any, Any]) -> list[tuple]:
    """`rows_for_id` with more than one value put in: each stand-in (a key of `stand_ins`) is
    replaced by its value, every place it stands. Values are given as the database receives
    them (`sent_value`); the stand-ins must be the same in every call of a shape."""
    compiled = _compiled.get((connection.alias, connection.vendor, shape)) or _compile(shape, build, stand_ins)
    return _run(compiled, stand_ins)


def instances_for(shape: Hashable, build: Callable[[], QuerySet], *, stand_ins: Mapping[Any, Any]) -> list[Model]:
    """The model instances the queryset `build()` makes (its select_related objects and
    annotations included, as iterating it would give them), read with the values of `stand_ins`
    in the stand-ins' places: the queryset is built and compiled once per shape, and each read
    only runs the kept SQL and builds the instances. A queryset that prefetches is refused (its
    prefetch would run on every read, outside the kept SQL)."""
    compiled = _compiled_instances(shape, build, stand_ins)
    return compiled.reader.instances(_run(compiled, stand_ins))


@dataclass(frozen=True)
class KeptRows:
    """What `instances_with_rows_for` read: the instances, and their rows in a form a JSON store
    (a session) can keep (None when a column holds a kind it cannot), named by the `shape_sql`
    they came from."""

    instances: list[Model]
    rows: list[list] | None
    shape_sql: str


def instances_with_rows_for(shape: Hashable, build: Callable[[], QuerySet], *,
                            stand_ins: Mapping[Any, Any]) -> KeptRows:
    """`instances_for`, with the rows read as well, to keep and rebuild the same instances from
    later (`instances_from_rows`) without reading again."""
    compiled = _compiled_instances(shape, build, stand_ins)
    rows = _run(compiled, stand_ins)
    try:
        kept = [_row_kept(row) for row in rows]
    except TypeError:  # a column of a kind a JSON store cannot keep: nothing to keep
        kept = None
    return KeptRows(instances=compiled.reader.instances(rows), rows=kept, shape_sql=_shape_sql_name(compiled))


def instances_from_rows(shape: Hashable, build: Callable[[], QuerySet], *, stand_ins: Mapping[Any, Any],
                        rows: object, shape_sql: object) -> list[Model] | None:
    """The instances that rows kept by `instances_with_rows_for` make, or None when they were read
    by other SQL than this process compiles for `shape` (code changed since) or are not such rows."""
    compiled = _compiled_instances(shape, build, stand_ins)
    if shape_sql != _shape_sql_name(compiled) or not isinstance(rows, list):
        return None
    try:
        read = [[value if value.__class__ in _PLAIN else _value_unkept(value) for value in row] for row in rows]
    except (TypeError, ValueError, ArithmeticError):
        return None
    if any(len(row) < compiled.reader.columns for row in read):
        return None
    return compiled.reader.instances(read)


def _compiled_instances(shape: Hashable, build: Callable[[], QuerySet], stand_ins: Mapping[Any, Any]) -> _Compiled:
    key = (connection.alias, connection.vendor, ("instances", shape))
    return _compiled.get(key) or _compile(("instances", shape), build, stand_ins, instances=True)


def _shape_sql_name(compiled: _Compiled) -> str:
    return _sql_names.get(compiled.sql) or _sql_names.setdefault(
        compiled.sql, hashlib.sha256(compiled.sql.encode()).hexdigest()[:24])


_sql_names: dict[str, str] = {}


# A kept row's values as JSON holds them: the types the database drivers give for the columns of
# a model (numbers, text, truth, times, decimals), each a tagged pair when JSON has no such type.
def _row_kept(row: tuple) -> list:
    return [_value_kept(value) for value in row]


def _value_kept(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        return ["decimal", str(value)]
    if isinstance(value, datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    raise TypeError(f"A kept row holds no {type(value).__name__}.")


_PLAIN = frozenset({type(None), bool, int, float, str})


def _value_unkept(value: Any) -> Any:
    if not isinstance(value, list):
        raise TypeError(f"A kept value is never a {type(value).__name__}.")
    kind, text = value
    if kind == "decimal":
        return Decimal(text)
    if kind == "datetime":
        return datetime.fromisoformat(text)
    if kind == "date":
        return date.fromisoformat(text)
    raise ValueError(f"No kept value is a {kind!r}.")


def sent_value(field: Field, value: Any) -> Any:
    """`value` as a query comparing it with `field` sends it to the database (a time, on SQLite,
    as its text): the form a stand-in and its value take in `rows_for` and `instances_for`."""
    return field.get_db_prep_value(value, connection)


def _compile(shape: Hashable, build: Callable[[], QuerySet], stand_ins: Mapping[Any, Any], *,
             instances: bool = False) -> _Compiled:
    queryset = build()
    reader = None
    if instances:
        if queryset._prefetch_related_lookups:
            raise ValueError(f"The shape {shape!r} prefetches: its prefetch would not be part of the kept SQL.")
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        reader = _reader(compiler, queryset.db)
    else:
        sql, params = queryset.query.sql_with_params()
    positions = []
    for stand_in in stand_ins:
        found = tuple(n for n, param in enumerate(params) if param == stand_in)
        if not found:
            raise StandInError(f"The shape {shape!r} does not name its stand-in {stand_in!r}: nothing to put it in.")
        positions.append((stand_in, found))
    if connection.vendor == "postgresql":
        sql, params, positions = _constants_written_in(sql, params, positions)
    compiled = _compiled[(connection.alias, connection.vendor, shape)] = _Compiled(
        sql=sql, params=tuple(params), positions=tuple(positions), reader=reader)
    return compiled


def _constants_written_in(sql: str, params, positions: list) -> tuple[str, tuple, list]:
    """`sql` with every parameter but the stand-ins written in as a literal, quoted by psycopg (as
    Django's `compose_sql` quotes them), and the stand-ins' places renumbered among the parameters
    left. The server's generic plan for the prepared statement then knows the constants: with a
    rail's name sent as a parameter, a person's rails were planned to scan all 4,759 lists without a
    product for everyone's one (1.8 ms), so the server planned every read afresh (0.4-0.8 ms)."""
    standing = sorted(place for _, places in positions for place in places)
    markers = {place: f"stand_in_{uuid.uuid4().hex}" for place in standing}
    written = connection.ops.compose_sql(sql, [markers.get(n, param) for n, param in enumerate(params)])
    written = written.replace("%", "%%")  # the parameters left are put in by the driver, as `%s`
    for place in standing:  # each marker is a random string, quoted once, where its parameter was
        written = written.replace(f"'{markers[place]}'", "%s")
    renumbered = {place: n for n, place in enumerate(standing)}
    return (written, tuple(params[place] for place in standing),
            [(stand_in, tuple(renumbered[place] for place in places)) for stand_in, places in positions])


def _reader(compiler, db: str) -> _InstanceReader:
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    converters = compiler.get_converters([column[0] for column in select[:compiler.col_count]])
    return _InstanceReader(
        model=klass_info["model"], fields=slice(start, end),
        init_list=tuple(column[0].target.attname for column in select[start:end]),
        related_populators=tuple(get_related_populators(klass_info, select, db)),
        annotation_columns=tuple(compiler.annotation_col_map.items()),
        converters=tuple((position, tuple(found), expression)
                         for position, (found, expression) in converters.items()),
        columns=compiler.col_count)


def _run(compiled: _Compiled, stand_ins: Mapping[Any, Any]) -> list[tuple]:
    if len(stand_ins) != len(compiled.positions):
        raise StandInError("A shape is read with the stand-ins it was compiled with, no more and no fewer.")
    sent = list(compiled.params)
    for stand_in, places in compiled.positions:
        if stand_in not in stand_ins:
            raise StandInError(f"The stand-in {stand_in!r} of this shape is given no value.")
        for place in places:
            sent[place] = stand_ins[stand_in]
    with _cursor() as cursor:
        cursor.execute(compiled.sql, sent)
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
