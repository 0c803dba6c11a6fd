"""Planning: a checked document turned into the rows to write, with every problem of it collected.

``plan_documents`` reads and checks a whole file without touching the
database: structure (JSON Schema), references between facts, every evidence
quote against the source text, dates, amounts. Every problem is collected;
if there is any, ``ValidationError`` lists them all, one line each:
``FILE: PATH: what is wrong``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from sqlalchemy import String

from .. import models as m
from ..errors import ValidationError
from .check import Checker, Span, segments, split_resources
from .known import SLUGGED, Known, match_actors, remember, remember_declared, rename_actors
from .limits import MAX_EVIDENCE_CHARS, MAX_RESOURCES, MAX_STRING_BYTES, MAX_TEXT_BYTES, float_problem
from .mentions import plan_sections
from .read import read_checked, read_text_file
from .schema import schema_problems
from .wording import mib, short


@dataclass
class Row:
    """One row to write: its table, natural key, values and references to resolve."""

    table: str
    values: dict[str, Any]
    evidence: list[Span]
    key: tuple = ()
    refs: dict[str, tuple[str, Any]] = field(default_factory=dict)  # column -> (table, key)


@dataclass
class Plan:
    """Everything one source (one document) writes: the source, its segments, fact rows and inferences."""

    path: Path
    digest: str
    source: dict[str, Any]
    segments: list[dict[str, Any]]
    rows: list[Row]
    inferences: list[Row]
    mention_choices: list[dict[str, Any]] = field(default_factory=list)  # the file's mentions section
    quotations: list[dict[str, Any]] = field(default_factory=list)  # spans in quotation marks, attributed


def plan_file(path: Path | str, known: Known | None = None) -> Plan:
    """Read and check a source file; raise ValidationError listing every problem."""
    plans = plan_documents(path, known)
    if len(plans) != 1:
        raise ValidationError([f"{path}: holds {len(plans)} sources; load it with plan_documents"])
    return plans[0]


def plan_documents(path: Path | str, known: Known | None = None) -> list[Plan]:
    """Read and check a file of one or more sources (YAML documents separated by ---)."""
    path = Path(path)
    known = known if known is not None else Known()
    docs, _raw, with_floats = read_checked(path)
    plans, problems = [], []
    for i, doc in enumerate(docs):
        label = f"{path}: document {i + 1}" if len(docs) > 1 else str(path)
        try:
            plans.append(DocumentPlanner(path, label, doc, known, i in with_floats).plan())
            remember(known, plans[-1])
        except ValidationError as exc:
            problems += exc.problems
            remember_declared(known, doc)
    slugs = [p.source["slug"] for p in plans]
    problems += [f"{path}: source {s!r} appears more than once" for s in sorted({s for s in slugs if slugs.count(s) > 1})]
    if problems:
        raise ValidationError(problems)
    return plans


class DocumentPlanner:
    """Plans one document: one method per section of a source file, in the order the file gives them.

    The structure and the source text are checked first (a problem there
    stops the planning at once); after that every problem is collected by
    the ``Checker``, and ``plan`` raises them all together.
    """

    def __init__(self, path: Path, label: str, doc: Any, known: Known, has_floats: bool = False):
        self.path = path
        self.label = label
        self.doc = doc
        self.known = known
        self.has_floats = has_floats
        self.rows: list[Row] = []
        self.in_file: dict[str, set[str]] = {t: set() for t in SLUGGED}
        self.check = Checker(label, "")

    def plan(self) -> Plan:
        self._check_structure()
        text = self._text()
        doc = self.doc
        digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode("utf-8") + text.encode("utf-8")).hexdigest()
        self.check = Checker(self.label, text)
        rename_actors(doc, match_actors(doc, self.known, self.check.fail))
        source = self.source(text)
        segment_rows = self.segments()
        self._declare_slugs()
        self.actors()
        self.relations()
        self.agreements()
        self.projects()
        self.events()
        self.statements()
        inferences = self.inferences()
        choices, quotations = plan_sections(self.check, doc, segment_rows, self.need)
        self._check_evidence_size()
        if self.check.problems:
            raise ValidationError(self.check.problems)
        return Plan(self.path, digest, source, segment_rows, self.rows, inferences, choices, quotations)

    # --- before the checks: structure and text -------------------------------------------------

    def _check_structure(self) -> None:
        problems = schema_problems(self.doc)
        if problems:
            raise ValidationError([f"{self.label}: {where}: {message}" for where, message in problems])
        found = float_problem(self.doc) if self.has_floats else None
        if found:
            raise ValidationError([f"{self.label}: {found[0]}: {found[1]}"])

    def _text(self) -> str:
        """The source's text, given inline or in its ``text_file``."""
        src, label = self.doc["source"], self.label
        if "text" in src and "text_file" in src:
            raise ValidationError([f"{label}: source: give either text or text_file, not both"])
        if "text" in src:
            text = src["text"]
            if len(text) > MAX_TEXT_BYTES // 4 and len(text.encode("utf-8")) > MAX_TEXT_BYTES:
                raise ValidationError([f"{label}: source.text: more than the limit of {mib(MAX_TEXT_BYTES)}"])
            return text
        if "text_file" in src:
            try:
                return read_text_file(self.path, src["text_file"])
            except OSError as exc:
                raise ValidationError([f"{label}: source.text_file: cannot read {short(src['text_file'])}: "
                                       f"{exc.strerror}"]) from None
            except ValueError as exc:
                raise ValidationError([f"{label}: source.text_file: {short(src['text_file'])}: {exc}"]) from None
        raise ValidationError([f"{label}: source: text or text_file is required"])

    # --- helpers shared by the sections -----------------------------------------------------------

    def _declare_slugs(self) -> None:
        """Every slug the file declares (so facts can refer to later ones), each once."""
        for table in SLUGGED:
            for i, item in enumerate(self.doc.get(table, [])):
                if item["slug"] in self.in_file[table]:
                    self.check.fail(f"{table}[{i}].slug", f"duplicate slug {item['slug']!r}")
                self.in_file[table].add(item["slug"])

    def need(self, table: str, slug: str | None, where: str) -> None:
        """A slug referred to must be declared in this file or known."""
        if slug is not None and slug not in self.in_file[table] and slug not in self.known.slugs.get(table, set()):
            self.check.fail(where, f"unknown {table[:-1]} {slug!r}")

    def fits(self, table: str, column: str, value: str | None, where: str) -> None:
        """A value for a column of limited length (VARCHAR on the servers) must fit it."""
        length = cast(String, m.metadata.tables[table].c[column].type).length or 0  # every such column has one
        if value is not None and max(len(value), len(value.lower())) > length:  # names are also stored lowered
            self.check.fail(where, f"longer than {length} characters ({short(value)})")

    def dated(self, where: str, spec: dict | None, ev: list[Span]) -> list[Span]:
        """The fact's evidence, with the quotes a date gives for itself (``evidence`` inside the date):
        the claim of the date then quotes them. The date's words must occur in one of them."""
        if not spec or not spec.get("evidence"):
            return ev
        own = self.check.evidence(f"{where}.evidence", spec["evidence"])
        text = spec.get("text")
        if own and text and not any(text in span.quote for span in own):
            self.check.fail(f"{where}.text", f"date words {short(text)} do not occur in the date's evidence")
        return ev + [span for span in own if span not in ev]

    def location(self, where: str, location: str | None) -> None:
        if location and not self.check.contains(location):
            self.check.fail(where, f"location words {short(location)} do not occur in the source text")

    def amounts(self, owner_table: str, owner: str, at: str, items: list, default: list[Span]) -> None:
        """The amounts of an agreement or a project."""
        check = self.check
        column = "agreement_id" if owner_table == "agreements" else "project_id"
        for j, am in enumerate(items):
            aw = f"{at}.amounts[{j}]"
            ev = check.evidence(f"{aw}.evidence", am.get("evidence"), default)
            if ev and not any(am["text"] in s.quote for s in ev):
                check.fail(f"{aw}.text", f"{short(am['text'])} does not occur in the amount's evidence")
            try:  # rounded to the cent as every engine stores it, so that the key finds the stored row
                value = Decimal(m.amount_text(am["amount"]))
            except ValueError as exc:
                check.fail(f"{aw}.amount", str(exc))
                continue
            self.rows.append(Row("amounts", {
                "amount": value, "currency": am["currency"],
                "qualifier": am["qualifier"], "stage": am["stage"], "amount_text": am["text"],
                "period": am.get("period"),
            }, ev, key=(owner, am["stage"], am["currency"], value),
                refs={column: (owner_table, owner)}))

    def members(self, table: str, owner_table: str, owner_col: str, owner: str, at: str, items: list,
                default: list[Span]) -> None:
        """The parties or participants of an agreement, a project or an event."""
        for j, p in enumerate(items):
            self.need("actors", p["actor"], f"{at}[{j}].actor")
            self.rows.append(Row(table, {"role": p["role"]},
                                 self.check.evidence(f"{at}[{j}].evidence", p.get("evidence"), default),
                                 key=(owner, p["actor"], p["role"]),
                                 refs={owner_col: (owner_table, owner), "actor_id": ("actors", p["actor"])}))

    # --- the sections ---------------------------------------------------------------------------

    def source(self, text: str) -> dict[str, Any]:
        src = self.doc["source"]
        return {
            "slug": src["slug"], "title": src["title"], "kind": src["kind"],
            "author": src.get("author"), "publisher": src.get("publisher"), "url": src.get("url"),
            "grade": src.get("grade"),
            **self.check.date("source.published", "published", src.get("published")),
            "content": text, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        }

    def segments(self) -> list[dict[str, Any]]:
        found = segments(self.check, self.doc["source"].get("segments"))
        for seg in found:  # each is stored as TEXT (at most MAX_STRING_BYTES on MariaDB)
            if len(seg["text"]) > MAX_STRING_BYTES // 4 and len(seg["text"].encode("utf-8")) > MAX_STRING_BYTES:
                self.check.fail("source.text", f"the sentence at character {seg['char_start']:,} is longer than "
                                               f"{MAX_STRING_BYTES:,} bytes: split it, or mark it excluded")
                break
        return found

    def actors(self) -> None:
        check = self.check
        for i, a in enumerate(self.doc.get("actors", [])):
            at = f"actors[{i}]"
            self.fits("actors", "name_key", a["name"], f"{at}.name")
            ev = check.evidence(f"{at}.evidence", a["evidence"])
            self.need("actors", a.get("parent"), f"{at}.parent")
            if a.get("parent") == a["slug"]:
                check.fail(f"{at}.parent", "an actor cannot be its own parent")
            self.rows.append(Row("actors", {
                "slug": a["slug"], "name": a["name"], "name_key": a["name"].lower(),
                "is_named": a.get("is_named", True), "kind": a["kind"],
                "country": a.get("country"), "description": a.get("description"),
            }, ev, key=(a["slug"],), refs={"parent_id": ("actors", a.get("parent"))} if a.get("parent") else {}))
            self.aliases(at, a, ev)
        self._parent_cycles()

    def aliases(self, at: str, actor: dict, ev: list[Span]) -> None:
        check = self.check
        seen: set[str] = set()
        for j, alias in enumerate(actor.get("aliases", [])):
            aw = f"{at}.aliases[{j}]"
            name = alias if isinstance(alias, str) else alias["alias"]
            self.fits("actor_aliases", "alias_key", name, aw)
            if name in seen:
                check.fail(aw, f"duplicate alias {short(name)}")
            seen.add(name)
            if isinstance(alias, dict) and alias.get("evidence"):
                aev = check.evidence(f"{aw}.evidence", alias["evidence"])
            else:
                aev = [s for s in ev if name in s.quote]
                if ev and not aev:
                    check.fail(aw, f"alias {short(name)} does not occur in the actor's evidence; give it evidence")
            for k, s in enumerate(aev):
                if name not in s.quote:
                    check.fail(f"{aw}.evidence[{k}]", f"alias {short(name)} does not occur in the quote")
            self.rows.append(Row("actor_aliases", {"alias": name, "alias_key": name.lower()}, aev,
                                 key=(actor["slug"], name), refs={"actor_id": ("actors", actor["slug"])}))

    def _parent_cycles(self) -> None:
        actors = self.doc.get("actors", [])
        parents = {a["slug"]: a.get("parent") for a in actors}
        for i, a in enumerate(actors):
            seen, cur = {a["slug"]}, parents.get(a["slug"])
            while cur:
                if cur in seen:
                    self.check.fail(f"actors[{i}].parent", f"parent chain of {a['slug']!r} loops")
                    break
                seen.add(cur)
                cur = parents.get(cur)

    def relations(self) -> None:
        check = self.check
        for i, r in enumerate(self.doc.get("relations", [])):
            at = f"relations[{i}]"
            self.need("actors", r["subject"], f"{at}.subject")
            self.need("actors", r["object"], f"{at}.object")
            if r["subject"] == r["object"]:
                check.fail(at, "subject and object are the same actor")
            self.rows.append(Row("actor_relations", {
                "kind": r["kind"], "description": r.get("description"),
                **check.date(f"{at}.since", "since", r.get("since")),
            }, self.dated(f"{at}.since", r.get("since"), check.evidence(f"{at}.evidence", r["evidence"])),
                key=(r["subject"], r["object"], r["kind"]),
                refs={"subject_actor_id": ("actors", r["subject"]), "object_actor_id": ("actors", r["object"])}))

    def agreements(self) -> None:
        check = self.check
        for i, ag in enumerate(self.doc.get("agreements", [])):
            at = f"agreements[{i}]"
            ev = check.evidence(f"{at}.evidence", ag["evidence"])
            self.rows.append(Row("agreements", {
                "slug": ag["slug"], "title": ag["title"], "kind": ag["kind"], "status": ag["status"],
                "description": ag.get("description"), **check.date(f"{at}.signed", "signed", ag.get("signed")),
            }, self.dated(f"{at}.signed", ag.get("signed"), ev), key=(ag["slug"],)))
            self.members("agreement_parties", "agreements", "agreement_id", ag["slug"], f"{at}.parties",
                         ag.get("parties", []), ev)
            self.obligations(at, ag, ev)
            self.amounts("agreements", ag["slug"], at, ag.get("amounts", []), ev)

    def obligations(self, at: str, agreement: dict, ev: list[Span]) -> None:
        for j, ob in enumerate(agreement.get("obligations", [])):
            ow = f"{at}.obligations[{j}]"
            self.need("actors", ob["obligor"], f"{ow}.obligor")
            self.need("actors", ob.get("beneficiary"), f"{ow}.beneficiary")
            refs = {"agreement_id": ("agreements", agreement["slug"]), "obligor_actor_id": ("actors", ob["obligor"])}
            if ob.get("beneficiary"):
                refs["beneficiary_actor_id"] = ("actors", ob["beneficiary"])
            self.rows.append(Row("agreement_obligations", {"description": ob["description"]},
                                 self.check.evidence(f"{ow}.evidence", ob.get("evidence"), ev),
                                 key=(agreement["slug"], ob["obligor"], ob["description"]), refs=refs))

    def projects(self) -> None:
        check = self.check
        for i, pr in enumerate(self.doc.get("projects", [])):
            at = f"projects[{i}]"
            ev = check.evidence(f"{at}.evidence", pr["evidence"])
            self.need("agreements", pr.get("agreement"), f"{at}.agreement")
            self.fits("projects", "sector", pr.get("sector"), f"{at}.sector")
            location = pr.get("location")
            self.location(f"{at}.location", location)
            self.rows.append(Row("projects", {
                "slug": pr["slug"], "title": pr["title"], "sector": pr.get("sector"),
                "resources": self.resources(at, pr),
                "location_text": location, "status": pr["status"], "description": pr.get("description"),
                **check.date(f"{at}.started", "started", pr.get("started")),
            }, self.dated(f"{at}.started", pr.get("started"), ev), key=(pr["slug"],),
                refs={"agreement_id": ("agreements", pr["agreement"])} if pr.get("agreement") else {}))
            self.members("project_participants", "projects", "project_id", pr["slug"], f"{at}.participants",
                         pr.get("participants", []), ev)
            self.amounts("projects", pr["slug"], at, pr.get("amounts", []), ev)

    def resources(self, at: str, project: dict) -> list[str]:
        """A project's resources (``resources``, or the older ``resource``: a list, or one string split on
        commas and 'and'), each in the source text, fitting its column, each once (letter case ignored)."""
        if "resources" in project and "resource" in project:
            self.check.fail(at, "give resources or resource, not both")
        name = "resources" if "resources" in project else "resource"
        given = project.get(name)
        found = split_resources(given)
        if isinstance(given, list) and len(found) < len(given):
            self.check.fail(f"{at}.{name}", "lists a resource more than once (letter case ignored)")
        if len(found) > MAX_RESOURCES:
            self.check.fail(f"{at}.{name}", f"{len(found)} resources, more than the limit of {MAX_RESOURCES}")
            return []
        for item in found:
            self.fits("project_resources", "resource", item, f"{at}.{name}")
            if "," in item:
                self.check.fail(f"{at}.{name}", f"resource {short(item)} holds a comma: give each resource alone")
            elif not self.check.contains(item):
                self.check.fail(f"{at}.{name}", f"resource words {short(item)} do not occur in the source text")
        return found

    def events(self) -> None:
        check = self.check
        for i, evn in enumerate(self.doc.get("events", [])):
            at = f"events[{i}]"
            ev = check.evidence(f"{at}.evidence", evn["evidence"])
            location = evn.get("location")
            self.location(f"{at}.location", location)
            self.rows.append(Row("events", {
                "slug": evn["slug"], "title": evn["title"], "kind": evn["kind"], "location_text": location,
                "description": evn.get("description"), **check.date(f"{at}.occurred", "occurred", evn.get("occurred")),
            }, self.dated(f"{at}.occurred", evn.get("occurred"), ev), key=(evn["slug"],)))
            self.members("event_participants", "events", "event_id", evn["slug"], f"{at}.participants",
                         evn.get("participants", []), ev)

    def statements(self) -> None:
        check = self.check
        for i, st in enumerate(self.doc.get("statements", [])):
            at = f"statements[{i}]"
            voice, speaker = st["voice"], st.get("speaker")
            self._voice(at, voice, speaker, st["direct_quote"])
            self.need("actors", speaker, f"{at}.speaker")
            content = st["content"] if isinstance(st["content"], str) else st["content"]["quote"]
            content_span = check.span(f"{at}.content", st["content"])
            ev = check.evidence(f"{at}.evidence", st.get("evidence"), [content_span] if content_span else [])
            self.rows.append(Row("statements", {
                "slug": st["slug"], "voice": voice, "kind": st["kind"], "is_direct_quote": st["direct_quote"],
                "content": content, **check.date(f"{at}.said", "said", st.get("said")),
            }, self.dated(f"{at}.said", st.get("said"), ev), key=(st["slug"],), refs={"speaker_actor_id": ("actors", speaker)} if speaker else {}))
            self.subjects(at, st, ev)

    def _voice(self, at: str, voice: str, speaker: str | None, direct_quote: bool) -> None:
        """An actor's statement has a speaker; the source's own assertion has none and quotes nobody."""
        if voice == "actor" and not speaker:
            self.check.fail(f"{at}.speaker", "is required when voice is 'actor'")
        if voice == "source" and speaker:
            self.check.fail(f"{at}.speaker", "must be empty when voice is 'source' (the source's own assertion)")
        if voice == "source" and direct_quote:
            self.check.fail(f"{at}.direct_quote", "must be false when voice is 'source'")

    def subjects(self, at: str, statement: dict, ev: list[Span]) -> None:
        """What a statement is about: one actor, agreement, project or event each."""
        for j, ab in enumerate(statement.get("about", [])):
            aw = f"{at}.about[{j}]"
            targets = [k for k in ("actor", "agreement", "project", "event") if k in ab]
            if len(targets) != 1:
                self.check.fail(aw, "give exactly one of actor, agreement, project or event")
                continue
            target = targets[0]
            self.need(f"{target}s", ab[target], f"{aw}.{target}")
            self.rows.append(Row("statement_subjects", {"role": ab["role"]},
                                 self.check.evidence(f"{aw}.evidence", ab.get("evidence"), ev),
                                 key=(statement["slug"], target, ab[target], ab["role"]),
                                 refs={"statement_id": ("statements", statement["slug"]),
                                       f"{target}_id": (f"{target}s", ab[target])}))

    def inferences(self) -> list[Row]:
        out: list[Row] = []
        for i, inf in enumerate(self.doc.get("inferences", [])):
            row = self.inference(f"inferences[{i}]", inf)
            if row is not None:
                out.append(row)
        return out

    def inference(self, at: str, inf: dict) -> Row | None:
        check = self.check
        about = inf["about"]
        if len(about) != 1:
            check.fail(f"{at}.about", "give exactly one of source, agreement, project, event, statement or actor")
            return None
        (target, slug), = about.items()
        if target == "source":
            if slug != self.doc["source"]["slug"]:
                check.fail(f"{at}.about.source", f"unknown source {slug!r}")
        else:
            self.need(f"{target}s", slug, f"{at}.about.{target}")
        earliest = check.day(f"{at}.earliest", inf["earliest"]) if "earliest" in inf else None
        latest = check.day(f"{at}.latest", inf["latest"]) if "latest" in inf else None
        if earliest and latest and latest < earliest:
            check.fail(at, f"latest date {latest} is before earliest date {earliest}")
        return Row("inferences", {
            "field": inf["field"], "earliest": earliest, "latest": latest,
            "date_precision": inf.get("precision", "unknown"), "value_text": inf.get("value"),
            "reasoning": inf["reasoning"],
        }, [], key=(target, slug, inf["field"]),
            refs={} if target == "source" else {f"{target}_id": (f"{target}s", slug)})

    def _check_evidence_size(self) -> None:
        quoted = sum([s.end - s.start for row in self.rows for s in row.evidence])
        if quoted > MAX_EVIDENCE_CHARS:
            self.check.fail("(top level)", f"its evidence would write {quoted:,} characters of quotes, more than "
                                           f"the limit of {MAX_EVIDENCE_CHARS:,} (facts repeat the evidence of the "
                                           "fact they belong to)")
