"""The foundation every model module builds on: one MetaData, the declarative Base,
the enumerations, and the helpers for enumerated columns and partial dates.

Every enumerated column is a VARCHAR guarded by a named CHECK constraint (see
``enum_check``); a partial date is four columns and two checks (see
``date_columns`` and ``date_checks``). The conventions are described in the
package docstring (``db.models``).
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Date, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every model; ``Base.metadata`` is the schema's one MetaData."""

    # Bound only here, never as a global of this module: the package exposes it as
    # ``db.models.metadata``. pytest-alembic's test_all_models_register_on_metadata walks
    # every module whose globals hold the MetaData as if it were the models' package, and
    # fails on a plain module such as this one.
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# --- enumerations -----------------------------------------------------------
# Each tuple is the full list of accepted values; the data dictionary in
# docs/data-dictionary.md explains every value.

SOURCE_KINDS = (
    "news_article", "opinion_article", "government_report", "agreement_text",
    "press_release", "transcript", "dataset", "other",
)
ACTOR_KINDS = (
    "state", "de_facto_government", "former_government", "government",
    "government_body", "government_official", "state_owned_enterprise",
    "company", "person", "group", "organisation", "armed_group",
    "legislature", "region", "place", "initiative", "author", "population",
)
DATE_PRECISIONS = (
    "day", "month", "part_of_year", "year", "years", "day_without_year",
    "relative", "unknown",
)
AGREEMENT_KINDS = (
    "contract", "accord", "diplomatic_exchange", "guarantee",
    "memorandum", "treaty", "other",
)
AGREEMENT_STATUSES = (
    "proposed", "negotiating", "signed", "in_force", "disputed",
    "completed", "terminated", "unknown",
)
PARTY_ROLES = (
    "signatory", "party", "counterparty", "guarantor", "beneficiary", "mediator",
    "witness", "other",
)
PROJECT_STATUSES = (
    "interest", "negotiation", "planned", "contracted", "under_construction",
    "partly_completed", "completed", "cancelled", "unknown",
)
PARTICIPANT_ROLES = (
    "investor", "builder", "host", "operator", "contractor", "financier",
    "partner", "prospective_investor", "other",
)
STATEMENT_KINDS = (
    "claim", "accusation", "demand", "assessment", "praise", "warning",
    "criticism", "prediction", "position", "inquiry", "threat", "denial",
)
STATEMENT_VOICES = ("actor", "source")
SUBJECT_ROLES = ("target", "subject", "beneficiary", "accused", "praised", "mentioned")
EVENT_KINDS = (
    "visit", "meeting", "withdrawal", "evacuation", "exchange",
    "construction", "signing", "negotiation", "military_operation",
    "publication", "other",
)
#: ``author``: wrote the document an event (usually a ``publication``) releases; ``organiser``: organised the event.
EVENT_ROLES = ("host", "visitor", "participant", "organiser", "author", "subject", "excluded", "other")
RELATION_KINDS = (
    "recognizes", "does_not_recognize", "diplomatic_representation",
    "alliance", "opposition", "rivalry", "partnership", "security_guarantee",
    "economic_dependence", "part_of", "other",
)
AMOUNT_QUALIFIERS = ("exact", "about", "at_least", "more_than", "at_most", "less_than")
AMOUNT_STAGES = ("contracted", "planned", "pledged", "disbursed", "reported")
SEGMENT_KINDS = ("headline", "body", "chrome", "weather", "footer")
INFERENCE_FIELDS = ("date", "said", "published", "value")
#: What an amount is counted over: the whole of it, or each year, quarter or month; NULL when the source does not say.
AMOUNT_PERIODS = ("total", "year", "quarter", "month")
#: The reliability of a source, graded as in the Admiralty (NATO) system: A completely reliable,
#: B usually reliable, C fairly reliable, D not usually reliable, E unreliable, F cannot be judged.
SOURCE_GRADES = ("A", "B", "C", "D", "E", "F")
#: The values a source states about a fact, by table: each is stored as the source's claim (``claims``).
#: A single value (kind, status, a date, a country, a parent, a speaker ...) can be disputed between
#: sources; the members of a set (a party and its role, an alias, a resource ...) only corroborate.
CLAIM_FIELDS: dict[str, tuple[str, ...]] = {
    "actors": ("kind", "country", "parent", "is_named"),
    "actor_aliases": ("alias",),
    "actor_relations": ("relation", "since"),
    "agreements": ("kind", "status", "signed"),
    "agreement_parties": ("party",),
    "agreement_obligations": ("obligation", "beneficiary"),
    "projects": ("status", "started", "sector", "resource", "location", "agreement"),
    "project_participants": ("participant",),
    "amounts": ("amount",),
    "events": ("kind", "occurred", "location"),
    "event_participants": ("participant",),
    "statements": ("kind", "speaker", "said"),
    "statement_subjects": ("subject",),
}
#: Fields whose value is one of a set: sources naming different ones do not contradict each other.
#: ``is_named`` says whether a source names the actor: one that does not is no denial of one that does.
SET_FIELDS = ("alias", "relation", "party", "obligation", "participant", "subject", "sector", "resource", "location",
              "is_named")
#: Fields holding a partial date (earliest, latest, precision and the source's words).
DATE_FIELDS = ("since", "signed", "started", "occurred", "said")
CLAIM_FIELD_NAMES = tuple(sorted({f for fields in CLAIM_FIELDS.values() for f in fields}))
#: accords' own editorial labels, kept per source so that removing one restores another's (``labels``).
LABEL_FIELDS: dict[str, tuple[str, ...]] = {
    "actors": ("name", "description"),
    "actor_relations": ("description",),
    "agreements": ("title", "description"),
    "projects": ("title", "description"),
    "events": ("title", "description"),
    "statements": ("content",),
}
LABEL_FIELD_NAMES = tuple(sorted({f for fields in LABEL_FIELDS.values() for f in fields}))


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} in ({quoted})"


def enum_check(column: str, values: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(_in(column, values), name=f"{column}_valid")


def date_columns(prefix: str, what: str) -> tuple:
    """The four columns and two checks of a partial date (see module docs)."""
    return (
        mapped_column(
            f"{prefix}_earliest", Date, nullable=True,
            comment=f"First day {what} can mean; NULL when the source does not pin it down.",
        ),
        mapped_column(
            f"{prefix}_latest", Date, nullable=True,
            comment=f"Last day {what} can mean; NULL when the source does not pin it down.",
        ),
        mapped_column(
            f"{prefix}_precision", String(20), nullable=False, default="unknown",
            comment=f"Precision of {what}: day, month, part_of_year, year, years, "
                    "day_without_year, relative or unknown.",
        ),
        mapped_column(
            f"{prefix}_text", Text, nullable=True,
            comment=f"The source's own words for {what}, verbatim.",
        ),
    )


def date_checks(prefix: str) -> tuple[CheckConstraint, ...]:
    return (
        enum_check(f"{prefix}_precision", DATE_PRECISIONS),
        CheckConstraint(
            f"{prefix}_earliest is null or {prefix}_latest is null "
            f"or {prefix}_earliest <= {prefix}_latest",
            name=f"{prefix}_ordered",
        ),
    )
