"""The accords schema: SQLAlchemy 2 typed models on one MetaData.

This module is the public, documented interface of the database. Every table
and column carries a comment (shown by ``\\d+`` in psql and by SQL clients),
and every enumerated column is a VARCHAR guarded by a named CHECK constraint,
so the same schema works on SQLite, PostgreSQL and MariaDB without native
enum types.

Conventions
-----------
* Partial dates are four columns: ``<name>_earliest`` and ``<name>_latest``
  (the first and last day the date can mean; NULL when the source does not
  pin it down), ``<name>_precision`` (see ``DATE_PRECISIONS``) and
  ``<name>_text`` (the source's own words). Order by ``<name>_earliest``.
* Money lives in ``amounts``: exact decimals, an ISO 4217 currency and a
  qualifier. An amount has at most 18 digits before the decimal point and 2
  after it (0.00 to 999999999999999999.99, ``AMOUNT_MAX``): NUMERIC(20, 2) on
  PostgreSQL and MariaDB; on SQLite, which has no decimal type, canonical
  decimal text ('150000000.00': no exponent, no leading zeros, exactly two
  decimals) that a CHECK constraint guards (see ``Money``).
* Every fact row is backed by at least one ``evidence`` row: a verbatim span
  of a stored source. Values that can only be inferred live in
  ``inferences``, never in the fact row itself.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

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
EVENT_ROLES = ("host", "visitor", "participant", "organiser", "subject", "excluded", "other")
RELATION_KINDS = (
    "recognizes", "does_not_recognize", "diplomatic_representation",
    "alliance", "opposition", "rivalry", "partnership", "security_guarantee",
    "economic_dependence", "part_of", "other",
)
AMOUNT_QUALIFIERS = ("exact", "about", "at_least", "more_than", "at_most", "less_than")
AMOUNT_STAGES = ("contracted", "planned", "pledged", "disbursed", "reported")
SEGMENT_KINDS = ("headline", "body", "chrome", "weather", "footer")
INFERENCE_FIELDS = ("date", "said", "published", "value")


# --- money ---------------------------------------------------------------------

#: Digits an amount may have before and after the decimal point: NUMERIC(20, 2).
AMOUNT_INTEGER_DIGITS = 18
AMOUNT_SCALE = 2
#: The largest amount every engine stores exactly.
AMOUNT_MAX = Decimal("9" * AMOUNT_INTEGER_DIGITS + "." + "9" * AMOUNT_SCALE)
_CENT = Decimal(1).scaleb(-AMOUNT_SCALE)

#: On SQLite an amount is TEXT in canonical form: digits, one point, exactly two decimals, no
#: leading zero (but in 0.xx), at most 18 digits before the point. GLOB is SQLite's own.
SQLITE_AMOUNT_CHECK = (
    "typeof(amount) = 'text'"
    f" and length(amount) between {AMOUNT_SCALE + 2} and {AMOUNT_INTEGER_DIGITS + AMOUNT_SCALE + 1}"
    " and amount glob '*[0-9].[0-9][0-9]'"
    " and amount not glob '*[^0-9.]*'"
    " and amount not glob '*.*.*'"
    " and amount not glob '0[0-9]*'"
)


def amount_text(value: Any) -> str:
    """An amount in canonical form ('1500.00'); ValueError if it is not one accords can store.

    Takes a Decimal, an int or a decimal string (never a float, which is not exact).
    More than two decimals round half away from zero, as NUMERIC(20, 2) does.
    """
    if isinstance(value, (float, bool)):
        raise ValueError(f"an amount must be exact (a Decimal, int or string), not {type(value).__name__}")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        if not number.is_finite() or number.adjusted() >= AMOUNT_INTEGER_DIGITS:
            raise InvalidOperation
        number = number.quantize(_CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ValueError(f"not an amount from 0.00 to {AMOUNT_MAX}: {str(value)[:40]!r}") from None
    if number < 0 or number > AMOUNT_MAX:
        raise ValueError(f"not an amount from 0.00 to {AMOUNT_MAX}: {str(value)[:40]!r}")
    return f"{number + 0:f}"  # + 0 turns -0.00 into 0.00


class Money(TypeDecorator[Decimal]):
    """An exact amount of money: NUMERIC(20, 2), stored on SQLite as canonical decimal text.

    SQLite has no decimal type: a NUMERIC column there holds a float, which
    loses digits beyond the 15th and turns 1e40 into 1e+40. TEXT holds the
    digits as given, and ``SQLITE_AMOUNT_CHECK`` keeps them canonical, so
    ``select amount from amounts`` reads 150000000.00 in any SQLite client
    and equal amounts have equal text. Values come back as Decimal everywhere.
    """

    impl = Numeric(AMOUNT_INTEGER_DIGITS + AMOUNT_SCALE, AMOUNT_SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(AMOUNT_INTEGER_DIGITS + AMOUNT_SCALE, AMOUNT_SCALE))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return amount_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None or dialect.name != "sqlite":
            return value
        if isinstance(value, str):
            return Decimal(value)
        number = Decimal(str(value))  # a number SQLite stored before revision 0005 (the database is older)
        return number.quantize(_CENT) if number.is_finite() and number.adjusted() < AMOUNT_INTEGER_DIGITS else number

    @property
    def python_type(self) -> type:
        return Decimal


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} in ({quoted})"


def _enum_check(column: str, values: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(_in(column, values), name=f"{column}_valid")


class Base(DeclarativeBase):
    metadata = metadata


def _date_columns(prefix: str, what: str) -> tuple:
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


def _date_checks(prefix: str) -> tuple[CheckConstraint, ...]:
    return (
        _enum_check(f"{prefix}_precision", DATE_PRECISIONS),
        CheckConstraint(
            f"{prefix}_earliest is null or {prefix}_latest is null "
            f"or {prefix}_earliest <= {prefix}_latest",
            name=f"{prefix}_ordered",
        ),
    )


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (
        _enum_check("kind", SOURCE_KINDS),
        *_date_checks("published"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        {"comment": "A document facts are taken from: news article, report, agreement text, ..."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    slug: Mapped[str] = mapped_column(String(120), unique=True, comment="Stable unique identifier of the source.")
    title: Mapped[str] = mapped_column(Text, comment="Title as published.")
    kind: Mapped[str] = mapped_column(String(30), comment="Kind of document (see data dictionary).")
    author: Mapped[str | None] = mapped_column(Text, comment="Author as named by the document; NULL when not named.")
    publisher: Mapped[str | None] = mapped_column(Text, comment="Publisher; NULL when unknown.")
    url: Mapped[str | None] = mapped_column(Text, comment="Where the document was published; NULL when unknown.")
    published_earliest, published_latest, published_precision, published_text = _date_columns(
        "published", "the publication date"
    )
    content: Mapped[str] = mapped_column(
        # MariaDB's TEXT holds 64 KB: a whole document needs LONGTEXT there (migration 0004)
        Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"),
        comment="Full text of the document, exactly as stored; evidence offsets index into it.")
    sha256: Mapped[str] = mapped_column(String(64), comment="SHA-256 (hex) of content encoded as UTF-8.")
    loaded_digest: Mapped[str | None] = mapped_column(
        String(64), comment="SHA-256 of the data file the source's facts were last loaded from."
    )


class SourceSegment(Base):
    __tablename__ = "source_segments"
    __table_args__ = (
        UniqueConstraint("source_id", "seq"),
        Index("ix_source_segments_source_start", "source_id", "char_start"),
        Index("ix_source_segments_source_end", "source_id", "char_end"),
        _enum_check("kind", SEGMENT_KINDS),
        CheckConstraint("char_start >= 0 and char_end > char_start", name="span_valid"),
        {"comment": "The sentences of a source, in order, and the parts excluded from its body."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True, comment="The source.")
    seq: Mapped[int] = mapped_column(Integer, comment="Position of the segment in the source, from 1.")
    kind: Mapped[str] = mapped_column(String(20), comment="headline and body are cited; chrome, weather and footer are page furniture, excluded.")
    char_start: Mapped[int] = mapped_column(Integer, comment="Offset of the first character (0-based, in Unicode code points).")
    char_end: Mapped[int] = mapped_column(Integer, comment="Offset just past the last character.")
    text: Mapped[str] = mapped_column(Text, comment="The segment's text, verbatim.")


class Actor(Base):
    __tablename__ = "actors"
    __table_args__ = (
        _enum_check("kind", ACTOR_KINDS),
        CheckConstraint("country is null or length(country) = 2", name="country_alpha2"),
        {"comment": "Who acts: states, governments, bodies, companies, people, groups."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    slug: Mapped[str] = mapped_column(String(120), unique=True, comment="Stable unique identifier, e.g. 'china'.")
    name: Mapped[str] = mapped_column(Text, comment="Display name; for an unnamed actor, a description in brackets.")
    name_key: Mapped[str] = mapped_column(
        String(200), index=True,
        comment="The name in lower case, for case-insensitive lookups that use an index (set by accords).",
    )
    is_named: Mapped[bool] = mapped_column(default=True, comment="False when the sources describe the actor without naming it.")
    kind: Mapped[str] = mapped_column(String(40), comment="Kind of actor (see data dictionary).")
    country: Mapped[str | None] = mapped_column(String(2), comment="ISO 3166-1 alpha-2 code of the actor's country, where one applies.")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("actors.id", ondelete="SET NULL"), index=True,
        comment="The actor this one belongs to (a ministry to its government).",
    )
    description: Mapped[str | None] = mapped_column(Text, comment="Short description in accords' words.")


class ActorAlias(Base):
    __tablename__ = "actor_aliases"
    __table_args__ = (
        UniqueConstraint("actor_id", "alias"),
        {"comment": "Surface forms a source uses for an actor ('Beijing' for China)."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), comment="The actor meant.")
    alias: Mapped[str] = mapped_column(String(200), index=True, comment="The surface form, verbatim.")
    alias_key: Mapped[str] = mapped_column(
        String(200), index=True,
        comment="The alias in lower case, for case-insensitive lookups that use an index (set by accords).",
    )


class ActorRelation(Base):
    __tablename__ = "actor_relations"
    __table_args__ = (
        _enum_check("kind", RELATION_KINDS),
        *_date_checks("since"),
        CheckConstraint("subject_actor_id <> object_actor_id", name="distinct_actors"),
        {"comment": "A stated relation from one actor to another (recognition, representation, alliance, ...)."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    subject_actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True, comment="The actor the relation goes from.")
    object_actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True, comment="The actor the relation goes to.")
    kind: Mapped[str] = mapped_column(String(40), comment="Kind of relation (see data dictionary).")
    description: Mapped[str | None] = mapped_column(Text, comment="The relation in accords' words.")
    since_earliest, since_latest, since_precision, since_text = _date_columns("since", "the start of the relation")


class Agreement(Base):
    __tablename__ = "agreements"
    __table_args__ = (
        _enum_check("kind", AGREEMENT_KINDS),
        _enum_check("status", AGREEMENT_STATUSES),
        *_date_checks("signed"),
        {"comment": "Contracts, accords, diplomatic exchanges and guarantees between actors."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    slug: Mapped[str] = mapped_column(String(120), unique=True, comment="Stable unique identifier.")
    title: Mapped[str] = mapped_column(Text, comment="Name as the source gives it, or a short description.")
    kind: Mapped[str] = mapped_column(String(30), comment="Kind of agreement (see data dictionary).")
    status: Mapped[str] = mapped_column(String(20), comment="Status as of the source.")
    description: Mapped[str | None] = mapped_column(Text, comment="What was agreed, in accords' words.")
    signed_earliest, signed_latest, signed_precision, signed_text = _date_columns("signed", "the signing date")


class AgreementParty(Base):
    __tablename__ = "agreement_parties"
    __table_args__ = (
        UniqueConstraint("agreement_id", "actor_id", "role"),
        _enum_check("role", PARTY_ROLES),
        {"comment": "Who is party to an agreement, and in which role."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), comment="The agreement.")
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True, comment="The party.")
    role: Mapped[str] = mapped_column(String(20), comment="Role of the party (see data dictionary).")


class AgreementObligation(Base):
    __tablename__ = "agreement_obligations"
    __table_args__ = ({"comment": "What a party owes under an agreement, as a source states it."},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True, comment="The agreement.")
    obligor_actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True, comment="The party that owes.")
    beneficiary_actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), index=True, comment="The party owed, where the source says."
    )
    description: Mapped[str] = mapped_column(Text, comment="What is owed, in the source's words where it quotes the agreement.")


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        _enum_check("status", PROJECT_STATUSES),
        *_date_checks("started"),
        {"comment": "Projects and declared investment interests: mines, oil fields, roads, ..."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    slug: Mapped[str] = mapped_column(String(120), unique=True, comment="Stable unique identifier.")
    title: Mapped[str] = mapped_column(Text, comment="Short description of the project.")
    sector: Mapped[str | None] = mapped_column(String(60), comment="Economic sector: mining, oil, infrastructure, ...")
    resource: Mapped[str | None] = mapped_column(String(120), comment="Resource concerned (marble, oil, copper, ...), where stated.")
    location_text: Mapped[str | None] = mapped_column(Text, comment="Location as the source words it; NULL when not stated.")
    status: Mapped[str] = mapped_column(String(30), comment="Status as of the source (see data dictionary).")
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreements.id", ondelete="SET NULL"), index=True, comment="The agreement behind the project, where there is one."
    )
    description: Mapped[str | None] = mapped_column(Text, comment="The project in accords' words.")
    started_earliest, started_latest, started_precision, started_text = _date_columns("started", "the start")


class ProjectParticipant(Base):
    __tablename__ = "project_participants"
    __table_args__ = (
        UniqueConstraint("project_id", "actor_id", "role"),
        _enum_check("role", PARTICIPANT_ROLES),
        {"comment": "Who takes part in a project, and in which role."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), comment="The project.")
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True, comment="The participant.")
    role: Mapped[str] = mapped_column(String(30), comment="Role of the participant (see data dictionary).")


class Amount(Base):
    __tablename__ = "amounts"
    __table_args__ = (
        _enum_check("qualifier", AMOUNT_QUALIFIERS),
        _enum_check("stage", AMOUNT_STAGES),
        CheckConstraint("length(currency) = 3", name="currency_alpha3"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        # SQLite only: there amount is TEXT, kept canonical (PostgreSQL and MariaDB have NUMERIC)
        CheckConstraint(SQLITE_AMOUNT_CHECK, name="amount_canonical").ddl_if(dialect="sqlite"),
        CheckConstraint(
            "(case when agreement_id is null then 0 else 1 end)"
            " + (case when project_id is null then 0 else 1 end) = 1",
            name="one_owner",
        ),
        {"comment": "Stated amounts of money, each tied to one agreement or one project."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True, comment="The agreement the amount belongs to.")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True, comment="The project the amount belongs to.")
    amount: Mapped[Decimal] = mapped_column(
        Money(),
        comment="The amount as an exact decimal, in currency units: 0.00 to 999999999999999999.99 "
                "(18 digits before the point, 2 after). NUMERIC(20, 2); on SQLite canonical decimal text "
                "such as '150000000.00' (add up amounts with a report, not with sum(), which gives a float there).")
    currency: Mapped[str] = mapped_column(String(3), comment="ISO 4217 currency code.")
    qualifier: Mapped[str] = mapped_column(String(20), comment="exact, about, at_least, more_than, at_most or less_than.")
    stage: Mapped[str] = mapped_column(String(20), comment="contracted, planned, pledged, disbursed or reported.")
    amount_text: Mapped[str] = mapped_column(Text, comment="The source's own words for the amount.")


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (
        _enum_check("kind", STATEMENT_KINDS),
        _enum_check("voice", STATEMENT_VOICES),
        *_date_checks("said"),
        CheckConstraint(
            "(voice = 'actor' and speaker_actor_id is not null)"
            " or (voice = 'source' and speaker_actor_id is null and not is_direct_quote)",
            name="voice_speaker",
        ),
        {"comment": "What an actor said (quoted or reported), or what a source itself asserts."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    slug: Mapped[str] = mapped_column(String(120), unique=True, comment="Stable unique identifier.")
    voice: Mapped[str] = mapped_column(String(10), comment="'actor': attributed to speaker_actor_id; 'source': the source's own assertion.")
    speaker_actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), index=True, comment="Who said it; NULL for the source's own voice."
    )
    kind: Mapped[str] = mapped_column(String(20), comment="Kind of statement (see data dictionary).")
    is_direct_quote: Mapped[bool] = mapped_column(comment="True when content is a verbatim quotation; false for reported speech and the source's voice.")
    content: Mapped[str] = mapped_column(Text, comment="Verbatim quote when is_direct_quote, otherwise the source's words reporting it.")
    said_earliest, said_latest, said_precision, said_text = _date_columns("said", "when it was said")


class StatementSubject(Base):
    __tablename__ = "statement_subjects"
    __table_args__ = (
        _enum_check("role", SUBJECT_ROLES),
        CheckConstraint(
            "(case when actor_id is null then 0 else 1 end)"
            " + (case when agreement_id is null then 0 else 1 end)"
            " + (case when project_id is null then 0 else 1 end)"
            " + (case when event_id is null then 0 else 1 end) = 1",
            name="one_subject",
        ),
        {"comment": "What or whom a statement is about: one actor, agreement, project or event per row."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"), index=True, comment="The statement.")
    role: Mapped[str] = mapped_column(String(20), comment="target, subject, beneficiary, accused, praised or mentioned.")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True, comment="The actor it is about.")
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True, comment="The agreement it is about.")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True, comment="The project it is about.")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True, comment="The event it is about.")


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        _enum_check("kind", EVENT_KINDS),
        *_date_checks("occurred"),
        {"comment": "Dated happenings that are not agreements, projects or statements: visits, meetings, withdrawals."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    slug: Mapped[str] = mapped_column(String(120), unique=True, comment="Stable unique identifier.")
    title: Mapped[str] = mapped_column(Text, comment="Short description of the event.")
    kind: Mapped[str] = mapped_column(String(30), comment="Kind of event (see data dictionary).")
    location_text: Mapped[str | None] = mapped_column(Text, comment="Where, as the source words it; NULL when not stated.")
    description: Mapped[str | None] = mapped_column(Text, comment="The event in accords' words.")
    occurred_earliest, occurred_latest, occurred_precision, occurred_text = _date_columns("occurred", "when it happened")


class EventParticipant(Base):
    __tablename__ = "event_participants"
    __table_args__ = (
        UniqueConstraint("event_id", "actor_id", "role"),
        _enum_check("role", EVENT_ROLES),
        {"comment": "Who took part in an event, and in which role."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), comment="The event.")
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True, comment="The participant.")
    role: Mapped[str] = mapped_column(String(20), comment="Role in the event (see data dictionary).")


# --- provenance ---------------------------------------------------------------
# The fact tables an evidence or inference row can point at: one nullable
# foreign key column each, exactly one of them set (a CHECK enforces it).
FACT_TARGETS: dict[str, str] = {
    "actor_id": "actors",
    "alias_id": "actor_aliases",
    "relation_id": "actor_relations",
    "agreement_id": "agreements",
    "party_id": "agreement_parties",
    "obligation_id": "agreement_obligations",
    "project_id": "projects",
    "participant_id": "project_participants",
    "amount_id": "amounts",
    "statement_id": "statements",
    "subject_id": "statement_subjects",
    "event_id": "events",
    "event_participant_id": "event_participants",
}


def _exactly_one(columns: list[str], name: str) -> CheckConstraint:
    terms = " + ".join(f"(case when {c} is null then 0 else 1 end)" for c in columns)
    return CheckConstraint(f"{terms} = 1", name=name)


def _target_columns(cls_name: str) -> dict:
    return {
        column: mapped_column(
            ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=True, index=True,
            comment=f"The {table} row this {cls_name} row supports, when it supports one.",
        )
        for column, table in FACT_TARGETS.items()
    }


class Evidence(Base):
    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint("char_start >= 0 and char_end > char_start", name="span_valid"),
        _exactly_one(list(FACT_TARGETS), "one_fact"),
        {"comment": "A verbatim span of a source that supports exactly one fact row."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), comment="The source quoted.")
    char_start: Mapped[int] = mapped_column(Integer, comment="Offset of the quote's first character in sources.content (0-based, code points).")
    char_end: Mapped[int] = mapped_column(Integer, comment="Offset just past the quote's last character.")
    quote: Mapped[str] = mapped_column(Text, comment="The quoted text, equal to substr(content, char_start + 1, char_end - char_start).")

    locals().update(_target_columns("evidence"))


class Inference(Base):
    __tablename__ = "inferences"
    __table_args__ = (
        _enum_check("field", INFERENCE_FIELDS),
        _enum_check("date_precision", DATE_PRECISIONS),
        CheckConstraint("earliest is null or latest is null or earliest <= latest", name="range_ordered"),
        _exactly_one(["source_id", *FACT_TARGETS], "one_fact"),
        {"comment": "A value the sources do not state but that accords infers, with the reasoning; never mixed into the fact rows."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    field: Mapped[str] = mapped_column(String(20), comment="Which value is inferred: date (of the fact), said, published or value.")
    earliest: Mapped[dt.date | None] = mapped_column(Date, comment="Inferred first day, for a date.")
    latest: Mapped[dt.date | None] = mapped_column(Date, comment="Inferred last day, for a date.")
    date_precision: Mapped[str] = mapped_column(String(20), default="unknown", comment="Precision of the inferred date (as for partial dates).")
    value_text: Mapped[str | None] = mapped_column(Text, comment="The inferred value in words.")
    reasoning: Mapped[str] = mapped_column(Text, comment="Why accords infers it, citing what the sources say.")
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), index=True, comment="The source this inference is about (its publication date)."
    )

    locals().update(_target_columns("inference"))


Index("ix_evidence_source_span", Evidence.source_id, Evidence.char_start, Evidence.char_end)

class ReportView(Base):
    __tablename__ = "report_views"
    __table_args__ = ({"comment": "The report views accords installed (report_<name>), with the SHA-256 of the SQL each was built from."},)

    name: Mapped[str] = mapped_column(String(100), primary_key=True, comment="The view's name, report_<report name>.")
    report: Mapped[str] = mapped_column(String(100), comment="The report file the view mirrors (reports/<report>.sql).")
    sql_sha256: Mapped[str] = mapped_column(String(64), comment="SHA-256 of the report's SQL when the view was built; a mismatch means the view is stale.")


#: Tables that hold facts; every row of each must have evidence.
FACT_TABLES: tuple[str, ...] = tuple(FACT_TARGETS.values())
