"""What accords builds in a database from its own files: the report views' registry and the data dictionary."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, enum_check

#: what a data_dictionary row describes
OBJECT_KINDS = ("table", "view")


class ReportView(Base):
    __tablename__ = "report_views"
    __table_args__ = ({"comment": "The report views accords installed (report_<name>), with the SHA-256 of the SQL each was built from."},)

    name: Mapped[str] = mapped_column(String(100), primary_key=True, comment="The view's name, report_<report name>.")
    report: Mapped[str] = mapped_column(String(100), comment="The report file the view mirrors (reports/<report>.sql).")
    sql_sha256: Mapped[str] = mapped_column(String(64), comment="SHA-256 of the report's SQL when the view was built; a mismatch means the view is stale.")


class DataDictionary(Base):
    __tablename__ = "data_dictionary"
    __table_args__ = (
        enum_check("object_kind", OBJECT_KINDS),
        {"comment": "What every table, view and column means, for any SQL client: one row per table or report "
                    "view and one per column, rewritten whenever the report views are rebuilt."},
    )

    object_name: Mapped[str] = mapped_column(String(100), primary_key=True,
                                             comment="The table or view (report_<name>) described.")
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False,
                                         comment="0 for the table or view itself, then 1, 2, ... for its columns "
                                                 "in order.")
    object_kind: Mapped[str] = mapped_column(String(10), comment="table or view.")
    column_name: Mapped[str | None] = mapped_column(String(100),
                                                    comment="The column described; NULL on the row of the table "
                                                            "or view itself.")
    data_type: Mapped[str | None] = mapped_column(String(60),
                                                  comment="The column's type: a table's as the models declare it "
                                                          "(VARCHAR(20), DATE, ...), a view's as its report "
                                                          "declares it (text, integer, decimal, date, boolean).")
    is_nullable: Mapped[bool | None] = mapped_column(Boolean,
                                                     comment="Whether a table's column may be NULL; NULL for views "
                                                             "and for the table's own row.")
    description: Mapped[str] = mapped_column(Text, comment="What the table, view or column holds, in plain words.")
    allowed_values: Mapped[str | None] = mapped_column(Text,
                                                       comment="For an enumerated column, every value it accepts "
                                                               "and its meaning, one 'value: meaning' per line; "
                                                               "NULL otherwise.")
