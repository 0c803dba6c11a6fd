"""Mentions and quotations at load: a file's ``mentions`` and ``quotations`` sections checked and
stored, and the sources' mentions found again whenever a source or the actors' forms change.

The rules (what a form is, where it matches, which actor an occurrence
names, what a quotation is) are in ``db.mentions``; this module applies them
to the database. Mentions are derived: after a load or a removal, those of
the sources written are found again, and those of every source when the
actors' names or aliases changed (a new alias can occur in any stored text),
in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select

from ..errors import ValidationError
from ..mentions import FormIndex, Mention, assign, find_quotations, occurrences_in
from .bulk import insert_many
from .check import Checker
from .sourced import chunks, table
from .wording import short

CITED = ("headline", "body")  # the segment kinds searched; page furniture is not
ATTRIBUTIONS = ("actor", "event", "agreement")  # what a quotation can be attributed to
SOURCES_AT_ONCE = 100  # texts read per query when finding mentions again


def cited_spans(segments: Iterable[dict[str, Any]]) -> list[tuple[int, int]]:
    return [(s["char_start"], s["char_end"]) for s in segments if s["kind"] in CITED]


def plan_sections(check: Checker, doc: dict, segments: list[dict[str, Any]],
                  need: Callable[[str, str | None, str], None]) -> tuple[list[dict], list[dict]]:
    """The file's mention choices and its quotations (every span in quotation marks, attributed where the
    file says), each problem noted on ``check``."""
    spans = cited_spans(segments)
    section = doc.get("mentions", {})
    choices: list[dict] = []
    for form, slug in section.get("defaults", {}).items():
        where = f"mentions.defaults.{form}"
        need("actors", slug, where)
        if not FormIndex([form]).find(check.text, spans):
            check.fail(where, f"form {short(form)} does not occur in the headline or body")
        choices.append({"form": form, "actor": slug, "span": None})
    for i, item in enumerate(section.get("at", [])):
        where = f"mentions.at[{i}]"
        need("actors", item["actor"], f"{where}.actor")
        span = check.span(f"{where}.quote", item["quote"])
        if span is None:
            continue
        inside = [(max(a, span.start), min(b, span.end)) for a, b in spans if a < span.end and span.start < b]
        n = len(FormIndex([item["form"]]).find(check.text, inside))
        if n != 1:
            check.fail(f"{where}.form", f"form {short(item['form'])} occurs {n} times in the quote "
                                        "(as a whole word, in the headline or body); quote it once")
        choices.append({"form": item["form"], "actor": item["actor"], "span": span})
    return choices, _quotations(check, doc, spans, need)


def _quotations(check: Checker, doc: dict, spans: list[tuple[int, int]],
                need: Callable[[str, str | None, str], None]) -> list[dict]:
    found = find_quotations(check.text, spans)
    rows: list[dict] = [{"char_start": a, "char_end": b, "quote": check.text[a:b]} for a, b in found]
    given: dict[int, int] = {}  # quotation -> the file's entry attributing it
    for i, item in enumerate(doc.get("quotations", [])):
        where = f"quotations[{i}]"
        kinds = [k for k in ATTRIBUTIONS if k in item]
        if len(kinds) != 1:
            check.fail(where, "give exactly one of actor, event or agreement")
            continue
        need(f"{kinds[0]}s", item[kinds[0]], f"{where}.{kinds[0]}")
        span = check.span(f"{where}.quote", item["quote"])
        if span is None:
            continue
        hits = [j for j, (a, b) in enumerate(found) if a < span.end and span.start < b]
        if len(hits) != 1:
            check.fail(f"{where}.quote", f"quote {short(span.quote)} is in {len(hits)} spans in quotation marks, "
                                         "not one")
        elif hits[0] in given:
            check.fail(f"{where}.quote", f"that quotation is already attributed by quotations[{given[hits[0]]}]")
        else:
            given[hits[0]] = i
            rows[hits[0]][kinds[0]] = item[kinds[0]]
    return rows


def store(conn: Connection, source_id: int, choices: list[dict], quotations: list[dict],
          resolve: Callable[[str, str], int]) -> None:
    """Write a loaded source's mention choices and quotations (its old ones are gone with its facts)."""
    insert_many(conn, "mention_choices", ["source_id", "form", "actor_id", "char_start", "char_end", "quote"], [
        (source_id, c["form"], None if c["actor"] is None else resolve("actors", c["actor"]),
         *((c["span"].start, c["span"].end, c["span"].quote) if c["span"] else (None, None, None)))
        for c in choices])
    insert_many(conn, "quotations", ["source_id", "char_start", "char_end", "quote", *(f"{k}_id" for k in ATTRIBUTIONS)],
                [(source_id, q["char_start"], q["char_end"], q["quote"],
                  *(resolve(f"{k}s", q[k]) if k in q else None for k in ATTRIBUTIONS)) for q in quotations])


def restore(conn: Connection, source_id: int, choices: list[dict], quotations: list[dict]) -> bool:
    """An unchanged file of a source stored before these tables: write its choices and attributions when
    the database holds none of them (the upgrade could not know them); whether it did."""
    attributed = [q for q in quotations if any(k in q for k in ATTRIBUTIONS)]
    if not choices and not attributed:
        return False
    c, q = table("mention_choices"), table("quotations")
    held = conn.execute(select(func.count()).select_from(c).where(c.c.source_id == source_id)).scalar_one() + \
        conn.execute(select(func.count()).select_from(q).where(q.c.source_id == source_id, or_(
            *(q.c[f"{k}_id"].is_not(None) for k in ATTRIBUTIONS)))).scalar_one()
    if held:
        return False
    conn.execute(delete(q).where(q.c.source_id == source_id))

    def resolve(table_name: str, slug: str) -> int:
        return conn.execute(select(table(table_name).c.id).where(table(table_name).c.slug == slug)).scalar_one()
    store(conn, source_id, choices, quotations, resolve)
    return True


def forms(conn: Connection) -> dict[str, tuple[int, ...]]:
    """Every form (a named actor's name, or an alias) -> the actors it names."""
    actors, aliases = table("actors"), table("actor_aliases")
    found: dict[str, set[int]] = {}
    for actor_id, form in conn.execute(select(actors.c.id, actors.c.name).where(actors.c.is_named.is_(True))):
        found.setdefault(form, set()).add(actor_id)
    for actor_id, form in conn.execute(select(aliases.c.actor_id, aliases.c.alias)):
        found.setdefault(form, set()).add(actor_id)
    return {form: tuple(sorted(ids)) for form, ids in found.items()}


def refresh(conn: Connection, source_ids: Collection[int] | None = None,
            labels: dict[int, str] | None = None, known_forms: dict[str, tuple[int, ...]] | None = None) -> None:
    """Find the mentions of the given sources (all when None) again, replacing theirs.

    ``labels`` name the files of sources being loaded, for the problem lines;
    a choice that no longer fits the actors' forms raises ValidationError.
    """
    actors_of = known_forms if known_forms is not None else forms(conn)
    index = FormIndex(actors_of)
    sources, segments, choices = table("sources"), table("source_segments"), table("mention_choices")
    if source_ids is None:
        source_ids = list(conn.execute(select(sources.c.id)).scalars())
    problems: list[str] = []
    for chunk in chunks(source_ids, SOURCES_AT_ONCE):
        texts = {row.id: (row.slug, row.content) for row in
                 conn.execute(select(sources.c.id, sources.c.slug, sources.c.content).where(sources.c.id.in_(chunk)))}
        spans: dict[int, list[tuple[int, int]]] = {}
        for sid, a, b in conn.execute(select(segments.c.source_id, segments.c.char_start, segments.c.char_end).where(
                segments.c.source_id.in_(chunk), segments.c.kind.in_(CITED)).order_by(segments.c.char_start)):
            spans.setdefault(sid, []).append((a, b))
        said: dict[int, list[Any]] = {}
        for row in conn.execute(select(choices).where(choices.c.source_id.in_(chunk)).order_by(choices.c.id)):
            said.setdefault(row.source_id, []).append(row)
        conn.execute(delete(table("mentions")).where(table("mentions").c.source_id.in_(chunk)))
        rows: list[tuple] = []
        for sid, (slug, text) in texts.items():
            label = (labels or {}).get(sid, f"source {slug}")
            found = index.find(text, spans.get(sid, []))
            mentions = _mentions(label, found, actors_of, said.get(sid, []), problems)
            rows += [(sid, x.actor, x.start, x.end, x.form, x.assigned) for x in mentions]
        insert_many(conn, "mentions", ["source_id", "actor_id", "char_start", "char_end", "form", "assigned"], rows)
    if problems:
        raise ValidationError(problems)


def _mentions(label: str, found: list, actors_of: dict[str, tuple[int, ...]], said: list[Any],
              problems: list[str]) -> list[Mention]:
    defaults: dict[str, int] = {}
    chosen: dict[tuple[int, int], int | None] = {}
    for row in said:
        if row.actor_id is not None and row.actor_id not in actors_of.get(row.form, ()):
            problems.append(f"{label}: mentions: {short(row.form)} is not a name or alias of the actor chosen for it")
            continue
        if row.char_start is None:
            defaults[row.form] = row.actor_id
            continue
        hits = occurrences_in(found, row.form, row.char_start, row.char_end)
        if len(hits) != 1:
            problems.append(f"{label}: mentions: {short(row.form)} occurs {len(hits)} times as a name or alias in "
                            f"the quote {short(row.quote)}, not once")
        else:
            chosen[(hits[0].start, hits[0].end)] = row.actor_id
    return assign(found, actors_of, defaults, chosen)


def backfill(conn: Connection) -> None:
    """After the upgrade that adds the tables: every source's quotations (unattributed: the files' words
    are not stored) and mentions. Loading a source's file again, unchanged, writes its choices and
    attributions (``restore``)."""
    sources, segments, quotations = table("sources"), table("source_segments"), table("quotations")
    for chunk in chunks(conn.execute(select(sources.c.id)).scalars(), SOURCES_AT_ONCE):
        conn.execute(delete(quotations).where(quotations.c.source_id.in_(chunk)))
        rows: list[tuple] = []
        for sid, text in conn.execute(select(sources.c.id, sources.c.content).where(sources.c.id.in_(chunk))):
            spans = [(a, b) for a, b in conn.execute(select(segments.c.char_start, segments.c.char_end).where(
                segments.c.source_id == sid, segments.c.kind.in_(CITED)))]
            rows += [(sid, a, b, text[a:b]) for a, b in find_quotations(text, spans)]
        insert_many(conn, "quotations", ["source_id", "char_start", "char_end", "quote"], rows)
    refresh(conn)


def after_writes(conn: Connection, forms_before: dict[str, tuple[int, ...]], written: dict[str, str]) -> None:
    """After loads (``written``: slug -> file of each source written) or a removal: the mentions of the
    sources written found again, or of every source when the actors' forms changed."""
    now = forms(conn)
    sources = table("sources")
    ids = {sid: slug for sid, slug in conn.execute(
        select(sources.c.id, sources.c.slug).where(sources.c.slug.in_(list(written))))} if written else {}
    labels = {sid: f"{written[slug]}: source {slug}" for sid, slug in ids.items()}
    refresh(conn, None if now != forms_before else list(ids), labels, now)


def span_problems(conn: Connection, limit: int = 5) -> list[str]:
    """Mentions and quotations whose words are not the source text at their offsets (empty: all are)."""
    sources, mentions, quotations = table("sources"), table("mentions"), table("quotations")
    bad: list[str] = []
    for chunk in chunks(conn.execute(select(sources.c.id)).scalars(), SOURCES_AT_ONCE):
        texts = dict(conn.execute(select(sources.c.id, sources.c.content).where(sources.c.id.in_(chunk))).all())
        for name, rows, words in (("mention", mentions, mentions.c.form), ("quotation", quotations, quotations.c.quote)):
            query = select(rows.c.id, rows.c.source_id, rows.c.char_start, rows.c.char_end, words).where(
                rows.c.source_id.in_(chunk))
            bad += [f"{name} {r[0]}: its words are not the source text at {r[2]}..{r[3]}"
                    for r in conn.execute(query) if texts[r[1]][r[2]:r[3]] != r[4]]
    return bad[:limit] + ([f"and {len(bad) - limit} more"] if len(bad) > limit else [])
