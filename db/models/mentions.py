"""Mentions and quotations: spans of a source's text found when it is loaded (derived, not facts).

``mentions`` is every occurrence of an actor's name or alias in a source's
headline and body, with the actor it names; ``mention_choices`` holds what a
source file says about ambiguous forms (its defaults, and its choice for
single occurrences), so that mentions can be found again when the actors'
forms change; ``quotations`` is every span of a source in double quotation
marks, with whom the source attributes it to where it says. The rules are in
``db.mentions``. They are spans of the source, like evidence (offsets checked
against its text by ``accords db check``), but support no fact.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..mentions import ASSIGNMENTS
from .base import Base, enum_check

_FORM_LENGTH = 300  # an alias is at most 300 characters (actor_aliases.alias)


class Mention(Base):
    __tablename__ = "mentions"
    __table_args__ = (
        CheckConstraint("char_start >= 0 and char_end > char_start", name="span_valid"),
        enum_check("assigned", ASSIGNMENTS),
        CheckConstraint("(actor_id is null) = (assigned = 'ambiguous')", name="actor_when_assigned"),
        Index("ix_mentions_source_start", "source_id", "char_start"),
        {"comment": "Every occurrence of an actor's name or alias in a source's headline and body, and the "
                    "actor it names; found again whenever the source or the actors' forms change."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), comment="The source.")
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), index=True,
        comment="The actor named; NULL when the form names several actors and the source does not say which.")
    char_start: Mapped[int] = mapped_column(Integer, comment="Offset of the form's first character in sources.content (0-based, code points).")
    char_end: Mapped[int] = mapped_column(Integer, comment="Offset just past the form's last character.")
    form: Mapped[str] = mapped_column(String(_FORM_LENGTH), comment="The name or alias as it occurs, equal to substr(content, char_start + 1, char_end - char_start).")
    assigned: Mapped[str] = mapped_column(String(10), comment="How the actor was given: only (the form names one actor), default (the source's default for the form), chosen (the source's choice for this occurrence), ambiguous (no actor).")


class MentionChoice(Base):
    __tablename__ = "mention_choices"
    __table_args__ = (
        CheckConstraint("(char_start is null) = (char_end is null) and (char_start is null) = (quote is null)",
                        name="quote_complete"),
        CheckConstraint("char_start is null or (char_start >= 0 and char_end > char_start)", name="span_valid"),
        CheckConstraint("char_start is not null or actor_id is not null", name="default_names_actor"),
        {"comment": "What a source file says about a form: its default actor (no quote), or the actor of the "
                    "occurrence inside a quote (NULL: that occurrence names no actor)."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True, comment="The source whose file says it.")
    form: Mapped[str] = mapped_column(String(_FORM_LENGTH), comment="The name or alias.")
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("actors.id"), index=True,
        comment="The actor the form names (by default, or in the quote); NULL: the occurrence names no actor.")
    char_start: Mapped[int | None] = mapped_column(Integer, comment="Offset of the quote that holds the occurrence; NULL for a default.")
    char_end: Mapped[int | None] = mapped_column(Integer, comment="Offset just past the quote; NULL for a default.")
    quote: Mapped[str | None] = mapped_column(Text, comment="The quote, verbatim from the source text; NULL for a default.")


class Quotation(Base):
    __tablename__ = "quotations"
    __table_args__ = (
        CheckConstraint("char_start >= 0 and char_end > char_start", name="span_valid"),
        CheckConstraint("(case when actor_id is null then 0 else 1 end) + (case when event_id is null then 0 else 1 end)"
                        " + (case when agreement_id is null then 0 else 1 end) <= 1", name="one_attribution"),
        Index("ix_quotations_source_start", "source_id", "char_start"),
        {"comment": "Every span of a source's headline and body in double quotation marks, and whom the source "
                    "attributes it to (an actor, or a document: an event or an agreement) where it says."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), comment="The source.")
    char_start: Mapped[int] = mapped_column(Integer, comment="Offset of the first quoted character, inside the marks (0-based, code points).")
    char_end: Mapped[int] = mapped_column(Integer, comment="Offset just past the last quoted character (the closing mark is not included).")
    quote: Mapped[str] = mapped_column(Text, comment="The quoted words, equal to substr(content, char_start + 1, char_end - char_start).")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True, comment="The actor the source attributes the words to; NULL when it does not say (or names a document).")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True, comment="The document (an event of kind publication) the words are attributed to; NULL otherwise.")
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"), index=True, comment="The agreement whose text the words are attributed to; NULL otherwise.")
