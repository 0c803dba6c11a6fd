"""Lookup indexes: lower-case keys for actor names and aliases, and sentence positions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 06:45:00

Adds actors.name_key and actor_aliases.alias_key (each the lower-cased name
or alias, indexed), fills them for existing rows in Python (the same lower()
the loader uses), then makes them NOT NULL. Reports match a `-p actor` value
with `alias_key = lower(:actor)` instead of `lower(alias) = lower(:actor)`,
which no engine can answer from an index. Two indexes on source_segments
(source_id, char_start) and (source_id, char_end) let a report find the
sentence an evidence span falls in by a seek. Downgrade drops all of it.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NAME_KEY = "The name in lower case, for case-insensitive lookups that use an index (set by accords)."
ALIAS_KEY = "The alias in lower case, for case-insensitive lookups that use an index (set by accords)."


def _fill(table: str, source: str, key: str) -> None:
    """key = source.lower() for every row, computed in Python like the loader does."""
    t = sa.table(table, sa.column('id', sa.Integer), sa.column(source, sa.Text), sa.column(key, sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(t.c.id, t.c[source])).all()
    for row_id, value in rows:
        bind.execute(sa.update(t).where(t.c.id == row_id).values({key: value.lower()}))


def upgrade() -> None:
    with op.batch_alter_table('actors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=True, comment=NAME_KEY))
    with op.batch_alter_table('actor_aliases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alias_key', sa.String(length=200), nullable=True, comment=ALIAS_KEY))
    if not op.get_context().as_sql:
        _fill('actors', 'name', 'name_key')
        _fill('actor_aliases', 'alias', 'alias_key')
    else:  # offline: the DBA's SQL fills them with the engine's lower()
        op.execute("UPDATE actors SET name_key = lower(name)")
        op.execute("UPDATE actor_aliases SET alias_key = lower(alias)")
    with op.batch_alter_table('actors', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=200), nullable=False,
                              existing_comment=NAME_KEY)
        batch_op.create_index(batch_op.f('ix_actors_name_key'), ['name_key'], unique=False)
    with op.batch_alter_table('actor_aliases', schema=None) as batch_op:
        batch_op.alter_column('alias_key', existing_type=sa.String(length=200), nullable=False,
                              existing_comment=ALIAS_KEY)
        batch_op.create_index(batch_op.f('ix_actor_aliases_alias_key'), ['alias_key'], unique=False)
    # the sentence an evidence span falls in, found by a seek instead of a scan of the source's sentences
    op.create_index('ix_source_segments_source_start', 'source_segments', ['source_id', 'char_start'], unique=False)
    op.create_index('ix_source_segments_source_end', 'source_segments', ['source_id', 'char_end'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_source_segments_source_end', table_name='source_segments')
    op.drop_index('ix_source_segments_source_start', table_name='source_segments')
    with op.batch_alter_table('actor_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actor_aliases_alias_key'))
        batch_op.drop_column('alias_key')
    with op.batch_alter_table('actors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actors_name_key'))
        batch_op.drop_column('name_key')
