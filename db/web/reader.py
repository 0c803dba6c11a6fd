"""The source reader: a source's stored text with every evidence span marked (see db.web.pages).

Reading is a handful of indexed queries on one source (its segments by
``(source_id, char_start)``, its evidence by ``(source_id, char_start,
char_end)``, its claims by ``(source_id, field)``); the text is then cut into
marked pieces in Python. Every character of the text is escaped here, once,
and every fact reference travels as escaped JSON in a ``data-facts``
attribute, so a hostile source cannot inject markup.
"""

from __future__ import annotations

import bisect
import heapq
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

#: the evidence column that points at each kind of fact, and that fact's table (db.models.evidence.FACT_TARGETS)
FACT_KINDS: dict[str, tuple[str, str]] = {
    "actor": ("actor_id", "actors"),
    "alias": ("alias_id", "actor_aliases"),
    "relation": ("relation_id", "actor_relations"),
    "agreement": ("agreement_id", "agreements"),
    "party": ("party_id", "agreement_parties"),
    "obligation": ("obligation_id", "agreement_obligations"),
    "project": ("project_id", "projects"),
    "participant": ("participant_id", "project_participants"),
    "amount": ("amount_id", "amounts"),
    "statement": ("statement_id", "statements"),
    "subject": ("subject_id", "statement_subjects"),
    "event": ("event_id", "events"),
    "event_participant": ("event_participant_id", "event_participants"),
}

#: segments that are the source's body; the others (chrome, weather, footer) are page furniture
CITED_KINDS = ("headline", "body")

#: (no length(content): that would read every source's whole text, hundreds of megabytes at full scale)
SOURCES_SQL = """
select slug, title, kind, publisher, published_text, grade
from sources
order by slug
"""

SOURCE_SQL = """
select id, slug, title, kind, author, publisher, url, published_text, grade, content
from sources
where slug = :slug
"""

SEGMENTS_SQL = """
select seq, kind, char_start, char_end
from source_segments
where source_id = :source_id
order by char_start
"""

_KIND_CASE = "\n".join(f"        when ev.{column} is not null then '{kind}'" for kind, (column, _) in FACT_KINDS.items())
_FACT_ID = ", ".join(f"ev.{column}" for column, _ in FACT_KINDS.values())

#: each evidence row of the source with the fact it supports: its kind, row id, the slug of the fact
#: (of the fact a part belongs to, for a part) and a short label; every join is by primary key
EVIDENCE_SQL = f"""
select
    ev.id as evidence_id,
    ev.char_start,
    ev.char_end,
    case
{_KIND_CASE}
    end as kind,
    coalesce({_FACT_ID}) as fact_id,
    coalesce(a.slug, ala.slug, rs.slug, ag.slug, pag.slug, oag.slug, pr.slug, ppr.slug,
             amag.slug, ampr.slug, st.slug, sst.slug, e.slug, epe.slug) as slug,
    coalesce(a.name, al.alias, re.kind || ' ' || ro.slug, ag.title, pa.role || ': ' || paa.slug,
             ob.description, pr.title, pp.role || ': ' || ppa.slug, am.amount_text, st.content,
             su.role || ': ' || coalesce(sua.slug, suag.slug, supr.slug, sue.slug), e.title,
             ep.role || ': ' || epa.slug) as label
from evidence as ev
left join actors as a on a.id = ev.actor_id
left join actor_aliases as al on al.id = ev.alias_id
left join actors as ala on ala.id = al.actor_id
left join actor_relations as re on re.id = ev.relation_id
left join actors as rs on rs.id = re.subject_actor_id
left join actors as ro on ro.id = re.object_actor_id
left join agreements as ag on ag.id = ev.agreement_id
left join agreement_parties as pa on pa.id = ev.party_id
left join agreements as pag on pag.id = pa.agreement_id
left join actors as paa on paa.id = pa.actor_id
left join agreement_obligations as ob on ob.id = ev.obligation_id
left join agreements as oag on oag.id = ob.agreement_id
left join projects as pr on pr.id = ev.project_id
left join project_participants as pp on pp.id = ev.participant_id
left join projects as ppr on ppr.id = pp.project_id
left join actors as ppa on ppa.id = pp.actor_id
left join amounts as am on am.id = ev.amount_id
left join agreements as amag on amag.id = am.agreement_id
left join projects as ampr on ampr.id = am.project_id
left join statements as st on st.id = ev.statement_id
left join statement_subjects as su on su.id = ev.subject_id
left join statements as sst on sst.id = su.statement_id
left join actors as sua on sua.id = su.actor_id
left join agreements as suag on suag.id = su.agreement_id
left join projects as supr on supr.id = su.project_id
left join events as sue on sue.id = su.event_id
left join events as e on e.id = ev.event_id
left join event_participants as ep on ep.id = ev.event_participant_id
left join events as epe on epe.id = ep.event_id
left join actors as epa on epa.id = ep.actor_id
where ev.source_id = :source_id
order by ev.char_start, ev.char_end desc, ev.id
"""

CLAIMS_SQL = """
select id, evidence_id, field, value, support, disputed, in_record
from claims
where source_id = :source_id
order by evidence_id, field, id
"""

_OTHER_SIDE = "\n    union all\n".join(
    f"""    select m.id as claim_id, c.id as other_id
    from mine as m
    join claims as c on c.{column} = m.{column} and c.field = m.field
    where m.{column} is not null"""
    for column in ("agreement_id", "project_id", "event_id", "statement_id", "actor_id", "relation_id",
                   "party_id", "participant_id", "subject_id", "event_participant_id", "alias_id")
)

#: the other sides of this source's disputed claims: the disputed claims of other sources on the same
#: fact and field (for an amount, on any amount of the same agreement or project and stage; for an
#: obligation, on any obligation of the same agreement), found through the claims' per-fact indexes
DISPUTES_SQL = f"""
with mine as (
    select * from claims where source_id = :source_id and disputed
),
sides as (
{_OTHER_SIDE}
    union all
    select m.id, c.id
    from mine as m
    join amounts as am1 on am1.id = m.amount_id
    join amounts as am2 on am2.agreement_id = am1.agreement_id and am2.stage = am1.stage
    join claims as c on c.amount_id = am2.id and c.field = m.field
    union all
    select m.id, c.id
    from mine as m
    join amounts as am1 on am1.id = m.amount_id
    join amounts as am2 on am2.project_id = am1.project_id and am2.stage = am1.stage
    join claims as c on c.amount_id = am2.id and c.field = m.field
    union all
    select m.id, c.id
    from mine as m
    join agreement_obligations as ob1 on ob1.id = m.obligation_id
    join agreement_obligations as ob2 on ob2.agreement_id = ob1.agreement_id
    join claims as c on c.obligation_id = ob2.id and c.field = m.field
)
select distinct sd.claim_id, c.id as other_id, c.value, c.evidence_id, c.in_record, s.slug as source
from sides as sd
join claims as c on c.id = sd.other_id
join sources as s on s.id = c.source_id
where c.disputed and c.source_id <> :source_id
order by sd.claim_id, s.slug, c.id
"""


def read_source(conn: sqlite3.Connection, source_id: int, time_limit_ms: int) -> tuple[list, list, list, list]:
    """The source's segments, evidence, claims and disputes (each query's rows), in one visit to the
    connection's thread, within Datasette's time limit for a query."""
    from datasette.utils import sqlite_timelimit

    params = {"source_id": source_id}
    with sqlite_timelimit(conn, time_limit_ms):
        return tuple(conn.execute(sql, params).fetchall()  # type: ignore[return-value]
                     for sql in (SEGMENTS_SQL, EVIDENCE_SQL, CLAIMS_SQL, DISPUTES_SQL))


@dataclass
class Span:
    """One distinct (char_start, char_end) of the source, with the fact references quoting it."""
    number: int
    start: int
    end: int
    facts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Reading:
    """What the reader page shows of one source."""
    html: Markup
    n_evidence: int
    n_spans: int
    n_sentences: int
    n_covered: int
    kinds: dict[str, int]


def group_spans(evidence: Iterable[dict[str, Any]]) -> list[Span]:
    """The evidence rows (in char_start, char_end desc order) as spans, one per distinct range."""
    spans: list[Span] = []
    by_range: dict[tuple[int, int], Span] = {}
    for row in evidence:
        key = (row["char_start"], row["char_end"])
        span = by_range.get(key)
        if span is None:
            span = by_range[key] = Span(len(spans) + 1, *key)
            spans.append(span)
        span.facts.append(row["fact"])
    return spans


def _regions(length: int, segments: Sequence[dict[str, Any]]) -> list[tuple[int, int, dict[str, Any] | None]]:
    """The text cut into its segments and the gaps between them, in order (a gap has no segment)."""
    out: list[tuple[int, int, dict[str, Any] | None]] = []
    pos = 0
    for seg in segments:
        start, end = max(seg["char_start"], pos), min(seg["char_end"], length)
        if start >= end:
            continue
        if start > pos:
            out.append((pos, start, None))
        out.append((start, end, seg))
        pos = end
    if pos < length:
        out.append((pos, length, None))
    return out


def _pieces_by_region(regions: list[tuple[int, int, Any]], spans: list[Span], length: int) -> list[list[tuple]]:
    """Each span cut at the region boundaries it crosses: per region, (start, end, span, is_first)."""
    starts = [r[0] for r in regions]
    out: list[list[tuple]] = [[] for _ in regions]
    for span in spans:
        start, end = min(span.start, length), min(span.end, length)
        first = True
        while start < end:
            i = bisect.bisect_right(starts, start) - 1
            cut = min(end, regions[i][1])
            out[i].append((start, cut, span, first))
            start, first = cut, False
    return out


#: one encoder for every span (json.dumps with arguments makes a new one each call)
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _attribute(value: str) -> str:
    """Text for an HTML attribute in single quotes: &, <, > and ' escaped (JSON's many double quotes
    are left as they are, which keeps a page of thousands of fact references a third smaller)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")


def _open_mark(span: Span, first: bool) -> str:
    if first:
        facts = _attribute(_JSON.encode(span.facts))
        disputed = " ev-disputed" if any(c["disputed"] for f in span.facts for c in f["claims"]) else ""
        return (f'<mark class="ev{disputed}" id="span-{span.number}" data-span="{span.number}" tabindex="0" '
                f'data-kinds="{escape(" ".join(sorted({f["kind"] for f in span.facts})))}" data-facts=\'{facts}\'>')
    return f'<mark class="ev ev-cont" data-span="{span.number}">'


def _nest(text: str, start: int, end: int, pieces: list[tuple], out: list[str]) -> None:
    """Write text[start:end] with its pieces as <mark> elements: a piece inside another nests in it,
    a piece that crosses the end of the one it starts in is cut there and goes on as a continuation."""
    heap = [(s, -e, n, span, first) for n, (s, e, span, first) in enumerate(pieces)]
    heapq.heapify(heap)
    counter = len(heap)
    stack: list[int] = []  # the ends of the open marks, innermost last
    pos = start
    while heap:
        s, neg_end, _, span, first = heapq.heappop(heap)
        e = -neg_end
        while stack and stack[-1] <= s:
            out.append(str(escape(text[pos:stack[-1]])) + "</mark>")
            pos = stack.pop()
        out.append(str(escape(text[pos:s])))
        pos = s
        if stack and e > stack[-1]:
            heapq.heappush(heap, (stack[-1], -e, counter, span, False))
            counter += 1
            e = stack[-1]
        out.append(_open_mark(span, first))
        stack.append(e)
    while stack:
        out.append(str(escape(text[pos:stack[-1]])) + "</mark>")
        pos = stack.pop()
    out.append(str(escape(text[pos:end])))


def render(text: str, segments: Sequence[dict[str, Any]], spans: list[Span]) -> Reading:
    """The source's text as HTML: each segment a <span class="seg">, marked ``uncited`` when no
    evidence overlaps a headline or body sentence, and every span a <mark> carrying its facts."""
    regions = _regions(len(text), segments)
    pieces = _pieces_by_region(regions, spans, len(text))
    out: list[str] = []
    n_sentences = n_covered = 0
    for (start, end, seg), region_pieces in zip(regions, pieces, strict=True):
        if seg is None:
            _nest(text, start, end, region_pieces, out)
            continue
        cited = seg["kind"] in CITED_KINDS
        covered = bool(region_pieces)
        n_sentences += cited
        n_covered += cited and covered
        state = ("covered" if covered else "uncited") if cited else "excluded"
        out.append(f'<span class="seg seg-{escape(seg["kind"])} seg-{state}" id="seg-{seg["seq"]}" '
                   f'data-seq="{seg["seq"]}" data-state="{state}">')
        _nest(text, start, end, region_pieces, out)
        out.append("</span>")
    kinds: dict[str, int] = {}
    for span in spans:
        for fact in span.facts:
            kinds[fact["kind"]] = kinds.get(fact["kind"], 0) + 1
    return Reading(Markup("".join(out)), sum(len(s.facts) for s in spans), len(spans), n_sentences, n_covered,
                   dict(sorted(kinds.items())))


def fact_references(evidence_rows: Iterable[Sequence[Any]], claims: Iterable[Sequence[Any]],
                    disputes: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """The evidence rows (from EVIDENCE_SQL) as dicts, each with its fact reference: kind, table, id,
    slug, label, and this source's claims through it (a disputed claim with its other sides: each
    other source's slug, value and quoting evidence row). Row pages' URLs are left to the page's
    script (``ROWS/TABLE/ID``): written out for every reference they would double the page."""
    others: dict[int, list[dict[str, Any]]] = {}
    for claim_id, _other_id, value, evidence_id, in_record, source in disputes:
        others.setdefault(claim_id, []).append(
            {"source": source, "value": value, "in_record": bool(in_record), "evidence": evidence_id})
    by_evidence: dict[int, list[dict[str, Any]]] = {}
    for claim_id, evidence_id, field_, value, support, disputed, in_record in claims:
        by_evidence.setdefault(evidence_id, []).append(
            {"id": claim_id, "field": field_, "value": value, "support": support, "disputed": bool(disputed),
             "in_record": bool(in_record), "others": others.get(claim_id, [])})
    out = []
    for evidence_id, start, end, kind, fact_id, slug, label in evidence_rows:
        out.append({"char_start": start, "char_end": end, "fact": {
            "evidence": evidence_id, "kind": kind, "table": FACT_KINDS[kind][1], "id": fact_id, "slug": slug,
            "label": label, "claims": by_evidence.get(evidence_id, [])}})
    return out
