"""Read-only querying: saved reports and ad hoc SQL.

Kept apart from ``db.api`` so that ``accords report run`` and ``accords sql``
import only what a query needs (no Alembic, no ORM models, no JSON Schema).
On an SQLite file or PostgreSQL they import no SQLAlchemy either:
:mod:`db.sqlite_read` runs the query with sqlite3, :mod:`db.pg_read` with
psycopg; MariaDB (and an open :class:`db.engine.Database`) go through
:mod:`db.engine`. What keeps these read-only is the engine, never the SQL
text: see :mod:`db.guard`, :func:`db.engine.read_only`,
:func:`db.sqlite_read.reading` and :func:`db.pg_read.reading`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import TYPE_CHECKING, Any

from . import output, reports, sqltext
from .errors import AccordsError, UsageError
from .failures import DEFAULT_TIMEOUT_S, ENV_READ_URL
from .sqlite_read import BATCH, reading, sqlite_file

if TYPE_CHECKING:
    from .engine import Database

#: report parameters that name an actor (by slug, name or alias), a source or an agreement
_ACTOR_PARAMS = ("actor", "speaker", "target")
_LOOKUPS = {
    **{p: ("actor", "select a.id from actors as a where a.slug = lower(:v) "
                    "union select a.id from actors as a where a.name_key = lower(:v) "
                    "union select x.actor_id from actor_aliases as x where x.alias_key = lower(:v)")
       for p in _ACTOR_PARAMS},
    "source": ("source", "select s.id from sources as s where s.slug = :v"),
    "agreement": ("agreement", "select g.id from agreements as g where g.slug = :v"),
}

Warn = Callable[[str], None]


def read_url(url: str | None, read: str | None = None) -> str:
    """The URL queries run on: --read-url or $ACCORDS_READ_URL when given, else the database URL."""
    import os

    from .engine import resolve_url

    return resolve_url(read or os.environ.get(ENV_READ_URL) or url)


def _rows(session, result, convert: Callable[[list], Any] | None = None) -> Iterator[tuple]:
    """The result's rows in batches, stopping if the watchdog fired between batches."""
    while True:
        batch = result.fetchmany(BATCH)
        session.check()
        if not batch:
            return
        yield from (convert(batch) if convert else (tuple(row) for row in batch))


def _limited(rows: Iterator[tuple], limit: int | None) -> Iterator[tuple]:
    """At most ``limit`` rows: no more are fetched once it is reached."""
    return rows if limit is None else islice(rows, limit)


def _batches(session, result, limit: int | None) -> Iterator[list]:
    """The result's rows as fetched, a batch at a time, at most ``limit`` of them; the watchdog checked between batches."""
    left = limit
    while left is None or left > 0:
        batch = result.fetchmany(BATCH if left is None else min(BATCH, left))
        session.check()
        if not batch:
            return
        if left is not None:
            left -= len(batch)
        yield batch


def _rendered(batches: Iterator[list], render: Sequence[Callable[[Sequence[Any]], list[str]] | None]
              ) -> Iterator[list]:
    """Batches with each column PostgreSQL gave as text written as accords writes it (t -> true, NULL -> "")."""
    for batch in batches:
        columns: list[Sequence[Any]] = list(zip(*batch, strict=True))
        for i, write in enumerate(render):
            if write is not None:
                columns[i] = write(columns[i])
        yield list(zip(*columns, strict=True))


def _write(session, result, out: Any, fmt: str, names: list[str], types: list[str] | None, limit: int | None,
           styled: bool, headers: bool) -> int:
    """Write a result's rows; ``types``: a report's column types, its values normalised to them.

    sqlite3's batches go as they are to the writers that take them (csv and
    tsv: :func:`db.output.write_batches`, the same bytes with less Python per
    value), and every driver's to the Parquet writer (which normalises a
    column at a time); every other format and driver gets normalised rows.
    """
    if getattr(result, "copied", None) == fmt:  # db.pg_read: the server wrote the lines
        from .pg_copy import write_copied

        return write_copied(out, fmt, names, _batches(session, result, limit), headers)
    if fmt == "parquet":  # every driver's batches as fetched: the Parquet writer converts them (db.parquet)
        return output.write_parquet(out, names, _batches(session, result, limit), types)
    render = getattr(result, "render", None)  # per column, how db.pg_read's text is written (None: a value)
    if render is not None and types is not None and fmt in output.BATCH_FORMATS:
        types = ["text" if r else t for r, t in zip(render, types, strict=True)]
        return output.write_batches(out, fmt, names, _rendered(_batches(session, result, limit), render), types,
                                    headers)
    if getattr(session, "sqlite3_values", False) and fmt in output.BATCH_FORMATS:
        return output.write_batches(out, fmt, names, _batches(session, result, limit), types, headers)
    convert = None if types is None else (lambda batch: reports.normalise_batch(types, batch))
    return output.write_rows(out, fmt, names, _limited(_rows(session, result, convert), limit),
                             styled=styled, types=types, headers=headers)


#: per dialect: who the login is, whether it is a superuser, whether it may change accords' tables
_PRIVILEGES = {
    "postgresql": (
        # pg_catalog's functions named in full: a schema before it in the search_path cannot hide the warning
        "select current_user, pg_catalog.current_setting('is_superuser') OPERATOR(pg_catalog.=) 'on', "
        "pg_catalog.to_regclass('sources') is not null and "
        "pg_catalog.has_table_privilege('sources', 'INSERT, UPDATE, DELETE, TRUNCATE')"),
    "mysql": (
        "select current_user(), "
        "exists(select 1 from information_schema.user_privileges where grantee = "
        "  concat('''', substring_index(current_user(), '@', 1), '''@''', substring_index(current_user(), '@', -1), '''') "
        "  and privilege_type in ('SUPER', 'FILE', 'INSERT', 'DELETE', 'DROP', 'ALTER', 'CREATE', 'UPDATE')), "
        "exists(select 1 from information_schema.schema_privileges where table_schema = database() and grantee = "
        "  concat('''', substring_index(current_user(), '@', 1), '''@''', substring_index(current_user(), '@', -1), '''') "
        "  and privilege_type in ('INSERT', 'DELETE', 'DROP', 'ALTER', 'CREATE', 'UPDATE'))"),
}


def _privilege_warning(conn) -> str | None:
    """A warning when the login could write (a superuser, or allowed to change accords' tables)."""
    name = conn.dialect.name
    sql = _PRIVILEGES.get("mysql" if name == "mariadb" else name)
    if sql is None:
        return None
    try:
        row = conn.exec_driver_sql(sql).one()
    except Exception:  # noqa: BLE001 - the warning is advice; never fail a query over it
        return None
    return _privilege_note(row)


def _privilege_note(row: Sequence[Any] | None) -> str | None:
    """The warning for a login, from the row of its _PRIVILEGES query (user, superuser, writer)."""
    if row is None:
        return None
    user, superuser, writer = row[0], bool(row[1]), bool(row[2])
    if not (superuser or writer):
        return None
    what = "a superuser" if superuser else "a user that can change accords' tables"
    return (f"warning: running as {user}, {what}; a read-only transaction cannot stop all such a login can do "
            f"(server files, DDL on MariaDB): `accords db create-reader` makes a login that can only read, "
            f"for --read-url or ${ENV_READ_URL}")


class _Alchemy:
    """A read-only SQLAlchemy connection (servers, or an open Database), as the query path reads it."""

    def __init__(self, conn: Any):
        from sqlalchemy.exc import DBAPIError

        self.conn = conn
        self.db_errors: tuple[type[BaseException], ...] = (DBAPIError,)

    def execute(self, sql: str, values: dict[str, Any], report: reports.Report | None = None,
                as_text: str | None = None, limit: int | None = None) -> Any:
        from .engine import execute

        if report is not None:
            sql = reports.sql_for(report, self.conn.dialect.name)
        return execute(self.conn, sql, values, reports.binds(report) if report else None, limit)

    def finish(self, result: Any) -> None:
        from .engine import finish

        finish(self.conn, result)

    def check(self) -> None:
        from .engine import check_watchdog

        check_watchdog(self.conn)

    def privilege_warning(self) -> str | None:
        return _privilege_warning(self.conn)


class _Reader:
    """A read path of accords' own (sqlite3's or psycopg's), with the same methods as :class:`_Alchemy`."""

    def __init__(self, reader: Any):
        self.reader = reader
        self.db_errors = reader.db_errors
        self.check = reader.check

    def finish(self, result: Any) -> None:
        """Nothing to do: the rows not fetched are dropped with the cursor."""


class _Sqlite(_Reader):
    """The sqlite3 read path (:mod:`db.sqlite_read`)."""

    sqlite3_values = True  # rows hold sqlite3's own values (None, int, float, str, bytes)

    def execute(self, sql: str, values: dict[str, Any], report: reports.Report | None = None,
                as_text: str | None = None, limit: int | None = None) -> Any:
        kinds = {p.name: p.type for p in report.parameters} if report else None
        return self.reader.execute(sql, values, kinds)

    def privilege_warning(self) -> str | None:
        return None  # a file opened read-only: no login to warn about


class _Postgres(_Reader):
    """The psycopg read path (:mod:`db.pg_read`)."""

    def execute(self, sql: str, values: dict[str, Any], report: reports.Report | None = None,
                as_text: str | None = None, limit: int | None = None) -> Any:
        if report is None:
            return self.reader.execute(sql, values)
        return self.reader.execute(reports.sql_for(report, "postgresql"), values,
                                   {p.name: p.type for p in report.parameters},
                                   {c.name: c.type for c in report.columns} if as_text else None,
                                   copy=as_text or None,
                                   choices={p.name: p.choices for p in report.parameters})

    def privilege_warning(self) -> str | None:
        try:
            row = self.reader.first_row(_PRIVILEGES["postgresql"])
        except Exception:  # noqa: BLE001 - the warning is advice; never fail a query over it
            return None
        return _privilege_note(row)


def _is_url(target: Any) -> bool:
    return target is None or isinstance(target, str)


def _server(target: Database | str | None) -> Any:
    """The PostgreSQL database a plain URL names, for :mod:`db.pg_read` (None: not a URL it reads, or no psycopg)."""
    if not _is_url(target):
        return None
    from .pg_read import server_target

    found = server_target(target)  # type: ignore[arg-type]
    if found is None:
        return None
    try:
        import psycopg  # noqa: F401 - without it, SQLAlchemy's path says which driver to install
    except ImportError:
        return None
    return found


@contextmanager
def _session(target: Database | str | None, timeout_s: float | None) -> Iterator[Any]:
    """A read-only session without SQLAlchemy where one can be had (an SQLite file, PostgreSQL), else SQLAlchemy's.

    sqlite3 alone for a plain SQLite file URL (:mod:`db.sqlite_read`), psycopg
    alone for a plain PostgreSQL URL (:mod:`db.pg_read`); MariaDB, other URLs
    and an open :class:`db.engine.Database` go through :func:`db.engine.read_only`.
    """
    path = sqlite_file(target) if _is_url(target) else None  # type: ignore[arg-type]
    if path is not None:
        with reading(path, timeout_s) as reader:
            yield _Sqlite(reader)
        return
    server = _server(target)
    if server is not None:
        from .pg_read import reading as pg_reading

        with pg_reading(server, timeout_s) as pg_reader:
            yield _Postgres(pg_reader)
        return
    from .engine import opened, read_only

    with opened(target, reading=True) as db, read_only(db.engine, timeout_s) as conn:
        yield _Alchemy(conn)


def shipped_revisions() -> list[str]:
    """The schema revisions this accords ships, oldest first, as the migration files declare them.

    (``NNNN_name.py``; a test checks they are Alembic's revisions.) Read
    without Alembic, which ``report run`` does not import.
    """
    import re
    from pathlib import Path

    from .resources import migrations_dir

    files = sorted(p for p in (Path(migrations_dir()) / "versions").iterdir() if re.match(r"^\d{4}_\w+\.py$", p.name))
    # the id each file declares ('0006', '0007'), read without importing Alembic
    declared = (re.search(r"^revision(?:: str)? = '([^']+)'", p.read_text(encoding="utf-8"), re.M) for p in files)
    return [m.group(1) for m in declared if m]


def _check_revision(session) -> None:
    """Reports are written for the newest schema: refuse a database at another revision, in one line."""
    from . import __version__

    try:
        stamped = [row[0] for row in session.execute("select version_num from alembic_version", {}).fetchall()]
    except session.db_errors:
        raise AccordsError("the database has no accords tables: run `accords db upgrade` and `accords db seed`") \
            from None
    shipped = shipped_revisions()
    if len(stamped) == 1 and stamped[0] == shipped[-1]:
        return
    if len(stamped) != 1 or stamped[0] not in shipped:
        raise AccordsError(f"the database is at revision {', '.join(map(repr, stamped)) or 'none'}, which "
                           f"accords {__version__} does not know (written by a newer accords? then upgrade "
                           "accords; otherwise its alembic_version table is damaged)")
    raise AccordsError(f"the database is at revision {stamped[0]}, reports need {shipped[-1]}: "
                       "run `accords db upgrade`")


def _explain_empty(session, report: reports.Report, values: dict[str, Any]) -> str:
    """Why a report has no rows, where a parameter names something that does not exist."""
    for param in report.parameters:
        lookup = _LOOKUPS.get(param.name)
        value = values.get(param.name)
        if lookup is None or value in (None, ""):
            continue
        what, sql = lookup
        found = session.execute(sql, {"v": value}).fetchall()
        if not found:
            return f"no rows; no {what} matches {value!r}"
    return "no rows"


def _create_if_missing(target: Database | str | None, warn: Warn | None) -> None:
    """Zero set-up: a missing SQLite file is created, upgraded and seeded first (and ``warn`` says so)."""
    path = sqlite_file(target) if _is_url(target) else None  # type: ignore[arg-type]
    if path is not None and path.exists() or _server(target) is not None:
        return  # the usual cases, known without SQLAlchemy
    from .engine import Database, resolve_url, sqlite_path

    url = target.url if isinstance(target, Database) else resolve_url(target)
    path = sqlite_path(url)
    if path is None or path.exists():
        return
    from .api import ensure_database  # Alembic and the loader, only when there is something to create

    note = ensure_database(url)
    if note and warn:
        warn(note)


def run_report(target: Database | str | None, name: str, params: Sequence[tuple[str, str]], fmt: str, out: Any,
               timeout_s: float | None = DEFAULT_TIMEOUT_S, styled: bool = False,
               warn: Warn | None = None, create: bool = False, headers: bool = True, limit: int | None = None) -> int:
    """Run a saved report read-only and write its rows; return the row count.

    The parameters are checked and typed first (wrong use fails before any
    database work). ``create``: a missing SQLite file is first created and
    seeded. ``warn`` receives one-line notes for stderr: what was created,
    an empty result and why, or a login that could write (see ``db.reader``).
    ``out`` is binary for a binary format (parquet); ``limit`` stops after
    that many rows; ``headers=False`` leaves out the header line.
    """
    report = reports.get_report(name)
    values = reports.bind_parameters(report, params)
    if create:
        _create_if_missing(target, warn)
    with _session(target, timeout_s) as session:
        if warn and (note := session.privilege_warning()):
            warn(note)
        _check_revision(session)
        result = session.execute(report.sql, values, report, as_text=fmt if fmt in output.BATCH_FORMATS else None,
                                 limit=limit)
        names = list(result.keys())
        declared = {c.name: c.type for c in report.columns}
        types = [declared.get(n, "text") for n in names]
        # columns a reader fetched as the text they are written as (db.pg_read) are not converted
        count = _write(session, result, out, fmt, names, types, limit, styled, headers)
        session.finish(result)
        if count == 0 and warn and limit != 0:
            warn(_explain_empty(session, report, values))
        return count


def sql_values(sql: str, params: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The ``-p NAME VALUE`` pairs for a query: each used by it, none given twice, none missing."""
    cast = sqltext.cast_parameter(sql)
    if cast is not None:  # text() binds no `:name` followed by a colon: the server would get `:b::int` as it is
        raise UsageError(f"parameter :{cast} is followed by '::', which no engine binds: "
                         f"write cast(:{cast} as TYPE) instead")
    used = sqltext.bind_names(sql)
    values: dict[str, str] = {}
    for name, value in params:
        if name in values:
            raise UsageError(f"parameter {name!r} given more than once")
        if name not in used:
            raise UsageError(f"parameter {name!r} is not used by the query (it uses: "
                             f"{', '.join(':' + n for n in used) or 'no parameters'})")
        values[name] = value
    missing = [n for n in used if n not in values]
    if missing:
        raise UsageError(f"the query uses :{missing[0]} but no value was given: add -p {missing[0]} VALUE")
    return values


def run_sql(target: Database | str | None, sql: str, params: Sequence[tuple[str, str]], fmt: str, out: Any,
            timeout_s: float | None = DEFAULT_TIMEOUT_S, styled: bool = False,
            warn: Warn | None = None, create: bool = False, headers: bool = True, limit: int | None = None) -> int:
    """Run one ad hoc SQL statement read-only, with ``:name`` parameters bound from ``params``.

    The database refuses a second statement and any write (see ``db.guard``).
    """
    if not sql.strip():
        raise UsageError("give one SQL statement")
    values = sql_values(sql, params)
    if create:
        _create_if_missing(target, warn)
    with _session(target, timeout_s) as session:
        if warn and (note := session.privilege_warning()):
            warn(note)
        result = session.execute(sql, values, limit=limit)
        if not result.returns_rows:
            raise AccordsError("the statement returned no rows; sql only runs read-only queries")
        count = _write(session, result, out, fmt, list(result.keys()), None, limit, styled, headers)
        session.finish(result)
        if count == 0 and warn and limit != 0:
            warn("no rows")
        return count
