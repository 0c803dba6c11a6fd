"""The dictionary inside the database: the ``data_dictionary`` table, and comments on the report views.

SQLite keeps no comments, and docs/data-dictionary.md is a file a SQL client
never sees. ``data_dictionary`` holds what every table, report view and
column means, one row each, written from the same sources as that file (the
models' comments and the meanings in ``db.dictionary``) and from the report
headers (``db.reports``). It is rewritten whenever the report views are
rebuilt (after an upgrade and after a load, see ``db.views``), so a table
that a later revision adds is described as soon as it exists;
``stale_dictionary`` (run by ``accords db check`` and after every load) says
when the rows differ from what this accords would write.

On PostgreSQL each report view and its columns also carry the descriptions
as comments (``\\d+ report_timeline`` in psql). MariaDB cannot: ``CREATE
VIEW`` has no ``COMMENT`` clause and ``ALTER TABLE ... COMMENT`` refuses a
view, so there ``data_dictionary`` is the only place.
"""

from __future__ import annotations

from dataclasses import asdict, astuple, dataclass, fields

from sqlalchemy import Connection, Table, delete, insert, inspect, select

from . import fulltext
from . import models as m
from .dictionary import MEANINGS, enum_columns
from .reports import Report, all_reports

TABLE: Table = m.DataDictionary.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Entry:
    """One row of data_dictionary."""

    object_name: str
    ordinal: int
    object_kind: str
    column_name: str | None
    data_type: str | None
    is_nullable: bool | None
    description: str
    allowed_values: str | None


def _words(text: str | None) -> str:
    return " ".join((text or "").split())


def _allowed(values: tuple[str, ...]) -> str:
    meanings = next((v for k, v in MEANINGS.items() if set(k) == set(values)), {})
    return "\n".join(f"{value}: {meanings[value]}" if meanings.get(value) else value for value in values)


def table_entries(table: Table, dialect: str | None = None) -> list[Entry]:
    """The row of a table and one per column, from the models' comments and CHECK constraints; a searched
    column also says how to search it on ``dialect`` (db.fulltext)."""
    enums = enum_columns(table)
    out = [Entry(table.name, 0, "table", None, None, None, _words(table.comment), None)]
    for ordinal, column in enumerate(table.columns, start=1):
        values = enums.get(column.name)
        description = _words(column.comment)
        if dialect is not None and fulltext.SEARCHED.get(table.name) == column.name:
            description += " " + fulltext.usage(dialect, table.name)
        out.append(Entry(table.name, ordinal, "table", column.name, str(column.type), bool(column.nullable),
                         description, _allowed(values) if values else None))
    return out


def search_table_entries(table: str) -> list[Entry]:
    """The rows of SQLite's full-text table over ``table`` (the virtual table; its shadow tables are FTS5's own)."""
    fts, column = fulltext.fts_table(table), fulltext.SEARCHED[table]
    return [Entry(fts, 0, "table", None, None, None, fulltext.describe_fts_table(table), None),
            Entry(fts, 1, "table", column, None, None,
                  f"The words of {table}.{column}, indexed (the text itself stays in {table}).", None)]


def view_description(report: Report) -> str:
    """A report view's description: its title, its grain and what it answers."""
    return _words(f"{report.title}: {report.grain}. {report.description}")


def view_entries(report: Report) -> list[Entry]:
    """The row of a report view and one per column, from the report's header."""
    name = report.view_name
    assert name is not None
    out = [Entry(name, 0, "view", None, None, None, view_description(report), None)]
    for ordinal, column in enumerate(report.columns, start=1):
        out.append(Entry(name, ordinal, "view", column.name, column.type, None, _words(column.description), None))
    return out


def entries(dialect: str | None = None) -> list[Entry]:
    """Every row data_dictionary should hold on ``dialect``: each table of the models (and, on SQLite, each
    full-text table), then each report view. Without a dialect: the models' words alone."""
    out = [e for table in m.metadata.sorted_tables for e in table_entries(table, dialect)]
    if dialect == "sqlite":
        out += [e for table in fulltext.SEARCHED for e in search_table_entries(table)]
    out += [e for r in all_reports().values() if r.view_name for e in view_entries(r)]
    return out


def has_dictionary(conn: Connection) -> bool:
    return inspect(conn).has_table(TABLE.name)


def write_dictionary(conn: Connection) -> int:
    """Replace data_dictionary's rows with ``entries()``; return how many (0 where the table is missing)."""
    if not has_dictionary(conn):
        return 0
    rows = [asdict(e) for e in entries(conn.dialect.name)]
    conn.execute(delete(TABLE))
    conn.execute(insert(TABLE), rows)
    return len(rows)


def _stored(conn: Connection) -> set[tuple]:
    out = set()
    for row in conn.execute(select(*(TABLE.c[f.name] for f in fields(Entry)))):
        values = list(row)
        values[5] = None if values[5] is None else bool(values[5])  # MariaDB gives 0 and 1
        out.add(tuple(values))
    return out


def stale_dictionary(conn: Connection) -> list[str]:
    """What is wrong with data_dictionary compared with this accords' models and reports (empty: current)."""
    if not has_dictionary(conn):
        return []
    expected = {astuple(e) for e in entries(conn.dialect.name)}
    stored = _stored(conn)
    if stored == expected:
        return []
    objects = sorted({row[0] for row in stored ^ expected})
    shown = ", ".join(objects[:5]) + (f" and {len(objects) - 5} more" if len(objects) > 5 else "")
    return [f"data_dictionary is out of date ({shown})"]


def _literal(conn: Connection, text: str) -> str:
    """A string literal for DDL that takes no bind parameters (COMMENT ON), as the dialect writes one."""
    from sqlalchemy import String

    render = String().literal_processor(conn.dialect)
    assert render is not None
    return render(text)  # doubles a "%" where the driver formats the statement (psycopg, PyMySQL)


def comment_on_view(conn: Connection, report: Report) -> None:
    """On PostgreSQL, the report view's description and its columns' as comments (MariaDB cannot; SQLite has none)."""
    if conn.dialect.name != "postgresql" or report.view_name is None:
        return
    quote = conn.dialect.identifier_preparer.quote
    view = quote(report.view_name)
    conn.exec_driver_sql(f"COMMENT ON VIEW {view} IS {_literal(conn, view_description(report))}")
    for column in report.columns:
        conn.exec_driver_sql(f"COMMENT ON COLUMN {view}.{quote(column.name)} IS "
                             f"{_literal(conn, _words(column.description))}")
