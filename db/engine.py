"""Database URLs, engines, read-only connections and one-line database errors for every backend."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from .errors import AccordsError, Interrupted, UsageError
from .failures import (  # noqa: F401 - re-exported: the library's names for them
    DEFAULT_TIMEOUT_S,
    DEFAULT_URL,
    ENV_READ_URL,
    ENV_URL,
    PG_SESSION,
    REFUSED,
    NoDatabase,
    check_sqlite_path,
    describe,
    driver_message,
    error_code,
    error_kind,
    mask_secrets,
    url_secrets,
)
from .failures import TIME_LIMIT as _TIME_LIMIT

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def resolve_url(url: str | None = None) -> str:
    """The URL to use: the explicit one, else $ACCORDS_DATABASE_URL, else ./accords.db.

    A plain file path (no ``scheme://``) is an SQLite file. A URL that cannot
    be parsed (a port that is not a number, say) is wrong use: one line.
    """
    chosen = url or os.environ.get(ENV_URL) or DEFAULT_URL
    try:
        chosen.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("the database URL or path is not valid UTF-8 text") from None
    if not _SCHEME.match(chosen):
        if "\x00" in chosen:
            raise UsageError("invalid database path: it contains a NUL character")
        return "sqlite:///" + chosen
    try:
        parsed = make_url(chosen)
    except (ArgumentError, ValueError) as exc:
        raise UsageError(f"invalid database URL {safe_url(chosen)!r}: {_first_line(exc)}") from None
    if parsed.get_backend_name() == "sqlite" and {"uri", "mode", "vfs", "immutable"} & set(parsed.query):
        raise UsageError(f"invalid database URL {safe_url(chosen)!r}: accords opens SQLite files its own way "
                         "(read-only for queries); give the file's path without ?uri, ?mode, ?vfs or ?immutable")
    return chosen


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _secrets(url: str) -> list[str]:
    """The secrets in a URL: its password and secret-looking query values, raw and URL-encoded."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return url_secrets(url, None, {})
    return url_secrets(url, parsed.password and str(parsed.password), parsed.query)


def safe_url(url: str) -> str:
    """The URL with its password and secret query values masked, for messages."""
    return scrub(url, url)


def scrub(message: str, url: str) -> str:
    """Remove the URL's secrets from a message (driver errors may echo them)."""
    return mask_secrets(message, _secrets(url))


def backend(url: str) -> str:
    """'sqlite', 'postgresql' or 'mysql' (MariaDB)."""
    name = make_url(url).get_backend_name()
    return "mysql" if name == "mariadb" else name


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL, or None for other backends and memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def check_sqlite_file(url: str) -> None:
    """An SQLite database must be a regular file (or not exist yet): see :func:`db.failures.check_sqlite_path`."""
    path = sqlite_path(url)
    if path is not None:
        check_sqlite_path(path)


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


#: PostgreSQL drivers that pass connect_args to libpq as connection settings (db.failures.PG_SESSION)
_LIBPQ = frozenset({"psycopg", "psycopg2"})


def make_engine(url: str | None = None, *, reading: bool = False, **kwargs) -> Engine:
    """An engine for the URL; on SQLite, foreign keys are enforced on every connection.

    On PostgreSQL every session speaks UTF-8 (:data:`db.failures.PG_SESSION`),
    whatever the role's or the URL's ``client_encoding``.

    With ``reading=True`` an SQLite file is opened read-only (``mode=ro``):
    the engine cannot write to it whatever the SQL says.
    """
    url = resolve_url(url)
    check_sqlite_file(url)
    path = sqlite_path(url) if reading else None
    if path is not None:
        uri = f"file:{quote(str(path.absolute()))}?mode=ro"
        kwargs.setdefault("creator", lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
    try:
        parsed = make_url(url)
        if parsed.get_dialect().name == "postgresql" and parsed.get_driver_name() in _LIBPQ:
            kwargs["connect_args"] = {**kwargs.get("connect_args", {}), **PG_SESSION}
        engine = create_engine(url, **kwargs)
    except (ArgumentError, ValueError) as exc:
        raise UsageError(f"invalid database URL {safe_url(url)!r}: {_first_line(exc)}") from None
    except ModuleNotFoundError as exc:
        extra = {"postgresql": "postgres", "mysql": "mysql"}.get(backend(url), "")
        hint = f"; install it with: pip install 'accords[{extra}]'" if extra else ""
        raise AccordsError(f"the driver for {safe_url(url)} is not installed ({exc.name}){hint}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
    else:
        event.listen(engine, "do_connect", _driver_options_checked(url))
    return engine


def _driver_options_checked(url: str) -> Callable[..., Any]:
    """Connect as SQLAlchemy would, a URL option the driver refuses (``?charset=nonsense``) one line, not a traceback."""

    def connect(dialect, _record, cargs, cparams) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except (TypeError, ValueError, AttributeError, LookupError) as exc:  # the driver's, before any connection
            raise UsageError(f"invalid database URL {safe_url(url)!r}: the driver refused its options: "
                             f"{scrub(_first_line(exc), url)}") from None

    return connect


# --- opening a database ---------------------------------------------------------------


@dataclass
class Database:
    """An open database: its URL and engine (read-only on SQLite when ``reading``)."""

    url: str
    engine: Engine
    reading: bool = False

    @property
    def backend(self) -> str:
        return backend(self.url)

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for servers and memory databases."""
        return sqlite_path(self.url)

    def describe(self) -> str:
        """The URL for messages, secrets masked."""
        return safe_url(self.url)


@contextmanager
def open_database(url: str | None = None, *, create: bool = False, reading: bool = False,
                  make: Callable[[str], Engine] | None = None) -> Iterator[Database]:
    """The one way to open a database: resolve the URL, make the engine, translate errors, dispose.

    The one rule for a missing SQLite file: only a caller that creates the
    database (``create=True``: ``db upgrade``, ``ingest``, the first report)
    may open it; any other raises :class:`NoDatabase`, and no empty file is
    left behind. Database errors inside the block become one-line
    :class:`AccordsError`s (``reading`` words refusals for read-only queries).
    ``make`` builds a special engine instead (migrations use one whose SQLite
    connections run DDL inside transactions).
    """
    url = resolve_url(url)
    path = sqlite_path(url)
    if path is not None and not create and not path.exists():
        raise NoDatabase(path)
    engine = make(url) if make is not None else make_engine(url, reading=reading)
    try:
        with database_errors(url, reading):
            yield Database(url, engine, reading)
    finally:
        engine.dispose()


@contextmanager
def opened(target: Database | str | None, *, create: bool = False, reading: bool = False) -> Iterator[Database]:
    """``target`` when it is an open Database (of the right kind), else :func:`open_database` of the URL."""
    if isinstance(target, Database) and (target.reading or not reading):
        yield target
        return
    url = target.url if isinstance(target, Database) else target
    with open_database(url, create=create, reading=reading) as db:
        yield db


# --- read-only connections -----------------------------------------------------------


def _canceller(engine: Engine, conn: Connection) -> Callable[[], None]:
    """A function that stops the query running on ``conn``, callable from another thread."""
    raw: Any = conn.connection.dbapi_connection
    name = engine.dialect.name
    if name == "sqlite":
        return raw.interrupt
    if name == "postgresql":
        return getattr(raw, "cancel_safe", raw.cancel)
    thread_id = int(raw.thread_id())

    def kill() -> None:
        with engine.connect() as other:
            other.exec_driver_sql(f"KILL QUERY {thread_id}")

    return kill


class _ReadOnlySession:
    """What :func:`read_only` sets on one connection, and how it ends: undone, or the connection dropped."""

    def __init__(self, engine: Engine, conn: Connection, timeout_s: float | None):
        from .guard import SqliteGuard, Watchdog

        raw: Any = conn.connection.dbapi_connection
        self.conn, self.name, self.raw = conn, engine.dialect.name, raw
        self.guard: SqliteGuard | None = None
        self.threshold: int | None = None
        if self.name == "sqlite":
            self.guard = SqliteGuard(raw)
        elif self.name == "postgresql":
            self.threshold = raw.prepare_threshold
            raw.prepare_threshold = 0  # every statement prepared: the server refuses a second command
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")  # one snapshot
            if timeout_s:
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}")
        else:
            conn.exec_driver_sql(f"SET SESSION max_statement_time = {float(timeout_s or 0)}")
            conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
            conn.commit()
            conn.exec_driver_sql("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")  # one snapshot
        self.watchdog = Watchdog(_canceller(engine, conn), timeout_s)
        if self.guard is not None:
            self.guard.watchdog = self.watchdog  # REGEXP stops at the deadline
        conn.info["watchdog"] = self.watchdog

    def end(self, failure: BaseException | None) -> None:
        """Roll back and undo the settings; a cancelled or interrupted connection is dropped instead."""
        conn = self.conn
        if conn.invalidated:
            return  # SQLAlchemy invalidates a connection itself when KeyboardInterrupt hits a call
        if failure is not None and (isinstance(failure, KeyboardInterrupt) or self.watchdog.fired):
            conn.invalidate()  # never reused
            return
        conn.info.pop("watchdog", None)
        conn.rollback()
        if self.guard is not None:
            self.guard.undo()
        if self.threshold is not None:
            self.raw.prepare_threshold = self.threshold
        if self.name in ("mysql", "mariadb"):
            conn.exec_driver_sql("SET SESSION TRANSACTION READ WRITE")
            conn.exec_driver_sql("SET SESSION max_statement_time = 0")
            conn.exec_driver_sql("SET SESSION sql_select_limit = DEFAULT")
            conn.commit()

    def translate(self, failure: BaseException) -> BaseException:
        """The exception to raise for a failure: Ctrl-C, a refusal SQLite's authorizer named, the time limit."""
        is_db_error = isinstance(failure, DBAPIError | sqlite3.Error)
        if self.watchdog.reason == "interrupt" or isinstance(failure, KeyboardInterrupt):
            return Interrupted()
        if self.guard is not None and self.guard.authorizer.denied and is_db_error:
            return AccordsError(f"{REFUSED} (SQLite refused {self.guard.authorizer.denied})")
        if self.watchdog.reason == "timeout" and is_db_error:
            return AccordsError(_TIME_LIMIT.format(detail=driver_message(failure)))
        return failure


@contextmanager
def read_only(engine: Engine, timeout_s: float | None = DEFAULT_TIMEOUT_S) -> Iterator[Connection]:
    """A connection on which nothing can be changed, inside a transaction always rolled back.

    Writes fail in the database itself, never by inspecting the SQL (see
    :mod:`db.guard`): SQLite opens read-only with an authorizer and limits,
    PostgreSQL sends every statement prepared (one command each) in a
    ``REPEATABLE READ, READ ONLY`` transaction, MariaDB runs a ``READ ONLY``
    transaction ``WITH CONSISTENT SNAPSHOT`` and
    (in :func:`execute`) one prepared statement. ``timeout_s`` is enforced by
    the server's own limit and by a watchdog that cancels the query at the
    deadline; Ctrl-C cancels it too (raising :class:`Interrupted`).
    """
    if engine.dialect.name not in ("sqlite", "postgresql", "mysql", "mariadb"):  # pragma: no cover
        raise AccordsError(f"unsupported database backend: {engine.dialect.name}")
    with engine.connect() as conn:
        session = _ReadOnlySession(engine, conn, timeout_s)
        failure: BaseException | None = None
        try:
            with session.watchdog:
                yield conn
        except BaseException as exc:
            failure = exc
        session.end(failure)
        if failure is not None:
            raised = session.translate(failure)
            if raised is failure:
                raise failure
            raise raised from None


#: per-statement options for streamed results (Connection.execution_options would change the connection)
STREAM = {"stream_results": True, "max_row_buffer": 1000}


def execute(conn: Connection, sql: str, values: dict[str, Any], binds: list[Any] | None = None,
            limit: int | None = None):
    """Run one read-only statement with bound values; the result streams its rows.

    On MariaDB through PREPARE/EXECUTE (see :func:`db.guard.mysql_prepared`);
    elsewhere through the driver's own binding (sqlite3's, PostgreSQL's
    extended protocol). ``binds`` are typed ``bindparam`` objects for ``text()``.
    ``limit``: on MariaDB, the server sends no more rows than that (the
    caller then calls :func:`finish`); elsewhere the caller stops fetching.
    """
    from sqlalchemy import text

    from .sqltext import protect_colons

    sql = protect_colons(sql)
    if conn.dialect.name in ("mysql", "mariadb"):
        from .guard import mysql_prepared

        return mysql_prepared(conn, sql, values, limit)
    statement = text(sql).bindparams(*binds) if binds else text(sql)
    return conn.execute(statement, values, execution_options=STREAM)


def finish(conn: Connection, result: Any) -> None:
    """After a result has been written (all of it, or up to a limit): close it.

    PostgreSQL's server-side cursor is closed (left open, psycopg warns when
    it is collected). On MariaDB what is left is read first (PyMySQL would
    otherwise read it at the next statement, with a warning; with
    ``sql_select_limit`` set only the result's end is left, though a query's
    own larger LIMIT still sends its rows), and the row limit is lifted.
    """
    if conn.dialect.name in ("mysql", "mariadb"):
        while result.fetchmany(1000):
            check_watchdog(conn)
        result.close()
        conn.exec_driver_sql("SET SESSION sql_select_limit = DEFAULT")
        return
    result.close()


def check_watchdog(conn: Connection) -> None:
    """Raise if the watchdog fired (the time limit passed, or Ctrl-C) though the query went on."""
    watchdog = conn.info.get("watchdog")
    if watchdog is not None:
        watchdog.check()


# --- one-line database errors ------------------------------------------------------------

def describe_db_error(exc: BaseException, url: str, reading: bool = False) -> str:
    """One line for a database error: the driver's message (no SQL, no secret) and what it means."""

    def where() -> tuple[Path | None, str]:
        path = sqlite_path(url)
        return path, str(path) if path is not None else safe_url(url)

    return scrub(describe(exc, reading, where), url)


@contextmanager
def database_errors(url: str, reading: bool = False):
    """Turn database errors into AccordsError with one clear line."""
    try:
        yield
    except (DBAPIError, sqlite3.Error) as exc:
        raise AccordsError(describe_db_error(exc, url, reading)) from None
    except SQLAlchemyError as exc:
        raise AccordsError(scrub(f"{type(exc).__name__}: {_first_line(exc)}", url)) from None


__all__ = ["URL", "DEFAULT_TIMEOUT_S", "ENV_READ_URL", "ENV_URL", "backend", "check_watchdog", "database_errors",
           "describe_db_error", "error_code", "error_kind", "execute", "make_engine", "read_only", "resolve_url",
           "safe_url", "scrub", "sqlite_path"]
