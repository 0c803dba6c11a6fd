"""What a source supports: the facts it has evidence for, those left without any, and deleting its own.

Used when a corrected file replaces a source and when a source is removed
(``write.remove_source``): the facts a source touched are worked out again
afterwards, and none that another source refers to may be left without
evidence.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Table,
    and_,
    any_,
    bindparam,
    delete,
    exists,
    not_,
    select,
    update,
)

from .. import models as m

#: fact tables in the order rows can be written (referenced tables first)
WRITE_ORDER = ("actors", "actor_aliases", "actor_relations", "agreements", "agreement_parties",
               "agreement_obligations", "projects", "project_participants", "amounts", "events",
               "event_participants", "statements", "statement_subjects")
#: evidence column for each fact table
EVIDENCE_COLUMN = {table: column for column, table in m.FACT_TARGETS.items()}
#: tables about facts rather than facts: a reference from them keeps no actor
PROVENANCE = ("evidence", "inferences", "claims", "labels", "mentions")


def table(name: str) -> Table:
    return m.metadata.tables[name]


def chunks(ids: Iterable[int], size: int = 500) -> Iterator[list[int]]:
    """The ids in order, ``size`` at a time (for IN lists of bounded length)."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


def among(conn: Connection, column: ColumnElement[Any], values: Collection[Any]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``column = ANY(array)``: one bind parameter, not one per value
    (SQLAlchemy renders each, psycopg parses the statement anew), and one statement text whatever
    the number of values, which psycopg prepares once."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))


def matching(conn: Connection, column: ColumnElement[Any], values: Collection[Any]) -> Iterator[ColumnElement[bool]]:
    """Conditions that together find the rows whose ``column`` is among ``values``: one on PostgreSQL
    (``among``), one IN list per 500 values elsewhere."""
    if conn.dialect.name == "postgresql":
        if values:
            yield among(conn, column, values)
        return
    for chunk in chunks(values):
        yield column.in_(chunk)


def source_facts(conn: Connection, source_id: int) -> dict[str, set[int]]:
    """table -> ids of the facts the source has evidence for (amounts as their owners)."""
    ev, amounts = table("evidence"), table("amounts")
    out: dict[str, set[int]] = {}
    for column, table_name in m.FACT_TARGETS.items():
        query = select(ev.c[column]).where(ev.c.source_id == source_id, ev.c[column].is_not(None)).distinct()
        out[table_name] = set(conn.execute(query).scalars())
    for owner in ("agreement_id", "project_id"):
        query = select(amounts.c[owner]).where(amounts.c.id.in_(out["amounts"]), amounts.c[owner].is_not(None))
        out[m.FACT_TARGETS[owner]] |= set(conn.execute(query).scalars())
    return out


def unsupported(conn: Connection, facts: dict[str, set[int]], limit: int = 5) -> str:
    """The facts among ``facts`` that are still in the database without any evidence, in words ('' if none):
    facts another source refers to (by slug) that no source supports any more."""
    ev = table("evidence")
    found: list[str] = []
    for table_name, ids in facts.items():
        column, rows = EVIDENCE_COLUMN[table_name], table(table_name)
        name = rows.c.slug if "slug" in rows.c else rows.c.id
        for chunk in chunks(ids):  # facts already deleted match nothing
            query = select(name).where(rows.c.id.in_(chunk), not_(exists().where(ev.c[column] == rows.c.id)))
            found += [f"{table_name[:-1].replace('_', ' ')} {value}" for value in conn.execute(query).scalars()]
    if not found:
        return ""
    return ", ".join(sorted(found)[:limit]) + (f" and {len(found) - limit} more" if len(found) > limit else "")


def remaining(conn: Connection, facts: dict[str, set[int]]) -> dict[str, set[int]]:
    """The facts among ``facts`` that still exist."""
    out: dict[str, set[int]] = {}
    for table_name, ids in facts.items():
        rows = table(table_name)
        out[table_name] = set()
        for chunk in chunks(ids):
            out[table_name] |= set(conn.execute(select(rows.c.id).where(rows.c.id.in_(chunk))).scalars())
    return out


def delete_source_facts(conn: Connection, source_id: int) -> None:
    """Remove the source's claims and labels, the facts only it supports, then its evidence."""
    ev = table("evidence")
    for name in ("mentions", "mention_choices", "quotations"):  # they refer to facts; found again after the load
        conn.execute(delete(table(name)).where(table(name).c.source_id == source_id))
    conn.execute(delete(table("claims")).where(table("claims").c.source_id == source_id))
    conn.execute(delete(table("labels")).where(table("labels").c.source_id == source_id))
    for table_name in reversed(WRITE_ORDER):
        facts, column = table(table_name), EVIDENCE_COLUMN[table_name]
        own = select(ev.c[column]).where(ev.c.source_id == source_id, ev.c[column].is_not(None))
        other = exists().where(ev.c[column] == facts.c.id, ev.c.source_id != source_id)
        condition = and_(facts.c.id.in_(own), not_(other))
        if table_name in ("events", "agreements"):  # a quotation another source attributes to it keeps it
            by = table("quotations").c[f"{table_name[:-1]}_id"]
            condition = and_(condition, not_(exists().where(by == facts.c.id)))
        if table_name == "actors":
            # an actor still referenced by another source's facts stays
            for ref_table in m.metadata.sorted_tables:
                for fk in ref_table.foreign_keys:
                    if fk.column.table.name == "actors" and ref_table.name not in PROVENANCE:
                        condition = and_(condition, not_(exists().where(fk.parent == facts.c.id)))
            conn.execute(update(facts).where(facts.c.parent_id.in_(
                select(facts.c.id).where(condition))).values(parent_id=None))
        conn.execute(delete(facts).where(condition))
    conn.execute(delete(ev).where(ev.c.source_id == source_id))
    conn.execute(delete(table("inferences")).where(table("inferences").c.source_id == source_id))
    conn.execute(delete(table("source_segments")).where(table("source_segments").c.source_id == source_id))
