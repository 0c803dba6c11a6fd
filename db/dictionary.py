"""The data dictionary: every table, column and enumerated value in plain words.

Table and column descriptions are the comments on the models (which the
server engines store, so ``\\d+`` in psql shows them); the meaning of each
enumerated value is below. ``render()`` writes docs/data-dictionary.md from
both, and a test keeps that file and the models in agreement:

    python -m db.dictionary > docs/data-dictionary.md
"""

from __future__ import annotations

import re

from . import models as m
from .mentions import ASSIGNMENTS

MEANINGS: dict[tuple[str, ...], dict[str, str]] = {
    ASSIGNMENTS: {
        "only": "The form names one actor only.",
        "default": "The form names several actors; the source file's default for it.",
        "chosen": "The form names several actors; the source file's choice for this occurrence.",
        "ambiguous": "The form names several actors and the source file does not say which: no actor.",
    },
    m.SOURCE_KINDS: {
        "news_article": "A news report.",
        "opinion_article": "An opinion or analysis piece that argues a view.",
        "government_report": "A report issued by a government body.",
        "agreement_text": "The text of an agreement itself.",
        "press_release": "A statement published by an organisation.",
        "transcript": "A record of what was said.",
        "dataset": "A structured data set.",
        "other": "Any other document.",
    },
    m.ACTOR_KINDS: {
        "state": "A country as an actor in international affairs (its government by default).",
        "de_facto_government": "A government in control of a territory without general recognition (the Taliban).",
        "former_government": "A government that no longer holds power (the Islamic Republic of Afghanistan).",
        "government": "A government or administration (the Biden administration).",
        "government_body": "A ministry, department or agency (the State Department).",
        "government_official": "A person acting in an official role, named or not.",
        "state_owned_enterprise": "A company owned by a state.",
        "company": "A private company.",
        "person": "A private person.",
        "group": "A group of people or organisations acting or treated together (investors, analysts).",
        "organisation": "A non-governmental organisation.",
        "armed_group": "A non-state armed group.",
        "legislature": "A parliament or congress.",
        "region": "A region as an actor or place of interest (Xinjiang).",
        "place": "A city or place, when a mention means the place and not its government.",
        "initiative": "A programme or initiative treated as an actor (the Belt and Road Initiative).",
        "author": "The author of a source.",
        "population": "The people of a country.",
    },
    m.DATE_PRECISIONS: {
        "day": "One day: earliest = latest.",
        "month": "A whole month.",
        "part_of_year": "Part of a year ('late 2022', 'mid-2023'): earliest and latest bound the words.",
        "year": "A whole year ('In 2023'): 1 January to 31 December, never a day.",
        "years": "A span of years.",
        "day_without_year": "A day and month without a year ('4th of March'): earliest/latest stay empty; "
                            "any year is an inference.",
        "relative": "Relative to an unstated time ('four years ago'): earliest/latest stay empty; "
                    "any date is an inference.",
        "unknown": "No date is given.",
    },
    m.AGREEMENT_KINDS: {
        "contract": "A commercial contract.",
        "accord": "A political agreement between governments or parties (the Doha agreement).",
        "diplomatic_exchange": "An exchange of diplomats or representation.",
        "guarantee": "One party's undertaking to another (security for investments).",
        "memorandum": "A memorandum of understanding.",
        "treaty": "A formal treaty.",
        "other": "Any other agreement.",
    },
    m.AGREEMENT_STATUSES: {
        "proposed": "Proposed, not agreed.",
        "negotiating": "Under negotiation.",
        "signed": "Signed.",
        "in_force": "In force.",
        "disputed": "In force or signed, but the parties dispute whether it is being met.",
        "completed": "Fulfilled.",
        "terminated": "Ended or abandoned.",
        "unknown": "The source does not say.",
    },
    m.PARTY_ROLES: {
        "signatory": "Signed the agreement.",
        "party": "A party to an agreement without signing roles (each side of an exchange).",
        "counterparty": "The other side of a contract.",
        "guarantor": "Guarantees the agreement.",
        "beneficiary": "Benefits from the agreement without being a signatory.",
        "mediator": "Brokered the agreement.",
        "witness": "Witnessed the agreement.",
        "other": "Any other role.",
    },
    m.PROJECT_STATUSES: {
        "interest": "An actor has declared interest; nothing is agreed.",
        "negotiation": "Terms are being negotiated.",
        "planned": "Planned or intended.",
        "contracted": "A contract is signed; work is not reported as started.",
        "under_construction": "Work has begun.",
        "partly_completed": "Some parts are finished.",
        "completed": "Finished.",
        "cancelled": "Abandoned.",
        "unknown": "The source does not say.",
    },
    m.PARTICIPANT_ROLES: {
        "investor": "Puts money in.",
        "builder": "Builds it.",
        "host": "The project is on its territory.",
        "operator": "Runs it.",
        "contractor": "Works on it under contract.",
        "financier": "Lends or grants money.",
        "partner": "Takes part otherwise.",
        "prospective_investor": "Has shown interest in investing.",
        "other": "Any other role.",
    },
    m.STATEMENT_KINDS: {
        "claim": "Asserts something as fact.",
        "accusation": "Says another actor did wrong or failed an obligation.",
        "demand": "Asks another actor to act.",
        "assessment": "Judges or interprets a situation.",
        "praise": "Speaks well of something.",
        "warning": "Warns of a danger.",
        "criticism": "Finds fault.",
        "prediction": "Says what will happen.",
        "position": "States a policy or stance.",
        "inquiry": "Asks about something.",
        "threat": "Threatens an action.",
        "denial": "Denies something.",
    },
    m.STATEMENT_VOICES: {
        "actor": "Attributed to an actor (speaker_actor_id), as quoted or reported by the source.",
        "source": "The source's own assertion or opinion (its author's voice); no speaker.",
    },
    m.SUBJECT_ROLES: {
        "target": "The statement is aimed at it.",
        "subject": "The statement is about it.",
        "beneficiary": "The statement says it benefits.",
        "accused": "The statement accuses it.",
        "praised": "The statement praises it.",
        "mentioned": "Named in passing.",
    },
    m.EVENT_KINDS: {
        "visit": "A visit.", "meeting": "A meeting.", "withdrawal": "A withdrawal of forces or presence.",
        "evacuation": "An evacuation.", "exchange": "An exchange (of envoys, prisoners, ...).",
        "construction": "Building work.", "signing": "A signing.", "negotiation": "Talks.",
        "military_operation": "A military action or advance.", "publication": "A document's release.",
        "other": "Any other event.",
    },
    m.EVENT_ROLES: {
        "host": "Received the others.", "visitor": "Came to the host.", "participant": "Took part.",
        "organiser": "Organised it (a withdrawal, an evacuation, an advance).",
        "author": "Wrote or issued the document the event releases (a publication's author: the State "
                  "Department of its after-action report).",
        "subject": "The event concerned it.",
        "excluded": "Was kept out of it.", "other": "Any other role.",
    },
    m.RELATION_KINDS: {
        "recognizes": "Formally recognises the other as a government.",
        "does_not_recognize": "Withholds formal recognition.",
        "diplomatic_representation": "Has a representative with or in the other.",
        "alliance": "Allied with.",
        "opposition": "Works against.",
        "rivalry": "Competes with.",
        "partnership": "Cooperates with (deals, business).",
        "security_guarantee": "Guarantees the other's security or assets.",
        "economic_dependence": "Depends on the other economically.",
        "part_of": "Belongs to the other.",
        "other": "Any other stated relation.",
    },
    m.AMOUNT_QUALIFIERS: {
        "exact": "The amount as stated ('$150 million').",
        "about": "Approximately.",
        "at_least": "At least the amount.",
        "more_than": "More than the amount ('over $540 million').",
        "at_most": "At most the amount.",
        "less_than": "Less than the amount.",
    },
    m.AMOUNT_STAGES: {
        "contracted": "The value of a signed contract.",
        "planned": "An intended future amount ('plans to eventually invest').",
        "pledged": "Promised.",
        "disbursed": "Paid out.",
        "reported": "Reported without a stage.",
    },
    m.AMOUNT_PERIODS: {
        "total": "The whole amount, however long it runs ('$540 million in all').",
        "year": "Each year ('$150 million a year').",
        "quarter": "Each quarter.",
        "month": "Each month.",
    },
    m.SOURCE_GRADES: {
        "A": "Completely reliable.",
        "B": "Usually reliable.",
        "C": "Fairly reliable.",
        "D": "Not usually reliable.",
        "E": "Unreliable.",
        "F": "Reliability cannot be judged.",
    },
    m.CLAIM_FIELD_NAMES: {
        "agreement": "A project's agreement: its slug.",
        "alias": "An alias of an actor (a member of a set: never disputed).",
        "amount": "An amount of an agreement or project: the source's words, with the exact amount, currency, "
                  "qualifier and period in their columns.",
        "beneficiary": "The actor an obligation is owed to: its slug.",
        "country": "An actor's country: ISO 3166-1 alpha-2 code.",
        "is_named": "Whether the source names the actor: 'true' or 'false'.",
        "kind": "The kind of an actor, agreement, event or statement.",
        "location": "Where a project or event is, in the source's words (a member of a set).",
        "obligation": "An obligation under an agreement, in its words (a member of a set).",
        "occurred": "When an event took place (a partial date).",
        "parent": "The actor an actor belongs to: its slug.",
        "participant": "A participant of a project or event and its role, 'actor: role' (a member of a set).",
        "party": "A party of an agreement and its role, 'actor: role' (a member of a set).",
        "relation": "A relation between two actors, 'subject kind object' (a member of a set).",
        "resource": "One resource of a project, in the source's words (a member of a set: a source naming copper, iron and lithium states three).",
        "said": "When a statement was made (a partial date).",
        "sector": "A project's sector (a member of a set).",
        "signed": "When an agreement was signed (a partial date).",
        "since": "Since when a relation holds (a partial date).",
        "speaker": "Who made a statement: the actor's slug.",
        "started": "When a project started (a partial date).",
        "status": "The status of an agreement or project.",
        "subject": "What a statement is about and the role it gives it, 'role: type slug' (a member of a set).",
    },
    m.LABEL_FIELD_NAMES: {
        "content": "A statement's words.",
        "description": "A short description in accords' words.",
        "name": "An actor's display name.",
        "title": "The title of an agreement, project or event.",
    },
    m.SEGMENT_KINDS: {
        "headline": "The headline (part of the body).",
        "body": "A sentence of the body.",
        "chrome": "Page furniture (a city name in the header), excluded.",
        "weather": "A weather line, excluded.",
        "footer": "A footer ('Related articles'), excluded.",
    },
    m.OBJECT_KINDS: {
        "table": "A table of the schema.",
        "view": "A report view (report_<name>), built from reports/<name>.sql.",
    },
    m.INFERENCE_FIELDS: {
        "date": "The date of the fact.",
        "said": "When a statement was made.",
        "published": "The source's publication date.",
        "value": "Another value.",
    },
}

_ENUM_IN_CHECK = re.compile(r"^(\w+) in \(")


def enum_columns(table) -> dict[str, tuple[str, ...]]:
    """Column name -> its enumerated values, read from the table's CHECK constraints."""
    found = {}
    for constraint in table.constraints:
        sqltext = str(getattr(constraint, "sqltext", ""))
        match = _ENUM_IN_CHECK.match(sqltext)
        if match:
            found[match.group(1)] = tuple(re.findall(r"'([^']*)'", sqltext))
    return {c.name: found[c.name] for c in table.columns if c.name in found}


def render() -> str:
    lines = [
        "# accords data dictionary",
        "",
        "<!-- Generated by `python -m db.dictionary` from the models' comments; a test keeps it current. -->",
        "",
        "Every table and column of the accords schema, in plain words, and the meaning of every",
        "enumerated value. The same descriptions are stored as table and column comments in",
        "PostgreSQL and MariaDB (`\\d+ actors` in psql, column tooltips in SQL clients).",
        "",
        "Conventions: a partial date is four columns, `<name>_earliest` and `<name>_latest` (the",
        "first and last day it can mean), `<name>_precision` and `<name>_text` (the source's own",
        "words); order by `<name>_earliest`. Unknown values are NULL. Every fact row has at least",
        "one `evidence` row; inferred values live only in `inferences`.",
        "",
    ]
    for table in m.metadata.sorted_tables:
        lines += [f"## {table.name}", "", table.comment or "", "", "| column | type | null | description |",
                  "|---|---|---|---|"]
        for column in table.columns:
            nullable = "yes" if column.nullable else "no"
            lines.append(f"| `{column.name}` | {column.type} | {nullable} | {column.comment or ''} |")
        for name, values in enum_columns(table).items():
            meanings = next((v for k, v in MEANINGS.items() if set(k) == set(values)), {})
            lines += ["", f"Values of `{name}`:", ""]
            lines += [f"- `{value}`: {meanings.get(value, '')}" for value in values]
        lines.append("")
    return "\n".join(lines + _search_lines())


def _search_lines() -> list[str]:
    """The section on full-text search: the searched columns and how each engine searches them."""
    from . import fulltext

    lines = ["## Full-text search", "",
             "These columns are searchable by words (revision 0010); the README's \"Full-text search\" shows",
             "examples, and `data_dictionary` says on each engine how to search there. Each condition finds",
             "the rows whose column has the words `:words`:", "",
             "| column | SQLite | PostgreSQL | MariaDB |", "|---|---|---|---|"]
    for table, column in fulltext.SEARCHED.items():
        cells = [f"`{fulltext.condition(d, table)}`" for d in ("sqlite", "postgresql", "mariadb")]
        lines.append(f"| `{table}.{column}` | " + " | ".join(cells) + " |")
    lines += ["", "On SQLite, `<table>_fts` is an FTS5 table with external content: it holds the index, not",
              "the text; its rowid is the table's `id`; triggers keep it current. PostgreSQL has a GIN",
              "index on `to_tsvector('english', <column>)` and MariaDB a FULLTEXT index, both named",
              "`ix_<table>_<column>_fts`.", ""]
    return lines


if __name__ == "__main__":
    print(render(), end="")
