"""The library behind the ``accords`` command: one typed function per job.

The CLI (``db.cli``) only parses options and prints; tests call these
functions directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from . import migrate, output, reports, seed
from .engine import DEFAULT_TIMEOUT_S, make_engine, read_only, resolve_url, safe_url, scrub, sqlite_path
from .errors import AccordsError, UsageError


def describe_db_error(exc: SQLAlchemyError, url: str) -> str:
    """One line for a database error: the driver's message, without SQL or password."""
    orig = getattr(exc, "orig", None)
    message = str(orig if orig is not None else exc).strip().splitlines()[0] if str(orig or exc).strip() else type(exc).__name__
    lowered = message.lower()
    if any(s in lowered for s in ("readonly", "read-only", "read only", "attempt to write")):
        message = f"the query tried to write, and reports and sql are read-only ({message})"
    elif any(s in lowered for s in ("interrupted", "statement timeout", "canceling statement",
                                    "max_statement_time", "query execution was interrupted")):
        message = f"the query ran longer than the time limit and was stopped ({message})"
    return scrub(message, url)


@contextmanager
def database_errors(url: str):
    """Turn database errors into AccordsError with one clear line."""
    try:
        yield
    except DBAPIError as exc:
        raise AccordsError(describe_db_error(exc, url)) from None
    except SQLAlchemyError as exc:
        raise AccordsError(scrub(f"{type(exc).__name__}: {str(exc).splitlines()[0]}", url)) from None


def database_exists(url: str) -> bool:
    """Whether the database at URL has accords' tables (a missing SQLite file has none)."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return False
    engine = make_engine(url)
    try:
        with database_errors(url):
            return inspect(engine).has_table("sources")
    finally:
        engine.dispose()


def upgrade(url: str | None = None, revision: str = "head", sql: bool = False,
            stdout: TextIO | None = None) -> None:
    url = resolve_url(url)
    with database_errors(url):
        migrate.upgrade(url, revision, sql=sql, stdout=stdout)


def downgrade(url: str | None = None, revision: str = "-1", sql: bool = False,
              stdout: TextIO | None = None) -> None:
    url = resolve_url(url)
    with database_errors(url):
        migrate.downgrade(url, revision, sql=sql, stdout=stdout)


def current(url: str | None = None) -> tuple[str | None, str | None]:
    """(the database's revision, the newest revision accords ships)."""
    url = resolve_url(url)
    engine = make_engine(url)
    try:
        with database_errors(url):
            return migrate.current_revision(engine), migrate.head_revision()
    finally:
        engine.dispose()


def seed_database(url: str | None = None, path: Path | str | None = None) -> seed.SeedResult:
    """Load a source file (default: the shipped seed) into an upgraded database."""
    url = resolve_url(url)
    plan = seed.plan_file(path or seed.seed_path())
    engine = make_engine(url)
    try:
        with database_errors(url):
            if not inspect(engine).has_table("sources"):
                raise AccordsError(f"{safe_url(url)} has no accords tables yet: run `accords db upgrade` first")
            return seed.write_plan(engine, plan)
    finally:
        engine.dispose()


def ensure_database(url: str | None = None) -> str | None:
    """Create, upgrade and seed the default SQLite database if it does not exist yet.

    Returns a one-line note when it did so. Only an SQLite file that does not
    exist is created; any other missing database is an error.
    """
    url = resolve_url(url)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        upgrade(url)
        seed_database(url)
        return f"created {path} (schema upgraded and the seed article loaded)"
    if not database_exists(url):
        raise AccordsError(f"{safe_url(url)} has no accords tables: run `accords db upgrade` and `accords db seed`")
    return None


def run_report(url: str | None, name: str, params: Sequence[tuple[str, str]], fmt: str, out: TextIO,
               timeout_s: float | None = DEFAULT_TIMEOUT_S, styled: bool = False) -> int:
    """Run a saved report read-only and write its rows; return the row count."""
    report = reports.get_report(name)
    values = reports.bind_parameters(report, params)
    url = resolve_url(url)
    engine = make_engine(url)
    try:
        with database_errors(url), read_only(engine, timeout_s) as conn:
            result = reports.run_report(conn, report, values)
            return output.write_rows(out, fmt, result.columns, result.rows, styled=styled)
    finally:
        engine.dispose()


def run_sql(url: str | None, sql: str, params: Sequence[tuple[str, str]], fmt: str, out: TextIO,
            timeout_s: float | None = DEFAULT_TIMEOUT_S, styled: bool = False) -> int:
    """Run one ad hoc SQL query read-only, with ``:name`` parameters bound from ``params``."""
    from sqlalchemy import text

    if not reports.is_single_statement(sql):
        raise UsageError("give exactly one SQL statement (no ';' between statements)")
    values = dict(params)
    missing = [n for n in reports.bind_names(sql) if n not in values]
    if missing:
        raise UsageError(f"the query uses :{missing[0]} but no value was given: add -p {missing[0]} VALUE")
    url = resolve_url(url)
    engine = make_engine(url)
    try:
        with database_errors(url), read_only(engine, timeout_s) as conn:
            result = conn.execute(text(sql), values)
            if not result.returns_rows:
                raise AccordsError("the statement returned no rows; sql only runs read-only queries")
            names = list(result.keys())
            rows = (tuple(row) for batch in iter(lambda: result.fetchmany(1000), []) for row in batch)
            return output.write_rows(out, fmt, names, rows, styled=styled)
    finally:
        engine.dispose()
