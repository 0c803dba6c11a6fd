"""Projects and declared investment interests, who takes part in them, and the resources they concern."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import PARTICIPANT_ROLES, PROJECT_STATUSES, Base, date_checks, date_columns, enum_check


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        enum_check("status", PROJECT_STATUSES),
        *date_checks("started"),
        {"comment": "Projects and declared investment interests: mines, oil fields, roads, ..."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    slug: Mapped[str] = mapped_column(String(120), unique=True, comment="Stable unique identifier.")
    title: Mapped[str] = mapped_column(Text, comment="Short description of the project.")
    sector: Mapped[str | None] = mapped_column(String(60), comment="Economic sector: mining, oil, infrastructure, ...")
    location_text: Mapped[str | None] = mapped_column(Text, comment="Location as the source words it; NULL when not stated.")
    status: Mapped[str] = mapped_column(String(30), comment="Status as of the source (see data dictionary).")
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreements.id", ondelete="SET NULL"), index=True, comment="The agreement behind the project, where there is one."
    )
    description: Mapped[str | None] = mapped_column(Text, comment="The project in accords' words.")
    started_earliest, started_latest, started_precision, started_text = date_columns("started", "the start")


class ProjectParticipant(Base):
    __tablename__ = "project_participants"
    __table_args__ = (
        UniqueConstraint("project_id", "actor_id", "role"),
        enum_check("role", PARTICIPANT_ROLES),
        {"comment": "Who takes part in a project, and in which role."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), comment="The project.")
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True, comment="The participant.")
    role: Mapped[str] = mapped_column(String(30), comment="Role of the participant (see data dictionary).")


class ProjectResource(Base):
    __tablename__ = "project_resources"
    __table_args__ = (
        UniqueConstraint("project_id", "resource"),
        {"comment": "The resources a project concerns (marble, oil, copper, ...): one row per project and resource, "
                    "in the source's words."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), comment="The project.")
    resource: Mapped[str] = mapped_column(String(120), comment="One resource concerned, in the source's words "
                                                               "('copper', 'lithium').")
    resource_key: Mapped[str] = mapped_column(
        String(120), index=True,
        comment="The resource in lower case, for case-insensitive lookups that use an index (set by accords).",
    )
