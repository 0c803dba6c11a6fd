"""Report views: every report without required parameters is also a view, equal to its report."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, make_url, text

from db import api, views
from db.cli import cli
from db.reports import all_reports, get_report, run_report

VIEWED = sorted(name for name, r in all_reports().items() if r.view_name)
#: reports with no rows on the seed alone, run with the test sources of tests/data/many-sources loaded
NEEDS_SOURCES = {"conflicts"}
MANY_SOURCES = sorted((Path(__file__).parent / "data" / "many-sources").glob("*.yaml"))


def _url(name: str, shared_seeded_url: str, templates, tmp_path: Path) -> str:
    if name not in NEEDS_SOURCES:
        return shared_seeded_url
    engine = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mariadb"}[
        make_url(shared_seeded_url).get_backend_name()]
    url = templates.copy(engine, "seeded", tmp_path)
    api.ingest(url, MANY_SOURCES)
    return url


def test_every_report_without_required_parameters_has_a_view():
    assert VIEWED
    for name, report in all_reports().items():
        assert (report.view_name is not None) == (not any(p.required for p in report.parameters)), name


@pytest.mark.parametrize("name", VIEWED)
def test_view_returns_exactly_the_rows_of_its_report(shared_seeded_url, templates, tmp_path, name):
    report = get_report(name)
    engine = create_engine(_url(name, shared_seeded_url, templates, tmp_path))
    with engine.connect() as conn:
        from_report = list(run_report(conn, report, {p.name: None for p in report.parameters}).rows)
        result = conn.execute(text(f"select * from {report.view_name}"))
        columns = list(result.keys())
        types = {c.name: c.type for c in report.columns}
        from db.reports import normalise_batch
        from_view = list(normalise_batch([types[c] for c in columns], result.all()))
    engine.dispose()
    assert columns == [c.name for c in report.columns]
    # a view has no guaranteed order: compare as multisets, then the report's own order
    assert sorted(map(repr, from_view)) == sorted(map(repr, from_report))
    assert from_report


def test_sqlite3_view_matches_report_csv(sqlite_seeded):
    """What `sqlite3 accords.db 'select * from report_timeline'` shows is the report's rows."""
    import sqlite3

    path = sqlite_seeded.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        view_rows = [["" if v is None else str(v) for v in row] for row in conn.execute("select * from report_timeline")]
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "report", "run", "timeline", "-f", "csv"])
    report_rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode())))[1:]
    booleans = [i for i, c in enumerate(get_report("timeline").columns) if c.type == "boolean"]
    for row in report_rows:
        for i in booleans:
            row[i] = {"true": "1", "false": "0"}[row[i]]
    assert view_rows == report_rows


def test_changed_report_file_is_caught_as_stale(sqlite_seeded, monkeypatch):
    engine = create_engine(sqlite_seeded)
    with engine.connect() as conn:
        assert views.stale_views(conn) == []
    report = get_report("sources")
    changed = type(report)(**{**report.__dict__, "sql": report.sql + "\n"})
    monkeypatch.setitem(all_reports(), "sources", changed)
    with engine.connect() as conn:
        assert views.stale_views(conn) == ["report_sources was built from an older version of its report"]
    assert api.check(sqlite_seeded) == [
        "view report_sources was built from an older version of its report: run `accords db upgrade` to rebuild it"
    ]
    api.upgrade(sqlite_seeded)
    with engine.connect() as conn:
        assert views.stale_views(conn) == []
    engine.dispose()
