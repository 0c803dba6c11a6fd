"""Writing checked plans: each inside the caller's transaction, unchanged sources left alone, changed ones replaced.

``accords ingest`` writes each file as soon as it is checked and commits only
once every file has passed (all or nothing), so that a large load never holds
every file's plan in memory. Loading the same file again changes nothing;
loading a changed file replaces the facts that only this source supports.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update

from .. import models as m
from ..errors import AccordsError, ValidationError
from . import mentions
from .bulk import BATCH, copies, insert_many, reserve_ids, update_many
from .check import Span
from .deferred import holds_tables, note_slug_ids, restore_foreign_keys, slug_ids
from .plan import Plan, Row
from .record import Recorder, claims_of, labels_of
from .sourced import (
    EVIDENCE_COLUMN,
    WRITE_ORDER,
    delete_source_facts,
    matching,
    remaining,
    source_facts,
    table,
    unsupported,
)

#: every table a load writes to
WRITTEN_TABLES = ("sources", "source_segments", *WRITE_ORDER, "project_resources", "evidence", "inferences", "claims",
                  "labels")
#: natural-key columns used to find an existing row (besides resolved references)
NATURAL_KEY = {
    "actors": ("slug",), "agreements": ("slug",), "projects": ("slug",), "events": ("slug",),
    "statements": ("slug",), "actor_aliases": ("actor_id", "alias"),
    "actor_relations": ("subject_actor_id", "object_actor_id", "kind"),
    "agreement_parties": ("agreement_id", "actor_id", "role"),
    "agreement_obligations": ("agreement_id", "obligor_actor_id", "description"),
    "project_participants": ("project_id", "actor_id", "role"),
    "event_participants": ("event_id", "actor_id", "role"),
    "amounts": ("agreement_id", "project_id", "stage", "currency", "amount"),
    "statement_subjects": ("statement_id", "role", "actor_id", "agreement_id", "project_id", "event_id"),
}
#: the fact columns of evidence, claims and labels, in table order: exactly one is set on each row
FACT_COLUMNS = tuple(m.FACT_TARGETS)


_FACT_INDEX = {c: i for i, c in enumerate(FACT_COLUMNS)}


def one_fact(column: str, fact_id: int) -> list[int | None]:
    """The values of FACT_COLUMNS for a row about one fact: its id in ``column``, NULL elsewhere."""
    fact: list[int | None] = [None] * len(FACT_COLUMNS)
    fact[_FACT_INDEX[column]] = fact_id
    return fact

#: called with a number of rows as they are written (or found already written)
Progress = Callable[[int], None]


@dataclass
class LoadResult:
    """What loading one source did: whether it changed anything, how many rows it wrote per table,
    how many facts of other sources it corroborates, the values it refined and the conflicts it opened."""

    source_slug: str
    changed: bool
    counts: dict[str, int]
    corroborated: int = 0
    refined: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


class Writer:
    """Writes checked plans; ``api.ingest(..., writer=...)`` takes one.

    A subclass can watch or stand in for the writing (tests make one fail
    midway; the benchmark times it) by overriding ``write``.
    """

    def write(self, conn: Connection, plan: Plan, progress: Progress | None = None) -> LoadResult:
        """Write one checked plan on ``conn``, inside the caller's transaction."""
        return write(conn, plan, progress)


def write_plan(engine: Engine, plan: Plan) -> LoadResult:
    """Write one checked plan in one transaction; unchanged input changes nothing."""
    return write_plans(engine, [plan])[0]


def write_plans(engine: Engine, plans: list[Plan], progress: Progress | None = None) -> list[LoadResult]:
    """Write checked plans in ONE transaction: all of them, or (on any error) none."""
    with engine.begin() as conn:
        before = mentions.forms(conn)
        results = [write(conn, plan, progress) for plan in plans]
        mentions.after_writes(conn, before, {r.source_slug: str(p.path) for p, r in zip(plans, results, strict=True)
                                             if r.changed})
        return results


def write(conn: Connection, plan: Plan, progress: Progress | None = None) -> LoadResult:
    """Write one checked plan on ``conn``, inside the caller's transaction (which commits or rolls back)."""
    sources = table("sources")
    existing = conn.execute(
        select(sources.c.id, sources.c.loaded_digest).where(sources.c.slug == plan.source["slug"])
    ).first()
    if existing is not None and existing.loaded_digest == plan.digest:
        if progress:
            progress(len(plan.rows))
        restored = mentions.restore(conn, existing.id, plan.mention_choices, plan.quotations)
        return LoadResult(plan.source["slug"], restored, {})
    values = {**plan.source, "loaded_digest": plan.digest}
    before: dict[str, set[int]] = {}
    if existing is None:
        source_id = conn.execute(insert(sources).values(values)).inserted_primary_key[0]  # type: ignore[index]
    else:
        source_id = existing.id
        before = source_facts(conn, source_id)
        restore_foreign_keys(conn)  # deleting relies on their ON DELETE actions
        delete_source_facts(conn, source_id)
        conn.execute(update(sources).where(sources.c.id == source_id).values(values))
    writer = _PlanWriter(conn, plan, source_id, progress)
    result = writer.write(before)
    mentions.store(conn, source_id, plan.mention_choices, plan.quotations, writer.resolve)
    return result


@dataclass
class RemoveResult:
    """What removing a source did: the rows of each table that went with it."""

    source_slug: str
    counts: dict[str, int]


def remove_source(conn: Connection, slug: str) -> RemoveResult | None:
    """Remove a source, its claims and evidence, and every fact only it supported; None if there is no such source.

    The facts other sources also support stay, and their record is worked
    out again from the claims left, as if the source had never been loaded.
    """
    sources = table("sources")
    slug = slug.lower()  # slugs are lower case, as every report's -p source takes them
    source_id = conn.execute(select(sources.c.id).where(sources.c.slug == slug)).scalar()
    if source_id is None:
        return None
    before = source_facts(conn, source_id)
    sizes = {name: _count(conn, name) for name in WRITTEN_TABLES}
    restore_foreign_keys(conn)  # deleting relies on their ON DELETE actions
    delete_source_facts(conn, source_id)
    left = unsupported(conn, before)
    if left:
        raise AccordsError(f"cannot remove {slug}: other sources refer to {left}, which only {slug} supports; "
                           "remove those sources first, or give them their own evidence for it")
    conn.execute(delete(sources).where(sources.c.id == source_id))
    Recorder(conn).run(remaining(conn, before))
    counts = {name: sizes[name] - _count(conn, name) for name in WRITTEN_TABLES}
    return RemoveResult(slug, {name: n for name, n in counts.items() if n})


def _count(conn: Connection, table_name: str) -> int:
    return int(conn.execute(select(func.count()).select_from(table(table_name))).scalar_one())


class _PlanWriter:
    """Writes the rows of one plan whose source row is ``source_id``, table by table, then their evidence."""

    def __init__(self, conn: Connection, plan: Plan, source_id: int, progress: Progress | None):
        self.conn = conn
        self.plan = plan
        self.source_id = source_id
        self.progress = progress
        self.sqlite = conn.dialect.name == "sqlite"
        self.counts: dict[str, int] = {}
        self.ids: dict[tuple[str, Any], int] = {}  # (table, natural key) -> id
        self.parents: list[tuple[int, str]] = []  # (actor id, parent slug): set once all actors exist
        self.evidence_rows: list[tuple[str, int, Span]] = []  # (evidence column, fact id, span)
        self.preexisting: dict[str, set[int]] = {}  # table -> ids of rows found in the database, not written now
        self.claim_rows: dict[tuple[str, int, str, Any], dict[str, Any]] = {}  # (column, fact id, field, value) -> claim
        self.label_rows: dict[tuple[str, int, str], Any] = {}  # (column, fact id, field) -> label
        self.evidence_ids: list[int] | None = None  # ids the evidence rows were written with, where given here

    def write(self, before: dict[str, set[int]] | None = None) -> LoadResult:
        segment_columns = ["source_id", "seq", "kind", "char_start", "char_end", "text"]
        insert_many(self.conn, "source_segments", segment_columns,
                    [(self.source_id, *(seg[c] for c in segment_columns[1:])) for seg in self.plan.segments])
        self._fetch_known_ids()
        by_table: dict[str, list[Row]] = {}
        for row in self.plan.rows:
            by_table.setdefault(row.table, []).append(row)
        for table_name in WRITE_ORDER:
            self._write_table(table_name, by_table.get(table_name, []))
        self._write_resources(by_table.get("projects", []))
        self._set_parents()
        self._write_evidence()
        self._write_inferences()
        self._write_claims()
        touched = {t: set(ids) for t, ids in self.preexisting.items()}
        left = unsupported(self.conn, before or {})
        if left:
            raise ValidationError([f"{self.plan.path}: other sources refer to {left}, which this corrected "
                                   "file no longer supports; keep it in the file, or remove those sources first"])
        for table_name, ids in remaining(self.conn, before or {}).items():
            touched.setdefault(table_name, set()).update(ids)
        changes = Recorder(self.conn, self.source_id).run(touched)
        self._check_parent_chains()
        corroborated = sum(len(ids) for t, ids in self.preexisting.items())
        return LoadResult(self.plan.source["slug"], True, self.counts, corroborated, changes.refined,
                          changes.conflicts)

    def resolve(self, table_name: str, slug: str) -> int:
        """The id of a row this plan wrote, or of one already in the database."""
        key = (table_name, (slug,))
        if key not in self.ids:
            slugged = table(table_name)
            self.ids[key] = self.conn.execute(select(slugged.c.id).where(slugged.c.slug == slug)).scalar_one()
        return self.ids[key]

    def _fetch_known_ids(self) -> None:
        """Fetch in bulk the ids of every row the plan refers to by slug and the database already holds
        (actors of earlier sources, mostly), instead of one SELECT per slug in resolve()."""
        wanted: dict[str, set[str]] = {}
        for row in itertools.chain(self.plan.rows, self.plan.inferences):
            for ref_table, ref_key in row.refs.values():
                wanted.setdefault(ref_table, set()).add(ref_key)
        for ref_table, slugs in wanted.items():
            for slug, row_id in _ids_by_slug(self.conn, ref_table, sorted(slugs)):
                self.ids[(ref_table, (slug,))] = row_id

    def _write_table(self, table_name: str, rows: list[Row]) -> None:
        """Insert the rows of one table that the database does not hold yet; note every row's id."""
        resolve = self.resolve
        prepared = []
        for row in rows:
            values = dict(row.values)
            for column, (ref_table, ref_key) in row.refs.items():
                if column != "parent_id":
                    values[column] = resolve(ref_table, ref_key)
            prepared.append(values)
        keycols = NATURAL_KEY[table_name]
        found = _existing_ids(self.conn, table_name, prepared, self.preexisting)
        self.preexisting[table_name] = set(found.values())
        keys = [tuple([values.get(c) for c in keycols]) for values in prepared]  # a list is faster than a generator
        new: dict[tuple, dict[str, Any]] = {}
        for key, values in zip(keys, prepared, strict=True):
            if key not in found and key not in new:
                new[key] = values
        if new:
            self._insert_new(table_name, new, found)
            self.counts[table_name] = len(new)
            if keycols == ("slug",):
                note_slug_ids(self.conn, table_name, {key[0]: found[key] for key in new})
        if self.progress and len(rows) > len(new):
            self.progress(len(rows) - len(new))
        self._note_ids(table_name, rows, keys, found)

    def _insert_new(self, table_name: str, new: dict[tuple, dict[str, Any]], found: dict[tuple, int]) -> None:
        """Insert the new rows (natural key -> values), adding their ids to ``found``."""
        facts = table(table_name)
        present = {c for v in new.values() for c in v}
        columns = [c.name for c in facts.c if c.name in present]  # table order: no reordering per row
        ids = self._new_ids(table_name, len(new))
        if ids is not None:
            for row_id, key in zip(ids, new, strict=True):
                found[key] = row_id
            insert_many(self.conn, table_name, ["id", *columns],
                        [tuple([row_id] + [v.get(c) for c in columns]) for row_id, v in zip(ids, new.values(), strict=True)],
                        self.progress)
            return
        keycols = NATURAL_KEY[table_name]
        new_rows = [{c: v.get(c) for c in columns} for v in new.values()]
        for start in range(0, len(new_rows), BATCH):
            batch = new_rows[start:start + BATCH]
            inserted = self.conn.execute(insert(facts).returning(facts.c.id, sort_by_parameter_order=True), batch)
            for values, new_id in zip(batch, inserted.scalars(), strict=True):
                found[tuple([values.get(c) for c in keycols])] = new_id
            if self.progress:
                self.progress(len(batch))

    def _new_ids(self, table_name: str, n: int) -> list[int] | None:
        """Ids for ``n`` new rows of a table, given here so that the rows are written with them (None on MariaDB).

        SQLite has one writer and this transaction holds the write lock: the ids after the largest, and
        the rows inserted with executemany (RETURNING in parameter order would make SQLAlchemy send one
        INSERT per row: SQLite has no insertmanyvalues sentinel). PostgreSQL: ids taken from the table's
        sequence, then the rows COPYed with them.
        """
        if self.sqlite:
            next_id = (self.conn.execute(select(func.max(table(table_name).c.id))).scalar() or 0) + 1
            return list(range(next_id, next_id + n))
        return reserve_ids(self.conn, table_name, n) if copies(self.conn) else None

    def _note_ids(self, table_name: str, rows: list[Row], keys: list[tuple], found: dict[tuple, int]) -> None:
        """Each row's id (for later references), its parent to set, and its evidence to write."""
        ids, parents, evidence_rows = self.ids, self.parents, self.evidence_rows
        column = EVIDENCE_COLUMN[table_name]
        for row, key in zip(rows, keys, strict=True):
            row_id = found[key]
            ids[(table_name, row.key)] = row_id
            if "parent_id" in row.refs:
                parents.append((row_id, row.refs["parent_id"][1]))
            evidence_rows.extend((column, row_id, s) for s in row.evidence)
            for claim in claims_of(table_name, row.values, row.key, row.refs):
                self.claim_rows.setdefault((column, row_id, claim.field, claim.values["value"]), claim.values)
            for name, value in labels_of(table_name, row.values).items():
                self.label_rows.setdefault((column, row_id, name), value)

    def _write_resources(self, rows: list[Row]) -> None:
        """The resources of the projects this plan wrote (those of a project already held are the record's,
        worked out from every source's claims)."""
        earlier = self.preexisting.get("projects", set())
        resources = []
        for row in rows:
            project_id = self.ids[("projects", row.key)]
            if project_id not in earlier:
                resources += [(project_id, item, item.lower()) for item in row.values.get("resources", ())]
        if resources:
            insert_many(self.conn, "project_resources", ["project_id", "resource", "resource_key"], resources)
            self.counts["project_resources"] = len(resources)

    def _set_parents(self) -> None:
        """Each actor's parent, where it has none yet (an actor's first parent given is kept)."""
        first: dict[int, str] = {}
        for actor_id, parent_slug in self.parents:
            first.setdefault(actor_id, parent_slug)
        update_many(self.conn, "actors", [{"aid": actor_id, "parent_id": self.resolve("actors", slug)}
                                          for actor_id, slug in first.items()],
                    key="aid", only=table("actors").c.parent_id.is_(None))

    def _check_parent_chains(self) -> None:
        """An actor this file gives a parent must not end up its own ancestor through other sources' parents.

        Only an actor the database held before can be: no earlier source names a new one, and the chains
        within the file were checked with it (plan.py)."""
        actors = table("actors")
        parent_of = select(actors.c.parent_id).where(actors.c.id == bindparam("aid"))
        earlier = self.preexisting.get("actors", set())
        for actor_id, parent_slug in self.parents:
            if actor_id not in earlier:
                continue
            seen, current = {actor_id}, self.conn.execute(parent_of, {"aid": actor_id}).scalar()
            while current is not None:
                if current in seen:
                    raise ValidationError([f"{self.plan.path}: actors: the parent chain of the parent it gives, "
                                           f"{parent_slug!r}, leads back to the actor through other sources' parents"])
                seen.add(current)
                current = self.conn.execute(parent_of, {"aid": current}).scalar()

    def _write_evidence(self) -> None:
        if not self.evidence_rows:
            return
        source_id = self.source_id
        columns = ["source_id", "char_start", "char_end", "quote", *FACT_COLUMNS]
        rows = [(source_id, s.start, s.end, s.quote, *one_fact(column, row_id))
                for column, row_id, s in self.evidence_rows]
        if self.sqlite or holds_tables(self.conn):  # ids given cheaply here: the claims need not read them back
            self.evidence_ids = self._new_ids("evidence", len(rows))
        if self.evidence_ids is not None:
            columns, rows = ["id", *columns], [(ev_id, *row) for ev_id, row in zip(self.evidence_ids, rows, strict=True)]
        insert_many(self.conn, "evidence", columns, rows)
        self.counts["evidence"] = len(self.evidence_rows)

    def _quotes(self) -> dict[tuple[str, int], list[tuple[int, int, str]]]:
        """(fact column, fact id) -> [(start, evidence id, quote)] of this source, in text order (as an export
        writes them): the evidence just written with its ids, or (MariaDB) one pass over the source's evidence
        (by its index on source_id), the quotes already in memory."""
        quotes: dict[tuple[str, int], list[tuple[int, int, str]]] = {}
        if self.evidence_ids is not None:
            for ev_id, (column, fact_id, span) in zip(self.evidence_ids, self.evidence_rows, strict=True):
                quotes.setdefault((column, fact_id), []).append((span.start, ev_id, span.quote))
        else:
            ev = table("evidence")
            spans = {(column, fact_id, span.start, span.end): span.quote
                     for column, fact_id, span in self.evidence_rows}
            query = select(ev.c.id, ev.c.char_start, ev.c.char_end, *[ev.c[c] for c in FACT_COLUMNS]).where(
                ev.c.source_id == self.source_id)
            for ev_id, start, end, *facts in self.conn.execute(query):
                column, fact_id = next((c, f) for c, f in zip(FACT_COLUMNS, facts, strict=True) if f is not None)
                quotes.setdefault((column, fact_id), []).append((start, ev_id, spans[(column, fact_id, start, end)]))
        for found in quotes.values():
            found.sort()
        return quotes

    def _write_claims(self) -> None:
        """Each claim of this source, quoted by the first of its fact's quotes (in the text) that holds the
        claim's words (a date's, an amount's), else by the fact's first quote; then its labels."""
        quotes = self._quotes()

        def quoting(column: str, fact_id: int, words: Any) -> int:
            found = quotes[(column, fact_id)]
            if isinstance(words, str) and len(found) > 1:
                return next((ev_id for _, ev_id, quote in found if words in quote), found[0][1])
            return found[0][1]

        value_columns = ["value", "earliest", "latest", "date_precision", "amount", "currency", "qualifier", "period"]
        rows = [(self.source_id, quoting(column, fact_id, values.get("value")), name,
                 *(values.get(c) for c in value_columns), 1, False, True, *one_fact(column, fact_id))
                for (column, fact_id, name, _), values in self.claim_rows.items()]
        insert_many(self.conn, "claims", ["source_id", "evidence_id", "field", *value_columns, "support", "disputed",
                                          "in_record", *FACT_COLUMNS], rows)
        insert_many(self.conn, "labels", ["source_id", "field", "value", *FACT_COLUMNS],
                    [(self.source_id, name, value, *one_fact(column, fact_id))
                     for (column, fact_id, name), value in self.label_rows.items()])

    def _write_inferences(self) -> None:
        inference_rows = []
        for row in self.plan.inferences:
            values = {"source_id": None, **{c: None for c in m.FACT_TARGETS}, **row.values}
            for column, (ref_table, ref_key) in row.refs.items():
                values[column] = self.resolve(ref_table, ref_key)
            if not row.refs:
                values["source_id"] = self.source_id
            inference_rows.append(values)
        if inference_rows:
            self.conn.execute(insert(table("inferences")), inference_rows)
            self.counts["inferences"] = len(inference_rows)


def _ids_by_slug(conn: Connection, table_name: str, slugs: list[str]) -> list[tuple[str, int]]:
    """(slug, id) of the rows of a slugged table that the database holds (``matching``: all at once on PostgreSQL,
    500 slugs at a time elsewhere; from memory while the load holds its tables alone: ``deferred.slug_ids``)."""
    held = slug_ids(conn, table_name)
    if held is not None:
        return [(slug, held[slug]) for slug in slugs if slug in held]
    slugged = table(table_name)
    out: list[tuple[str, int]] = []
    for where in matching(conn, slugged.c.slug, slugs):
        out += [(slug, row_id) for slug, row_id in conn.execute(select(slugged.c.slug, slugged.c.id).where(where))]
    return out


def _existing_ids(conn: Connection, table_name: str, prepared: list[dict[str, Any]],
                  preexisting: dict[str, set[int]]) -> dict[tuple, int]:
    """Natural key -> id of the rows among ``prepared`` that the database already holds.

    Slugged rows are looked up by slug. A child row can only exist already if
    a row it references existed before this load, so only those are fetched.
    """
    facts = table(table_name)
    keycols = NATURAL_KEY[table_name]
    found: dict[tuple, int] = {}
    if keycols == ("slug",):
        return {(slug,): row_id for slug, row_id in _ids_by_slug(conn, table_name, [v["slug"] for v in prepared])}
    for column in keycols:
        fks = list(facts.c[column].foreign_keys)
        if not fks:
            continue
        old_parents = preexisting.get(fks[0].column.table.name, set())
        wanted = {v[column] for v in prepared if v.get(column) in old_parents}
        for where in matching(conn, facts.c[column], wanted):
            for row_id, *key in conn.execute(select(facts.c.id, *[facts.c[c] for c in keycols]).where(where)):
                found[tuple(key)] = row_id
    return found
