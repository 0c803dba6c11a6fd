"""What the database and the files checked so far hold, and matching a document's actors to known ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from .. import models as m

if TYPE_CHECKING:
    from .plan import Plan

#: the tables whose rows other facts (and other files) refer to by slug
SLUGGED = ("actors", "agreements", "projects", "events", "statements")


@dataclass
class Known:
    """What the database already holds, so a new source can refer to it."""

    slugs: dict[str, set[str]] = field(default_factory=dict)  # table -> slugs
    actor_names: dict[str, set[str]] = field(default_factory=dict)  # alias or display name -> actor slugs


def load_known(conn: Connection) -> Known:
    """The slugs, actor names and aliases the database holds."""
    known = Known()
    for table in SLUGGED:
        known.slugs[table] = set(conn.execute(select(m.metadata.tables[table].c.slug)).scalars())
    actors, aliases = m.metadata.tables["actors"], m.metadata.tables["actor_aliases"]
    pairs = list(conn.execute(select(actors.c.name, actors.c.slug)))
    pairs += list(conn.execute(select(aliases.c.alias, actors.c.slug).join(actors, actors.c.id == aliases.c.actor_id)))
    for name, slug in pairs:
        known.actor_names.setdefault(name, set()).add(slug)
    return known


def remember(known: Known, plan: Plan) -> None:
    """Add what a plan will write to ``known``, so later files of the same run can refer to it."""
    for row in plan.rows:
        if "slug" in row.values and row.table in SLUGGED:
            known.slugs.setdefault(row.table, set()).add(row.values["slug"])
        if row.table == "actors":
            known.actor_names.setdefault(row.values["name"], set()).add(row.values["slug"])
        if row.table == "actor_aliases":
            known.actor_names.setdefault(row.values["alias"], set()).add(row.refs["actor_id"][1])


def remember_declared(known: Known, doc: Any) -> None:
    """Add the slugs a document declares to ``known``, although it failed its checks.

    Nothing of a run with a problem is written, but without this every later
    file that refers to the failed document's facts would report each such
    reference as unknown: one mistake would bury itself under hundreds of lines.
    """
    if not isinstance(doc, dict):
        return
    for section in SLUGGED:
        items = doc.get(section)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and isinstance(item.get("slug"), str):
                known.slugs.setdefault(section, set()).add(item["slug"])


#: where a document names actors by slug: (section, field) pairs, nested lists included
_ACTOR_FIELDS = (("actors", "parent"), ("relations", "subject"), ("relations", "object"),
                 ("agreements.parties", "actor"), ("agreements.obligations", "obligor"),
                 ("agreements.obligations", "beneficiary"), ("projects.participants", "actor"),
                 ("events.participants", "actor"), ("statements", "speaker"), ("statements.about", "actor"))


def rename_actors(doc: dict, mapping: dict[str, str]) -> None:
    """Replace a document's actor slugs by the slugs of the same actors in the database."""
    def items(path: str) -> list[dict]:
        section, _, child = path.partition(".")
        found = doc.get(section, [])
        return [c for item in found for c in item.get(child, [])] if child else found

    for path, key in _ACTOR_FIELDS:
        for item in items(path):
            if item.get(key) in mapping:
                item[key] = mapping[item[key]]
    for item in doc.get("actors", []):
        item["slug"] = mapping.get(item["slug"], item["slug"])
    for item in doc.get("inferences", []):
        if item["about"].get("actor") in mapping:
            item["about"]["actor"] = mapping[item["about"]["actor"]]
    mentions = doc.get("mentions", {})
    defaults = mentions.get("defaults", {})
    for form, slug in defaults.items():
        defaults[form] = mapping.get(slug, slug)
    for item in mentions.get("at", []) + doc.get("quotations", []):
        if item.get("actor") in mapping:
            item["actor"] = mapping[item["actor"]]


def match_actors(doc: dict, known: Known, fail: Callable[[str, str], None]) -> dict[str, str]:
    """File actor slug -> existing actor slug, for actors the database already knows.

    An actor is the existing one when its slug exists, or else when its name or
    one of its aliases is the name or an alias of exactly one existing actor.
    """
    mapping: dict[str, str] = {}
    for i, a in enumerate(doc.get("actors", [])):
        if a["slug"] in known.slugs.get("actors", set()):
            continue
        names = [a["name"]] + [x if isinstance(x, str) else x["alias"] for x in a.get("aliases", [])]
        owners = sorted({slug for n in names for slug in known.actor_names.get(n, set())})
        if len(owners) == 1:
            mapping[a["slug"]] = owners[0]
        elif len(owners) > 1:
            fail(f"actors[{i}]", f"names or aliases match several existing actors ({', '.join(owners)}): "
                                 "use the slug of the one meant")
    return mapping
