"""PostgreSQL: a large load into small tables checks its foreign keys once, at the end, not row by row.

PostgreSQL checks a foreign key of each row written with a query that also
locks the row referred to: for a load's claims (three references each) and
evidence (two), those checks were two thirds of the server's work, and COPY
does not skip them. Dropping a foreign key and adding it again checks every
row at once (one join per key), in well under a tenth of the time.

Within the load's own transaction (PostgreSQL's DDL is transactional), when
the files are at least ``BULK_BYTES`` and the tables it writes hold fewer
rows than the files will probably give (one per ``BYTES_PER_ROW`` bytes):
a first load, or one larger than what the database holds,

1. every table the load writes is locked (``ACCESS EXCLUSIVE``, ``NOWAIT``):
   if any other session is using one, nothing changes and the load checks
   its keys row by row as usual, blocking nobody;
2. their foreign keys are dropped; the rows are written;
3. before the commit the same keys are added again, which checks every row
   (a reference to nothing fails the load, as it would have row by row).

While the keys are dropped no other session can write the tables either,
so the load keeps the slug -> id of every row of the slugged tables in
memory (``slug_ids``: read once, then each new row added as it is written)
instead of asking the database for the slugs of every file: a thousand
queries of thousands of slugs in a load of a hundred files.

Other sessions never see the keys missing: until the commit they wait for
the tables (readers included), and a failed or killed load rolls the keys
back with the rows. A load that must delete (a changed source replaced)
adds the keys back first, since deleting relies on their ON DELETE actions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, ForeignKeyConstraint, Table, bindparam, func, literal, select, text, union_all
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import AddConstraint, DropConstraint

from .. import models as m
from .sourced import WRITE_ORDER

#: a load of at least this many bytes of files may check its foreign keys at the end (PostgreSQL)
BULK_BYTES = 4_000_000
#: source files give about a row per this many bytes (the benchmark's: 72 MB, 1.85 million rows)
BYTES_PER_ROW = 40
#: the tables a load writes, whose foreign keys it may check at the end
TABLES = ("sources", "source_segments", *WRITE_ORDER, "project_resources", "evidence", "inferences", "claims", "labels",
          "mentions", "mention_choices", "quotations")
_KEY = "accords.deferred_foreign_keys"  # in Connection.info: the keys dropped, while they are
_LOCKED = "accords.tables_locked"  # in Connection.info: set while this transaction holds the tables alone
_SLUGS = "accords.slug_ids"  # in Connection.info: table -> {slug: id}, while the keys are dropped


@contextmanager
def foreign_keys_at_end(conn: Connection, file_bytes: int) -> Iterator[bool]:
    """Around a load's writes on ``conn``: its foreign keys checked at the end if it pays (yields whether
    they are); leaving the block normally adds them back, checking every row."""
    try:
        deferred = defer_foreign_keys(conn, file_bytes)
        yield deferred
        restore_foreign_keys(conn)
    finally:
        conn.info.pop(_KEY, None)  # on an error the transaction's rollback brings the keys back
        conn.info.pop(_LOCKED, None)
        conn.info.pop(_SLUGS, None)


def holds_tables(conn: Connection) -> bool:
    """Whether this connection's transaction holds the load's tables alone (no other session writes them)."""
    return _LOCKED in conn.info


def defer_foreign_keys(conn: Connection, file_bytes: int) -> bool:
    """Drop the foreign keys of the tables a load writes if it pays (see above); whether it did."""
    if conn.dialect.name != "postgresql" or file_bytes < BULK_BYTES or _KEY in conn.info:
        return False
    ordered = [t for t in m.metadata.sorted_tables if t.name in TABLES]
    quote = conn.dialect.identifier_preparer.quote
    savepoint = conn.begin_nested()
    try:
        conn.exec_driver_sql(f"LOCK TABLE {', '.join(quote(t.name) for t in ordered)} IN ACCESS EXCLUSIVE MODE NOWAIT")
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != "55P03":  # lock_not_available: another session uses a table
            raise
        savepoint.rollback()
        return False
    if not _holds_fewer_rows(conn, ordered, file_bytes // BYTES_PER_ROW):
        savepoint.rollback()  # and with it the locks
        return False
    present = _present_keys(conn)
    keys = [fk for t in ordered for fk in t.foreign_key_constraints if fk.name in present]
    for fk in keys:
        conn.execute(DropConstraint(fk))
    savepoint.commit()
    conn.info[_KEY], conn.info[_LOCKED] = keys, True
    return True


def restore_foreign_keys(conn: Connection) -> None:
    """Add back the foreign keys ``defer_foreign_keys`` dropped on this connection (checking every row)."""
    keys: list[ForeignKeyConstraint] = conn.info.pop(_KEY, [])
    conn.info.pop(_SLUGS, None)  # rows may now be deleted: slugs are asked of the database again
    for fk in keys:
        conn.execute(AddConstraint(fk))


def slug_ids(conn: Connection, table_name: str) -> dict[str, int] | None:
    """slug -> id of every row of a slugged table, while this load's keys are dropped (None otherwise: ask
    the database). Read from the table the first time (it holds fewer rows than the load brings), then
    kept up to date by ``note_slug_ids``: no other session can write the table meanwhile, and this load
    deletes nothing before adding the keys back."""
    if _KEY not in conn.info:
        return None
    held: dict[str, dict[str, int]] = conn.info.setdefault(_SLUGS, {})
    if table_name not in held:
        rows = m.metadata.tables[table_name]
        held[table_name] = {slug: row_id for slug, row_id in conn.execute(select(rows.c.slug, rows.c.id))}
    return held[table_name]


def note_slug_ids(conn: Connection, table_name: str, written: dict[str, int]) -> None:
    """Rows just written to a slugged table (slug -> id), for ``slug_ids``."""
    held = conn.info.get(_SLUGS, {}).get(table_name)
    if held is not None:
        held.update(written)


def _holds_fewer_rows(conn: Connection, tables: list[Table], n: int) -> bool:
    """Whether the tables hold fewer than ``n`` rows in all (each counted up to ``n``, live rows only)."""
    counts = [select(func.count()).select_from(select(literal(1)).select_from(t).limit(n).subquery())
              for t in tables]
    return sum(conn.execute(union_all(*counts)).scalars()) < n


def _present_keys(conn: Connection) -> set[str]:
    """The names of the foreign keys the load's tables have in this database."""
    query = text("select conname from pg_constraint where contype = 'f' and conrelid = any("
                 "select to_regclass(t) from unnest(cast(:names as text[])) as t)")
    return set(conn.execute(query.bindparams(bindparam("names", list(TABLES)))).scalars())
