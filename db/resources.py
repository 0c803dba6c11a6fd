"""Where accords' own files are: the saved reports and the migrations.

In a source checkout they are the top-level folders ``reports/`` and
``migrations/``; in an installed wheel they are the packages
``db.report_files`` and ``db.migrations`` (pyproject.toml maps one onto the
other). Either way these functions find them.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def _locate(package: str, folder: str) -> Path:
    # find_spec, not importlib.resources: that pulls in tempfile, shutil, lzma, bz2 and random, a
    # noticeable part of a report's start-up; both packages are plain folders in a wheel
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return _CHECKOUT / folder
    return Path(next(iter(spec.submodule_search_locations)))


def reports_dir() -> Path:
    return _locate("db.report_files", "reports")


def migrations_dir() -> str:
    return str(_locate("db.migrations", "migrations"))
