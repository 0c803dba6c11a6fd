"""Many sources, one record: what each source states about a fact (claims) and its editorial labels.

Every value a source states about a fact is a ``claims`` row of that source,
with the evidence that quotes it; the fact tables hold the record that the
claims resolve to (the rules are in ``db.claims`` and the README's "Many
sources"). ``support``, ``disputed`` and ``in_record`` are worked out from
all the claims on a fact whenever a source is loaded or removed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import (
    AMOUNT_PERIODS,
    AMOUNT_QUALIFIERS,
    CLAIM_FIELD_NAMES,
    DATE_PRECISIONS,
    LABEL_FIELD_NAMES,
    Base,
    enum_check,
)
from .evidence import FACT_TARGETS, _exactly_one, _target_columns
from .money import Money


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        enum_check("field", CLAIM_FIELD_NAMES),
        enum_check("date_precision", DATE_PRECISIONS),
        enum_check("qualifier", AMOUNT_QUALIFIERS),
        enum_check("period", AMOUNT_PERIODS),
        CheckConstraint("earliest is null or latest is null or earliest <= latest", name="range_ordered"),
        CheckConstraint("support >= 1", name="support_positive"),
        _exactly_one(list(FACT_TARGETS), "one_fact"),
        {"comment": "A value one source states about one fact, with its evidence; the fact row holds the record "
                    "the claims resolve to."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True,
                                           comment="The source that states the value.")
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="CASCADE"), index=True,
                                             comment="The quote of this source that states it.")
    field: Mapped[str] = mapped_column(String(20), comment="Which value of the fact: kind, status, signed, amount, "
                                                           "party, ... (see the data dictionary).")
    value: Mapped[str | None] = mapped_column(
        Text, comment="The value stated, in one canonical form: an enumerated value, an actor's or agreement's slug, "
                      "a country code, 'true'/'false', the source's words for a date or an amount.")
    earliest: Mapped[dt.date | None] = mapped_column(Date, comment="For a date: the first day it can mean.")
    latest: Mapped[dt.date | None] = mapped_column(Date, comment="For a date: the last day it can mean.")
    date_precision: Mapped[str | None] = mapped_column(String(20), comment="For a date: its precision.")
    amount: Mapped[Decimal | None] = mapped_column(Money(), comment="For an amount: the exact value stated.")
    currency: Mapped[str | None] = mapped_column(String(3), comment="For an amount: its ISO 4217 currency.")
    qualifier: Mapped[str | None] = mapped_column(String(20), comment="For an amount: exact, about, at_least, ...")
    period: Mapped[str | None] = mapped_column(String(20), comment="For an amount: total, year, quarter or month; "
                                                                   "NULL when this source does not say.")
    support: Mapped[int] = mapped_column(Integer, default=1,
                                         comment="How many distinct sources state this value or a more precise one "
                                                 "within it (this source included).")
    disputed: Mapped[bool] = mapped_column(Boolean, default=False,
                                           comment="True when another source states an incompatible value.")
    in_record: Mapped[bool] = mapped_column(Boolean, default=True,
                                            comment="True when the fact's record shows this claim's value.")

    locals().update(_target_columns("claim", index=False))  # partial indexes below


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (
        enum_check("field", LABEL_FIELD_NAMES),
        _exactly_one(list(FACT_TARGETS), "one_fact"),
        {"comment": "accords' editorial labels (names, titles, descriptions) of a fact as each source's file gives "
                    "them; the fact row shows the first loaded source's. Not claims."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True,
                                           comment="The source whose file gives the label.")
    field: Mapped[str] = mapped_column(String(20), comment="name, title, description or content.")
    value: Mapped[str | None] = mapped_column(Text, comment="The label as that file gives it.")

    locals().update(_target_columns("label", index=False))  # partial indexes below


Index("ix_claims_source_field", Claim.source_id, Claim.field)


def _partial_indexes(table: type[Base]) -> None:
    """One index per fact column, holding only the rows that point at that fact table.

    Each claim or label points at one fact: on SQLite and PostgreSQL the
    index of each of the 13 fact columns leaves out the rows where it is
    NULL, so writing a claim updates one of them instead of thirteen
    (MariaDB has no partial indexes: there they are whole).
    """
    for column in FACT_TARGETS:
        col = table.__table__.c[column]  # type: ignore[attr-defined]
        Index(f"ix_{table.__tablename__}_{column}", col,
              sqlite_where=col.is_not(None), postgresql_where=col.is_not(None))


_partial_indexes(Claim)
_partial_indexes(Label)
