"""Events (visits, meetings, withdrawals, ...) and who took part in them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import EVENT_KINDS, EVENT_ROLES, Base, date_checks, date_columns, enum_check


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        enum_check("kind", EVENT_KINDS),
        *date_checks("occurred"),
        {"comment": "Dated happenings that are not agreements, projects or statements: visits, meetings, withdrawals."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    slug: Mapped[str] = mapped_column(String(120), unique=True, comment="Stable unique identifier.")
    title: Mapped[str] = mapped_column(Text, comment="Short description of the event.")
    kind: Mapped[str] = mapped_column(String(30), comment="Kind of event (see data dictionary).")
    location_text: Mapped[str | None] = mapped_column(Text, comment="Where, as the source words it; NULL when not stated.")
    description: Mapped[str | None] = mapped_column(Text, comment="The event in accords' words.")
    occurred_earliest, occurred_latest, occurred_precision, occurred_text = date_columns("occurred", "when it happened")


class EventParticipant(Base):
    __tablename__ = "event_participants"
    __table_args__ = (
        UniqueConstraint("event_id", "actor_id", "role"),
        enum_check("role", EVENT_ROLES),
        {"comment": "Who took part in an event, and in which role."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), comment="The event.")
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True, comment="The participant.")
    role: Mapped[str] = mapped_column(String(20), comment="Role in the event (see data dictionary).")
