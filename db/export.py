"""Write the database back as source files: the format ``accords ingest`` reads.

One YAML document per source, each holding the source's full text inline and
every fact it supports, with evidence as exact ``{quote, start}`` spans.
Ingesting the export into an empty database gives the same rows.
"""

from __future__ import annotations

from collections import defaultdict
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


class _Exporter:
    def __init__(self, conn: Connection, source: Any):
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
        actors = T["actors"]
        self.actor_slug = dict(conn.execute(select(actors.c.id, actors.c.slug)).all())

    def evidence(self, column: str, row_id: int) -> list[dict]:
        return self.spans[column].get(row_id, [])

    def rows(self, table: str, column: str, *order) -> list[Any]:
        """Rows of a fact table that this source supports."""
        t = T[table]
        ids = list(self.spans[column])
        if not ids:
            return []
        return list(self.conn.execute(select(t).where(t.c.id.in_(ids)).order_by(*(order or (t.c.id,)))))

    def children(self, table: str, column: str, parent_col: str, parent_id: int) -> list[Any]:
        return [r for r in self.rows(table, column) if getattr(r, parent_col) == parent_id]

    def amounts(self, owner_col: str, owner_id: int) -> list[dict]:
        return sorted((_clean({"amount": str(a.amount), "currency": a.currency, "qualifier": a.qualifier,
                               "stage": a.stage, "text": a.amount_text, "evidence": self.evidence("amount_id", a.id)})
                       for a in self.children("amounts", "amount_id", owner_col, owner_id)),
                      key=lambda x: (x["stage"], x["text"]))

    def document(self) -> dict[str, Any]:
        s, conn = self.source, self.conn
        seg = T["source_segments"]
        segments = list(conn.execute(select(seg).where(seg.c.source_id == s.id).order_by(seg.c.seq)))
        excluded = [{"quote": {"quote": x.text, "start": x.char_start}, "kind": x.kind}
                    for x in segments if x.kind not in ("headline", "body")]
        headline = next(({"quote": x.text, "start": x.char_start} for x in segments if x.kind == "headline"), None)
        doc: dict[str, Any] = {"format": FORMAT_VERSION, "source": _clean({
            "slug": s.slug, "title": s.title, "kind": s.kind, "author": s.author, "publisher": s.publisher,
            "url": s.url, "published": _date(s, "published", s.content), "text": s.content,
            "segments": _clean({"headline": headline, "excluded": excluded}) or None,
        })}
        slug = self.actor_slug
        actors = T["actors"]
        doc["actors"] = []
        for a in self.rows("actors", "actor_id", actors.c.slug):
            aliases = [{"alias": al.alias, "evidence": self.evidence("alias_id", al.id)}
                       for al in sorted(self.children("actor_aliases", "alias_id", "actor_id", a.id), key=lambda x: x.alias)]
            doc["actors"].append(_clean({
                "slug": a.slug, "name": a.name, "is_named": bool(a.is_named), "kind": a.kind, "country": a.country,
                "parent": slug.get(a.parent_id), "description": a.description,
                "aliases": [_clean(x) for x in aliases], "evidence": self.evidence("actor_id", a.id),
            }))
        doc["relations"] = sorted(([_clean({
            "subject": slug[r.subject_actor_id], "object": slug[r.object_actor_id], "kind": r.kind,
            "description": r.description, "since": _date(r, "since", s.content), "evidence": self.evidence("relation_id", r.id),
        }) for r in self.rows("actor_relations", "relation_id")]), key=lambda x: (x["subject"], x["object"], x["kind"]))
        agreement_slug = dict(conn.execute(select(T["agreements"].c.id, T["agreements"].c.slug)).all())
        doc["agreements"] = [_clean({
            "slug": ag.slug, "title": ag.title, "kind": ag.kind, "status": ag.status, "description": ag.description,
            "signed": _date(ag, "signed", s.content),
            "parties": sorted(({"actor": slug[p.actor_id], "role": p.role, "evidence": self.evidence("party_id", p.id)}
                               for p in self.children("agreement_parties", "party_id", "agreement_id", ag.id)),
                              key=lambda x: (x["actor"], x["role"])),
            "obligations": sorted((_clean({"obligor": slug[o.obligor_actor_id], "beneficiary": slug.get(o.beneficiary_actor_id),
                                           "description": o.description, "evidence": self.evidence("obligation_id", o.id)})
                                   for o in self.children("agreement_obligations", "obligation_id", "agreement_id", ag.id)),
                                  key=lambda x: (x["obligor"], x["description"])),
            "amounts": self.amounts("agreement_id", ag.id),
            "evidence": self.evidence("agreement_id", ag.id),
        }) for ag in self.rows("agreements", "agreement_id", T["agreements"].c.slug)]
        doc["projects"] = [_clean({
            "slug": p.slug, "title": p.title, "sector": p.sector, "resource": p.resource, "location": p.location_text if p.location_text and p.location_text in s.content else None,
            "status": p.status, "agreement": agreement_slug.get(p.agreement_id), "description": p.description,
            "started": _date(p, "started", s.content),
            "participants": sorted(({"actor": slug[x.actor_id], "role": x.role, "evidence": self.evidence("participant_id", x.id)}
                                    for x in self.children("project_participants", "participant_id", "project_id", p.id)),
                                   key=lambda x: (x["actor"], x["role"])),
            "amounts": self.amounts("project_id", p.id),
            "evidence": self.evidence("project_id", p.id),
        }) for p in self.rows("projects", "project_id", T["projects"].c.slug)]
        doc["events"] = [_clean({
            "slug": e.slug, "title": e.title, "kind": e.kind, "location": e.location_text if e.location_text and e.location_text in s.content else None,
            "description": e.description, "occurred": _date(e, "occurred", s.content),
            "participants": sorted(({"actor": slug[x.actor_id], "role": x.role,
                                     "evidence": self.evidence("event_participant_id", x.id)}
                                    for x in self.children("event_participants", "event_participant_id", "event_id", e.id)),
                                   key=lambda x: (x["actor"], x["role"])),
            "evidence": self.evidence("event_id", e.id),
        }) for e in self.rows("events", "event_id", T["events"].c.slug)]
        fact_slugs = {c: dict(conn.execute(select(T[t].c.id, T[t].c.slug)).all())
                      for c, t in (("agreement", "agreements"), ("project", "projects"), ("event", "events"),
                                   ("actor", "actors"), ("statement", "statements"))}
        statements = []
        for st in self.rows("statements", "statement_id", T["statements"].c.slug):
            about = []
            for x in self.children("statement_subjects", "subject_id", "statement_id", st.id):
                target = next(k for k in ("actor", "agreement", "project", "event") if getattr(x, f"{k}_id") is not None)
                about.append({target: fact_slugs[target][getattr(x, f"{target}_id")], "role": x.role,
                              "evidence": self.evidence("subject_id", x.id)})
            statements.append(_clean({
                "slug": st.slug, "voice": st.voice, "speaker": slug.get(st.speaker_actor_id), "kind": st.kind,
                "direct_quote": bool(st.is_direct_quote), "content": st.content, "said": _date(st, "said", s.content),
                "about": sorted(about, key=lambda x: sorted((k, str(v)) for k, v in x.items() if k != "evidence")),
                "evidence": self.evidence("statement_id", st.id),
            }))
        doc["statements"] = statements
        inf = T["inferences"]
        ids_here = {c: set(self.spans[c]) for c in m.FACT_TARGETS}
        inferences = []
        for row in self.conn.execute(select(inf).order_by(inf.c.id)):
            if row.source_id == s.id:
                inferred_about = {"source": s.slug}
            else:
                kind = next((k for k in ("agreement", "project", "event", "statement", "actor")
                             if getattr(row, f"{k}_id") is not None and getattr(row, f"{k}_id") in ids_here[f"{k}_id"]), None)
                if kind is None:
                    continue
                inferred_about = {kind: fact_slugs[kind][getattr(row, f"{kind}_id")]}
            inferences.append(_clean({
                "about": inferred_about, "field": row.field,
                "earliest": str(row.earliest) if row.earliest else None,
                "latest": str(row.latest) if row.latest else None,
                "precision": row.date_precision, "value": row.value_text, "reasoning": row.reasoning,
            }))
        doc["inferences"] = sorted(inferences, key=lambda x: (sorted(x["about"].items()), x["field"]))
        return _clean(doc)


def export_documents(conn: Connection, source: str | None = None) -> list[dict[str, Any]]:
    """One document per source (or only the source with this slug)."""
    sources = T["sources"]
    query = select(sources).order_by(sources.c.id)  # load order: later sources may refer to earlier ones
    if source is not None:
        query = query.where(sources.c.slug == source)
    return [_Exporter(conn, s).document() for s in conn.execute(query)]


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def write_yaml(documents: list[dict[str, Any]], out: TextIO) -> None:
    yaml.dump_all(documents, out, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
