"""Exact money on SQLite: amounts.amount becomes canonical decimal text there.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 12:00:00

SQLite has no decimal type: the NUMERIC(20, 2) column had NUMERIC affinity,
so SQLite stored each amount as a float (or, when whole, an integer).
1234567890123456.78 came back as 1234567890123456.80, and 1e40 was stored
as it came. On SQLite the column becomes TEXT holding the canonical decimal
('150000000.00': digits, exactly two decimals, no leading zero, at most 18
digits before the point), guarded by the CHECK ck_amounts_amount_canonical.
Each stored value is converted in Python from the float SQLite returns, by
its shortest exact rendering (repr) rounded to two decimals: the best
anyone can recover from a float. An amount that cannot be stored (negative,
not finite, or of 19 digits or more before the point) stops the upgrade,
naming its row, and changes nothing.

PostgreSQL and MariaDB already store NUMERIC(20, 2) exactly: only the
column's comment (which now states the range) changes there.

Downgrade turns the SQLite column back into NUMERIC(20, 2) (SQLite converts
the text to floats again) and restores the comment.
"""
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from db.errors import AccordsError  # an expected failure: one line, exit 1 (not the models)


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD_COMMENT = "The amount as an exact decimal, in currency units."
NEW_COMMENT = (
    "The amount as an exact decimal, in currency units: 0.00 to 999999999999999999.99 "
    "(18 digits before the point, 2 after). NUMERIC(20, 2); on SQLite canonical decimal text "
    "such as '150000000.00' (add up amounts with a report, not with sum(), which gives a float there)."
)
CHECK_NAME = 'ck_amounts_amount_canonical'
# the same condition as SQLITE_AMOUNT_CHECK in the models at this revision (copied: migrations never import them)
CHECK = (
    "typeof(amount) = 'text'"
    " and length(amount) between 4 and 21"
    " and amount glob '*[0-9].[0-9][0-9]'"
    " and amount not glob '*[^0-9.]*'"
    " and amount not glob '*.*.*'"
    " and amount not glob '0[0-9]*'"
)
LARGEST = Decimal('999999999999999999.99')
CENT = Decimal('0.01')


def _on_sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def canonical(value: object) -> str:
    """The canonical text of an amount as SQLite's NUMERIC affinity stored it (int, float or text)."""
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
        if not number.is_finite() or number.adjusted() >= 18:
            raise InvalidOperation
        number = number.quantize(CENT, rounding=ROUND_HALF_EVEN)
    except (InvalidOperation, ValueError):
        raise ValueError(value) from None
    if number < 0 or number > LARGEST:
        raise ValueError(value)
    return f"{number + 0:f}"


def _amounts() -> sa.TableClause:
    # no type on amount: the values come back exactly as SQLite stored them (int, float or text)
    return sa.table('amounts', sa.column('id', sa.Integer), sa.column('amount'))


def upgrade() -> None:
    if not _on_sqlite():
        op.alter_column('amounts', 'amount', existing_type=sa.Numeric(precision=20, scale=2),
                        existing_nullable=False, comment=NEW_COMMENT, existing_comment=OLD_COMMENT)
        return
    converted: list[dict[str, object]] = []
    if not op.get_context().as_sql:
        amounts = _amounts()
        bad = []
        for row_id, value in op.get_bind().execute(sa.select(amounts.c.id, amounts.c.amount).order_by(amounts.c.id)):
            try:
                converted.append({'row_id': row_id, 'text': canonical(value)})
            except ValueError:
                bad.append((row_id, value))
        if bad:
            row_id, value = bad[0]
            raise AccordsError(
                f"{len(bad)} amount(s) cannot be stored exactly (0.00 to {LARGEST}), e.g. amounts.id {row_id}: "
                f"{str(value)[:40]}; correct or delete them, then upgrade again")
    # the float values were read above: the rebuild copies them as text, then each gets its canonical text
    with op.batch_alter_table('amounts', schema=None, recreate='always') as batch_op:
        batch_op.alter_column('amount', existing_type=sa.Numeric(precision=20, scale=2), type_=sa.Text(),
                              existing_nullable=False)
    if converted:
        amounts = _amounts()
        op.get_bind().execute(
            sa.update(amounts).where(amounts.c.id == sa.bindparam('row_id')).values(amount=sa.bindparam('text')),
            converted)
    with op.batch_alter_table('amounts', schema=None, recreate='always') as batch_op:
        batch_op.create_check_constraint(op.f(CHECK_NAME), sa.text(CHECK))


def downgrade() -> None:
    if not _on_sqlite():
        op.alter_column('amounts', 'amount', existing_type=sa.Numeric(precision=20, scale=2),
                        existing_nullable=False, comment=OLD_COMMENT, existing_comment=NEW_COMMENT)
        return
    with op.batch_alter_table('amounts', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(op.f(CHECK_NAME), type_='check')
        batch_op.alter_column('amount', existing_type=sa.Text(), type_=sa.Numeric(precision=20, scale=2),
                              existing_nullable=False)
