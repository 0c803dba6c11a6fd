"""Sources and their segments: the stored documents every fact is quoted from."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from .base import SEGMENT_KINDS, SOURCE_GRADES, SOURCE_KINDS, Base, date_checks, date_columns, enum_check


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (
        enum_check("kind", SOURCE_KINDS),
        *date_checks("published"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        enum_check("grade", SOURCE_GRADES),  # NULL passes: a CHECK fails only when false
        {"comment": "A document facts are taken from: news article, report, agreement text, ..."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    slug: Mapped[str] = mapped_column(String(120), unique=True, comment="Stable unique identifier of the source.")
    title: Mapped[str] = mapped_column(Text, comment="Title as published.")
    kind: Mapped[str] = mapped_column(String(30), comment="Kind of document (see data dictionary).")
    author: Mapped[str | None] = mapped_column(Text, comment="Author as named by the document; NULL when not named.")
    publisher: Mapped[str | None] = mapped_column(Text, comment="Publisher; NULL when unknown.")
    url: Mapped[str | None] = mapped_column(Text, comment="Where the document was published; NULL when unknown.")
    published_earliest, published_latest, published_precision, published_text = date_columns(
        "published", "the publication date"
    )
    content: Mapped[str] = mapped_column(
        # MariaDB's TEXT holds 64 KB: a whole document needs LONGTEXT there (migration 0004)
        Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"),
        comment="Full text of the document, exactly as stored; evidence offsets index into it.")
    sha256: Mapped[str] = mapped_column(String(64), comment="SHA-256 (hex) of content encoded as UTF-8.")
    grade: Mapped[str | None] = mapped_column(
        String(1), comment="Reliability of the source, A (completely reliable) to F (cannot be judged), as in the "
                           "Admiralty/NATO system; NULL when not graded.")
    loaded_digest: Mapped[str | None] = mapped_column(
        String(64), comment="SHA-256 of the data file the source's facts were last loaded from."
    )


class SourceSegment(Base):
    __tablename__ = "source_segments"
    __table_args__ = (
        UniqueConstraint("source_id", "seq"),
        Index("ix_source_segments_source_start", "source_id", "char_start"),
        Index("ix_source_segments_source_end", "source_id", "char_end"),
        enum_check("kind", SEGMENT_KINDS),
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
