"""Exact money: the limits of an amount, its canonical text, the Money type and the amounts table.

An amount is NUMERIC(20, 2) on PostgreSQL and MariaDB and canonical decimal
text on SQLite, which has no decimal type (see ``Money``); every amount belongs
to one agreement or one project.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from .base import AMOUNT_PERIODS, AMOUNT_QUALIFIERS, AMOUNT_STAGES, Base, enum_check

#: Digits an amount may have before and after the decimal point: NUMERIC(20, 2).
AMOUNT_INTEGER_DIGITS = 18
AMOUNT_SCALE = 2
#: The largest amount every engine stores exactly.
AMOUNT_MAX = Decimal("9" * AMOUNT_INTEGER_DIGITS + "." + "9" * AMOUNT_SCALE)
_CENT = Decimal(1).scaleb(-AMOUNT_SCALE)

#: On SQLite an amount is TEXT in canonical form: digits, one point, exactly two decimals, no
#: leading zero (but in 0.xx), at most 18 digits before the point. GLOB is SQLite's own.
SQLITE_AMOUNT_CHECK = (
    "typeof(amount) = 'text'"
    f" and length(amount) between {AMOUNT_SCALE + 2} and {AMOUNT_INTEGER_DIGITS + AMOUNT_SCALE + 1}"
    " and amount glob '*[0-9].[0-9][0-9]'"
    " and amount not glob '*[^0-9.]*'"
    " and amount not glob '*.*.*'"
    " and amount not glob '0[0-9]*'"
)


def amount_text(value: Any) -> str:
    """An amount in canonical form ('1500.00'); ValueError if it is not one accords can store.

    Takes a Decimal, an int or a decimal string (never a float, which is not exact).
    More than two decimals round half away from zero, as NUMERIC(20, 2) does.
    """
    if isinstance(value, (float, bool)):
        raise ValueError(f"an amount must be exact (a Decimal, int or string), not {type(value).__name__}")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        if not number.is_finite() or number.adjusted() >= AMOUNT_INTEGER_DIGITS:
            raise InvalidOperation
        number = number.quantize(_CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ValueError(f"not an amount from 0.00 to {AMOUNT_MAX}: {str(value)[:40]!r}") from None
    if number < 0 or number > AMOUNT_MAX:
        raise ValueError(f"not an amount from 0.00 to {AMOUNT_MAX}: {str(value)[:40]!r}")
    return f"{number + 0:f}"  # + 0 turns -0.00 into 0.00


class Money(TypeDecorator[Decimal]):
    """An exact amount of money: NUMERIC(20, 2), stored on SQLite as canonical decimal text.

    SQLite has no decimal type: a NUMERIC column there holds a float, which
    loses digits beyond the 15th and turns 1e40 into 1e+40. TEXT holds the
    digits as given, and ``SQLITE_AMOUNT_CHECK`` keeps them canonical, so
    ``select amount from amounts`` reads 150000000.00 in any SQLite client
    and equal amounts have equal text. Values come back as Decimal everywhere.
    """

    impl = Numeric(AMOUNT_INTEGER_DIGITS + AMOUNT_SCALE, AMOUNT_SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(AMOUNT_INTEGER_DIGITS + AMOUNT_SCALE, AMOUNT_SCALE))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return amount_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None or dialect.name != "sqlite":
            return value
        if isinstance(value, str):
            return Decimal(value)
        number = Decimal(str(value))  # a number SQLite stored before revision 0005 (the database is older)
        return number.quantize(_CENT) if number.is_finite() and number.adjusted() < AMOUNT_INTEGER_DIGITS else number

    @property
    def python_type(self) -> type:
        return Decimal


class Amount(Base):
    __tablename__ = "amounts"
    __table_args__ = (
        enum_check("qualifier", AMOUNT_QUALIFIERS),
        enum_check("stage", AMOUNT_STAGES),
        enum_check("period", AMOUNT_PERIODS),  # NULL passes: a CHECK fails only when false
        CheckConstraint("length(currency) = 3", name="currency_alpha3"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        # SQLite only: there amount is TEXT, kept canonical (PostgreSQL and MariaDB have NUMERIC)
        CheckConstraint(SQLITE_AMOUNT_CHECK, name="amount_canonical").ddl_if(dialect="sqlite"),
        CheckConstraint(
            "(case when agreement_id is null then 0 else 1 end)"
            " + (case when project_id is null then 0 else 1 end) = 1",
            name="one_owner",
        ),
        {"comment": "Stated amounts of money, each tied to one agreement or one project."},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="Surrogate key.")
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True, comment="The agreement the amount belongs to.")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True, comment="The project the amount belongs to.")
    amount: Mapped[Decimal] = mapped_column(
        Money(),
        comment="The amount as an exact decimal, in currency units: 0.00 to 999999999999999999.99 "
                "(18 digits before the point, 2 after). NUMERIC(20, 2); on SQLite canonical decimal text "
                "such as '150000000.00' (add up amounts with a report, not with sum(), which gives a float there).")
    currency: Mapped[str] = mapped_column(String(3), comment="ISO 4217 currency code.")
    qualifier: Mapped[str] = mapped_column(String(20), comment="exact, about, at_least, more_than, at_most or less_than.")
    stage: Mapped[str] = mapped_column(String(20), comment="contracted, planned, pledged, disbursed or reported.")
    amount_text: Mapped[str] = mapped_column(Text, comment="The source's own words for the amount.")
    period: Mapped[str | None] = mapped_column(
        String(20), comment="What the amount is counted over: total, year, quarter or month; NULL when no source says.")
