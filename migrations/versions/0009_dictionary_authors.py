"""The data dictionary inside the database; documents record their authors (role author).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 09:00:00

Creates the table ``data_dictionary`` (one row per table, report view and
column, with its meaning). It is created empty: accords writes its rows
whenever it rebuilds the report views (after `accords db upgrade` and after
every load), from the models and the report headers of the accords that
runs, so it describes the tables later revisions add as well.

Adds ``author`` to the roles of event_participants (ck_event_participants_role_valid)
and makes the organiser of every publication event (a document's release:
the Integrated Country Strategy, the after-action report) its author, with
the claims that state it ('state-department: organiser' becomes
'state-department: author'), so that the record and the claims agree.

Downgrade drops data_dictionary and makes every author an organiser again
(claims too). It refuses, changing nothing, when that would lose
information, unless forced (`accords db downgrade --force`): an author of
an event that is not a publication (an upgrade would not make it an author
again), or an author that is also the organiser of the same event (the two
rows would be one). Forced, such an author's evidence and inferences move to
its organiser row and its own claims are dropped.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.errors import AccordsError  # an expected failure: one line, exit 1 (not the models)

# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES_BEFORE = ('host', 'visitor', 'participant', 'organiser', 'subject', 'excluded', 'other')
ROLES = ('host', 'visitor', 'participant', 'organiser', 'author', 'subject', 'excluded', 'other')
CHECK = 'ck_event_participants_role_valid'
#: the tables whose rows point at an event_participants row (evidence, inferences, claims, labels)
POINTING = ('evidence', 'inferences', 'claims', 'labels')


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


def _drop_report_views() -> None:
    """On SQLite, drop the report views before event_participants is rebuilt (SQLite refuses to rename a table
    into place while a view names it). `accords db upgrade` has dropped them already; a bare `alembic`
    command has not: the registry is emptied too, so the next `accords db upgrade` or load rebuilds them."""
    if op.get_context().as_sql or _dialect() != 'sqlite' or not sa.inspect(op.get_bind()).has_table('report_views'):
        return
    registry = sa.table('report_views', sa.column('name', sa.String))
    for (name,) in op.get_bind().execute(sa.select(registry.c.name)).all():
        op.execute(f"DROP VIEW IF EXISTS {op.get_bind().dialect.identifier_preparer.quote(name)}")
    op.execute(sa.delete(registry))


def _dialect() -> str:
    return op.get_context().dialect.name


def _roles(values: tuple[str, ...]) -> None:
    _drop_report_views()
    with op.batch_alter_table('event_participants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(CHECK), type_='check')
        batch_op.create_check_constraint(batch_op.f(CHECK), sa.text(_in('role', values)))


def _create_dictionary() -> None:
    op.create_table('data_dictionary',
    sa.Column('object_name', sa.String(length=100), nullable=False, comment='The table or view (report_<name>) described.'),
    sa.Column('ordinal', sa.Integer(), autoincrement=False, nullable=False, comment='0 for the table or view itself, then 1, 2, ... for its columns in order.'),
    sa.Column('object_kind', sa.String(length=10), nullable=False, comment='table or view.'),
    sa.Column('column_name', sa.String(length=100), nullable=True, comment='The column described; NULL on the row of the table or view itself.'),
    sa.Column('data_type', sa.String(length=60), nullable=True, comment="The column's type: a table's as the models declare it (VARCHAR(20), DATE, ...), a view's as its report declares it (text, integer, decimal, date, boolean)."),
    sa.Column('is_nullable', sa.Boolean(), nullable=True, comment="Whether a table's column may be NULL; NULL for views and for the table's own row."),
    sa.Column('description', sa.Text(), nullable=False, comment='What the table, view or column holds, in plain words.'),
    sa.Column('allowed_values', sa.Text(), nullable=True, comment="For an enumerated column, every value it accepts and its meaning, one 'value: meaning' per line; NULL otherwise."),
    sa.CheckConstraint("object_kind in ('table', 'view')", name=op.f('ck_data_dictionary_object_kind_valid')),
    sa.PrimaryKeyConstraint('object_name', 'ordinal', name=op.f('pk_data_dictionary')),
    comment='What every table, view and column means, for any SQL client: one row per table or report view and one per column, rewritten whenever the report views are rebuilt.'
    )


# --- the rows ----------------------------------------------------------------------------------------

participants = sa.table('event_participants', sa.column('id', sa.Integer), sa.column('event_id', sa.Integer),
                        sa.column('actor_id', sa.Integer), sa.column('role', sa.String))
events = sa.table('events', sa.column('id', sa.Integer), sa.column('kind', sa.String))
actors = sa.table('actors', sa.column('id', sa.Integer), sa.column('slug', sa.String))
claims = sa.table('claims', sa.column('id', sa.Integer), sa.column('field', sa.String),
                  sa.column('value', sa.String), sa.column('event_participant_id', sa.Integer))


def _word(text: str) -> sa.ColumnElement:
    """A string constant written into the SQL (it also runs offline, in the SQL that --sql prints)."""
    assert "'" not in text, text
    return sa.literal_column(f"'{text}'", sa.String)


def _publications() -> sa.Select:
    return sa.select(events.c.id).where(events.c.kind == _word('publication'))


def _rename(old: str, new: str, which: sa.ColumnElement) -> None:
    """Give the event_participants rows ``which`` selects (by role ``old``) the role ``new``, and their claims
    the value 'actor: new'."""
    ids = sa.select(participants.c.id).where(participants.c.role == _word(old), which)
    op.execute(sa.update(claims).where(claims.c.field == _word('participant'), claims.c.event_participant_id.in_(ids))
               .values(value=sa.select(actors.c.slug + _word(f': {new}'))
                       .select_from(actors.join(participants, participants.c.actor_id == actors.c.id))
                       .where(participants.c.id == claims.c.event_participant_id).scalar_subquery()))
    op.execute(sa.update(participants).where(participants.c.role == _word(old), which).values(role=_word(new)))


def upgrade() -> None:
    _create_dictionary()
    _roles(ROLES)
    _rename('organiser', 'author', participants.c.event_id.in_(_publications()))


# --- downgrade ---------------------------------------------------------------------------------------


def _doubled(author: sa.TableClause) -> sa.ColumnElement:
    """Whether an author row has an organiser row beside it (same event, same actor)."""
    organiser = participants.alias('organiser')
    return sa.exists().where(organiser.c.event_id == author.c.event_id, organiser.c.actor_id == author.c.actor_id,
                             organiser.c.role == _word('organiser'))


def _count(bind: sa.Connection, where: sa.ColumnElement) -> int:
    return int(bind.execute(sa.select(sa.func.count()).select_from(participants)
                            .where(participants.c.role == _word('author'), where)).scalar_one())


def downgrade_refusal(bind: sa.Connection) -> str | None:
    """Why downgrading below this revision would lose information, in one line (None: it would not)."""
    if 'author' not in {r[0] for r in bind.execute(sa.select(participants.c.role).distinct())}:
        return None
    lost = []
    n = _count(bind, participants.c.event_id.not_in(_publications()))
    if n:
        lost.append(f"{n} author role{'' if n == 1 else 's'} of events that are not publications")
    n = _count(bind, _doubled(participants))
    if n:
        lost.append(f"{n} author role{'' if n == 1 else 's'} of an actor that also organised the event")
    if not lost:
        return None
    return f"downgrading below {revision} would lose {' and '.join(lost)}: pass --force to downgrade anyway"


def _merge_doubled() -> None:
    """An author that also organised the event: its evidence and inferences move to the organiser row, its
    claims and labels go, then the row itself."""
    author = participants.alias('author')
    doubled = sa.select(author.c.id).where(author.c.role == _word('author'), _doubled(author))
    for name in POINTING:
        rows = sa.table(name, sa.column('event_participant_id', sa.Integer))
        if name in ('claims', 'labels'):
            op.execute(sa.delete(rows).where(rows.c.event_participant_id.in_(doubled)))
            continue
        organiser = participants.alias('organiser')
        pointed = participants.alias('pointed')
        target = (sa.select(organiser.c.id)
                  .select_from(organiser.join(pointed, sa.and_(pointed.c.event_id == organiser.c.event_id,
                                                               pointed.c.actor_id == organiser.c.actor_id)))
                  .where(pointed.c.id == rows.c.event_participant_id, organiser.c.role == _word('organiser'))
                  .scalar_subquery())
        op.execute(sa.update(rows).where(rows.c.event_participant_id.in_(doubled)).values(event_participant_id=target))
    ids = sa.select(sa.literal_column('d.id')).select_from(doubled.subquery('d'))  # MariaDB: not the table it deletes from
    op.execute(sa.delete(participants).where(participants.c.id.in_(ids)))


def _forced() -> bool:
    """Whether the downgrade was forced: accords' config attribute, or `alembic -x force=1`."""
    context = op.get_context()
    if context.config is not None and context.config.attributes.get('force'):
        return True
    environment = context.environment_context
    if environment is None:
        return False
    return environment.get_x_argument(as_dictionary=True).get('force', '').lower() in ('1', 'true', 'yes')


def downgrade() -> None:
    if not op.get_context().as_sql and not _forced():
        refusal = downgrade_refusal(op.get_bind())
        if refusal:
            raise AccordsError(refusal)
    _merge_doubled()
    _rename('author', 'organiser', sa.true())
    _roles(ROLES_BEFORE)
    op.drop_table('data_dictionary')
