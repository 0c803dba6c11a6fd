"""Registry of the report views (report_<name>) that accords installs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 05:41:01.194604

The views themselves are built by accords from reports/*.sql after every
`accords db upgrade` and `accords db seed`, not by migrations; this table
records which exist and the SHA-256 of the SQL each was built from, so a
stale view is detected. Downgrading drops the views it lists, then the table.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_views',
    sa.Column('name', sa.String(length=100), nullable=False, comment="The view's name, report_<report name>."),
    sa.Column('report', sa.String(length=100), nullable=False, comment='The report file the view mirrors (reports/<report>.sql).'),
    sa.Column('sql_sha256', sa.String(length=64), nullable=False, comment="SHA-256 of the report's SQL when the view was built; a mismatch means the view is stale."),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_report_views')),
    comment='The report views accords installed (report_<name>), with the SHA-256 of the SQL each was built from.'
    )


def downgrade() -> None:
    bind = None if op.get_context().as_sql else op.get_bind()
    # offline (--sql) the registry cannot be read; on MariaDB a downgrade killed after dropping it is resumed
    if bind is not None and sa.inspect(bind).has_table('report_views'):
        registry = sa.table('report_views', sa.column('name', sa.String))
        for (name,) in bind.execute(sa.select(registry.c.name)).all():
            op.execute(f"DROP VIEW IF EXISTS {bind.dialect.identifier_preparer.quote(name)}")
    op.drop_table('report_views')
