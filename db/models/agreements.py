"""Agreements, their parties and what the parties owe (their amounts are in ``money``)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import AGREEMENT_KINDS, AGREEMENT_STATUSES, PARTY_ROLES, Base, date_checks, date_columns, enum_check


class Agreement(Base):
    __tablename__ = "agreements"
    __table_args__ = (
        enum_check("kind", AGREEMENT_KINDS),
        enum_check("status", AGREEMENT_STATUSES),
        *date_checks("signed"),
        {"comment": "Contracts, accords, diplomatic exchanges and guarantees between actors."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    slug: Mapped[str] = mapped_column(String(120), unique=True, comment="Stable unique identifier.")
    title: Mapped[str] = mapped_column(Text, comment="Name as the source gives it, or a short description.")
    kind: Mapped[str] = mapped_column(String(30), comment="Kind of agreement (see data dictionary).")
    status: Mapped[str] = mapped_column(String(20), comment="Status as of the source.")
    description: Mapped[str | None] = mapped_column(Text, comment="What was agreed, in accords' words.")
    signed_earliest, signed_latest, signed_precision, signed_text = date_columns("signed", "the signing date")


class AgreementParty(Base):
    __tablename__ = "agreement_parties"
    __table_args__ = (
        UniqueConstraint("agreement_id", "actor_id", "role"),
        enum_check("role", PARTY_ROLES),
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
