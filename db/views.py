"""The report views: every report without required parameters, installed as ``report_<name>``.

Views are derived from ``reports/*.sql``, so they are rebuilt (not migrated), and
data_dictionary with them (``db.catalog``):
``accords db upgrade`` drops them before migrating and rebuilds them after;
``accords db seed`` rebuilds them too. Each view is registered in
``report_views`` with the SHA-256 of its SQL, so ``stale_views`` can tell when
a report file changed and its view was not rebuilt.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Table, delete, insert, inspect, select

from . import catalog
from .errors import AccordsError
from .models import ReportView
from .reports import Report, all_reports, bind_parameters, statement

REGISTRY: Table = ReportView.__table__  # type: ignore[assignment]


def sql_digest(report: Report) -> str:
    return hashlib.sha256(report.sql.encode("utf-8")).hexdigest()


def view_sql(conn: Connection, report: Report) -> str:
    """The report's SQL with its parameters at their defaults, rendered as literals."""
    values = bind_parameters(report, [])
    compiled = statement(report).bindparams(**values).compile(
        dialect=conn.dialect, compile_kwargs={"literal_binds": True}
    )
    return str(compiled)  # for format/pyformat drivers '%' stays escaped as '%%', as exec_driver_sql expects


def has_registry(conn: Connection) -> bool:
    return inspect(conn).has_table(REGISTRY.name)


def drop_views(conn: Connection) -> list[str]:
    """Drop every registered report view; return their names.

    Views named for a current report are dropped too (IF EXISTS) even when
    unregistered: on MariaDB, where each CREATE VIEW commits by itself, a
    rebuild that was killed half way leaves views its registry rows never
    recorded, and the next rebuild must not trip over them.
    """
    if not has_registry(conn):
        return []
    names = list(conn.execute(select(REGISTRY.c.name).order_by(REGISTRY.c.name)).scalars())
    expected = {r.view_name for r in all_reports().values() if r.view_name}
    quote = conn.dialect.identifier_preparer.quote
    for name in sorted(set(names) | expected):
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {quote(name)}")
    conn.execute(delete(REGISTRY))
    return names


#: the name under which processes take turns to rebuild the views
_LOCK = "accords_report_views"


@contextmanager
def rebuild_lock(conn: Connection, timeout_s: int = 60) -> Iterator[None]:
    """Rebuild the views one process at a time.

    On MariaDB each CREATE VIEW commits at once, so two loads finishing
    together could trip over each other's views after their rows were
    committed: a named lock (GET_LOCK) makes them take turns. On PostgreSQL
    a transaction-level advisory lock does the same; SQLite writers are
    serialised by the file's own lock.
    """
    name = conn.dialect.name
    if name in ("mysql", "mariadb"):  # named locks are server-wide: one name per database
        lock = f"CONCAT('{_LOCK}:', DATABASE())"
        if conn.exec_driver_sql(f"SELECT GET_LOCK({lock}, {int(timeout_s)})").scalar() != 1:
            raise AccordsError("another accords process has been rebuilding the report views for "
                               f"{timeout_s} s: run `accords db upgrade` later to rebuild them")
        try:
            yield
        finally:
            conn.exec_driver_sql(f"SELECT RELEASE_LOCK({lock})")
        return
    if name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock(hashtext('{_LOCK}'))")
    elif name == "sqlite":
        conn.exec_driver_sql("SELECT 1")  # lets the connection begin its transaction, if its engine begins one
        if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            # pysqlite runs DDL outside a transaction unless one was begun: take the write lock, so that
            # dropping and creating the views is one step other writers wait for
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    yield


def sync_views(conn: Connection) -> list[str]:
    """(Re)build every report view from the current report files, and data_dictionary; return the views' names.

    On PostgreSQL each view and its columns get their descriptions as comments too (``db.catalog``).
    """
    drop_views(conn)
    quote = conn.dialect.identifier_preparer.quote
    built = []
    for report in all_reports().values():
        if report.view_name is None:
            continue
        conn.exec_driver_sql(f"CREATE VIEW {quote(report.view_name)} AS {view_sql(conn, report)}")
        catalog.comment_on_view(conn, report)
        conn.execute(insert(REGISTRY).values(name=report.view_name, report=report.name, sql_sha256=sql_digest(report)))
        built.append(report.view_name)
    catalog.write_dictionary(conn)
    return built


def stale_views(conn: Connection) -> list[str]:
    """Views missing, outdated or left over compared with the report files (empty when all agree)."""
    if not has_registry(conn):
        return []
    registered = {r.name: r.sql_sha256 for r in conn.execute(select(REGISTRY))}
    expected = {r.view_name: sql_digest(r) for r in all_reports().values() if r.view_name}
    problems = []
    present = set(inspect(conn).get_view_names())
    for name, digest in sorted(expected.items()):
        if name not in registered or name not in present:
            problems.append(f"{name} is missing")
        elif registered[name] != digest:
            problems.append(f"{name} was built from an older version of its report")
    problems += [f"{name} has no report any more" for name in sorted(set(registered) - set(expected))]
    return problems
