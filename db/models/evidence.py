"""Provenance: the fact tables evidence can support, evidence itself, and inferences.

Every fact row is backed by at least one ``evidence`` row, a verbatim span of
a stored source; values that can only be inferred live in ``inferences``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import DATE_PRECISIONS, INFERENCE_FIELDS, Base, enum_check

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


def _target_columns(cls_name: str, index: bool = True) -> dict:
    return {
        column: mapped_column(
            ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=True, index=index,
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
        enum_check("field", INFERENCE_FIELDS),
        enum_check("date_precision", DATE_PRECISIONS),
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

#: Tables that hold facts; every row of each must have evidence.
FACT_TABLES: tuple[str, ...] = tuple(FACT_TARGETS.values())
