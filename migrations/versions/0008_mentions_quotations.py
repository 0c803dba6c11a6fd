"""Mentions of actors and quotations: spans of the sources' text found when a source is loaded.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 09:00:00

Adds the tables ``mentions`` (every occurrence of an actor's name or alias
in a source's headline and body, with the actor it names and how it was
given: only, default, chosen or ambiguous), ``mention_choices`` (what a
source file says about forms that name several actors) and ``quotations``
(every span in double quotation marks, with whom the source attributes it
to, where it says).

The tables are created empty. They are derived from the sources' text and
the actors' names and aliases by rules that live in the code
(``db.mentions``), not in this migration: ``accords db upgrade`` finds the
mentions and quotations of every source once the schema is at its head
(``db.load.mentions.backfill``), in the same transaction, as it rebuilds the
report views. An existing database has no file choices, so a form that names
several actors there (the seed's "Beijing") is recorded with no actor
(``ambiguous``) and quotations with no attribution, until the source's file
is loaded again (`accords db seed` for the seed: an unchanged file then
writes only its choices and attributions).

Downgrade drops the report views over them (when alembic runs it by itself),
then the three tables: what they hold is derived from the
sources, except the files' choices and attributions, which their files keep.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ASSIGNMENTS = ('only', 'default', 'chosen', 'ambiguous')


def _key(table: str, column: str, target: str, ondelete: str | None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'),
                                   ondelete=ondelete)


def _mentions() -> None:
    op.create_table('mentions',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('source_id', sa.Integer(), nullable=False, comment='The source.'),
    sa.Column('actor_id', sa.Integer(), nullable=True, comment='The actor named; NULL when the form names several actors and the source does not say which.'),
    sa.Column('char_start', sa.Integer(), nullable=False, comment='Offset of the form\'s first character in sources.content (0-based, code points).'),
    sa.Column('char_end', sa.Integer(), nullable=False, comment='Offset just past the form\'s last character.'),
    sa.Column('form', sa.String(length=300), nullable=False, comment='The name or alias as it occurs, equal to substr(content, char_start + 1, char_end - char_start).'),
    sa.Column('assigned', sa.String(length=10), nullable=False, comment='How the actor was given: only (the form names one actor), default (the source\'s default for the form), chosen (the source\'s choice for this occurrence), ambiguous (no actor).'),
    sa.CheckConstraint('char_start >= 0 and char_end > char_start', name=op.f('ck_mentions_span_valid')),
    sa.CheckConstraint("assigned in ('only', 'default', 'chosen', 'ambiguous')", name=op.f('ck_mentions_assigned_valid')),
    sa.CheckConstraint("(actor_id is null) = (assigned = 'ambiguous')", name=op.f('ck_mentions_actor_when_assigned')),
    _key('mentions', 'source_id', 'sources', 'CASCADE'),
    _key('mentions', 'actor_id', 'actors', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentions')),
    comment="Every occurrence of an actor's name or alias in a source's headline and body, and the actor it names; found again whenever the source or the actors' forms change.")
    op.create_index(op.f('ix_mentions_actor_id'), 'mentions', ['actor_id'], unique=False)
    op.create_index('ix_mentions_source_start', 'mentions', ['source_id', 'char_start'], unique=False)


def _mention_choices() -> None:
    op.create_table('mention_choices',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('source_id', sa.Integer(), nullable=False, comment='The source whose file says it.'),
    sa.Column('form', sa.String(length=300), nullable=False, comment='The name or alias.'),
    sa.Column('actor_id', sa.Integer(), nullable=True, comment='The actor the form names (by default, or in the quote); NULL: the occurrence names no actor.'),
    sa.Column('char_start', sa.Integer(), nullable=True, comment='Offset of the quote that holds the occurrence; NULL for a default.'),
    sa.Column('char_end', sa.Integer(), nullable=True, comment='Offset just past the quote; NULL for a default.'),
    sa.Column('quote', sa.Text(), nullable=True, comment='The quote, verbatim from the source text; NULL for a default.'),
    sa.CheckConstraint('(char_start is null) = (char_end is null) and (char_start is null) = (quote is null)', name=op.f('ck_mention_choices_quote_complete')),
    sa.CheckConstraint('char_start is null or (char_start >= 0 and char_end > char_start)', name=op.f('ck_mention_choices_span_valid')),
    sa.CheckConstraint('char_start is not null or actor_id is not null', name=op.f('ck_mention_choices_default_names_actor')),
    _key('mention_choices', 'source_id', 'sources', 'CASCADE'),
    _key('mention_choices', 'actor_id', 'actors', None),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mention_choices')),
    comment='What a source file says about a form: its default actor (no quote), or the actor of the occurrence inside a quote (NULL: that occurrence names no actor).')
    op.create_index(op.f('ix_mention_choices_actor_id'), 'mention_choices', ['actor_id'], unique=False)
    op.create_index(op.f('ix_mention_choices_source_id'), 'mention_choices', ['source_id'], unique=False)


def _quotations() -> None:
    op.create_table('quotations',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('source_id', sa.Integer(), nullable=False, comment='The source.'),
    sa.Column('char_start', sa.Integer(), nullable=False, comment='Offset of the first quoted character, inside the marks (0-based, code points).'),
    sa.Column('char_end', sa.Integer(), nullable=False, comment='Offset just past the last quoted character (the closing mark is not included).'),
    sa.Column('quote', sa.Text(), nullable=False, comment='The quoted words, equal to substr(content, char_start + 1, char_end - char_start).'),
    sa.Column('actor_id', sa.Integer(), nullable=True, comment='The actor the source attributes the words to; NULL when it does not say (or names a document).'),
    sa.Column('event_id', sa.Integer(), nullable=True, comment='The document (an event of kind publication) the words are attributed to; NULL otherwise.'),
    sa.Column('agreement_id', sa.Integer(), nullable=True, comment='The agreement whose text the words are attributed to; NULL otherwise.'),
    sa.CheckConstraint('char_start >= 0 and char_end > char_start', name=op.f('ck_quotations_span_valid')),
    sa.CheckConstraint('(case when actor_id is null then 0 else 1 end) + (case when event_id is null then 0 else 1 end) + (case when agreement_id is null then 0 else 1 end) <= 1', name=op.f('ck_quotations_one_attribution')),
    _key('quotations', 'source_id', 'sources', 'CASCADE'),
    _key('quotations', 'actor_id', 'actors', None),
    _key('quotations', 'event_id', 'events', None),
    _key('quotations', 'agreement_id', 'agreements', None),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotations')),
    comment="Every span of a source's headline and body in double quotation marks, and whom the source attributes it to (an actor, or a document: an event or an agreement) where it says.")
    for column in ('actor_id', 'agreement_id', 'event_id'):
        op.create_index(op.f(f'ix_quotations_{column}'), 'quotations', [column], unique=False)
    op.create_index('ix_quotations_source_start', 'quotations', ['source_id', 'char_start'], unique=False)


def upgrade() -> None:
    _mentions()
    _mention_choices()
    _quotations()


#: the report views over these tables (accords drops every report view before migrating; alembic run by
#: itself does not, and a view would stop the drops)
VIEWS = ('report_mentions', 'report_quotations')


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f'DROP VIEW IF EXISTS {name}')
    registry = sa.table('report_views', sa.column('name', sa.String))
    op.execute(registry.delete().where(registry.c.name.in_(VIEWS)))
    op.drop_table('quotations')
    op.drop_table('mention_choices')
    op.drop_table('mentions')
