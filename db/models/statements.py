"""Statements: what actors said, or what sources assert, and what each is about."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import STATEMENT_KINDS, STATEMENT_VOICES, SUBJECT_ROLES, Base, date_checks, date_columns, enum_check


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (
        enum_check("kind", STATEMENT_KINDS),
        enum_check("voice", STATEMENT_VOICES),
        *date_checks("said"),
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
    said_earliest, said_latest, said_precision, said_text = date_columns("said", "when it was said")


class StatementSubject(Base):
    __tablename__ = "statement_subjects"
    __table_args__ = (
        enum_check("role", SUBJECT_ROLES),
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
