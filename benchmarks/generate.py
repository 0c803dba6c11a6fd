"""Generate a SYNTHETIC accords data set of a chosen size, for benchmarks and tests.

    python benchmarks/generate.py --actors 100000 --statements 1000000 \\
        --agreements 200000 --projects 200000 --sources 1000 --out /tmp/accords-synthetic

writes ``synthetic-0001.json`` ... ``synthetic-NNNN.json``: accords source
files (format 1, JSON) that ``accords ingest DIR/*.json`` loads through the
real loader. Nothing here is real: every source's slug is ``synthetic-NNNN``
and its title says "Synthetic benchmark source"; every actor, agreement,
project, event and statement slug starts with ``syn-``. Never mix these files
into the shipped seed.

Each source has a generated text (one sentence per line, the headline first)
and every fact's evidence is given as ``{"quote": ..., "start": offset}``
(statement ``content`` too), so the loader checks each quote in O(1). Actors
are spread over the sources in order; facts of a later source name actors of
earlier sources by slug (the loader resolves them from the database, or from
the files loaded before in the same run). A few actors ("hubs") take part in
many more facts than the rest, as major powers do in real sources. Every
source after the first also reports some earlier sources' agreements and
projects again (SHARED_SHARE, 5% of its facts), a fifth of them with another
value (another signing year, another status: 1% of the facts), so that
loads meet corroborations and conflicts as they do with real sources.

Output is deterministic: the same sizes and --seed give byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Enumerated values the schema accepts (kept literal here so the generator
# needs nothing but the standard library; tests load the files through the
# real loader, which checks them against db.models).
ACTOR_KINDS = ("state", "government", "government_body", "government_official", "state_owned_enterprise",
               "company", "person", "group", "organisation", "armed_group", "region")
COUNTRIES = ("AF", "CN", "PK", "IN", "US", "RU", "IR", "TR", "QA", "AE", "SA", "DE", "FR", "GB", "JP",
             "KZ", "UZ", "TJ", "TM", "KG", "BR", "ZA", "NG", "EG", "ID")
AGREEMENT_KINDS = ("contract", "accord", "memorandum", "treaty", "guarantee", "diplomatic_exchange")
AGREEMENT_STATUSES = ("proposed", "negotiating", "signed", "in_force", "disputed", "completed")
PARTY_ROLES = ("signatory", "counterparty", "guarantor", "beneficiary")
PROJECT_STATUSES = ("interest", "negotiation", "planned", "contracted", "under_construction", "completed")
PARTICIPANT_ROLES = ("investor", "builder", "host", "operator", "contractor", "financier")
SECTORS = (("mining", "copper"), ("mining", "lithium"), ("mining", "marble"), ("oil", "oil"),
           ("gas", "natural gas"), ("infrastructure", None), ("energy", None), ("telecoms", None))
STATEMENT_KINDS = ("claim", "accusation", "demand", "assessment", "praise", "warning", "criticism",
                   "prediction", "position", "denial")
SUBJECT_ROLES = ("target", "subject", "beneficiary", "accused", "praised", "mentioned")
EVENT_KINDS = ("visit", "meeting", "negotiation", "signing", "exchange")
RELATION_KINDS = ("recognizes", "alliance", "rivalry", "partnership", "economic_dependence", "opposition")
CURRENCIES = ("USD", "USD", "USD", "EUR", "CNY")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
PLACES = ("Kabul", "Herat", "Kandahar", "Mazar-i-Sharif", "Kunduz", "Jalalabad", "Bamiyan", "the Wakhan Corridor",
          "the Pamir Mountains", "Logar Province", "the Amu Darya basin", "Urumqi", "Gwadar", "Termez")
WORDS = ("cooperation", "investment", "security", "trade", "the region", "stability", "reconstruction",
         "sanctions", "the border", "infrastructure", "the economy", "the agreement", "the talks", "recognition",
         "transit", "energy", "mining rights", "the corridor", "humanitarian aid", "loans", "the pipeline",
         "development", "the railway", "customs", "the project", "water rights", "the deadline", "its partners")
VERBS = ("will strengthen", "threatens", "depends on", "must respect", "is essential for", "undermines",
         "has improved", "cannot replace", "will expand", "puts at risk", "is a priority for", "delays")

HUB_SHARE = 0.15  # share of actor references that go to the hubs (the first 1% of actors)


def source_slug(i: int) -> str:
    return f"synthetic-{i + 1:04d}"


def actor_slug(i: int) -> str:
    return f"syn-actor-{i + 1:06d}"


def actor_name(i: int) -> str:
    return f"Synthetic Actor {i + 1:06d}"


def actor_alias(i: int) -> str:
    return f"SA-{i + 1:06d}"


def agreement_slug(i: int) -> str:
    return f"syn-agreement-{i + 1:07d}"


def project_slug(i: int) -> str:
    return f"syn-project-{i + 1:07d}"


def statement_slug(i: int) -> str:
    return f"syn-statement-{i + 1:07d}"


def event_slug(i: int) -> str:
    return f"syn-event-{i + 1:07d}"


def _split(total: int, parts: int) -> list[tuple[int, int]]:
    """[lo, hi) ranges that cut range(total) into ``parts`` nearly equal pieces."""
    bounds = [total * k // parts for k in range(parts + 1)]
    return list(zip(bounds, bounds[1:], strict=False))


class _Text:
    """A source text built line by line; each line is one sentence (one segment)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def line(self, sentence: str) -> int:
        """Append a sentence on its own line; return its offset."""
        start = self.size
        self.parts.append(sentence)
        self.parts.append("\n")
        self.size += len(sentence) + 1
        return start

    def value(self) -> str:
        return "".join(self.parts)


def _a(words: str) -> str:
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def _quote(line_start: int, sentence: str, part: str | None = None) -> dict:
    """{"quote", "start"} for ``part`` of a sentence that starts at ``line_start`` (the whole sentence by default)."""
    if part is None:
        return {"quote": sentence, "start": line_start}
    return {"quote": part, "start": line_start + sentence.index(part)}


@dataclass
class Sizes:
    actors: int
    statements: int
    agreements: int
    projects: int
    sources: int
    events: int
    relations: int

    def check(self) -> None:
        if self.sources < 1:
            raise SystemExit("--sources must be at least 1")
        if self.actors < 2 * self.sources:
            raise SystemExit("--actors must be at least 2 per source (facts need two actors)")
        for name in ("statements", "agreements", "projects", "events", "relations"):
            if getattr(self, name) < 0:
                raise SystemExit(f"--{name} must not be negative")


#: Share of a source's agreements and projects that report an earlier source's fact again (the
#: same slug and values: it corroborates), and of those the share that contradicts it (another
#: year for an agreement, another status for a project): 5% and 1% of the facts.
SHARED_SHARE = 0.05
CONFLICT_SHARE = 0.2


@dataclass
class AgreementFacts:
    title: str
    kind: str
    status: str
    year: int
    amount_text: str
    amount: dict | None


def agreement_facts(g: int, seed: int) -> AgreementFacts:
    """The values of agreement g, the same whichever source reports it."""
    rnd = random.Random(seed * 7_919 + g * 2 + 1)
    year = rnd.randrange(2000, 2026)
    millions = rnd.randrange(1, 5000) / 2
    amount_text = f"${millions:g} million"
    kind, status = rnd.choice(AGREEMENT_KINDS), rnd.choice(AGREEMENT_STATUSES)
    amount = None
    if rnd.random() < 0.8:
        amount = {"amount": str(int(millions * 1_000_000)), "currency": rnd.choice(CURRENCIES),
                  "qualifier": rnd.choice(("exact", "exact", "about", "more_than")),
                  "stage": rnd.choice(("contracted", "planned", "pledged")), "text": amount_text}
    return AgreementFacts(f"Synthetic agreement {g + 1}", kind, status, year, amount_text, amount)


@dataclass
class ProjectFacts:
    title: str
    sector: str
    resource: str | None
    place: str
    status: str
    started: str
    month: str
    amount: dict | None


def project_facts(p: int, seed: int) -> ProjectFacts:
    """The values of project p, the same whichever source reports it."""
    rnd = random.Random(seed * 7_919 + p * 2)
    sector, resource = rnd.choice(SECTORS)
    place = rnd.choice(PLACES)
    year, month = rnd.randrange(2000, 2026), rnd.randrange(1, 13)
    amount = None
    if rnd.random() < 0.5:
        text = f"${rnd.randrange(1, 900)} million"
        amount = {"amount": str(int(text[1:-8]) * 1_000_000), "currency": "USD", "qualifier": "about",
                  "stage": "planned", "text": text}
    return ProjectFacts(f"Synthetic {sector} project {p + 1}", sector, resource, place,
                        rnd.choice(PROJECT_STATUSES), f"in {MONTHS[month - 1]} {year}", f"{year}-{month:02d}", amount)


def shared_facts(doc: dict, text: _Text, rnd: random.Random, g_lo: int, p_lo: int, seed: int, own: int) -> None:
    """Earlier sources' agreements and projects reported again: SHARED_SHARE of this source's facts,
    CONFLICT_SHARE of them contradicting the first report."""
    for _ in range(int(own * SHARED_SHARE)):
        conflicting = rnd.random() < CONFLICT_SHARE
        if g_lo and (not p_lo or rnd.random() < 0.5):
            g = rnd.randrange(g_lo)
            f = agreement_facts(g, seed)
            year = f.year + 1 if conflicting else f.year
            sentence = f"{f.title} was signed in {year}, the report says, and is worth {f.amount_text}."
            at = text.line(sentence)
            agreement = {"slug": agreement_slug(g), "title": f.title, "kind": f.kind, "status": f.status,
                         "signed": {"text": f"in {year}", "year": year}, "evidence": [_quote(at, sentence)]}
            if f.amount:
                agreement["amounts"] = [f.amount]
            if agreement["slug"] not in {x["slug"] for x in doc["agreements"]}:
                doc["agreements"].append(agreement)
        elif p_lo:
            p = rnd.randrange(p_lo)
            f = project_facts(p, seed)
            status = PROJECT_STATUSES[(PROJECT_STATUSES.index(f.status) + 1) % len(PROJECT_STATUSES)] \
                if conflicting else f.status
            sentence = f"{f.title} began {f.started}; its status is reported as {status.replace('_', ' ')}."
            at = text.line(sentence)
            project = {"slug": project_slug(p), "title": f.title, "status": status,
                       "started": {"text": f.started, "month": f.month}, "evidence": [_quote(at, sentence)]}
            if project["slug"] not in {x["slug"] for x in doc["projects"]}:
                doc["projects"].append(project)


def generate_source(k: int, sizes: Sizes, seed: int) -> dict:
    """The document of source number k (0-based)."""
    rnd = random.Random(seed * 1_000_003 + k)
    parts = sizes.sources
    a_lo, a_hi = _split(sizes.actors, parts)[k]
    hubs = max(1, sizes.actors // 100)

    def pick_actor(exclude: set[int] = frozenset()) -> int:  # type: ignore[assignment]
        """An actor this source may name: one of its own, an earlier source's, or a hub."""
        while True:
            r = rnd.random()
            if r < HUB_SHARE:
                i = rnd.randrange(min(hubs, a_hi))
            elif r < 0.6 or a_lo == 0:
                i = rnd.randrange(a_lo, a_hi)
            else:
                i = rnd.randrange(0, a_lo)
            if i not in exclude:
                return i

    text = _Text()
    title = f"Synthetic benchmark source {k + 1:04d} (generated data, not a real document)"
    headline_at = text.line(title)
    doc: dict = {
        "format": 1,
        "source": {
            "slug": source_slug(k),
            "title": title,
            "kind": "news_article",
            "author": None,
            "publisher": "accords synthetic data generator",
            "url": None,
            "published": {"text": None, "precision": "unknown"},
            "text": "",  # filled in at the end
            "segments": {"headline": {"quote": title, "start": headline_at}},
        },
        "actors": [],
        "relations": [],
        "agreements": [],
        "projects": [],
        "events": [],
        "statements": [],
    }

    # --- actors of this source ------------------------------------------------
    for i in range(a_lo, a_hi):
        kind = rnd.choice(ACTOR_KINDS)
        country = rnd.choice(COUNTRIES)
        words = kind.replace("_", " ")
        sentence = f"{actor_name(i)}, also known as {actor_alias(i)}, is {_a(words)} from {country}."
        at = text.line(sentence)
        actor = {
            "slug": actor_slug(i), "name": actor_name(i), "kind": kind, "country": country,
            "description": f"Synthetic {kind.replace('_', ' ')} number {i + 1}.",
            "aliases": [actor_alias(i)],
            "evidence": [_quote(at, sentence)],
        }
        if i > 0 and rnd.random() < 0.1:
            actor["parent"] = actor_slug(rnd.randrange(0, i))  # always an earlier actor: no cycles
        doc["actors"].append(actor)

    # --- relations --------------------------------------------------------------
    r_lo, r_hi = _split(sizes.relations, parts)[k]
    for _ in range(r_lo, r_hi):
        a = pick_actor()
        b = pick_actor({a})
        kind = rnd.choice(RELATION_KINDS)
        year = rnd.randrange(1990, 2025)
        since = f"since {year}"
        sentence = f"{actor_name(a)} has had a relation of {kind.replace('_', ' ')} with {actor_name(b)} {since}."
        at = text.line(sentence)
        doc["relations"].append({
            "subject": actor_slug(a), "object": actor_slug(b), "kind": kind,
            "since": {"text": since, "year": year},
            "evidence": [_quote(at, sentence)],
        })
    # one relation per (subject, object, kind): drop repeats the random picks produced
    seen_rel: set[tuple] = set()
    doc["relations"] = [r for r in doc["relations"]
                        if (key := (r["subject"], r["object"], r["kind"])) not in seen_rel and not seen_rel.add(key)]

    # --- agreements ---------------------------------------------------------------
    g_lo, g_hi = _split(sizes.agreements, parts)[k]
    for g in range(g_lo, g_hi):
        a = pick_actor()
        b = pick_actor({a})
        f = agreement_facts(g, seed)
        sentence = (f"In {f.year}, {actor_name(a)} and {actor_name(b)} signed {f.title}, "
                    f"{_a(f.kind.replace('_', ' '))} worth {f.amount_text}.")
        at = text.line(sentence)
        agreement = {
            "slug": agreement_slug(g), "title": f.title, "kind": f.kind, "status": f.status,
            "signed": {"text": f"In {f.year}", "year": f.year},
            "parties": [{"actor": actor_slug(a), "role": "signatory"},
                        {"actor": actor_slug(b), "role": rnd.choice(PARTY_ROLES[1:])}],
            "evidence": [_quote(at, sentence)],
        }
        if f.amount:
            agreement["amounts"] = [f.amount]
        if rnd.random() < 0.25:
            what = f"deliver {rnd.choice(WORDS)} by {f.year + rnd.randrange(1, 6)}"
            sentence = f"Under {f.title}, {actor_name(a)} must {what} to {actor_name(b)}."
            at = text.line(sentence)
            agreement["obligations"] = [{
                "obligor": actor_slug(a), "beneficiary": actor_slug(b), "description": what,
                "evidence": [_quote(at, sentence)],
            }]
        doc["agreements"].append(agreement)

    # --- projects -------------------------------------------------------------------
    p_lo, p_hi = _split(sizes.projects, parts)[k]
    for p in range(p_lo, p_hi):
        a = pick_actor()
        b = pick_actor({a})
        f = project_facts(p, seed)
        sentence = f"{actor_name(a)} and {actor_name(b)} started {f.title}"
        sentence += f" for {f.resource} in {f.place} {f.started}" if f.resource else f" in {f.place} {f.started}"
        if f.amount:
            sentence += f", at a cost of about {f.amount['text']}"
        sentence += "."
        at = text.line(sentence)
        project = {
            "slug": project_slug(p), "title": f.title, "sector": f.sector, "resources": [f.resource] if f.resource else [],
            "location": f.place, "status": f.status,
            "started": {"text": f.started, "month": f.month},
            "participants": [{"actor": actor_slug(a), "role": "investor"},
                             {"actor": actor_slug(b), "role": rnd.choice(PARTICIPANT_ROLES[1:])}],
            "evidence": [_quote(at, sentence)],
        }
        if g_hi > 0 and rnd.random() < 0.3:
            project["agreement"] = agreement_slug(rnd.randrange(0, g_hi))  # this or an earlier source's
        if f.amount:
            project["amounts"] = [f.amount]
        doc["projects"].append(project)

    shared_facts(doc, text, rnd, g_lo, p_lo, seed, (g_hi - g_lo) + (p_hi - p_lo))

    # --- events -------------------------------------------------------------------------
    e_lo, e_hi = _split(sizes.events, parts)[k]
    for e in range(e_lo, e_hi):
        a = pick_actor()
        b = pick_actor({a})
        year, month, day = rnd.randrange(2015, 2026), rnd.randrange(1, 13), rnd.randrange(1, 29)
        when = f"On {day} {MONTHS[month - 1]} {year}"
        place = rnd.choice(PLACES)
        kind = rnd.choice(EVENT_KINDS)
        title = f"Synthetic {kind} {e + 1}"
        sentence = f"{when}, {actor_name(a)} hosted {actor_name(b)} in {place} for {title}."
        at = text.line(sentence)
        doc["events"].append({
            "slug": event_slug(e), "title": title, "kind": kind, "location": place,
            "occurred": {"text": when, "day": f"{year}-{month:02d}-{day:02d}"},
            "participants": [{"actor": actor_slug(a), "role": "host"}, {"actor": actor_slug(b), "role": "visitor"}],
            "evidence": [_quote(at, sentence)],
        })

    # --- statements -----------------------------------------------------------------------
    s_lo, s_hi = _split(sizes.statements, parts)[k]
    for s in range(s_lo, s_hi):
        target = pick_actor()
        words = " ".join(rnd.choice(WORDS) for _ in range(rnd.randrange(1, 4)))
        content_core = f"{actor_name(target)} {rnd.choice(VERBS)} {words}"
        kind = rnd.choice(STATEMENT_KINDS)
        statement: dict = {"slug": statement_slug(s), "kind": kind}
        dated = rnd.random() < 0.6
        year, month = rnd.randrange(2015, 2026), rnd.randrange(1, 13)
        when = f"in {MONTHS[month - 1]} {year}"
        r = rnd.random()
        if r < 0.05:  # the source's own voice
            sentence = f"According to this source, {content_core}."
            statement.update(voice="source", direct_quote=False)
        else:
            speaker = pick_actor({target})
            statement.update(voice="actor", speaker=actor_slug(speaker))
            if r < 0.55:
                content_core = content_core[0].upper() + content_core[1:]
                sentence = f"{actor_name(speaker)} said{' ' + when if dated else ''}: \"{content_core}.\""
                statement["direct_quote"] = True
            else:
                sentence = f"{actor_name(speaker)} claimed{' ' + when if dated else ''} that {content_core}."
                statement["direct_quote"] = False
        at = text.line(sentence)
        statement["content"] = _quote(at, sentence, content_core)
        if dated and statement["voice"] == "actor":
            statement["said"] = {"text": when, "month": f"{year}-{month:02d}"}
        about = [{"actor": actor_slug(target), "role": rnd.choice(SUBJECT_ROLES)}]
        if g_hi > 0 and rnd.random() < 0.1:
            about.append({"agreement": agreement_slug(rnd.randrange(0, g_hi)), "role": "mentioned"})
        elif p_hi > 0 and rnd.random() < 0.1:
            about.append({"project": project_slug(rnd.randrange(0, p_hi)), "role": "subject"})
        statement["about"] = about
        doc["statements"].append(statement)

    doc["source"]["text"] = text.value()
    return doc


def generate(out: Path | str, actors: int, statements: int, agreements: int, projects: int, sources: int,
             events: int | None = None, relations: int | None = None, seed: int = 1,
             progress: bool = False) -> list[Path]:
    """Write the synthetic source files into ``out``; return their paths in load order."""
    sizes = Sizes(actors, statements, agreements, projects, sources,
                  agreements // 40 if events is None else events,
                  actors // 10 if relations is None else relations)
    sizes.check()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("synthetic-*.json"):
        old.unlink()
    paths = []
    started = time.perf_counter()
    for k in range(sizes.sources):
        doc = generate_source(k, sizes, seed)
        path = out / f"{source_slug(k)}.json"
        path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        paths.append(path)
        if progress and (k + 1) % max(1, sizes.sources // 20) == 0:
            print(f"  generated {k + 1}/{sizes.sources} sources ({time.perf_counter() - started:.0f} s)",
                  file=sys.stderr)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actors", type=int, required=True)
    parser.add_argument("--statements", type=int, required=True)
    parser.add_argument("--agreements", type=int, required=True)
    parser.add_argument("--projects", type=int, required=True)
    parser.add_argument("--sources", type=int, required=True)
    parser.add_argument("--events", type=int, default=None, help="default: agreements / 40")
    parser.add_argument("--relations", type=int, default=None, help="default: actors / 10")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder for the files (keep it outside the repository)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate(args.out, args.actors, args.statements, args.agreements, args.projects, args.sources,
                     args.events, args.relations, args.seed, progress=True)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} synthetic source files ({size / 1e6:.1f} MB) to {args.out} "
          f"in {time.perf_counter() - started:.1f} s; load them with: accords ingest {args.out}/synthetic-*.json")


if __name__ == "__main__":
    main()
