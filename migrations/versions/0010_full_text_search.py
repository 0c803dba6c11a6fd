"""Full-text search over the sources' sentences, the evidence quotes and the statements.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-13 09:00:00

Makes three columns searchable by words: ``source_segments.text`` (a source's
sentences), ``evidence.quote`` and ``statements.content``. Each engine does it
its own way:

- SQLite: an FTS5 table ``<table>_fts`` over the column, with external content
  (it indexes the table's rows and stores no copy of the text), and three
  triggers ``<table>_ai``, ``<table>_ad`` and ``<table>_au`` that keep it
  current on every insert, delete and update. This is exactly the layout of
  sqlite-utils' ``enable_fts(..., create_triggers=True)``, so Datasette finds
  the tables by itself. The index is built from the rows already there
  (FTS5's 'rebuild').
- PostgreSQL: a GIN index ``ix_<table>_<column>_fts`` on
  ``to_tsvector('english', <column>)``, used by a query that names the same
  expression (``where to_tsvector('english', content) @@
  websearch_to_tsquery('english', :q)``).
- MariaDB: an InnoDB FULLTEXT index ``ix_<table>_<column>_fts``, used by
  ``match (<column>) against (:q)``.

Nothing here is in the models: these are engine-specific objects that
``accords db check`` and the model comparison recognise as full-text objects
(``db.fulltext``). A later migration that rebuilds one of these tables on
SQLite (a batch operation) drops its triggers with the old table and must
create them again; ``accords db check`` says when one is missing.

Downgrade drops them: they hold nothing but what the tables hold.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: the searched column of each table
SEARCHED = (('source_segments', 'text'), ('evidence', 'quote'), ('statements', 'content'))
#: PostgreSQL's text search configuration (stemming and stop words)
CONFIG = 'english'


def _index(table: str, column: str) -> str:
    return f'ix_{table}_{column}_fts'


def _sqlite_statements(table: str, column: str) -> list[str]:
    """The FTS5 table over ``table.column``, its triggers and its first build, as sqlite-utils writes them."""
    fts = f'{table}_fts'
    add = f'INSERT INTO "{fts}" (rowid, "{column}") VALUES (new.rowid, new."{column}");'
    remove = f'INSERT INTO "{fts}" ("{fts}", rowid, "{column}") VALUES(\'delete\', old.rowid, old."{column}");'
    return [
        f'CREATE VIRTUAL TABLE "{fts}" USING FTS5 (\n    "{column}",\n    content="{table}"\n)',
        f'CREATE TRIGGER "{table}_ai" AFTER INSERT ON "{table}" BEGIN\n  {add}\nEND',
        f'CREATE TRIGGER "{table}_ad" AFTER DELETE ON "{table}" BEGIN\n  {remove}\nEND',
        f'CREATE TRIGGER "{table}_au" AFTER UPDATE ON "{table}" BEGIN\n  {remove}\n  {add}\nEND',
        # the rows already there (a new FTS5 table is an empty index already: an empty table needs no
        # rebuild, and SQLite 3.40 then fails the next SAVEPOINT after a ROLLBACK TO that undid the
        # write, as pytest-alembic's downgrade test does)
        f'INSERT INTO "{fts}" ("{fts}") SELECT \'rebuild\' WHERE EXISTS (SELECT 1 FROM "{table}")',
    ]


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    for table, column in SEARCHED:
        if dialect == 'sqlite':
            for statement in _sqlite_statements(table, column):
                op.execute(statement)
        elif dialect == 'postgresql':
            op.create_index(_index(table, column), table, [sa.text(f"to_tsvector('{CONFIG}', \"{column}\")")],
                            postgresql_using='gin')
        else:
            op.create_index(_index(table, column), table, [column], mysql_prefix='FULLTEXT')


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    for table, column in reversed(SEARCHED):
        if dialect == 'sqlite':
            for suffix in ('au', 'ad', 'ai'):
                op.execute(f'DROP TRIGGER "{table}_{suffix}"')
            op.execute(f'DROP TABLE "{table}_fts"')
        else:
            op.drop_index(_index(table, column), table_name=table)
