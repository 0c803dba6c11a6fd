"""Full-text search: which columns are searched, the objects each engine keeps for it, and their checks.

Migration 0010 made them (see its docstring); none is in the models, because
each engine has its own kind:

- SQLite: an FTS5 virtual table ``<table>_fts`` with external content, kept
  current by the triggers ``<table>_ai``, ``<table>_ad`` and ``<table>_au``
  (sqlite-utils' layout, which Datasette finds by itself). FTS5 stores its
  index in shadow tables (``<table>_fts_data``, ``_idx``, ``_docsize``,
  ``_config``).
- PostgreSQL: a GIN index ``ix_<table>_<column>_fts`` on
  ``to_tsvector('english', <column>)``.
- MariaDB: a FULLTEXT index ``ix_<table>_<column>_fts``.

The comparison of the database with the models (``accords db check``, and
Alembic's autogenerate through migrations/env.py) leaves full-text objects
out by what they are, not by name (:func:`include_object`): every virtual
table and shadow table SQLite reports, and every full-text index, so a
search table a user adds with ``sqlite-utils enable-fts`` is no difference
either. :func:`problems` checks accords' own: each present, and on SQLite
each index equal to its table (FTS5's ``integrity-check``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, inspect
from sqlalchemy.exc import DBAPIError

#: table -> its searched column
SEARCHED: dict[str, str] = {"source_segments": "text", "evidence": "quote", "statements": "content"}
#: PostgreSQL's text search configuration (English stemming and stop words)
CONFIG = "english"
#: the triggers that keep an SQLite search table current, by the suffix of their names
TRIGGERS = ("ai", "ad", "au")


def fts_table(table: str) -> str:
    """The SQLite FTS5 table that indexes ``table``."""
    return f"{table}_fts"


def index_name(table: str) -> str:
    """The full-text index of ``table`` on PostgreSQL and MariaDB."""
    return f"ix_{table}_{SEARCHED[table]}_fts"


def sqlite_internal_tables(conn: Connection) -> set[str]:
    """The virtual tables and their shadow tables in an SQLite database, as SQLite itself classifies them."""
    rows = conn.exec_driver_sql("PRAGMA main.table_list").all()
    if rows:
        return {name for _schema, name, kind, *_ in rows if kind in ("virtual", "shadow")}
    # SQLite before 3.37 ignores the pragma: a virtual table is one without pages of its own, and its
    # module's shadow tables are named <virtual table>_<something> (FTS3, FTS4, FTS5, R*Tree alike)
    virtual = [name for (name,) in conn.exec_driver_sql(
        "select name from sqlite_master where type = 'table' and rootpage = 0 and sql like 'create virtual table%'")]
    tables = [name for (name,) in conn.exec_driver_sql("select name from sqlite_master where type = 'table'")]
    return set(virtual) | {t for t in tables for v in virtual if t.startswith(f"{v}_")}


def _is_fulltext_index(index: Any) -> bool:
    """A reflected index that searches words: MariaDB's FULLTEXT, PostgreSQL's GIN over a to_tsvector()."""
    options = index.dialect_options
    if "mysql" in options and str(options["mysql"].get("prefix") or "").upper() == "FULLTEXT":
        return True
    if "postgresql" in options and options["postgresql"].get("using") == "gin":
        return any("to_tsvector" in str(e) for e in index.expressions)
    return False


def include_object(conn: Connection) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's ``include_object`` for comparing this database with the models: full-text objects left out."""
    internal = sqlite_internal_tables(conn) if conn.dialect.name == "sqlite" else set()

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if not reflected or compare_to is not None:
            return True  # what the models declare is always compared
        if type_ == "table":
            return name not in internal
        if type_ == "index":
            return not _is_fulltext_index(obj)
        return True

    return include


def _sqlite_problems(conn: Connection, table: str) -> list[str]:
    fts = fts_table(table)
    present = {name for (name,) in conn.exec_driver_sql(
        "select name from sqlite_master where type = 'trigger' and tbl_name = ?", (table,))}
    missing = [f"{table}_{suffix}" for suffix in TRIGGERS if f"{table}_{suffix}" not in present]
    if missing:
        return [f"full-text search of {table}: trigger {', '.join(missing)} missing (the index would fall behind)"]
    try:  # rank 1: compare the index with the content table too, not only with itself
        conn.exec_driver_sql(f'INSERT INTO "{fts}" ("{fts}", rank) VALUES (\'integrity-check\', 1)')
    except DBAPIError as exc:
        reason = " ".join(str(getattr(exc, "orig", exc)).split())
        return [f"full-text search of {table}: {fts} does not match the table ({reason}); rebuild it with "
                f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"]
    return []


def problems(conn: Connection) -> list[str]:
    """What is wrong with accords' full-text objects on this database (empty: all present and current)."""
    out = []
    insp = inspect(conn)
    sqlite = conn.dialect.name == "sqlite"
    tables = set(insp.get_table_names())
    for table in SEARCHED:
        if sqlite:
            if fts_table(table) not in tables:
                out.append(f"full-text search of {table}: the table {fts_table(table)} is missing")
            else:
                out += _sqlite_problems(conn, table)
        elif index_name(table) not in {i["name"] for i in insp.get_indexes(table)}:
            out.append(f"full-text search of {table}: the index {index_name(table)} is missing")
    return out


def describe_fts_table(table: str) -> str:
    """What SQLite's full-text table over ``table`` is, in plain words."""
    fts, column = fts_table(table), SEARCHED[table]
    return (f"Full-text index (SQLite FTS5) of {table}.{column}: its rowid is {table}.id, and "
            f"{fts} match :words finds the rows whose {column} has the words. Kept current by triggers; "
            f"holds no copy of the text.")


def condition(dialect: str, table: str) -> str:
    """The SQL condition that finds the rows of ``table`` whose searched column has the words ``:words``."""
    column = SEARCHED[table]
    if dialect == "sqlite":
        fts = fts_table(table)
        return f"{table}.id in (select rowid from {fts} where {fts} match :words)"
    if dialect == "postgresql":
        return f"to_tsvector('{CONFIG}', {column}) @@ websearch_to_tsquery('{CONFIG}', :words)"
    return f"match ({column}) against (:words)"


def usage(dialect: str, table: str) -> str:
    """How to search ``table`` by words on this engine, in one sentence (for the data dictionary)."""
    found = f"Searchable by words: {condition(dialect, table)}"
    if dialect == "sqlite":
        fts = fts_table(table)
        return f"{found}; bm25({fts}), snippet() and highlight() rank and show the matches."
    kind = "a GIN index" if dialect == "postgresql" else "a FULLTEXT index"
    return f"{found} ({kind}, {index_name(table)})."
