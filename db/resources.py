"""Where accords' own files are: the saved reports and the migrations.

In a source checkout they are the top-level folders ``reports/`` and
``migrations/``; in an installed wheel they are the packages
``db.report_files`` and ``db.migrations`` (pyproject.toml maps one onto the
other). Either way these functions find them.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def _locate(package: str, folder: str) -> Traversable:
    try:
        return files(package)
    except ModuleNotFoundError:
        return _CHECKOUT / folder


def reports_dir() -> Traversable:
    return _locate("db.report_files", "reports")


def migrations_dir() -> str:
    return str(_locate("db.migrations", "migrations"))
