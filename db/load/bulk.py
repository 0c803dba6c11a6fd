"""Writing many rows at once, the fastest way each engine offers, inside the caller's transaction.

- SQLite: one INSERT compiled once, executed with positional tuples; into a table with triggers
  (full-text search's), through a temporary table and one INSERT ... SELECT per batch.
- PostgreSQL (psycopg): ``COPY ... FROM STDIN``, the bulk path PostgreSQL is
  built for; ids for new fact rows are taken from the table's sequence first
  (``reserve_ids``), so that the rows can be copied with them.
- MariaDB: SQLAlchemy's multi-row INSERTs.

``update_many`` updates many rows: on PostgreSQL one UPDATE ... FROM unnest()
of an array per column, elsewhere an executemany.

COPY runs in the load's own transaction like any INSERT: a failed or killed
load leaves nothing behind on every engine.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import ARRAY, ColumnElement, Connection, Table, bindparam, event, func, insert, text, update
from sqlalchemy.sql.compiler import Compiled

from .deferred import holds_tables
from .sourced import table

BATCH = 5000  # rows per executemany, or per COPY progress report
Progress = Callable[[int], None]


def copies(conn: Connection) -> bool:
    """Whether this connection writes with COPY (PostgreSQL through psycopg 3)."""
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def reserve_ids(conn: Connection, table_name: str, n: int) -> list[int]:
    """``n`` new ids from the table's id sequence (PostgreSQL), in increasing order.

    While the load holds its tables alone (``deferred``), the ids are taken as one run, moving the
    sequence past them: no other session can be inserting rows into the table meanwhile. Otherwise
    they are taken one by one (about 8 microseconds each), as an INSERT would take them.
    """
    if n == 0:
        return []
    if holds_tables(conn):
        query = text("select setval(seq, nextval(seq) + :n - 1) from pg_get_serial_sequence(:t, 'id') as seq")
        last = conn.execute(query, {"t": table_name, "n": n}).scalar_one()
        return list(range(last - n + 1, last + 1))
    # n distinct values spanning n integers are exactly that run: then the ids need not be sent one by one
    query = text("select min(id), max(id), case when max(id) - min(id) + 1 = count(*) then null "
                 "else array_agg(id order by id) end from (select nextval(pg_get_serial_sequence(:t, 'id')) as id "
                 "from generate_series(1, :n)) as taken")
    low, high, scattered = conn.execute(query, {"t": table_name, "n": n}).one()
    return list(range(low, high + 1)) if scattered is None else list(scattered)


def insert_many(conn: Connection, table_name: str, columns: list[str], rows: list[tuple],
                progress: Progress | None = None) -> None:
    """INSERT rows (tuples in ``columns`` order): COPY on PostgreSQL, BATCH rows per executemany elsewhere.

    On SQLite the INSERT is compiled once by SQLAlchemy and each value goes
    through its column type's bind processor, as ``conn.execute(insert(table),
    dicts)`` would do, but without a parameter dict built and checked per row:
    that per-row work had cost as much as the inserts themselves. MariaDB
    takes the dicts, which SQLAlchemy sends as multi-row INSERTs.
    """
    target = table(table_name)
    if copies(conn) and not any(c.default is not None and c.name not in columns for c in target.c):
        _copy(conn, target, columns, rows, progress)  # (a Python-side default to fill: INSERT does it)
        return
    compiled = _tuple_insert(conn, target, columns) if conn.dialect.name == "sqlite" else None
    if compiled is None:
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            conn.execute(insert(target), [dict(zip(columns, r, strict=True)) for r in batch])
            if progress:
                progress(len(batch))
        return
    _insert_tuples(conn, target, columns, compiled, rows, progress)


def update_many(conn: Connection, table_name: str, rows: list[dict[str, Any]], key: str = "id",
                by: str = "id", only: ColumnElement[bool] | None = None) -> None:
    """UPDATE rows of a table: each dict gives the row's ``by`` value under ``key`` and the new values
    (``only``: a further condition on the row; at most one dict per row).

    On PostgreSQL one UPDATE ... FROM unnest(arrays) sets them all: the rows travel as one array per
    column, where an executemany sends one statement per row (tens of thousands of claims' flags in a
    large load). Elsewhere an executemany. Every dict has the same keys.
    """
    if not rows:
        return
    target = table(table_name)
    columns = [c for c in rows[0] if c != key]
    if conn.dialect.name != "postgresql":
        conn.execute(update(target).where(target.c[by] == bindparam(key), *([only] if only is not None else []))
                     .values({c: bindparam(c) for c in columns}), rows)
        return
    names = [by, *columns]
    arrays = [bindparam(f"{name}_values", [r[k] for r in rows], type_=ARRAY(target.c[name].type))
              for name, k in zip(names, [key, *columns], strict=True)]
    given = func.unnest(*arrays).table_valued(*names).render_derived()
    conn.execute(update(target).where(target.c[by] == given.c[by], *([only] if only is not None else []))
                 .values({c: given.c[c] for c in columns}))


def _insert_tuples(conn: Connection, target: Table, columns: list[str], compiled: Compiled, rows: list[tuple],
                   progress: Progress | None) -> None:
    """SQLite: the compiled INSERT executed with tuples, BATCH rows at a time (staged where the table has triggers)."""
    sql, order = str(compiled), [columns.index(name) for name in compiled.positiontup or ()]  # type: ignore[attr-defined]
    processors = _processors(conn, target, columns)
    reorder = order != list(range(len(columns)))
    staged = _staging(conn, target.name, [columns[i] for i in order]) \
        if rows and _has_triggers(conn, target.name) else None
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        if processors:
            batch = _processed(batch, processors)
        if reorder:
            batch = [tuple(r[i] for i in order) for r in batch]
        if staged is None:
            conn.exec_driver_sql(sql, batch)
        else:
            staged.insert(conn, batch)
        if progress:
            progress(len(batch))
    if staged is not None:
        conn.exec_driver_sql(f"DROP TABLE temp.{staged.stage}")


def _has_triggers(conn: Connection, table_name: str) -> bool:
    """Whether an SQLite table has triggers (full-text search's, or a user's)."""
    return conn.exec_driver_sql("select exists (select 1 from sqlite_master where type = 'trigger' "
                                "and tbl_name = ?)", (table_name,)).scalar() == 1


class _Staging(NamedTuple):
    """Inserting into an SQLite table with triggers through a temporary table, a batch at a time.

    Row by row, every INSERT that fires a trigger writing an FTS5 table makes FTS5 flush its pending
    words (it does at every statement savepoint): about 20 times the cost of the insert itself. One
    INSERT ... SELECT per batch fires the same triggers, for every row, in one statement. The
    temporary table's columns have no type, so each value reaches the table exactly as bound, and its
    rowid keeps the rows in order.
    """

    stage: str  # the temporary table, quoted
    fill: str  # INSERT of one row into it
    copy: str  # INSERT ... SELECT of its rows into the table

    def insert(self, conn: Connection, batch: list[tuple]) -> None:
        conn.exec_driver_sql(f"DELETE FROM temp.{self.stage}")
        conn.exec_driver_sql(self.fill, batch)
        conn.exec_driver_sql(self.copy)


def _staging(conn: Connection, table_name: str, columns: list[str]) -> _Staging:
    """The temporary table for ``table_name``'s batches (created empty), and the statements that use it."""
    quote = conn.dialect.identifier_preparer.quote
    stage, names = quote(f"accords_stage_{table_name}"), ", ".join(quote(c) for c in columns)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{stage}")
    conn.exec_driver_sql(f"CREATE TEMP TABLE {stage} ({names})")
    return _Staging(stage, f"INSERT INTO temp.{stage} ({names}) VALUES ({', '.join('?' for _ in columns)})",
                    f"INSERT INTO main.{quote(table_name)} ({names}) SELECT {names} FROM temp.{stage} ORDER BY rowid")


def _copy(conn: Connection, target: Table, columns: list[str], rows: list[tuple], progress: Progress | None) -> None:
    """COPY the rows into the table, on the connection's own transaction (psycopg 3's copy support), in a
    thread: this returns as soon as the COPY has begun, and the connection's next statement waits for
    it to end (``Copying``), so that the caller's Python work meets the server's."""
    if not rows:
        return
    Copying.finish(conn)  # one COPY at a time
    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(target.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    processors = _processors(conn, target, columns)
    driver = conn.connection.driver_connection
    assert driver is not None
    Copying.start(conn, lambda: _send(driver, sql, rows, processors))
    if progress:  # counted as handed to the server
        for start in range(0, len(rows), BATCH):
            progress(len(rows[start:start + BATCH]))


def _send(driver: Any, sql: str, rows: list[tuple], processors: list[tuple[int, Callable[[Any], Any]]]) -> None:
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            for row in _processed(batch, processors) if processors else batch:
                copy.write_row(row)


class Copying:
    """The COPY a connection is running in a thread, which its next statement waits for.

    Waiting happens before any statement the connection sends (SQLAlchemy's
    ``before_cursor_execute``, savepoints included), before its commit, and
    before its rollback; the COPY's error, if it failed, is raised there as
    it would have been by the COPY itself (after a rollback has begun, it is
    dropped: the error that began it is the one reported). A statement sent
    on the driver's connection directly would wait for the COPY too (psycopg
    holds the connection's lock for it), but without its error.
    """

    _KEY = "accords.copying"  # in Connection.info: the running COPY
    _watched: weakref.WeakSet[Connection] = weakref.WeakSet()

    def __init__(self, work: Callable[[], None]):
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(work,), name="accords-copy", daemon=True)

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - handed to the connection's next statement
            self.error = exc

    @classmethod
    def start(cls, conn: Connection, work: Callable[[], None]) -> None:
        if conn not in cls._watched:
            for name in ("before_cursor_execute", "commit"):
                event.listen(conn, name, lambda conn, *args, **kw: cls.finish(conn))
            event.listen(conn, "rollback", lambda conn: cls.finish(conn, raising=False))
            cls._watched.add(conn)
        running = cls(work)
        conn.info[cls._KEY] = running
        running.thread.start()

    @classmethod
    def finish(cls, conn: Connection, raising: bool = True) -> None:
        """Wait for the connection's COPY, if one is running; raise its error (``raising``)."""
        running: Copying | None = conn.info.pop(cls._KEY, None)
        if running is None:
            return
        running.thread.join()
        if running.error is not None and raising:
            raise running.error


def _processors(conn: Connection, target: Table, columns: list[str]) -> list[tuple[int, Callable[[Any], Any]]]:
    """Each column type's bind processor as this dialect implements it (SQLite's DATE writes ISO text)."""
    return [(i, proc) for i, c in enumerate(columns)
            if (proc := target.c[c].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)) is not None]


def _tuple_insert(conn: Connection, target: Table, columns: list[str]) -> Compiled | None:
    """The INSERT of ``columns`` compiled for positional tuples, or None if it would fill other columns too."""
    compiled = insert(target).values({c: bindparam(c) for c in columns}).compile(dialect=conn.dialect)
    if set(compiled.positiontup or ()) != set(columns):  # type: ignore[attr-defined]
        return None  # the INSERT would fill a column left out (a Python-side default): tuples cannot
    return compiled


def _processed(batch: list[tuple], processors: Sequence[tuple[int, Callable[[Any], Any]]]) -> list[tuple]:
    """The rows with each value converted by its column's bind processor."""
    converted = []
    for r in batch:
        values = list(r)
        for i, proc in processors:
            values[i] = proc(values[i])
        converted.append(tuple(values))
    return converted
