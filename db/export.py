"""Write the database back as source files: the format ``accords ingest`` reads.

One YAML document per source, each holding the source's full text inline and
every fact it supports, with evidence as exact ``{quote, start}`` spans.
Ingesting the export into an empty database gives the same rows.

The number of queries does not grow with the data: the slugs of the facts are
read once per export, and for each source every table once (its rows that the
source's evidence supports), its rows then grouped by parent in Python.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any, TextIO

import yaml
from sqlalchemy import Connection, select

from . import models as m
from .fileformat import FORMAT_VERSION

T = m.metadata.tables


def _date(row: Any, prefix: str, content: str) -> dict[str, Any] | None:
    """A partial date as the file format writes it; None when the date's words are not in this source.

    A fact shared by several sources carries the attributes of the source that
    introduced it; another source's document then leaves out the words it does
    not contain (loading it finds the existing fact and keeps its attributes).
    """
    precision = getattr(row, f"{prefix}_precision")
    text = getattr(row, f"{prefix}_text")
    if text is not None and text not in content:
        return None
    earliest, latest = getattr(row, f"{prefix}_earliest"), getattr(row, f"{prefix}_latest")
    if precision == "unknown" and text is None and earliest is None and latest is None:
        return None
    out: dict[str, Any] = {"text": text, "precision": precision}
    if earliest is not None:
        out["earliest"] = str(earliest)
    if latest is not None:
        out["latest"] = str(latest)
    return out


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is None or empty, for readable files."""
    return {k: v for k, v in d.items() if v is not None and v != []}


#: the tables whose slugs the documents name, by the prefix of their id columns
SLUGGED = (("agreement", "agreements"), ("project", "projects"), ("event", "events"),
           ("actor", "actors"), ("statement", "statements"))


def fact_slugs(conn: Connection) -> dict[str, dict[int, str]]:
    """id -> slug of every actor, agreement, project, event and statement: one query per table."""
    return {prefix: dict(conn.execute(select(T[table].c.id, T[table].c.slug)).all()) for prefix, table in SLUGGED}


class _Exporter:
    def __init__(self, conn: Connection, source: Any, slugs: dict[str, dict[int, str]]):
        self.conn = conn
        self.source = source
        ev = T["evidence"]
        self.spans: dict[str, dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
        rows = conn.execute(select(ev).where(ev.c.source_id == source.id)
                            .order_by(ev.c.char_start, ev.c.char_end, ev.c.id))
        for row in rows:
            for column in m.FACT_TARGETS:
                if getattr(row, column) is not None:
                    self.spans[column][getattr(row, column)].append({"quote": row.quote, "start": row.char_start})
        self.fact_slugs = slugs
        self.actor_slug = slugs["actor"]
        # this source's own claims and labels: its document states its values, not the record's
        self.claimed: dict[tuple[str, int, str], Any] = {}
        self.labelled: dict[tuple[str, int, str], Any] = {}
        self.resource_claims: dict[int, list[str]] = defaultdict(list)  # project id -> its resources, one claim each
        for table_name, into in (("claims", self.claimed), ("labels", self.labelled)):
            t = T[table_name]
            for row in conn.execute(select(t).where(t.c.source_id == source.id).order_by(t.c.id)):
                column = next(c for c in m.FACT_TARGETS if getattr(row, c) is not None)
                into.setdefault((column, getattr(row, column), row.field), row)
                if table_name == "claims" and row.field == "resource" and row.project_id is not None:
                    self.resource_claims[row.project_id].append(row.value)
        self._rows: dict[tuple[str, ...], list[Any]] = {}
        self._children: dict[tuple[str, str], dict[int, list[Any]]] = {}

    def value(self, row: Any, column: str, name: str, record_column: str | None = None) -> Any:
        """This source's value of a field of a fact: its claim (None when it states none), else the record's."""
        if not self.claimed:  # no claims at all (nothing to tell the sources apart): the record
            return getattr(row, record_column or name)
        claim = self.claimed.get((column, row.id, name))
        return None if claim is None else claim.value

    def ref(self, row: Any, column: str, name: str, record_column: str, prefix: str) -> str | None:
        """This source's slug for a reference (parent, speaker, beneficiary, agreement)."""
        if not self.claimed:
            return self.fact_slugs[prefix].get(getattr(row, record_column))
        return self.value(row, column, name)

    def flag(self, row: Any, column: str, name: str, record_column: str) -> bool:
        claim = self.claimed.get((column, row.id, name))
        return bool(getattr(row, record_column)) if claim is None else claim.value == "true"

    def label(self, row: Any, column: str, name: str) -> Any:
        """This source's editorial label (name, title, description, content), else the record's."""
        found = self.labelled.get((column, row.id, name))
        return getattr(row, name) if found is None else found.value

    def date(self, row: Any, column: str, name: str) -> dict[str, Any] | None:
        """This source's partial date of a fact (its claim), else the record's when its words are in the text."""
        if not self.claimed:
            return _date(row, name, self.source.content)
        claim = self.claimed.get((column, row.id, name))
        if claim is None:
            return None
        out: dict[str, Any] = {"text": claim.value, "precision": claim.date_precision or "unknown"}
        if claim.earliest is not None:
            out["earliest"] = str(claim.earliest)
        if claim.latest is not None:
            out["latest"] = str(claim.latest)
        return out

    def resources(self, project_id: int) -> list[str]:
        """This source's resources of a project, in the order its claims were written (its file's order);
        with no claims at all, the record's rows."""
        if not self.claimed:
            return [r.resource for r in self.conn.execute(select(T["project_resources"]).where(
                T["project_resources"].c.project_id == project_id).order_by(T["project_resources"].c.id))]
        return self.resource_claims.get(project_id, [])

    def evidence(self, column: str, row_id: int) -> list[dict]:
        return self.spans[column].get(row_id, [])

    def rows(self, table: str, column: str, *order) -> list[Any]:
        """Rows of a fact table that this source supports: one query per table, whatever their number.

        The rows are those whose id the source's evidence names in ``column``,
        found by a subquery rather than a list of ids (no limit on bound
        parameters), in ``order`` (default: by id). Each table is read once.
        """
        key = (table, column, *map(str, order))
        if key not in self._rows:
            t, ev = T[table], T["evidence"]
            if not self.spans[column]:
                self._rows[key] = []
            else:
                supported = select(ev.c[column]).where(ev.c.source_id == self.source.id, ev.c[column].is_not(None))
                self._rows[key] = list(self.conn.execute(
                    select(t).where(t.c.id.in_(supported)).order_by(*(order or (t.c.id,)))))
        return self._rows[key]

    def children(self, table: str, column: str, parent_col: str, parent_id: int) -> list[Any]:
        """The rows of ``table`` (see rows) that belong to one parent, in id order."""
        key = (table, parent_col)
        if key not in self._children:
            grouped: dict[int, list[Any]] = defaultdict(list)
            for r in self.rows(table, column):
                grouped[getattr(r, parent_col)].append(r)
            self._children[key] = grouped
        return self._children[key].get(parent_id, [])

    def amounts(self, owner_col: str, owner_id: int) -> list[dict]:
        out = []
        for a in self.children("amounts", "amount_id", owner_col, owner_id):
            claim = self.claimed.get(("amount_id", a.id, "amount"))
            qualifier, period, text = (a.qualifier, a.period, a.amount_text) if claim is None else (
                claim.qualifier, claim.period, claim.value)
            out.append(_clean({"amount": str(a.amount), "currency": a.currency, "qualifier": qualifier,
                               "stage": a.stage, "text": text, "period": period,
                               "evidence": self.evidence("amount_id", a.id)}))
        return sorted(out, key=lambda x: (x["stage"], x["currency"], Decimal(x["amount"]), x["text"]))

    def members(self, table: str, column: str, parent_col: str, parent_id: int) -> list[dict]:
        """Parties of an agreement, participants of a project or event: actor, role and evidence."""
        return sorted(({"actor": self.actor_slug[x.actor_id], "role": x.role, "evidence": self.evidence(column, x.id)}
                       for x in self.children(table, column, parent_col, parent_id)),
                      key=lambda x: (x["actor"], x["role"]))

    def location(self, words: str | None) -> str | None:
        """A location as worded, when this source has the words."""
        return words if words and words in self.source.content else None

    def document(self) -> dict[str, Any]:
        return _clean({"format": FORMAT_VERSION, "source": self.source_section(), "actors": self.actors(),
                       "relations": self.relations(), "agreements": self.agreements(), "projects": self.projects(),
                       "events": self.events(), "statements": self.statements(), "inferences": self.inferences(),
                       "mentions": self.mentions(), "quotations": self.quotations()})

    def mentions(self) -> dict[str, Any] | None:
        """The file's choices for forms that name several actors (or none), as it gave them."""
        t, slug = T["mention_choices"], self.actor_slug
        rows = list(self.conn.execute(select(t).where(t.c.source_id == self.source.id).order_by(t.c.id)))
        defaults = {r.form: slug[r.actor_id] for r in rows if r.char_start is None}
        at = [{"quote": {"quote": r.quote, "start": r.char_start}, "form": r.form,
               "actor": None if r.actor_id is None else slug[r.actor_id]} for r in rows if r.char_start is not None]
        return _clean({"defaults": defaults or None, "at": at or None}) or None

    def quotations(self) -> list[dict]:
        """The attributed quotations (the others are found again from the text)."""
        t = T["quotations"]
        out = []
        for r in self.conn.execute(select(t).where(t.c.source_id == self.source.id).order_by(t.c.char_start)):
            kind = next((k for k in ("actor", "event", "agreement") if getattr(r, f"{k}_id") is not None), None)
            if kind is not None:
                out.append({"quote": {"quote": r.quote, "start": r.char_start},
                            kind: self.fact_slugs[kind][getattr(r, f"{kind}_id")]})
        return out

    def source_section(self) -> dict[str, Any]:
        s, seg = self.source, T["source_segments"]
        segments = list(self.conn.execute(select(seg).where(seg.c.source_id == s.id).order_by(seg.c.seq)))
        excluded = [{"quote": {"quote": x.text, "start": x.char_start}, "kind": x.kind}
                    for x in segments if x.kind not in ("headline", "body")]
        headline = next(({"quote": x.text, "start": x.char_start} for x in segments if x.kind == "headline"), None)
        return _clean({
            "slug": s.slug, "title": s.title, "kind": s.kind, "author": s.author, "publisher": s.publisher,
            "url": s.url, "grade": s.grade, "published": _date(s, "published", s.content), "text": s.content,
            "segments": _clean({"headline": headline, "excluded": excluded}) or None,
        })

    def actors(self) -> list[dict]:
        out = []
        for a in self.rows("actors", "actor_id", T["actors"].c.slug):
            aliases = [{"alias": al.alias, "evidence": self.evidence("alias_id", al.id)}
                       for al in sorted(self.children("actor_aliases", "alias_id", "actor_id", a.id), key=lambda x: x.alias)]
            out.append(_clean({
                "slug": a.slug, "name": self.label(a, "actor_id", "name"),
                "is_named": self.flag(a, "actor_id", "is_named", "is_named"),
                "kind": self.value(a, "actor_id", "kind") or a.kind, "country": self.value(a, "actor_id", "country"),
                "parent": self.ref(a, "actor_id", "parent", "parent_id", "actor"),
                "description": self.label(a, "actor_id", "description"),
                "aliases": [_clean(x) for x in aliases], "evidence": self.evidence("actor_id", a.id),
            }))
        return out

    def relations(self) -> list[dict]:
        slug = self.actor_slug
        return sorted(([_clean({
            "subject": slug[r.subject_actor_id], "object": slug[r.object_actor_id], "kind": r.kind,
            "description": self.label(r, "relation_id", "description"), "since": self.date(r, "relation_id", "since"),
            "evidence": self.evidence("relation_id", r.id),
        }) for r in self.rows("actor_relations", "relation_id")]), key=lambda x: (x["subject"], x["object"], x["kind"]))

    def agreements(self) -> list[dict]:
        slug = self.actor_slug
        return [_clean({
            "slug": ag.slug, "title": self.label(ag, "agreement_id", "title"),
            "kind": self.value(ag, "agreement_id", "kind") or ag.kind,
            "status": self.value(ag, "agreement_id", "status") or ag.status,
            "description": self.label(ag, "agreement_id", "description"),
            "signed": self.date(ag, "agreement_id", "signed"),
            "parties": self.members("agreement_parties", "party_id", "agreement_id", ag.id),
            "obligations": sorted((_clean({"obligor": slug[o.obligor_actor_id],
                                           "beneficiary": self.ref(o, "obligation_id", "beneficiary",
                                                                   "beneficiary_actor_id", "actor"),
                                           "description": o.description, "evidence": self.evidence("obligation_id", o.id)})
                                   for o in self.children("agreement_obligations", "obligation_id", "agreement_id", ag.id)),
                                  key=lambda x: (x["obligor"], x["description"])),
            "amounts": self.amounts("agreement_id", ag.id),
            "evidence": self.evidence("agreement_id", ag.id),
        }) for ag in self.rows("agreements", "agreement_id", T["agreements"].c.slug)]

    def projects(self) -> list[dict]:
        return [_clean({
            "slug": p.slug, "title": self.label(p, "project_id", "title"),
            "sector": self.value(p, "project_id", "sector"), "resources": self.resources(p.id),
            "location": self.location(self.value(p, "project_id", "location", "location_text")),
            "status": self.value(p, "project_id", "status") or p.status,
            "agreement": self.ref(p, "project_id", "agreement", "agreement_id", "agreement"),
            "description": self.label(p, "project_id", "description"),
            "started": self.date(p, "project_id", "started"),
            "participants": self.members("project_participants", "participant_id", "project_id", p.id),
            "amounts": self.amounts("project_id", p.id),
            "evidence": self.evidence("project_id", p.id),
        }) for p in self.rows("projects", "project_id", T["projects"].c.slug)]

    def events(self) -> list[dict]:
        return [_clean({
            "slug": e.slug, "title": self.label(e, "event_id", "title"), "kind": self.value(e, "event_id", "kind") or e.kind,
            "location": self.location(self.value(e, "event_id", "location", "location_text")),
            "description": self.label(e, "event_id", "description"), "occurred": self.date(e, "event_id", "occurred"),
            "participants": self.members("event_participants", "event_participant_id", "event_id", e.id),
            "evidence": self.evidence("event_id", e.id),
        }) for e in self.rows("events", "event_id", T["events"].c.slug)]

    def statements(self) -> list[dict]:
        out = []
        for st in self.rows("statements", "statement_id", T["statements"].c.slug):
            about = []
            for x in self.children("statement_subjects", "subject_id", "statement_id", st.id):
                target = next(k for k in ("actor", "agreement", "project", "event") if getattr(x, f"{k}_id") is not None)
                about.append({target: self.fact_slugs[target][getattr(x, f"{target}_id")], "role": x.role,
                              "evidence": self.evidence("subject_id", x.id)})
            out.append(_clean({
                "slug": st.slug, "voice": self.value(st, "statement_id", "voice") or st.voice,
                "speaker": self.ref(st, "statement_id", "speaker", "speaker_actor_id", "actor"),
                "kind": self.value(st, "statement_id", "kind") or st.kind,
                "direct_quote": self.flag(st, "statement_id", "direct_quote", "is_direct_quote"),
                "content": self.label(st, "statement_id", "content"),
                "said": self.date(st, "statement_id", "said"),
                "about": sorted(about, key=lambda x: sorted((k, str(v)) for k, v in x.items() if k != "evidence")),
                "evidence": self.evidence("statement_id", st.id),
            }))
        return out

    def inferences(self) -> list[dict]:
        s, inf = self.source, T["inferences"]
        ids_here = {c: set(self.spans[c]) for c in m.FACT_TARGETS}
        out = []
        for row in self.conn.execute(select(inf).order_by(inf.c.id)):
            if row.source_id == s.id:
                inferred_about = {"source": s.slug}
            else:
                kind = next((k for k in ("agreement", "project", "event", "statement", "actor")
                             if getattr(row, f"{k}_id") is not None and getattr(row, f"{k}_id") in ids_here[f"{k}_id"]), None)
                if kind is None:
                    continue
                inferred_about = {kind: self.fact_slugs[kind][getattr(row, f"{kind}_id")]}
            out.append(_clean({
                "about": inferred_about, "field": row.field,
                "earliest": str(row.earliest) if row.earliest else None,
                "latest": str(row.latest) if row.latest else None,
                "precision": row.date_precision, "value": row.value_text, "reasoning": row.reasoning,
            }))
        return sorted(out, key=lambda x: (sorted(x["about"].items()), x["field"]))


def export_documents(conn: Connection, source: str | None = None) -> list[dict[str, Any]]:
    """One document per source (or only the source with this slug)."""
    sources = T["sources"]
    query = select(sources).order_by(sources.c.id)  # load order: later sources may refer to earlier ones
    if source is not None:
        query = query.where(sources.c.slug == source)
    chosen = list(conn.execute(query))
    slugs = fact_slugs(conn) if chosen else {}
    return [_Exporter(conn, s, slugs).document() for s in chosen]


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def write_yaml(documents: list[dict[str, Any]], out: TextIO) -> None:
    yaml.dump_all(documents, out, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
