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

Modules
-------
One theme each; import the names from ``db.models``, which re-exports them all.

* ``base``: the MetaData and its naming convention, ``Base``, the enumerations,
  and the helpers for enumerated columns and partial dates.
* ``sources``: sources and source_segments.
* ``actors``: actors, actor_aliases and actor_relations.
* ``agreements``: agreements, agreement_parties and agreement_obligations.
* ``projects``: projects, project_participants and project_resources.
* ``money``: the limits of an amount, ``amount_text``, the ``Money`` type and amounts.
* ``statements``: statements and statement_subjects.
* ``events``: events and event_participants.
* ``evidence``: ``FACT_TARGETS``, ``FACT_TABLES``, evidence and inferences.
* ``claims``: what each source states about a fact (claims) and its editorial labels.
* ``report_views``: the registry of installed report views, and the data dictionary table.
* ``mentions``: mentions of actors and quotations in the sources' text, and the files' choices for them.

The modules are imported below in the order the tables were first defined,
so ``metadata.tables`` keeps that order; all of them are imported before
anything can configure the mappers.
"""

from __future__ import annotations

# isort: off
# In the order the tables were first defined, so metadata.tables keeps that order.
from .base import (
    ACTOR_KINDS,
    AGREEMENT_KINDS,
    AGREEMENT_STATUSES,
    AMOUNT_PERIODS,
    AMOUNT_QUALIFIERS,
    AMOUNT_STAGES,
    CLAIM_FIELD_NAMES,
    CLAIM_FIELDS,
    DATE_FIELDS,
    DATE_PRECISIONS,
    EVENT_KINDS,
    EVENT_ROLES,
    INFERENCE_FIELDS,
    LABEL_FIELD_NAMES,
    LABEL_FIELDS,
    NAMING_CONVENTION,
    PARTICIPANT_ROLES,
    PARTY_ROLES,
    PROJECT_STATUSES,
    RELATION_KINDS,
    SEGMENT_KINDS,
    SET_FIELDS,
    SOURCE_GRADES,
    SOURCE_KINDS,
    STATEMENT_KINDS,
    STATEMENT_VOICES,
    SUBJECT_ROLES,
    Base,
)
from .sources import Source, SourceSegment
from .actors import Actor, ActorAlias, ActorRelation
from .agreements import Agreement, AgreementObligation, AgreementParty
from .projects import Project, ProjectParticipant, ProjectResource
from .money import (
    AMOUNT_INTEGER_DIGITS,
    AMOUNT_MAX,
    AMOUNT_SCALE,
    SQLITE_AMOUNT_CHECK,
    Amount,
    Money,
    amount_text,
)
from .statements import Statement, StatementSubject
from .events import Event, EventParticipant
from .evidence import FACT_TABLES, FACT_TARGETS, Evidence, Inference
from .report_views import OBJECT_KINDS, DataDictionary, ReportView
from .claims import Claim, Label
from .mentions import Mention, MentionChoice, Quotation
# isort: on

#: The one MetaData of the schema, with its naming convention (``Base.metadata``).
metadata = Base.metadata

__all__ = [
    # base: the schema's MetaData, Base and enumerations
    "NAMING_CONVENTION",
    "metadata",
    "Base",
    "SOURCE_KINDS",
    "ACTOR_KINDS",
    "DATE_PRECISIONS",
    "AGREEMENT_KINDS",
    "AGREEMENT_STATUSES",
    "PARTY_ROLES",
    "PROJECT_STATUSES",
    "PARTICIPANT_ROLES",
    "STATEMENT_KINDS",
    "STATEMENT_VOICES",
    "SUBJECT_ROLES",
    "EVENT_KINDS",
    "EVENT_ROLES",
    "RELATION_KINDS",
    "AMOUNT_QUALIFIERS",
    "AMOUNT_STAGES",
    "SEGMENT_KINDS",
    "INFERENCE_FIELDS",
    "AMOUNT_PERIODS",
    "SOURCE_GRADES",
    "CLAIM_FIELDS",
    "CLAIM_FIELD_NAMES",
    "SET_FIELDS",
    "DATE_FIELDS",
    "LABEL_FIELDS",
    "LABEL_FIELD_NAMES",
    # money
    "AMOUNT_INTEGER_DIGITS",
    "AMOUNT_SCALE",
    "AMOUNT_MAX",
    "SQLITE_AMOUNT_CHECK",
    "amount_text",
    "Money",
    # tables
    "Source",
    "SourceSegment",
    "Actor",
    "ActorAlias",
    "ActorRelation",
    "Agreement",
    "AgreementParty",
    "AgreementObligation",
    "Project",
    "ProjectParticipant",
    "ProjectResource",
    "Amount",
    "Statement",
    "StatementSubject",
    "Event",
    "EventParticipant",
    "Evidence",
    "Inference",
    "Claim",
    "Label",
    "ReportView",
    "Mention",
    "MentionChoice",
    "Quotation",
    "DataDictionary",
    "OBJECT_KINDS",
    # provenance
    "FACT_TARGETS",
    "FACT_TABLES",
]
