"""The registry of the report views accords installs in a database."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ReportView(Base):
    __tablename__ = "report_views"
    __table_args__ = ({"comment": "The report views accords installed (report_<name>), with the SHA-256 of the SQL each was built from."},)

    name: Mapped[str] = mapped_column(String(100), primary_key=True, comment="The view's name, report_<report name>.")
    report: Mapped[str] = mapped_column(String(100), comment="The report file the view mirrors (reports/<report>.sql).")
    sql_sha256: Mapped[str] = mapped_column(String(64), comment="SHA-256 of the report's SQL when the view was built; a mismatch means the view is stale.")
