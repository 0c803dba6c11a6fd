"""Whole documents on MariaDB: sources.content becomes LONGTEXT there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 10:10:00

MariaDB's TEXT holds at most 65,535 bytes, so a source longer than that could
not be loaded there ("Data too long for column 'content'"). LONGTEXT holds
4 GB. SQLite and PostgreSQL TEXT have no such limit: nothing changes there.
Downgrade turns it back into TEXT, which fails (and changes nothing) while a
source longer than 64 KB is stored.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COMMENT = "Full text of the document, exactly as stored; evidence offsets index into it."


def _on_mariadb() -> bool:
    return op.get_bind().dialect.name in ("mysql", "mariadb")


def upgrade() -> None:
    if _on_mariadb():
        op.alter_column("sources", "content", type_=mysql.LONGTEXT(), existing_type=sa.Text(),
                        existing_nullable=False, existing_comment=COMMENT)


def downgrade() -> None:
    if _on_mariadb():
        op.alter_column("sources", "content", type_=sa.Text(), existing_type=mysql.LONGTEXT(),
                        existing_nullable=False, existing_comment=COMMENT)
