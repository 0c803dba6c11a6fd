"""Resources as rows: one project_resources row per project and resource, one claim per resource.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00

projects.resource held a project's resources in one text value ("copper,
iron, lithium"). This revision moves them to the new table
``project_resources`` (id, project_id, resource, resource_key; unique per
project and resource, indexed on resource_key) and drops the column.

Each value is split as the loader splits a single string (``split_resources``
in db/load/check.py): on commas and on the word " and "; each part trimmed
of spaces, empty parts dropped, a part that repeats an earlier one (letter
case ignored) dropped; the source's words and letter case are kept, in their
order. Every ``claims`` row of field 'resource' is split the same way, into
one claim per resource of the same source and project, quoted (as the
loader quotes) by the first of that source's quotes of the project, in text
order, that holds the resource's words, else by its first quote; its support
is the number of sources stating that resource, none is disputed (members of
a set never conflict), and the first source (smallest id) stating a resource
has it in the record. The project's rows are the record: every resource a
source states, in the words of the first source stating it (a project no
claim states keeps its own value, split). Evidence stays on the project. Every statement is SQL
(a recursive CTE splits the values), so it also runs offline (--sql); on
MariaDB the data statements run between two DDL statements, so an
interrupted upgrade run again does them once.

Downgrade puts the resources back into projects.resource, joined by ", "
(a project's rows in id order, that is in the order the source gave them),
and each source's resource claims on a project back into one claim (joined
in claim order), whose record is the first source's, as revision 0006 kept
it. "copper, iron and lithium" comes back as "copper, iron, lithium": the
same resources in other punctuation. It refuses, changing nothing, when
something would be lost, unless forced (``accords db downgrade --force``):
a project resource that no source's claim states (the record of 0006 is one
source's value), or resources that joined exceed the 120 characters of
projects.resource. Offline (--sql) nothing is counted.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from db.errors import AccordsError  # an expected failure: one line, exit 1 (not the models)


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

RESOURCE_COMMENT = "Resource concerned (marble, oil, copper, ...), where stated."
#: a scratch table holding the values split (upgrade) or joined (downgrade) while claims are rewritten
SCRATCH = 'resource_moves'


def _dialect() -> str:
    return op.get_context().dialect.name


def _concat(*parts: str) -> str:
    return f"concat({', '.join(parts)})" if _dialect() in ('mysql', 'mariadb') else " || ".join(parts)


def _position(text: str, words: str) -> str:
    return f"strpos({text}, {words})" if _dialect() == 'postgresql' else f"instr({text}, {words})"


def _split(select_owner: str) -> str:
    """The parts of each value as (owner_id, pos, item): ``select_owner`` gives (owner_id, value) rows.

    Split on commas and on ' and ', trimmed, empty parts dropped; a part repeating an earlier one of the
    same value (letter case ignored) dropped. The first column of the recursion carries the whole text,
    so that MariaDB, which types a recursive CTE's columns by its first part, keeps every item whole."""
    rest = _concat("replace(o.value, ' and ', ',')", "','")
    comma = _position('p.rest', "','")
    return f"""WITH RECURSIVE owners (owner_id, value) AS ({select_owner}),
parts (owner_id, pos, item, rest) AS (
    SELECT o.owner_id, 0, {rest}, {rest} FROM owners AS o
    UNION ALL
    SELECT p.owner_id, p.pos + 1, trim(substr(p.rest, 1, {comma} - 1)), substr(p.rest, {comma} + 1)
    FROM parts AS p WHERE {comma} > 0
),
items AS (
    SELECT p.owner_id, p.pos, p.item,
           row_number() OVER (PARTITION BY p.owner_id, lower(p.item) ORDER BY p.pos) AS n
    FROM parts AS p WHERE p.pos > 0 AND p.item <> ''
)
SELECT i.owner_id, i.pos, i.item FROM items AS i WHERE i.n = 1"""


def _create_scratch(*columns: sa.Column) -> None:
    op.create_table(SCRATCH, sa.Column('id', sa.Integer(), primary_key=True), *columns)
    op.execute(f"DELETE FROM {SCRATCH}")  # MariaDB: a run interrupted after creating it may have filled it


def _first_quote(item: str) -> str:
    """The evidence a claim of these words is quoted by, as the loader picks it: the source's first quote of
    the project (in text order) that holds the words, else its first quote."""
    if _dialect() == 'postgresql':
        holds = f"strpos(e.quote, {item}) > 0"
    elif _dialect() in ('mysql', 'mariadb'):  # case-sensitive, as Python's `in`
        holds = f"instr(cast(e.quote AS binary), cast({item} AS binary)) > 0"
    else:
        holds = f"instr(e.quote, {item}) > 0"

    def first(condition: str) -> str:
        return (f"(SELECT e.id FROM evidence AS e WHERE e.project_id = m.project_id AND e.source_id = m.source_id"
                f"{condition} ORDER BY e.char_start, e.char_end, e.id LIMIT 1)")
    return f"coalesce({first(' AND ' + holds)}, {first('')})"


# --- upgrade ----------------------------------------------------------------------------------------


def upgrade() -> None:
    op.create_table('project_resources',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('project_id', sa.Integer(), nullable=False, comment='The project.'),
    sa.Column('resource', sa.String(length=120), nullable=False, comment="One resource concerned, in the source's words ('copper', 'lithium')."),
    sa.Column('resource_key', sa.String(length=120), nullable=False, comment='The resource in lower case, for case-insensitive lookups that use an index (set by accords).'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_resources_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_resources')),
    sa.UniqueConstraint('project_id', 'resource', name=op.f('uq_project_resources_project_id_resource')),
    comment="The resources a project concerns (marble, oil, copper, ...): one row per project and resource, in the source's words."
    )
    op.create_index(op.f('ix_project_resources_resource_key'), 'project_resources', ['resource_key'], unique=False)
    _create_scratch(sa.Column('claim_id', sa.Integer()), sa.Column('source_id', sa.Integer()),
                    sa.Column('project_id', sa.Integer()), sa.Column('pos', sa.Integer()),
                    sa.Column('item', sa.String(length=120)), sa.Column('whole', sa.Text()))
    # between the two DDL statements: on MariaDB one transaction, done again whole by a resumed run
    op.execute(f"INSERT INTO {SCRATCH} (claim_id, source_id, project_id, pos, item, whole) "
               "SELECT c.id, c.source_id, c.project_id, s.pos, s.item, c.value FROM (" + _split(
                   "SELECT c.id, c.value FROM claims AS c WHERE c.field = 'resource' AND c.project_id IS NOT NULL "
                   "AND c.value IS NOT NULL") + ") AS s JOIN claims AS c ON c.id = s.owner_id")
    # a claim of one resource stays as it is (its id too); the others make way for one claim per resource
    changed = f"SELECT o.claim_id FROM {SCRATCH} AS o WHERE o.item <> o.whole"
    op.execute(f"DELETE FROM claims WHERE field = 'resource' AND project_id IS NOT NULL "
               f"AND (id NOT IN (SELECT o.claim_id FROM {SCRATCH} AS o) OR id IN ({changed}))")
    op.execute(f"""INSERT INTO claims (source_id, evidence_id, field, value, support, disputed, in_record, project_id)
SELECT m.source_id, {_first_quote('m.item')}, 'resource', m.item, 1, {_false()}, {_true()}, m.project_id
FROM {SCRATCH} AS m WHERE m.claim_id IN ({changed}) ORDER BY m.source_id, m.project_id, m.claim_id, m.pos""")
    op.execute(f"""UPDATE claims SET
    support = (SELECT count(DISTINCT o.source_id) FROM {SCRATCH} AS o
               WHERE o.project_id = claims.project_id AND o.item = claims.value),
    in_record = CASE WHEN claims.source_id = (SELECT min(o.source_id) FROM {SCRATCH} AS o
                                              WHERE o.project_id = claims.project_id
                                              AND lower(o.item) = lower(claims.value))
                     THEN {_true()} ELSE {_false()} END
WHERE field = 'resource' AND project_id IS NOT NULL""")
    # the record: every resource some source states, in the words of the first source stating it; a project
    # whose resources no claim states (written by hand) keeps its value, split
    op.execute("DELETE FROM project_resources")
    op.execute(f"""INSERT INTO project_resources (project_id, resource, resource_key)
SELECT m.project_id, m.item, lower(m.item) FROM {SCRATCH} AS m
WHERE m.source_id = (SELECT min(o.source_id) FROM {SCRATCH} AS o
                     WHERE o.project_id = m.project_id AND lower(o.item) = lower(m.item))
ORDER BY m.project_id, m.source_id, m.claim_id, m.pos""")
    op.execute("INSERT INTO project_resources (project_id, resource, resource_key) "
               "SELECT s.owner_id, s.item, lower(s.item) FROM ("
               + _split("SELECT p.id, p.resource FROM projects AS p WHERE p.resource IS NOT NULL AND NOT EXISTS "
                        f"(SELECT 1 FROM {SCRATCH} AS o WHERE o.project_id = p.id)")
               + ") AS s ORDER BY s.owner_id, s.pos")
    op.drop_table(SCRATCH)
    if not op.get_context().as_sql:
        _python_keys()
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('resource')


def _true() -> str:
    return 'true' if _dialect() == 'postgresql' else '1'


def _false() -> str:
    return 'false' if _dialect() == 'postgresql' else '0'


def _python_keys() -> None:
    """resource_key as the loader writes it (Python's lower(); SQLite's folds only ASCII letters)."""
    rows = sa.table('project_resources', sa.column('id', sa.Integer), sa.column('resource', sa.String),
                    sa.column('resource_key', sa.String))
    bind = op.get_bind()
    for row_id, resource, key in bind.execute(sa.select(rows.c.id, rows.c.resource, rows.c.resource_key)).all():
        if resource.lower() != key:
            bind.execute(sa.update(rows).where(rows.c.id == row_id).values(resource_key=resource.lower()))


# --- downgrade --------------------------------------------------------------------------------------


def _joined(column: str, order: str, dialect: str | None) -> str:
    """The engine's string aggregate of ``column`` joined by ', ' in ``order``."""
    dialect = dialect or _dialect()
    if dialect == 'postgresql':
        return f"string_agg({column}, ', ' ORDER BY {order})"
    if dialect in ('mysql', 'mariadb'):
        return f"group_concat({column} ORDER BY {order} SEPARATOR ', ')"
    return f"group_concat({column}, ', ')"  # SQLite: in the order of the ordered subquery it reads


def _claims_joined(dialect: str | None = None) -> str:
    """(source_id, project_id, value, first claim id) of each source's resource claims on a project, joined."""
    ordered = ("(SELECT c.id, c.source_id, c.project_id, c.value FROM claims AS c WHERE c.field = 'resource' "
               "AND c.project_id IS NOT NULL ORDER BY c.source_id, c.project_id, c.id)")
    return (f"SELECT x.source_id, x.project_id, {_joined('x.value', 'x.id', dialect)} AS v, min(x.id) AS first_id "
            f"FROM {ordered} AS x "
            "GROUP BY x.source_id, x.project_id")


def _rows_joined(dialect: str | None = None) -> str:
    ordered = "(SELECT r.id, r.project_id, r.resource FROM project_resources AS r ORDER BY r.project_id, r.id)"
    return f"SELECT x.project_id, {_joined('x.resource', 'x.id', dialect)} AS v FROM {ordered} AS x GROUP BY x.project_id"


def downgrade_refusal(bind: sa.Connection) -> str | None:
    """Why downgrading below this revision would lose information, in one line (None: it would not).

    Lost are the project resources no source's claim states (projects.resource shows one source's) and
    the lists too long for projects.resource. A table already gone (a MariaDB downgrade run again after an
    interruption) counts nothing."""
    if not sa.inspect(bind).has_table('project_resources'):
        return None
    unstated = bind.execute(sa.text(
        "SELECT count(*) FROM project_resources AS r WHERE EXISTS (SELECT 1 FROM claims AS c "
        "WHERE c.project_id = r.project_id AND c.field = 'resource') AND NOT EXISTS (SELECT 1 FROM claims AS c "
        "WHERE c.project_id = r.project_id AND c.field = 'resource' AND lower(c.value) = r.resource_key)")).scalar_one()
    long_lists = 0
    for joined in (_rows_joined(bind.dialect.name), _claims_joined(bind.dialect.name)):
        long_lists += sum(len(value) > 120 for (value,) in bind.execute(sa.text(f"SELECT j.v FROM ({joined}) AS j")))
    lost = []
    if unstated:
        lost.append(f"{unstated} project resource{'s' if unstated != 1 else ''} that no source's claim states")
    if long_lists:
        lost.append(f"{long_lists} resource list{'s' if long_lists != 1 else ''} longer than 120 characters")
    if not lost:
        return None
    return f"downgrading below {revision} would lose {' and '.join(lost)}: pass --force to downgrade anyway"


def _forced() -> bool:
    """Whether the downgrade was forced: accords' config attribute, or `alembic -x force=1`."""
    context = op.get_context()
    config = context.config
    if config is not None and config.attributes.get('force'):
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
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resource', sa.String(length=120), nullable=True, comment=RESOURCE_COMMENT))
    _create_scratch(sa.Column('source_id', sa.Integer()), sa.Column('project_id', sa.Integer()),
                    sa.Column('item', sa.Text()), sa.Column('first_id', sa.Integer()))
    # between the two DDL statements: on MariaDB one transaction, done again whole by a resumed run
    op.execute(f"INSERT INTO {SCRATCH} (source_id, project_id, item, first_id) {_claims_joined()}")
    op.execute("DELETE FROM claims WHERE field = 'resource' AND project_id IS NOT NULL")
    op.execute(f"""INSERT INTO claims (source_id, evidence_id, field, value, support, disputed, in_record, project_id)
SELECT m.source_id, {_first_quote('m.item')}, 'resource', m.item,
       (SELECT count(DISTINCT o.source_id) FROM {SCRATCH} AS o WHERE o.project_id = m.project_id AND o.item = m.item),
       {_false()},
       CASE WHEN m.source_id = (SELECT min(o.source_id) FROM {SCRATCH} AS o WHERE o.project_id = m.project_id)
            THEN {_true()} ELSE {_false()} END,
       m.project_id
FROM {SCRATCH} AS m ORDER BY m.source_id, m.project_id, m.first_id""")
    # the record: the first source's claim; a project no claim states keeps its rows, joined
    op.execute(f"""UPDATE projects SET resource = coalesce(
    (SELECT substr(m.item, 1, 120) FROM {SCRATCH} AS m WHERE m.project_id = projects.id
     AND m.source_id = (SELECT min(o.source_id) FROM {SCRATCH} AS o WHERE o.project_id = projects.id)),
    (SELECT substr(j.v, 1, 120) FROM ({_rows_joined()}) AS j
     WHERE j.project_id = projects.id))""")
    op.drop_table(SCRATCH)
    op.drop_index(op.f('ix_project_resources_resource_key'), table_name='project_resources')
    op.drop_table('project_resources')
