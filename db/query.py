"""Read-only querying: saved reports and ad hoc SQL.

Kept apart from ``db.api`` so that ``accords report run`` and ``accords sql``
import only what a query needs (no Alembic, no ORM models, no JSON Schema).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from typing import TextIO

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from . import output, reports
from .engine import DEFAULT_TIMEOUT_S, make_engine, read_only, resolve_url, scrub
from .errors import AccordsError, UsageError


def describe_db_error(exc: SQLAlchemyError, url: str) -> str:
    """One line for a database error: the driver's message, without SQL or password."""
    orig = getattr(exc, "orig", None)
    args: tuple = tuple(getattr(orig, "args", ()))
    if len(args) == 2 and isinstance(args[0], int):  # PyMySQL: (code, message)
        text = f"{args[1]} (MariaDB error {args[0]})"
    else:
        text = str(orig if orig is not None else exc).strip()
    message = text.splitlines()[0] if text else type(exc).__name__
    lowered = message.lower()
    if any(s in lowered for s in ("readonly", "read-only", "read only", "attempt to write")):
        message = f"the query tried to write, and reports and sql are read-only ({message})"
    elif any(s in lowered for s in ("interrupted", "statement timeout", "canceling statement",
                                    "max_statement_time", "query execution was interrupted")):
        message = f"the query ran longer than the time limit and was stopped ({message}); --timeout SECONDS allows more"
    elif "unable to open database file" in lowered:
        message = f"{message}: {url.removeprefix('sqlite:///')}"
    elif lowered.startswith("no such table") or (lowered.startswith("relation") and "does not exist" in lowered) \
            or ("table" in lowered and "doesn't exist" in lowered):
        message = f"{message} (if accords' tables are missing, run `accords db upgrade` and `accords db seed`)"
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
            return output.write_rows(out, fmt, result.columns, result.rows, styled=styled, types=result.types)
    finally:
        engine.dispose()


def run_sql(url: str | None, sql: str, params: Sequence[tuple[str, str]], fmt: str, out: TextIO,
            timeout_s: float | None = DEFAULT_TIMEOUT_S, styled: bool = False) -> int:
    """Run one ad hoc SQL query read-only, with ``:name`` parameters bound from ``params``."""
    from sqlalchemy import text

    if not reports.is_single_statement(sql):
        raise UsageError("give exactly one SQL statement (none given, or ';' between statements)")
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
