"""Actors, the names sources use for them, and the relations between them."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import ACTOR_KINDS, RELATION_KINDS, Base, date_checks, date_columns, enum_check


class Actor(Base):
    __tablename__ = "actors"
    __table_args__ = (
        enum_check("kind", ACTOR_KINDS),
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
        enum_check("kind", RELATION_KINDS),
        *date_checks("since"),
        CheckConstraint("subject_actor_id <> object_actor_id", name="distinct_actors"),
        {"comment": "A stated relation from one actor to another (recognition, representation, alliance, ...)."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    subject_actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True, comment="The actor the relation goes from.")
    object_actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True, comment="The actor the relation goes to.")
    kind: Mapped[str] = mapped_column(String(40), comment="Kind of relation (see data dictionary).")
    description: Mapped[str | None] = mapped_column(Text, comment="The relation in accords' words.")
    since_earliest, since_latest, since_precision, since_text = date_columns("since", "the start of the relation")
