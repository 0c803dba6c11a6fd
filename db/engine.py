"""Database URLs, engines and read-only connections for every backend."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .errors import AccordsError, UsageError

ENV_URL = "ACCORDS_DATABASE_URL"
DEFAULT_URL = "sqlite:///accords.db"
DEFAULT_TIMEOUT_S = 30.0


def resolve_url(url: str | None = None) -> str:
    """The URL to use: the explicit one, else $ACCORDS_DATABASE_URL, else ./accords.db."""
    return url or os.environ.get(ENV_URL) or DEFAULT_URL


def safe_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def scrub(message: str, url: str) -> str:
    """Remove the URL's password from a message (driver errors may echo it)."""
    try:
        password = make_url(url).password
    except ArgumentError:
        return message
    if password:
        message = message.replace(str(password), "***")
    return message


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


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """An engine for the URL; on SQLite, foreign keys are enforced on every connection."""
    url = resolve_url(url)
    try:
        engine = create_engine(url, **kwargs)
    except ArgumentError as exc:
        raise UsageError(f"invalid database URL {safe_url(url)!r}: {exc}") from None
    except ModuleNotFoundError as exc:
        extra = {"postgresql": "postgres", "mysql": "mysql"}.get(backend(url), "")
        hint = f"; install it with: pip install 'accords[{extra}]'" if extra else ""
        raise AccordsError(f"the driver for {safe_url(url)} is not installed ({exc.name}){hint}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
    return engine


@contextmanager
def read_only(engine: Engine, timeout_s: float | None = DEFAULT_TIMEOUT_S) -> Iterator[Connection]:
    """A connection inside a read-only transaction that is always rolled back.

    Writes fail in the database itself, not by inspecting the SQL:
    SQLite uses ``PRAGMA query_only``, PostgreSQL ``SET TRANSACTION READ ONLY``
    and MariaDB ``START TRANSACTION READ ONLY``. ``timeout_s`` stops a query
    that runs too long (SQLite: a progress handler; PostgreSQL:
    ``statement_timeout``; MariaDB: ``max_statement_time``).
    """
    name = engine.dialect.name
    if name not in ("sqlite", "postgresql", "mysql", "mariadb"):  # pragma: no cover
        raise AccordsError(f"unsupported database backend: {name}")
    with engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        if name == "sqlite":
            conn.exec_driver_sql("PRAGMA query_only = ON")
            if timeout_s:
                deadline = time.monotonic() + timeout_s
                raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
            conn.commit()
        elif name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            if timeout_s:
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}")
        else:
            if timeout_s:
                conn.exec_driver_sql(f"SET SESSION max_statement_time = {float(timeout_s)}")
            conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
            conn.commit()
        try:
            yield conn
        finally:
            conn.rollback()
            if name == "sqlite":
                raw.set_progress_handler(None, 0)
                conn.exec_driver_sql("PRAGMA query_only = OFF")
                conn.commit()
            elif name != "postgresql":
                conn.exec_driver_sql("SET SESSION TRANSACTION READ WRITE")
                conn.exec_driver_sql("SET SESSION max_statement_time = 0")
                conn.commit()
