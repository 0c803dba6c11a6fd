"""The read path of `accords sql` and `accords report run` on PostgreSQL, with psycopg alone.

As on SQLite (:mod:`db.sqlite_read`), a query's SQL is plain text: accords
need not import SQLAlchemy (about a third of a second) to send it. This
module connects with psycopg and keeps every promise of the SQLAlchemy path
(:func:`db.engine.read_only`), in the same words:

* a ``REPEATABLE READ, READ ONLY`` transaction (one snapshot), always rolled
  back, the server's ``statement_timeout`` set for it, and the watchdog of
  :mod:`db.guard` that cancels the query at the deadline or on Ctrl-C;
* one query only: the statement is first declared as a cursor
  (``DECLARE ... CURSOR FOR``, sent with the extended query protocol), which
  the server refuses for a second command, for anything but a query, for
  ``SELECT INTO`` and for a data-modifying ``WITH``; the same refusals, in the
  same words, as the SQLAlchemy path, which streams through such a cursor;
* values bound as SQLAlchemy's psycopg dialect binds them: ``:name``
  parameters found by the pattern of ``text()``, sent as ``%(name)s`` with the
  cast SQLAlchemy renders for the report parameter's type (``::VARCHAR``,
  ``::INTEGER``, ``::DATE``, none for a decimal); rows as psycopg returns them;
* one-line errors from :mod:`db.failures`, the URL's secrets masked.

The rows themselves are not fetched through the declared cursor: a cursor's
plan may not run in parallel and is chosen for its first rows
(``cursor_tuple_fraction``), so on large reports it ran up to 1.6 times as
long as ``psql`` running the same SQL. Once declared (which proves the
statement one query), the cursor is closed and the same statement, with the
same values, in the same snapshot, is run as a plain query whose rows stream
in chunks (libpq's chunked rows mode, libpq 17 or newer; with an older
libpq, the rows are fetched through the cursor, as before). For CSV and TSV,
the columns whose PostgreSQL text is the text accords writes are fetched as
that text (see :func:`_text_columns`).

Only plain URLs take this path (``postgresql://`` or
``postgresql+psycopg://``, user, password, host, port, database and simple
``?key=value`` options, read as SQLAlchemy reads them: a test compares the
connection arguments); anything else goes through :mod:`db.engine`.
A test compares both paths on every report, on hostile SQL and on errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain, islice
from typing import Any
from urllib.parse import parse_qsl, unquote

from .errors import AccordsError, Interrupted
from .failures import (
    DEFAULT_URL,
    ENV_URL,
    PG_SESSION,
    TIME_LIMIT,
    describe,
    driver_message,
    mask_secrets,
    url_secrets,
)

#: a URL SQLAlchemy reads as psycopg's connection arguments, parts it would not parse otherwise left out
_PLAIN_URL = re.compile(
    r"postgresql(?:\+psycopg)?://"
    r"(?:(?P<user>[^:/@?#\[\]\s]*)(?::(?P<password>[^@/?#\s]*))?@)?"
    r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[^/:?@#\[\]\s]+))?"
    r"(?::(?P<port>[0-9]+))?"
    r"(?:/(?P<database>[^/?#\s]*))?"
    r"(?:\?(?P<query>[^#\s]*))?")
_OPTION = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: the cast SQLAlchemy's psycopg dialect renders after a report parameter of each type (db.reports.binds);
#: none for a decimal (its Numeric is sent as psycopg types the value: numeric)
CASTS = {"text": "VARCHAR", "choice": "VARCHAR", "integer": "INTEGER", "date": "DATE"}
#: rows a chunk of the streamed result holds
CHUNK = 1000
#: the name of the cursor that proves a statement one query
CURSOR = "accords_query"
_END = object()


class Target:
    """A PostgreSQL database to read: psycopg's connection arguments, and the URL's secrets."""

    def __init__(self, url: str, args: dict[str, Any], secrets: list[str]):
        self.url, self.args, self.secrets = url, args, secrets

    def scrub(self, message: str) -> str:
        return mask_secrets(message, self.secrets)


def server_target(url: str | None) -> Target | None:
    """The PostgreSQL database a plain URL names (as SQLAlchemy would connect to it), else None.

    None means "not for this path": SQLite, MariaDB, and URLs whose reading
    this module does not repeat exactly (several hosts, repeated options,
    odd characters), which :mod:`db.engine` then reads or refuses in its own
    words.
    """
    import os

    chosen = url or os.environ.get(ENV_URL) or DEFAULT_URL
    try:
        chosen.encode("utf-8")
    except UnicodeEncodeError:
        return None
    m = _PLAIN_URL.fullmatch(chosen)
    if m is None:
        return None
    query: dict[str, str] = {}
    for key, value in parse_qsl(m.group("query") or "", keep_blank_values=False):
        if key in query or not _OPTION.fullmatch(key) or key in ("host", "port", "hostaddr"):
            return None  # several hosts, or a list: SQLAlchemy's own reading
        query[key] = value
    user, password, database = (unquote(v) if v is not None else None
                                for v in m.group("user", "password", "database"))
    # as SQLAlchemy's URL.translate_connect_args: only the parts that are given and not empty
    args: dict[str, Any] = {k: v for k, v in (("host", m.group("host") or m.group("ipv6")), ("dbname", database),
                                              ("user", user), ("password", password)) if v}
    if m.group("port") and int(m.group("port")):
        args["port"] = int(m.group("port"))
    args.update(query)
    return Target(chosen, args, url_secrets(chosen, password, query))


def compile_text(sql: str, kinds: Mapping[str, str]) -> tuple[str, list[str]]:
    """The SQL as SQLAlchemy's ``text()`` sends it to psycopg: ``%`` doubled, ``%(name)s::CAST`` for each ``:name``."""
    from .sqltext import replace_binds

    names: list[str] = []

    def placeholder(name: str) -> str:
        names.append(name)
        cast = CASTS.get(kinds.get(name, ""))
        return f"%({name})s::{cast}" if cast else f"%({name})s"

    return replace_binds(sql.replace("%", "%%"), placeholder), names


def bind_values(names: list[str], values: Mapping[str, Any]) -> dict[str, Any]:
    """The values the statement uses; a name without a value fails as SQLAlchemy words it."""
    out = {}
    for name in names:
        if name not in values:
            raise AccordsError("StatementError: (sqlalchemy.exc.InvalidRequestError) "
                               f"A value is required for bind parameter {name!r}")
        out[name] = values[name]
    return out


class Rows:
    """A statement's result, as the query path reads it (the names SQLAlchemy's results use).

    ``render``: when asked for text (see :meth:`Reader.execute`), per column the
    function that writes a batch of its values as CSV text, for the columns
    fetched as PostgreSQL's text (None for the others, fetched as Python values).
    """

    returns_rows = True  # a declared cursor is a query

    def __init__(self, names: list[str], rows: Iterator[Any], render: list[Any] | None = None,
                 copied: str | None = None):
        self.names, self.rows, self.render = names, rows, render
        #: "csv" or "tsv" when the rows are PostgreSQL's COPY lines in that format (see :func:`copy_statement`)
        self.copied = copied

    def keys(self) -> list[str]:
        return self.names

    def fetchmany(self, size: int) -> list[tuple]:
        return list(islice(self.rows, size))

    def fetchall(self) -> list[tuple]:
        return list(self.rows)


class Reader:
    """One read-only transaction on a psycopg connection, with its watchdog."""

    def __init__(self, conn: Any, watchdog: Any, db_error: type[BaseException]):
        self.conn, self.watchdog = conn, watchdog
        self.db_errors: tuple[type[BaseException], ...] = (db_error,)
        self.streams: list[Any] = []

    def execute(self, sql: str, values: Mapping[str, Any], kinds: Mapping[str, str] | None = None,
                text_types: Mapping[str, str] | None = None, copy: str | None = None,
                choices: Mapping[str, Sequence[str]] | None = None) -> Rows:
        """Run one query with ``values`` bound (typed by ``kinds``: a parameter's report type).

        ``text_types`` (a report's column types, for CSV or TSV output): the
        columns whose PostgreSQL text is already what accords writes are
        fetched as text, not as Python values turned back into the same text
        (see :func:`_text_columns`). ``copy`` ("csv" or "tsv", with
        ``text_types``): where :func:`copy_statement` can have the server write
        the very lines accords writes, the rows are those lines (``Rows.copied``);
        ``choices``: a choice parameter's declared values (see :func:`db.pg_copy.literals_for`).
        """
        from psycopg import capabilities
        from psycopg.types.string import TextLoader

        self.close()  # psycopg runs one statement at a time on a connection
        text, names = compile_text(sql, kinds or {})
        params = bind_values(names, values)
        cursor = self.conn.cursor(CURSOR)  # DECLARE: the server refuses anything but one query
        try:
            cursor.execute(text, params)
        except BaseException:
            _quietly(cursor.close)
            raise
        # a declared cursor is a query: it has rows, perhaps of no columns (`select from t`)
        description = cursor.description or []
        render = None
        statement = None
        if copy is not None and text_types:
            from .pg_copy import copy_statement, literals_for

            literals = literals_for(params, kinds or {}, choices or {})
            if literals is not None:
                statement = copy_statement(self.conn, sql, literals, description, text_types, copy)
        if statement is not None:
            from .pg_copy import copied

            cursor.close()
            rows: Iterator[Any] = copied(self.conn.cursor(), statement)
        elif capabilities.has_stream_chunked():
            cursor.close()
            cursor = self.conn.cursor()
            render = None if text_types is None else _text_columns(self.conn, description, text_types)
            for column, rendered in zip(description, render or (), strict=False):
                if rendered is not None:
                    cursor.adapters.register_loader(column.type_code, TextLoader)
            rows = cursor.stream(text, params, size=CHUNK)
        else:  # libpq older than 17 (psycopg[binary] ships a newer one): the declared cursor's rows, as values
            rows = _fetched(cursor)  # (loaders registered after DECLARE would not apply to its rows)
        self.streams.append(rows)
        # the first row now, as SQLAlchemy fetches it: a failure on it comes before any output
        first: Any = next(rows, _END)
        return Rows([c.name for c in description], rows if first is _END else chain((first,), rows), render,
                    copy if statement is not None else None)

    def first_row(self, sql: str) -> tuple | None:
        """The first row of one of accords' own queries (no parameters)."""
        self.close()
        return self.conn.execute(sql).fetchone()

    def check(self) -> None:
        """Raise if the watchdog fired (the time limit passed, or Ctrl-C) though the query went on."""
        self.watchdog.check()

    def close(self) -> None:
        """End the statements still streaming (psycopg cancels a query whose rows are left unread)."""
        while self.streams:
            self.streams.pop().close()


# --- columns fetched as text ------------------------------------------------------------------

INTEGER_OIDS, BOOLEAN_OID, DATE_OID, NUMERIC_OID = frozenset({20, 21, 23}), 16, 1082, 1700  # type OIDs: int8/2/4, ...


def _as_text(values: Sequence[Any]) -> list[str]:
    """PostgreSQL's text as it is (an int's, a numeric(p, 2)'s): what str() of the Python value gives."""
    return list(values) if None not in values else ["" if v is None else v for v in values]


def _boolean(values: Sequence[str | None]) -> list[str]:
    return ["" if v is None else "true" if v == "t" else "false" for v in values]


def _int_boolean(values: Sequence[str | None]) -> list[str]:
    """An integer that a report declares boolean: 0 is false, any other true (as bool(int(v)))."""
    return ["" if v is None else "false" if v == "0" else "true" for v in values]


def _iso_date(conn: Any) -> Callable[[Sequence[str | None]], list[str]]:
    """A date in DateStyle ISO: its text is date.isoformat() for the years Python has (YYYY-MM-DD, ten characters).

    Another (a year past 9999, BC, infinity) is handed to psycopg's own date
    loader, which fails on it as the values path would.
    """

    def render(values: Sequence[str | None]) -> list[str]:
        present: Sequence[Any] = [v for v in values if v is not None] if None in values else values
        if present and not min(map(len, present)) == max(map(len, present)) == 10:
            from psycopg.pq import Format

            loader = conn.adapters.get_loader(DATE_OID, Format.TEXT)(DATE_OID, conn)
            return ["" if v is None else v if len(v) == 10 else str(loader.load(v.encode())) for v in values]
        return _as_text(values)

    return render


def _text_columns(conn: Any, description: Sequence[Any], types: Mapping[str, str]) -> list[Any] | None:
    """Per column, how to write its PostgreSQL text as accords writes the column's values (None: fetch values).

    A report's integer from an integer type, decimal from a ``numeric(p, 2)``
    (every digit, as :data:`db.reports.EXACT` keeps them), boolean from a
    boolean or an integer, and date from a date when the server writes dates
    as ISO: PostgreSQL's text is then the text accords writes, so these are
    fetched as text and never become Python objects. A type is fetched as text
    only when every column of that type can be (psycopg loads by type).
    """
    iso = (conn.info.parameter_status("DateStyle") or "").startswith("ISO")
    rules = [_rule(conn, column, types.get(column.name, "text"), iso) for column in description]
    refused = {c.type_code for c, rule in zip(description, rules, strict=True) if rule is None}
    rules = [None if c.type_code in refused else rule for c, rule in zip(description, rules, strict=True)]
    return rules if any(rules) else None


def _rule(conn: Any, column: Any, kind: str, iso: bool) -> Any:
    """How to write one column's PostgreSQL text as accords writes its ``kind`` (None: fetch its values)."""
    oid = column.type_code
    if oid in INTEGER_OIDS:
        return _int_boolean if kind == "boolean" else _as_text if kind in ("integer", "text") else None
    if oid == BOOLEAN_OID:
        return _boolean if kind == "boolean" else None
    if oid == NUMERIC_OID:
        return _as_text if kind == "decimal" and column.scale == 2 else None
    if oid == DATE_OID:
        return _iso_date(conn) if kind == "date" and iso else None
    return None


def _quietly(action: Any) -> None:
    """Clean up after a failure without hiding it: an error while cleaning up is not the news."""
    try:
        action()
    except Exception:  # noqa: BLE001 - the failure being raised says what went wrong
        pass


def _fetched(cursor: Any) -> Iterator[tuple]:
    """The rows of a declared cursor, fetched a batch at a time; the cursor closed at the end."""
    from .sqlite_read import BATCH

    try:
        while batch := cursor.fetchmany(BATCH):
            yield from batch
    finally:
        cursor.close()


def _translate(failure: BaseException, watchdog: Any, target: Target, db_error: type[BaseException] | None
               ) -> BaseException:
    """The exception to raise for a failure, worded as :mod:`db.engine` words it."""
    is_db_error = db_error is not None and isinstance(failure, db_error)
    if watchdog is not None and watchdog.reason == "interrupt" or isinstance(failure, KeyboardInterrupt):
        return Interrupted()
    if watchdog is not None and watchdog.reason == "timeout" and is_db_error:
        return AccordsError(TIME_LIMIT.format(detail=driver_message(failure)))
    if is_db_error:
        return AccordsError(target.scrub(describe(failure, True, lambda: (None, target.scrub(target.url)))))
    return failure


@contextmanager
def reading(target: Target, timeout_s: float | None) -> Iterator[Reader]:
    """A read-only transaction on a new connection to ``target``: rolled back and closed when the block ends.

    Cancelled by the watchdog at ``timeout_s`` or on Ctrl-C (then raising
    :class:`Interrupted`); database errors become one-line AccordsErrors.
    """
    import psycopg

    from .guard import Watchdog

    conn = watchdog = reader = None
    try:
        conn = psycopg.connect(**{**target.args, **PG_SESSION})  # as db.engine's connect_args: over the URL
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ  # one snapshot
        conn.read_only = True  # BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY
        if timeout_s:
            conn.execute(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}")
        watchdog = Watchdog(conn.cancel_safe, timeout_s)
        reader = Reader(conn, watchdog, psycopg.Error)
        try:
            with watchdog:
                yield reader
        except BaseException as failure:
            _quietly(reader.close)
            if not (watchdog.fired or isinstance(failure, KeyboardInterrupt)):
                _quietly(conn.rollback)  # a cancelled connection is closed as it is, as SQLAlchemy's is dropped
            raise
        reader.close()
        conn.rollback()
    except GeneratorExit:  # pragma: no cover - the block was abandoned, not failed
        raise
    except BaseException as failure:
        raised = _translate(failure, watchdog, target, psycopg.Error)
        if raised is failure:
            raise
        raise raised from None
    finally:
        if conn is not None:
            conn.close()  # a transaction not rolled back yet (a failure) ends with the connection
