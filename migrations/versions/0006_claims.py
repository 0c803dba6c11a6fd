"""Many sources, one record: claims and labels per source, source grades and amount periods.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 09:00:00

Adds the tables ``claims`` (each value a source states about a fact, with
the evidence that quotes it) and ``labels`` (accords' names, titles,
descriptions and contents of a fact as each source's file gives them), the
nullable column sources.grade (A to F, as in the Admiralty/NATO system,
guarded by ck_sources_grade_valid) and the nullable column amounts.period
(total, year, quarter or month, guarded by ck_amounts_period_valid).

Existing data is backfilled as if every source with evidence on a fact had
stated the fact's current values, the claims a fresh load of that source
writes (``claims_of`` and ``member_value`` in db/load/record.py): one claim
per field the row has a value for, per source with evidence rows on the
fact. Its evidence is, as the loader picks it, the first of that source's
quotes of the fact (in text order) that holds the claim's words, else its
first quote; its support is the number of sources with evidence on the
fact; none is disputed; and the record shows the claim of the source with
the smallest id. Labels are written likewise, one per field, source and
fact, with the fact's current value. Every statement is an
INSERT ... SELECT (so it also runs offline, in the SQL that --sql prints);
claims and labels are emptied first, so on MariaDB an interrupted upgrade
run again writes them once.

Downgrade drops both tables and both columns. It refuses, changing nothing,
when that would lose information (a disputed claim or one the record does
not show, a source's grade, an amount's period), unless forced: `accords db
downgrade --force`, ``config.attributes["force"]`` or `alembic -x force=1`.
Offline (--sql) nothing is counted.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from db.errors import AccordsError  # an expected failure: one line, exit 1 (not the models)


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# --- the models at this revision, spelled out (migrations never import them) --------------------

#: fact table -> its column in evidence, claims and labels (FACT_TARGETS, in that order)
FACT_COLUMN = {
    'actors': 'actor_id',
    'actor_aliases': 'alias_id',
    'actor_relations': 'relation_id',
    'agreements': 'agreement_id',
    'agreement_parties': 'party_id',
    'agreement_obligations': 'obligation_id',
    'projects': 'project_id',
    'project_participants': 'participant_id',
    'amounts': 'amount_id',
    'statements': 'statement_id',
    'statement_subjects': 'subject_id',
    'events': 'event_id',
    'event_participants': 'event_participant_id',
}
TARGETS = list(FACT_COLUMN.values())
CLAIM_FIELDS = {
    'actors': ('kind', 'country', 'parent', 'is_named'),
    'actor_aliases': ('alias',),
    'actor_relations': ('relation', 'since'),
    'agreements': ('kind', 'status', 'signed'),
    'agreement_parties': ('party',),
    'agreement_obligations': ('obligation', 'beneficiary'),
    'projects': ('status', 'started', 'sector', 'resource', 'location', 'agreement'),
    'project_participants': ('participant',),
    'amounts': ('amount',),
    'events': ('kind', 'occurred', 'location'),
    'event_participants': ('participant',),
    'statements': ('kind', 'speaker', 'said'),
    'statement_subjects': ('subject',),
}
CLAIM_FIELD_NAMES = tuple(sorted({f for fields in CLAIM_FIELDS.values() for f in fields}))
LABEL_FIELDS = {
    'actors': ('name', 'description'),
    'actor_relations': ('description',),
    'agreements': ('title', 'description'),
    'projects': ('title', 'description'),
    'events': ('title', 'description'),
    'statements': ('content',),
}
LABEL_FIELD_NAMES = tuple(sorted({f for fields in LABEL_FIELDS.values() for f in fields}))
DATE_FIELDS = ('since', 'signed', 'started', 'occurred', 'said')
#: claim fields whose value is the slug of another row: (that table, the fact's column)
REFERENCES = {'parent': ('actors', 'parent_id'), 'speaker': ('actors', 'speaker_actor_id'),
              'beneficiary': ('actors', 'beneficiary_actor_id'), 'agreement': ('agreements', 'agreement_id')}
#: claim fields copied from a column of the fact
PLAIN = {'kind': 'kind', 'status': 'status', 'country': 'country', 'sector': 'sector', 'resource': 'resource',
         'location': 'location_text'}
BOOLEAN = {'is_named': 'is_named'}
#: the set member's claim field of each table whose rows are members of a set
MEMBERS = {'actor_aliases': 'alias', 'actor_relations': 'relation', 'agreement_parties': 'party',
           'agreement_obligations': 'obligation', 'project_participants': 'participant',
           'event_participants': 'participant', 'statement_subjects': 'subject'}
#: what a statement can be about: its column in statement_subjects -> (kind, table)
SUBJECT_TARGETS = {'actor_id': ('actor', 'actors'), 'agreement_id': ('agreement', 'agreements'),
                   'project_id': ('project', 'projects'), 'event_id': ('event', 'events')}
#: the owner column of the parties and participants tables
OWNERS = {'agreement_parties': 'agreement_id', 'project_participants': 'project_id',
          'event_participants': 'event_id'}

DATE_PRECISIONS = ('day', 'month', 'part_of_year', 'year', 'years', 'day_without_year', 'relative', 'unknown')
AMOUNT_QUALIFIERS = ('exact', 'about', 'at_least', 'more_than', 'at_most', 'less_than')
AMOUNT_PERIODS = ('total', 'year', 'quarter', 'month')
SOURCE_GRADES = ('A', 'B', 'C', 'D', 'E', 'F')

GRADE_COMMENT = ("Reliability of the source, A (completely reliable) to F (cannot be judged), as in the "
                 "Admiralty/NATO system; NULL when not graded.")
PERIOD_COMMENT = "What the amount is counted over: total, year, quarter or month; NULL when no source says."


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


def _one_fact() -> str:
    return " + ".join(f"(case when {c} is null then 0 else 1 end)" for c in TARGETS) + " = 1"


def _target_columns(what: str) -> list[sa.Column]:
    return [sa.Column(column, sa.Integer(), nullable=True,
                      comment=f'The {table} row this {what} row supports, when it supports one.')
            for table, column in FACT_COLUMN.items()]


def _dialect() -> str:
    return op.get_context().dialect.name


def _references(table: str) -> list[tuple[str, str]]:
    """(column, referenced table) of each foreign key of claims or labels (all ON DELETE CASCADE)."""
    own = [('source_id', 'sources')] + ([('evidence_id', 'evidence')] if table == 'claims' else [])
    return own + [(column, target) for target, column in FACT_COLUMN.items()]


def _keys_later() -> bool:
    """PostgreSQL checks each foreign key of each row inserted with a trigger, which doubled the time of
    the backfill; a key added afterwards is checked by one query. (SQLite does not check them during a
    migration; MariaDB's checks cost little, and adding a key there would copy the table.)"""
    return _dialect() == 'postgresql'


def _keys(table: str) -> list[sa.ForeignKeyConstraint]:
    if _keys_later():
        return []
    return [sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'),
                                    ondelete='CASCADE')
            for column, target in _references(table)]


def _money() -> sa.types.TypeEngine:
    """NUMERIC(20, 2); canonical decimal text on SQLite, as amounts.amount (revision 0005)."""
    return sa.Numeric(precision=20, scale=2).with_variant(sa.Text(), 'sqlite')


# --- schema ------------------------------------------------------------------------------------------


def _create_claims() -> None:
    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('source_id', sa.Integer(), nullable=False, comment='The source that states the value.'),
    sa.Column('evidence_id', sa.Integer(), nullable=False, comment='The quote of this source that states it.'),
    sa.Column('field', sa.String(length=20), nullable=False, comment='Which value of the fact: kind, status, signed, amount, party, ... (see the data dictionary).'),
    sa.Column('value', sa.Text(), nullable=True, comment="The value stated, in one canonical form: an enumerated value, an actor's or agreement's slug, a country code, 'true'/'false', the source's words for a date or an amount."),
    sa.Column('earliest', sa.Date(), nullable=True, comment='For a date: the first day it can mean.'),
    sa.Column('latest', sa.Date(), nullable=True, comment='For a date: the last day it can mean.'),
    sa.Column('date_precision', sa.String(length=20), nullable=True, comment='For a date: its precision.'),
    sa.Column('amount', _money(), nullable=True, comment='For an amount: the exact value stated.'),
    sa.Column('currency', sa.String(length=3), nullable=True, comment='For an amount: its ISO 4217 currency.'),
    sa.Column('qualifier', sa.String(length=20), nullable=True, comment='For an amount: exact, about, at_least, ...'),
    sa.Column('period', sa.String(length=20), nullable=True, comment='For an amount: total, year, quarter or month; NULL when this source does not say.'),
    sa.Column('support', sa.Integer(), nullable=False, comment='How many distinct sources state this value or a more precise one within it (this source included).'),
    sa.Column('disputed', sa.Boolean(), nullable=False, comment='True when another source states an incompatible value.'),
    sa.Column('in_record', sa.Boolean(), nullable=False, comment="True when the fact's record shows this claim's value."),
    *_target_columns('claim'),
    sa.CheckConstraint(_in('field', CLAIM_FIELD_NAMES), name=op.f('ck_claims_field_valid')),
    sa.CheckConstraint(_in('date_precision', DATE_PRECISIONS), name=op.f('ck_claims_date_precision_valid')),
    sa.CheckConstraint(_in('qualifier', AMOUNT_QUALIFIERS), name=op.f('ck_claims_qualifier_valid')),
    sa.CheckConstraint(_in('period', AMOUNT_PERIODS), name=op.f('ck_claims_period_valid')),
    sa.CheckConstraint('earliest is null or latest is null or earliest <= latest', name=op.f('ck_claims_range_ordered')),
    sa.CheckConstraint('support >= 1', name=op.f('ck_claims_support_positive')),
    sa.CheckConstraint(_one_fact(), name=op.f('ck_claims_one_fact')),
    *_keys('claims'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    comment='A value one source states about one fact, with its evidence; the fact row holds the record the claims resolve to.'
    )


def _create_labels() -> None:
    op.create_table('labels',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('source_id', sa.Integer(), nullable=False, comment='The source whose file gives the label.'),
    sa.Column('field', sa.String(length=20), nullable=False, comment='name, title, description or content.'),
    sa.Column('value', sa.Text(), nullable=True, comment='The label as that file gives it.'),
    *_target_columns('label'),
    sa.CheckConstraint(_in('field', LABEL_FIELD_NAMES), name=op.f('ck_labels_field_valid')),
    sa.CheckConstraint(_one_fact(), name=op.f('ck_labels_one_fact')),
    *_keys('labels'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labels')),
    comment="accords' editorial labels (names, titles, descriptions) of a fact as each source's file gives them; the fact row shows the first loaded source's. Not claims."
    )


def _indexes(table: str) -> dict[str, tuple[list[str], bool]]:
    """name -> (columns, partial) of each index of claims or labels. Each fact column's index is partial
    on SQLite and PostgreSQL (only the rows that point at that fact table: writing a claim updates one
    of the thirteen); MariaDB has no partial indexes."""
    own = ['source_id', *(['evidence_id'] if table == 'claims' else [])]
    out = {f'ix_{table}_{column}': ([column], False) for column in own}
    if table == 'claims':
        out['ix_claims_source_field'] = (['source_id', 'field'], False)
    out.update({f'ix_{table}_{column}': ([column], True) for column in TARGETS})
    return out


def _index_and_key() -> None:
    """The indexes of claims and labels (and on PostgreSQL their foreign keys), made once their rows are in:
    faster than keeping them up to date row by row."""
    for table in ('claims', 'labels'):
        indexes = _indexes(table)
        if _dialect() in ('mysql', 'mariadb'):  # one pass over the table builds them all (7 s to 4 s at 500,000 claims)
            op.execute(f"ALTER TABLE {table} " + ", ".join(f"ADD INDEX {name} ({', '.join(columns)})"
                                                           for name, (columns, _) in indexes.items()))
        else:
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name, (columns, partial) in indexes.items():
                    where = sa.text(f'{columns[0]} IS NOT NULL') if partial else None
                    batch_op.create_index(op.f(name), columns, unique=False, sqlite_where=where,
                                          postgresql_where=where)
        if _keys_later():
            for column, target in _references(table):
                op.create_foreign_key(op.f(f'fk_{table}_{column}_{target}'), table, target, [column], ['id'],
                                      ondelete='CASCADE')


def upgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade', sa.String(length=1), nullable=True, comment=GRADE_COMMENT))
        batch_op.create_check_constraint(batch_op.f('ck_sources_grade_valid'), sa.text(_in('grade', SOURCE_GRADES)))
    with op.batch_alter_table('amounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period', sa.String(length=20), nullable=True, comment=PERIOD_COMMENT))
        batch_op.create_check_constraint(batch_op.f('ck_amounts_period_valid'), sa.text(_in('period', AMOUNT_PERIODS)))
    _create_claims()
    _create_labels()
    _backfill()  # on MariaDB run again by a resumed upgrade: it empties both tables first
    _index_and_key()


# --- backfill ----------------------------------------------------------------------------------------

#: column types that matter in the statements below (the rest are compared or copied as they are)
_BOOLEANS = {'is_named', 'disputed', 'in_record'}


def _table(name: str, *columns: str) -> sa.TableClause:
    def column(c: str) -> sa.ColumnClause:
        if c in ('id', 'char_start', 'char_end') or c.endswith('_id'):
            return sa.column(c, sa.Integer)
        if c in _BOOLEANS:
            return sa.column(c, sa.Boolean)
        if c.endswith(('_earliest', '_latest')) or c in ('earliest', 'latest'):
            return sa.column(c, sa.Date)
        return sa.column(c, sa.String)
    return sa.table(name, *(column(c) for c in columns))


def _word(text: str) -> sa.ColumnElement:
    """A string constant written into the SQL (no bind parameter whose type an engine must guess)."""
    assert "'" not in text, text
    return sa.literal_column(f"'{text}'", sa.String)


def _sources_of(column: str) -> tuple[sa.Subquery, sa.Subquery]:
    """For the facts of one evidence column: the (fact, source) pairs, each with the source's first quote
    of the fact in text order and its number of quotes of it; and per fact its number of sources and
    its first source (the smallest id)."""
    ev = _table('evidence', 'id', 'source_id', 'char_start', 'char_end', column)
    each = [ev.c[column], ev.c.source_id]
    ranked = (sa.select(ev.c[column].label('fact_id'), ev.c.source_id, ev.c.id.label('evidence_id'),
                        sa.func.row_number().over(partition_by=each, order_by=[ev.c.char_start, ev.c.char_end,
                                                                               ev.c.id]).label('n'),
                        sa.func.count().over(partition_by=each).label('n_quotes'))
              .where(ev.c[column].is_not(None)).subquery('ranked'))
    pairs = (sa.select(ranked.c.fact_id, ranked.c.source_id, ranked.c.evidence_id, ranked.c.n_quotes)
             .where(ranked.c.n == 1).subquery('pairs'))
    stats = (sa.select(ev.c[column].label('fact_id'), sa.func.count(sa.distinct(ev.c.source_id)).label('n'),
                       sa.func.min(ev.c.source_id).label('first_source'))
             .where(ev.c[column].is_not(None)).group_by(ev.c[column]).subquery('stats'))
    return pairs, stats


def _contains(text: sa.ColumnElement, words: sa.ColumnElement) -> sa.ColumnElement:
    """``words in text`` as Python says it: case-sensitive (MariaDB compares the UTF-8 bytes)."""
    dialect = op.get_context().dialect.name
    if dialect == 'postgresql':
        return sa.func.strpos(text, words) > 0
    if dialect in ('mysql', 'mariadb'):
        return sa.func.instr(sa.cast(text, sa.LargeBinary), sa.cast(words, sa.LargeBinary)) > 0
    return sa.func.instr(text, words) > 0


def _quoting(column: str, facts: sa.FromClause, pairs: sa.Subquery, words: sa.ColumnElement) -> sa.ColumnElement:
    """The evidence of a claim, as the loader picks it: of the source's quotes of the fact, the first in
    the text that holds the claim's words, else the first in the text."""
    q = _table('evidence', 'id', 'source_id', 'char_start', 'char_end', 'quote', column).alias('q')
    holding = (sa.select(q.c.id)
               .where(q.c[column] == facts.c.id, q.c.source_id == pairs.c.source_id, _contains(q.c.quote, words))
               .order_by(q.c.char_start, q.c.char_end, q.c.id).limit(1).scalar_subquery())
    return sa.case((pairs.c.n_quotes > 1, sa.func.coalesce(holding, pairs.c.evidence_id)), else_=pairs.c.evidence_id)


def _member_value(table: str, facts: sa.FromClause) -> tuple[sa.ColumnElement, list[tuple]]:
    """How a set member reads in claims.value (``member_value``), and the joins it needs."""
    if table == 'actor_aliases':
        return facts.c.alias, []
    if table == 'agreement_obligations':
        return facts.c.description, []
    if table == 'actor_relations':
        subj, obj = _table('actors', 'id', 'slug').alias('subj'), _table('actors', 'id', 'slug').alias('obj')
        value = subj.c.slug + _word(' ') + facts.c.kind + _word(' ') + obj.c.slug  # 'china recognizes taliban'
        return value, [(subj, subj.c.id == facts.c.subject_actor_id, False),
                       (obj, obj.c.id == facts.c.object_actor_id, False)]
    if table == 'statement_subjects':
        joins, whens = [], []
        for column, (kind, target) in SUBJECT_TARGETS.items():
            ref = _table(target, 'id', 'slug').alias(f'about_{kind}')
            joins.append((ref, ref.c.id == facts.c[column], True))
            whens.append((facts.c[column].is_not(None), _word(f'{kind} ') + ref.c.slug))
        return facts.c.role + _word(': ') + sa.case(*whens), joins
    actor = _table('actors', 'id', 'slug').alias('member')  # parties and participants: 'china: signatory'
    return actor.c.slug + _word(': ') + facts.c.role, [(actor, actor.c.id == facts.c.actor_id, False)]


def _fact_columns(table: str) -> list[str]:
    columns = ['id']
    for name in CLAIM_FIELDS[table]:
        if name in DATE_FIELDS:
            columns += [f'{name}_{part}' for part in ('text', 'earliest', 'latest', 'precision')]
        elif name in REFERENCES:
            columns.append(REFERENCES[name][1])
        elif name in PLAIN:
            columns.append(PLAIN[name])
        elif name in BOOLEAN:
            columns.append(BOOLEAN[name])
    if table == 'amounts':
        columns += ['amount', 'currency', 'qualifier', 'period', 'amount_text']
    columns += {'actor_aliases': ['alias'], 'agreement_obligations': ['description'],
                'actor_relations': ['subject_actor_id', 'object_actor_id', 'kind'],
                'statement_subjects': ['role', *SUBJECT_TARGETS]}.get(table, [])
    if table in OWNERS:
        columns += ['actor_id', 'role']
    columns += [c for c in LABEL_FIELDS.get(table, ()) if c not in columns]
    return list(dict.fromkeys(columns))


def _claim(table: str, name: str, facts: sa.FromClause) -> tuple[dict[str, sa.ColumnElement], list[tuple], list]:
    """A claim field's values (claims column -> expression), its joins, and when a fact row has one."""
    if name in DATE_FIELDS:
        text, earliest, latest = (facts.c[f'{name}_{p}'] for p in ('text', 'earliest', 'latest'))
        return ({'value': text, 'earliest': earliest, 'latest': latest,
                 'date_precision': facts.c[f'{name}_precision']}, [],
                [sa.or_(text.is_not(None), earliest.is_not(None), latest.is_not(None))])
    if name in REFERENCES:
        target, column = REFERENCES[name]
        ref = _table(target, 'id', 'slug').alias(f'ref_{name}')
        return {'value': ref.c.slug}, [(ref, ref.c.id == facts.c[column], False)], []
    if name in PLAIN:
        plain = facts.c[PLAIN[name]]
        return {'value': plain}, [], [plain.is_not(None)]
    if name in BOOLEAN:
        return {'value': sa.case((facts.c[BOOLEAN[name]], _word('true')), else_=_word('false'))}, [], []
    if name == 'amount':
        return ({'value': facts.c.amount_text, 'amount': facts.c.amount, 'currency': facts.c.currency,
                 'qualifier': facts.c.qualifier, 'period': facts.c.period}, [], [])
    value, joins = _member_value(table, facts)
    return {'value': value}, joins, []


def _claims_statement(table: str, name: str) -> sa.Insert:
    column = FACT_COLUMN[table]
    facts = _table(table, *_fact_columns(table)).alias('fact')
    pairs, stats = _sources_of(column)
    values, joins, where = _claim(table, name, facts)
    source = facts.join(pairs, pairs.c.fact_id == facts.c.id).join(stats, stats.c.fact_id == facts.c.id)
    for ref, on, outer in joins:
        source = source.join(ref, on, isouter=outer)
    selected = {
        'source_id': pairs.c.source_id, 'evidence_id': _quoting(column, facts, pairs, values['value']),
        'field': _word(name), **values,
        'support': stats.c.n, 'disputed': sa.false(), 'in_record': pairs.c.source_id == stats.c.first_source,
        column: facts.c.id,
    }
    query = (sa.select(*(e.label(c) for c, e in selected.items())).select_from(source).where(*where)
             .order_by(pairs.c.source_id, facts.c.id))
    claims = _table('claims', *selected)
    return sa.insert(claims).from_select(list(selected), query)


def _labels_statement(table: str, name: str) -> sa.Insert:
    column = FACT_COLUMN[table]
    facts = _table(table, 'id', name).alias('fact')
    pairs, _ = _sources_of(column)
    selected = {'source_id': pairs.c.source_id, 'field': _word(name), 'value': facts.c[name], column: facts.c.id}
    query = (sa.select(*(e.label(c) for c, e in selected.items()))
             .select_from(facts.join(pairs, pairs.c.fact_id == facts.c.id)).order_by(pairs.c.source_id, facts.c.id))
    return sa.insert(_table('labels', *selected)).from_select(list(selected), query)


def _backfill() -> None:
    """Each source's claims and labels on the facts it has evidence for (see the module's docstring)."""
    op.execute(sa.delete(_table('claims', 'id')))  # a run interrupted on MariaDB may have written some
    op.execute(sa.delete(_table('labels', 'id')))
    for table, fields in CLAIM_FIELDS.items():
        for name in fields:
            op.execute(_claims_statement(table, name))
    for table, fields in LABEL_FIELDS.items():
        for name in fields:
            op.execute(_labels_statement(table, name))


# --- downgrade ---------------------------------------------------------------------------------------


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def downgrade_refusal(bind: sa.Connection) -> str | None:
    """Why downgrading below this revision would lose information, in one line (None: it would not).

    Lost are the claims another source disputes or whose value the record does not show, the
    sources' grades and the amounts' periods. Tables or columns already gone (a MariaDB downgrade run again
    after an interruption) count nothing.
    """
    inspector = sa.inspect(bind)
    lost = []
    if inspector.has_table('claims'):
        n = _claims_unlike_the_record(bind)
        if n:
            lost.append(_plural(n, 'claim that differs from the record', 'claims that differ from the record'))
    for table, column, one, many in (('sources', 'grade', 'source grade', 'source grades'),
                                     ('amounts', 'period', 'amount period', 'amount periods')):
        if column in {c['name'] for c in inspector.get_columns(table)}:
            rows = _table(table, column)
            n = bind.execute(sa.select(sa.func.count()).select_from(rows)
                             .where(rows.c[column].is_not(None))).scalar_one()
            if n:
                lost.append(_plural(n, one, many))
    if not lost:
        return None
    words = lost[0] if len(lost) == 1 else ", ".join(lost[:-1]) + " and " + lost[-1]
    return f"downgrading below {revision} would lose {words}: pass --force to downgrade anyway"


def _claims_unlike_the_record(bind: sa.Connection) -> int:
    """Claims a downgrade would lose: disputed ones, and those whose value is not the record's (a claim
    that only corroborates the record's value, or a date with no range, is not lost)."""
    values = ('earliest', 'latest', 'amount', 'currency', 'period')
    claims = _table('claims', 'id', 'field', 'disputed', 'in_record', 'value', *values, *TARGETS)
    shown = claims.alias('shown')
    n = bind.execute(sa.select(sa.func.count()).select_from(claims).where(claims.c.disputed)).scalar_one()
    for column in TARGETS:
        # a date or an amount is the same value in other words ("in 2023", "In 2023")
        words = sa.or_(claims.c.earliest.is_not(None), claims.c.amount.is_not(None),
                       shown.c.value.is_not_distinct_from(claims.c.value))
        same = sa.exists().where(shown.c[column] == claims.c[column], shown.c.field == claims.c.field,
                                 shown.c.in_record, words,
                                 *(shown.c[v].is_not_distinct_from(claims.c[v]) for v in values))
        n += bind.execute(sa.select(sa.func.count()).select_from(claims).where(
            claims.c[column].is_not(None), sa.not_(claims.c.disputed), sa.not_(claims.c.in_record),
            sa.not_(same))).scalar_one()
    return int(n)


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
    op.drop_table('labels')
    op.drop_table('claims')
    with op.batch_alter_table('amounts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_amounts_period_valid'), type_='check')
        batch_op.drop_column('period')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sources_grade_valid'), type_='check')
        batch_op.drop_column('grade')
