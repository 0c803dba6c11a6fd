"""Claims and labels: what each source states, written beside its facts, and the record made from them.

``claims_of`` and ``labels_of`` turn a planned fact row into its source's
claims and editorial labels. ``Recorder`` works the record out again for
the facts that more than one source touches (``db.claims`` holds the
rules): it updates each claim's support, dispute and record flags, writes
the record's values into the fact rows, and says what changed (values
refined, conflicts opened).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, insert, select

from .. import models as m
from ..claims import ClaimValue, Outcome, resolve
from .bulk import update_many
from .sourced import among, chunks, matching, table

#: fact table -> its claim/evidence column
FACT_COLUMN = {table: column for column, table in m.FACT_TARGETS.items()}
#: claim fields whose value is a slug of another row, and the table and fact column it sets
REFERENCES = {"parent": ("actors", "parent_id"), "speaker": ("actors", "speaker_actor_id"),
              "beneficiary": ("actors", "beneficiary_actor_id"), "agreement": ("agreements", "agreement_id")}
#: claim fields copied to a column of the same name in the record
PLAIN = {"kind": "kind", "status": "status", "country": "country", "sector": "sector", "location": "location_text"}
#: claim fields of which a fact has a set of values, one claim each: field -> (its table, the fact column, the value
#: column); a value's record is its own (values differing only in letter case are one value)
MEMBER_ROWS = {"resource": ("project_resources", "project_id", "resource")}
BOOLEAN = {"is_named": "is_named"}


@dataclass
class ClaimRow:
    """A claim to write: the field, its value columns, and the fact (column, id) set once ids are known."""

    field: str
    values: dict[str, Any]


def _date_claim(name: str, values: dict[str, Any]) -> ClaimRow | None:
    text, earliest, latest = values.get(f"{name}_text"), values.get(f"{name}_earliest"), values.get(f"{name}_latest")
    if text is None and earliest is None and latest is None:
        return None
    return ClaimRow(name, {"value": text, "earliest": earliest, "latest": latest,
                           "date_precision": values.get(f"{name}_precision", "unknown")})


def _flag(value: Any) -> str:
    return "true" if value else "false"


def claims_of(table: str, values: dict[str, Any], key: tuple, refs: dict[str, tuple[str, Any]]) -> list[ClaimRow]:
    """The claims one planned fact row makes for its source (``key`` is the row's natural key in the plan)."""
    out: list[ClaimRow] = []
    for name in m.CLAIM_FIELDS[table]:
        if name in m.DATE_FIELDS:
            claim = _date_claim(name, values)
            if claim:
                out.append(claim)
        elif name in REFERENCES:
            column = REFERENCES[name][1]
            if column in refs:
                out.append(ClaimRow(name, {"value": refs[column][1]}))
        elif name in MEMBER_ROWS:
            out += [ClaimRow(name, {"value": item}) for item in values.get(f"{name}s", ())]
        elif name in PLAIN:
            value = values.get(PLAIN[name])
            if value is not None:
                out.append(ClaimRow(name, {"value": value}))
        elif name in BOOLEAN:
            out.append(ClaimRow(name, {"value": _flag(values.get(BOOLEAN[name], True))}))
        elif name == "amount":
            out.append(ClaimRow(name, {"value": values["amount_text"], "amount": values["amount"],
                                       "currency": values["currency"], "qualifier": values["qualifier"],
                                       "period": values.get("period")}))
        else:  # a member of a set: the row itself, named by its natural key
            out.append(ClaimRow(name, {"value": member_value(table, values, key)}))
    return out


def member_value(table: str, values: dict[str, Any], key: tuple) -> str:
    """How a set member reads in ``claims.value``: 'china: signatory', 'subject agreement x', ..."""
    if table == "actor_aliases":
        return str(values["alias"])
    if table == "actor_relations":
        return f"{key[0]} {key[2]} {key[1]}"
    if table == "agreement_obligations":
        return str(values["description"])
    if table == "statement_subjects":
        return f"{key[3]}: {key[1]} {key[2]}"
    return f"{key[1]}: {key[2]}"  # parties and participants: (owner, actor, role)


def labels_of(table: str, values: dict[str, Any]) -> dict[str, Any]:
    """The editorial labels of a planned fact row (name, title, description, content)."""
    return {name: values.get(name) for name in m.LABEL_FIELDS.get(table, ())}


# --- the record ------------------------------------------------------------------------------------


@dataclass
class Changes:
    """What resolving the record changed, in words, for the ingest report."""

    refined: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


class Recorder:
    """Resolves the record of the facts given (table -> ids) from all their claims."""

    def __init__(self, conn: Connection, source_id: int | None = None):
        self.conn = conn
        self.source_id = source_id  # the source just loaded: its conflicts are the ones it opens
        self.changes = Changes()
        self._slugs: dict[tuple[str, str], int | None] = {}

    def run(self, touched: dict[str, set[int]]) -> Changes:
        for table_name, ids in touched.items():
            if table_name == "amounts" or not ids:
                continue
            for chunk in chunks(ids):
                self._resolve_chunk(table_name, chunk)
        return self.changes

    # --- reading the claims -------------------------------------------------------------------------

    def _claims(self, table_name: str, ids: list[int]) -> dict[int, list[tuple[ClaimValue, Any]]]:
        """fact id -> [(claim, its row)] for the facts of ``table_name`` and, for owners, their amounts."""
        claims, sources = table("claims"), table("sources")
        column = FACT_COLUMN[table_name]
        cols = [claims.c.id, claims.c.source_id, claims.c.field, claims.c.value, claims.c.earliest,
                claims.c.latest, claims.c.date_precision, claims.c.amount, claims.c.currency, claims.c.qualifier,
                claims.c.period, claims.c.support, claims.c.disputed, claims.c.in_record, sources.c.grade,
                sources.c.slug.label("source_slug")]
        out: dict[int, list[tuple[ClaimValue, Any]]] = {i: [] for i in ids}
        query = (select(*cols, claims.c[column].label("fact_id"))
                 .join(sources, sources.c.id == claims.c.source_id).where(among(self.conn, claims.c[column], ids)))
        for row in self.conn.execute(query):
            slot: tuple = (column, row.fact_id, row.field)
            if row.field in MEMBER_ROWS:  # each value of a set is a record of its own
                slot += (str(row.value).lower(),)
            out[row.fact_id].append((self._value(row, slot, slot if row.field in MEMBER_ROWS else (column, row.fact_id)),
                                     row))
        if table_name in ("agreements", "projects"):
            amounts = table("amounts")
            query = (select(*cols, amounts.c[column].label("fact_id"), amounts.c.stage, amounts.c.id.label("amount_id"))
                     .join(sources, sources.c.id == claims.c.source_id)
                     .join(amounts, amounts.c.id == claims.c.amount_id).where(among(self.conn, amounts.c[column], ids)))
            for row in self.conn.execute(query):
                slot = (column, row.fact_id, "amount", row.stage)
                out[row.fact_id].append((self._value(row, slot, ("amount_id", row.amount_id)), row))
        return out

    @staticmethod
    def _value(row: Any, slot: Hashable, unit: Hashable) -> ClaimValue:
        return ClaimValue(row.id, row.source_id, row.field, slot, unit, row.value, row.grade, row.earliest,
                          row.latest, row.date_precision, row.amount, row.currency, row.qualifier, row.period)

    # --- resolving --------------------------------------------------------------------------------------

    def _resolve_chunk(self, table_name: str, ids: list[int]) -> None:
        flags: list[dict[str, Any]] = []
        records: dict[tuple[str, ...], list[dict[str, Any]]] = {}  # the columns set -> each fact's row
        amounts: list[dict[str, Any]] = []
        members: dict[str, dict[int, list[Any]]] = {}  # field -> fact id -> the record's values
        for fact_id, pairs in self._claims(table_name, ids).items():
            outcome = resolve([c for c, _ in pairs])
            for c, row in pairs:
                new = (outcome.support[c.id], c.id in outcome.disputed, outcome.in_record(c))
                if (row.support, bool(row.disputed), bool(row.in_record)) != new:
                    flags.append({"cid": c.id, "support": new[0], "disputed": new[1], "in_record": new[2]})
            self._report(table_name, fact_id, pairs, outcome)
            values = self._record(table_name, fact_id, outcome)
            if values:
                records.setdefault(tuple(values), []).append({"fid": fact_id, **values})
            for name in m.CLAIM_FIELDS[table_name]:
                if name in MEMBER_ROWS:
                    members.setdefault(name, {})[fact_id] = [c.value for c in outcome.record.values()
                                                             if c.field == name]
            amounts += [{"aid": cast(tuple, shown.unit)[1], "qualifier": shown.qualifier, "period": shown.period,
                         "amount_text": shown.value} for shown in outcome.record.values() if shown.field == "amount"]
        for rows in records.values():  # the record's values into the fact rows and their amounts, in one go
            update_many(self.conn, table_name, rows, key="fid")
        update_many(self.conn, "amounts", amounts, key="aid")
        for name, shown in members.items():
            self._write_members(name, shown)
        self._write_labels(table_name, ids)
        update_many(self.conn, "claims", flags, key="cid")

    def _report(self, table_name: str, fact_id: int, pairs: list[tuple[ClaimValue, Any]], outcome: Outcome) -> None:
        """Words for the values the source just loaded refined, and the conflicts it opened."""
        if self.source_id is None:
            return
        rows = {c.id: row for c, row in pairs}
        label = None
        before: dict[Hashable, ClaimValue] = {(c.unit, c.field): c for c, row in pairs
                                              if row.in_record and c.source_id != self.source_id}
        for key, shown in outcome.record.items():
            old = before.get(key)
            if old is not None and shown.source_id == self.source_id and old.value != shown.value \
                    and shown.id not in outcome.disputed:
                label = label or self._label(table_name, fact_id)
                self.changes.refined.append(f"{label} {shown.field}: {old.value} -> {shown.value}")
        for c, d in outcome.conflicts:
            if self.source_id not in (c.source_id, d.source_id) or rows[c.id].disputed and rows[d.id].disputed:
                continue
            label = label or self._label(table_name, fact_id)
            self.changes.conflicts.append(f"{label} {c.field}: {_words(c)} ({rows[c.id].source_slug}) vs "
                                          f"{_words(d)} ({rows[d.id].source_slug})")

    def _label(self, table_name: str, fact_id: int) -> str:
        facts = table(table_name)
        if "slug" in facts.c:
            return str(self.conn.execute(select(facts.c.slug).where(facts.c.id == fact_id)).scalar_one())
        return f"{table_name}[{fact_id}]"

    def _record(self, table_name: str, fact_id: int, outcome: Outcome) -> dict[str, Any]:
        """The record's values for the fact row's columns; a field no claim states becomes empty."""
        facts = table(table_name)
        column = FACT_COLUMN[table_name]
        values: dict[str, Any] = {}
        for name in m.CLAIM_FIELDS[table_name]:
            shown = outcome.record.get(((column, fact_id), name))
            values.update(self._columns(facts, name, shown))
        return values

    def _write_members(self, name: str, shown: dict[int, list[Any]]) -> None:
        """Make each fact's member rows (a project's resources) the record's values (``shown``: fact id ->
        values): each value once, in the words of the claim the record shows."""
        rows_table, owner, column = MEMBER_ROWS[name]
        rows = table(rows_table)
        held: dict[int, dict[str, tuple[int, str]]] = {}  # fact id -> key -> (row id, value)
        for where in matching(self.conn, rows.c[owner], list(shown)):
            for fact_id, row_id, value, key in self.conn.execute(
                    select(rows.c[owner], rows.c.id, rows.c[column], rows.c[f"{column}_key"]).where(where)):
                held.setdefault(fact_id, {})[key] = (row_id, value)
        gone: list[int] = []
        new: list[dict[str, Any]] = []
        for fact_id, values in shown.items():
            wanted = {str(v).lower(): str(v) for v in values if v is not None}
            mine = held.get(fact_id, {})
            gone += [row_id for key, (row_id, value) in mine.items() if wanted.get(key) != value]
            new += [{owner: fact_id, column: value, f"{column}_key": key} for key, value in sorted(wanted.items())
                    if mine.get(key, (None, None))[1] != value]
        for where in matching(self.conn, rows.c.id, gone):
            self.conn.execute(delete(rows).where(where))
        if new:
            self.conn.execute(insert(rows), new)

    def _columns(self, facts: Table, name: str, shown: ClaimValue | None) -> dict[str, Any]:
        if name in m.DATE_FIELDS:
            if shown is None:
                return {f"{name}_earliest": None, f"{name}_latest": None, f"{name}_precision": "unknown",
                        f"{name}_text": None}
            return {f"{name}_earliest": shown.earliest, f"{name}_latest": shown.latest,
                    f"{name}_precision": shown.precision or "unknown", f"{name}_text": shown.value}
        if name in REFERENCES:
            ref_table, ref_column = REFERENCES[name]
            return {ref_column: None if shown is None else self._id(ref_table, shown.value)}
        if name in PLAIN and shown is not None:
            return {PLAIN[name]: shown.value}
        if name in PLAIN and facts.c[PLAIN[name]].nullable:  # a required value always has a claim
            return {PLAIN[name]: None}
        if name in BOOLEAN and shown is not None:
            return {BOOLEAN[name]: shown.value == "true"}
        return {}

    def _id(self, table_name: str, slug: str | None) -> int | None:
        if slug is None:
            return None
        key = (table_name, slug)
        if key not in self._slugs:
            facts = table(table_name)
            self._slugs[key] = self.conn.execute(select(facts.c.id).where(facts.c.slug == slug)).scalar()
        return self._slugs[key]

    def _write_labels(self, table_name: str, ids: list[int]) -> None:
        """Each label of the record is the first loaded source's that gives one."""
        names = m.LABEL_FIELDS.get(table_name)
        if not names:
            return
        labels, facts = table("labels"), table(table_name)
        column = FACT_COLUMN[table_name]
        chosen: dict[tuple[int, str], Any] = {}
        query = (select(labels.c[column], labels.c.field, labels.c.value).where(among(self.conn, labels.c[column], ids))
                 .order_by(labels.c.source_id, labels.c.id))
        for fact_id, name, value in self.conn.execute(query):
            if value is not None and (fact_id, name) not in chosen:
                chosen[(fact_id, name)] = value
        required = [name for name in names if not facts.c[name].nullable]  # a name, a title, a content
        updates = []
        for fact_id in ids:
            row = {name: chosen.get((fact_id, name)) for name in names}
            if any(row[name] is None for name in required):
                continue  # a fact no source labels any more is one about to be removed
            if table_name == "actors":
                row["name_key"] = str(row["name"]).lower()  # required: not None here
            updates.append({"fid": fact_id, **row})
        update_many(self.conn, table_name, updates, key="fid")


def _words(c: ClaimValue) -> str:
    if c.field == "amount" and c.value:
        return c.value + (f" a {c.period}" if c.period and c.period != "total" and c.period not in c.value else "")
    if c.field in m.DATE_FIELDS and not c.value and c.earliest:
        return c.earliest.isoformat() if c.earliest == c.latest else f"{c.earliest}..{c.latest}"
    return str(c.value)
