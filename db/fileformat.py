"""The accords source file format, as a JSON Schema.

One file holds one source and the facts taken from it (the shipped seed,
``db/data/seed.yaml``, is such a file). It is YAML or JSON. The schema below
checks its structure; ``db.load`` then checks what a schema cannot (that
quotes occur in the text, that actors exist, that dates are ordered).
``accords schema`` prints it, so editors can validate and complete files.
"""

from __future__ import annotations

from typing import Any

from . import models as m

FORMAT_VERSION = 1
#: the most resources one project may list (db.load.limits re-exports it)
MAX_RESOURCES = 100

_SLUG = {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]*$", "maxLength": 120,
         "description": "Lower-case letters, digits and hyphens."}
_TEXT = {"type": "string", "minLength": 1}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_ISO_DAY = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "YYYY-MM-DD"}


def _enum(values: tuple[str, ...], description: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values), "description": description}


def _obj(properties: dict[str, Any], required: list[str], description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


QUOTE: dict[str, Any] = {
    "description": "A verbatim span of the source text: the quote alone when it occurs once, "
                   "else with the occurrence (1-based) or the start offset.",
    "oneOf": [
        _TEXT,
        _obj({
            "quote": _TEXT,
            "occurrence": {"type": "integer", "minimum": 1},
            "start": {"type": "integer", "minimum": 0},
        }, ["quote"]),
    ],
}
EVIDENCE: dict[str, Any] = {"type": "array", "items": {"$ref": "#/$defs/quote"}, "minItems": 1,
                            "description": "Verbatim spans supporting the fact."}

DATE: dict[str, Any] = _obj({
    "text": {**_NULLABLE_TEXT, "description": "The source's own words, verbatim (must occur in the text)."},
    "precision": _enum(m.DATE_PRECISIONS, "How precise the stated date is."),
    "year": {"type": "integer", "minimum": 1, "maximum": 9999, "description": "Shorthand: the whole year."},
    "month": {"type": "string", "pattern": r"^\d{4}-\d{2}$", "description": "Shorthand: the whole month (YYYY-MM)."},
    "day": {**_ISO_DAY, "description": "Shorthand: one day."},
    "earliest": _ISO_DAY,
    "latest": _ISO_DAY,
    "evidence": {"$ref": "#/$defs/evidence",
                 "description": "Quotes that state this date, where the fact's own evidence does not (optional): "
                                "they are added to the fact's evidence, and the date's claim quotes them."},
}, [], "A partial date. Give year, month or day, or precision with earliest/latest "
       "(both may be omitted when the source does not pin the date down).")

ROLE_REF = {"actor": _SLUG, "evidence": {"$ref": "#/$defs/evidence"}}

#: The amounts every engine stores exactly (NUMERIC(20, 2): 18 digits before the point, 2 after).
AMOUNT_VALUE: dict[str, Any] = {
    "oneOf": [{"type": "integer", "minimum": 0, "maximum": int(m.AMOUNT_MAX)},
              {"type": "string", "maxLength": 100,
               "pattern": rf"^0*[0-9]{{1,{m.AMOUNT_INTEGER_DIGITS}}}(\.[0-9]{{1,{m.AMOUNT_SCALE}}})?$"}],
    "description": f"An exact decimal amount in currency units, from 0 to {m.AMOUNT_MAX} (at most "
                   f"{m.AMOUNT_INTEGER_DIGITS} digits before the point and {m.AMOUNT_SCALE} after it): "
                   "an integer or a string such as \"1.50\" (never a float).",
}

AMOUNT = _obj({
    "amount": AMOUNT_VALUE,
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code."},
    "qualifier": _enum(m.AMOUNT_QUALIFIERS, "How the source qualifies the amount."),
    "stage": _enum(m.AMOUNT_STAGES, "What the amount is: contracted, planned, ..."),
    "text": {**_TEXT, "description": "The source's words for the amount (must occur in its evidence)."},
    "period": _enum(m.AMOUNT_PERIODS, "What the amount is counted over: the total, or each year, quarter or "
                                      "month. Leave it out when the source does not say."),
    "evidence": {"$ref": "#/$defs/evidence"},
}, ["amount", "currency", "qualifier", "stage", "text"])


#: the source section of a source file
SOURCE_SECTION: dict[str, Any] = _obj({
    "slug": _SLUG,
    "title": _TEXT,
    "kind": _enum(m.SOURCE_KINDS, "Kind of document."),
    "author": _NULLABLE_TEXT,
    "publisher": _NULLABLE_TEXT,
    "url": _NULLABLE_TEXT,
    "grade": _enum(m.SOURCE_GRADES, "Reliability of the source as in the Admiralty/NATO system: A completely "
                                    "reliable, B usually reliable, C fairly reliable, D not usually reliable, "
                                    "E unreliable, F cannot be judged. Optional."),
    "published": {"$ref": "#/$defs/date"},
    "text_file": {**_TEXT, "description": "File holding the full text, relative to this file."},
    "text": {**_TEXT, "description": "The full text inline (instead of text_file)."},
    "segments": _obj({
        "headline": {"$ref": "#/$defs/quote"},
        "excluded": {"type": "array", "items": _obj({
            "quote": {"$ref": "#/$defs/quote"},
            "kind": _enum(("chrome", "weather", "footer"), "Why it is not part of the body."),
        }, ["quote", "kind"])},
    }, []),
}, ["slug", "title", "kind"])

#: the actors section of a source file
ACTORS_SECTION: dict[str, Any] = {"type": "array", "items": _obj({
    "slug": _SLUG,
    "name": _TEXT,
    "is_named": {"type": "boolean", "description": "False when the source does not name the actor."},
    "kind": _enum(m.ACTOR_KINDS, "Kind of actor."),
    "country": {"type": ["string", "null"], "pattern": "^[A-Z]{2}$"},
    "parent": _SLUG,
    "description": _NULLABLE_TEXT,
    "aliases": {"type": "array", "items": {"oneOf": [
        _TEXT,
        _obj({"alias": _TEXT, "evidence": {"$ref": "#/$defs/evidence"}}, ["alias"]),
    ]}},
    "evidence": {"$ref": "#/$defs/evidence"},
}, ["slug", "name", "kind", "evidence"])}

#: the relations section of a source file
RELATIONS_SECTION: dict[str, Any] = {"type": "array", "items": _obj({
    "subject": _SLUG, "object": _SLUG,
    "kind": _enum(m.RELATION_KINDS, "Kind of relation."),
    "description": _NULLABLE_TEXT,
    "since": {"$ref": "#/$defs/date"},
    "evidence": {"$ref": "#/$defs/evidence"},
}, ["subject", "object", "kind", "evidence"])}

#: the agreements section of a source file
AGREEMENTS_SECTION: dict[str, Any] = {"type": "array", "items": _obj({
    "slug": _SLUG, "title": _TEXT,
    "kind": _enum(m.AGREEMENT_KINDS, "Kind of agreement."),
    "status": _enum(m.AGREEMENT_STATUSES, "Status as of the source."),
    "description": _NULLABLE_TEXT,
    "signed": {"$ref": "#/$defs/date"},
    "parties": {"type": "array", "items": _obj(
        {**ROLE_REF, "role": _enum(m.PARTY_ROLES, "Role of the party.")}, ["actor", "role"])},
    "obligations": {"type": "array", "items": _obj({
        "obligor": _SLUG, "beneficiary": _SLUG, "description": _TEXT,
        "evidence": {"$ref": "#/$defs/evidence"},
    }, ["obligor", "description"])},
    "amounts": {"type": "array", "items": {"$ref": "#/$defs/amount"}},
    "evidence": {"$ref": "#/$defs/evidence"},
}, ["slug", "title", "kind", "status", "evidence"])}

#: the resources of a project, each in the source's words
RESOURCE_LIST: dict[str, Any] = {"type": "array", "maxItems": MAX_RESOURCES,
                                 "items": {"type": "string", "minLength": 1, "maxLength": 120}}

#: the projects section of a source file
PROJECTS_SECTION: dict[str, Any] = {"type": "array", "items": _obj({
    "slug": _SLUG, "title": _TEXT,
    "sector": _NULLABLE_TEXT, "location": _NULLABLE_TEXT,
    "resources": {**RESOURCE_LIST, "description": "The resources the project concerns, each in the source's words "
                                                  "(each must occur in the source text)."},
    "resource": {"oneOf": [{"type": "null"}, _TEXT, RESOURCE_LIST],
                 "description": "Older name of resources (give one of the two): a list, or one string that is "
                                "split on commas and on the word 'and' (\"copper, iron and lithium\" is three "
                                "resources), each part trimmed."},
    "status": _enum(m.PROJECT_STATUSES, "Status as of the source."),
    "agreement": _SLUG,
    "description": _NULLABLE_TEXT,
    "started": {"$ref": "#/$defs/date"},
    "participants": {"type": "array", "items": _obj(
        {**ROLE_REF, "role": _enum(m.PARTICIPANT_ROLES, "Role of the participant.")}, ["actor", "role"])},
    "amounts": {"type": "array", "items": {"$ref": "#/$defs/amount"}},
    "evidence": {"$ref": "#/$defs/evidence"},
}, ["slug", "title", "status", "evidence"])}

#: the events section of a source file
EVENTS_SECTION: dict[str, Any] = {"type": "array", "items": _obj({
    "slug": _SLUG, "title": _TEXT,
    "kind": _enum(m.EVENT_KINDS, "Kind of event."),
    "location": _NULLABLE_TEXT, "description": _NULLABLE_TEXT,
    "occurred": {"$ref": "#/$defs/date"},
    "participants": {"type": "array", "items": _obj(
        {**ROLE_REF, "role": _enum(m.EVENT_ROLES, "Role in the event.")}, ["actor", "role"])},
    "evidence": {"$ref": "#/$defs/evidence"},
}, ["slug", "title", "kind", "evidence"])}

#: the statements section of a source file
STATEMENTS_SECTION: dict[str, Any] = {"type": "array", "items": _obj({
    "slug": _SLUG,
    "voice": _enum(m.STATEMENT_VOICES, "'actor' (attributed to speaker) or 'source' (the source's own assertion)."),
    "speaker": _SLUG,
    "kind": _enum(m.STATEMENT_KINDS, "Kind of statement."),
    "direct_quote": {"type": "boolean"},
    "content": {"$ref": "#/$defs/quote",
                "description": "What was said, verbatim from the source text (a quote, as evidence is)."},
    "said": {"$ref": "#/$defs/date"},
    "about": {"type": "array", "items": _obj({
        "actor": _SLUG, "agreement": _SLUG, "project": _SLUG, "event": _SLUG,
        "role": _enum(m.SUBJECT_ROLES, "What the statement does to it."),
        "evidence": {"$ref": "#/$defs/evidence"},
    }, ["role"])},
    "evidence": {"$ref": "#/$defs/evidence"},
}, ["slug", "voice", "kind", "direct_quote", "content"])}

#: the inferences section of a source file
INFERENCES_SECTION: dict[str, Any] = {"type": "array", "items": _obj({
    "about": _obj({k: _SLUG for k in ("source", "agreement", "project", "event", "statement", "actor")}, []),
    "field": _enum(m.INFERENCE_FIELDS, "Which value is inferred."),
    "earliest": _ISO_DAY, "latest": _ISO_DAY,
    "precision": _enum(m.DATE_PRECISIONS, "Precision of the inferred date."),
    "value": _NULLABLE_TEXT,
    "reasoning": _TEXT,
}, ["about", "field", "reasoning"])}

#: the mentions section: which actor a form naming several actors names (see README "Mentions")
MENTIONS_SECTION: dict[str, Any] = _obj({
    "defaults": {"type": "object", "additionalProperties": _SLUG, "propertyNames": {"minLength": 1, "maxLength": 300},
                 "description": "Form -> the actor it names wherever the file does not choose otherwise."},
    "at": {"type": "array", "description": "Single occurrences: the form inside the quote names this actor "
                                           "(null: it names no actor).",
           "items": _obj({"quote": {"$ref": "#/$defs/quote"}, "form": {**_TEXT, "maxLength": 300},
                          "actor": {"oneOf": [_SLUG, {"type": "null"}]}}, ["quote", "form", "actor"])},
}, [], "Which actor a name or alias names where it names several (or none).")

#: the quotations section: whom the words in quotation marks are attributed to
QUOTATIONS_SECTION: dict[str, Any] = {"type": "array", "items": _obj({
    "quote": {"$ref": "#/$defs/quote"},
    "actor": _SLUG, "event": _SLUG, "agreement": _SLUG,
}, ["quote"], "Words of one span in quotation marks, and the one actor, document (event) or agreement "
              "the source attributes it to."),
    "description": "Attributions of quoted spans (every span in quotation marks is found without being listed)."}


def source_file_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an accords source file."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://accords.invalid/schema/source-file-v1.json",
        "title": "accords source file",
        "description": "One source (document) and the facts taken from it, each with verbatim evidence.",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "source"],
        "properties": {
            "format": {"const": FORMAT_VERSION},
            "source": SOURCE_SECTION,
            "actors": ACTORS_SECTION,
            "relations": RELATIONS_SECTION,
            "agreements": AGREEMENTS_SECTION,
            "projects": PROJECTS_SECTION,
            "events": EVENTS_SECTION,
            "statements": STATEMENTS_SECTION,
            "inferences": INFERENCES_SECTION,
            "mentions": MENTIONS_SECTION,
            "quotations": QUOTATIONS_SECTION,
        },
        "$defs": {"quote": QUOTE, "evidence": EVIDENCE, "date": DATE, "amount": AMOUNT},
    }
