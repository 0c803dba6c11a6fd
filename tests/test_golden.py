"""Golden tests: every report's output on the seeded database, identical on every engine.

The expected CSV files in tests/golden/ serve SQLite, PostgreSQL and MariaDB
alike. After a deliberate change to a report or to the seed, refresh them with:

    ACCORDS_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py -k sqlite
"""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest

from db import output
from db.engine import make_engine, read_only
from db.reports import all_reports, bind_parameters, get_report, run_report

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ACCORDS_UPDATE_GOLDEN") == "1"

#: reports that give no rows on the seed alone: their golden files, made with the three test
#: sources of tests/data/many-sources, are in golden/many-sources (test_many_sources.py)
BEYOND_THE_SEED = {"conflicts"}

#: (case name, report, parameters): every report with its defaults, plus parameter examples
CASES = [(name, name, ()) for name, r in all_reports().items()
         if not any(p.required for p in r.parameters) and name not in BEYOND_THE_SEED] + [
    ("actor-beijing", "actor", (("actor", "Beijing"),)),
    ("actor-taliban", "actor", (("actor", "taliban"),)),
    ("agreements-contract", "agreements", (("kind", "contract"),)),
    ("aliases-kabul", "aliases", (("actor", "Kabul"),)),
    ("evidence-doha", "evidence", (("fact", "doha-agreement"),)),
    ("evidence-china", "evidence", (("actor", "China"),)),
    ("statements-spokesperson", "statements", (("speaker", "taliban-spokesperson"),)),
    ("statements-target-us", "statements", (("target", "united-states"),)),
    ("actor-taliban-itself", "actor", (("actor", "taliban"), ("subunits", "no"))),
    ("statements-speaker-us", "statements", (("speaker", "united-states"),)),
    ("statements-speaker-us-itself", "statements", (("speaker", "united-states"), ("subunits", "no"))),
    ("network-us", "network", (("actor", "united-states"),)),
    ("money-china", "money", (("actor", "China"),)),
    ("timeline-2023", "timeline", (("from", "2023-01-01"), ("to", "2023-12-31"))),
    ("timeline-2023-stated", "timeline", (("basis", "stated"), ("from", "2023-01-01"), ("to", "2023-12-31"))),
    ("timeline-stated", "timeline", (("basis", "stated"),)),
    ("timeline-2021-undated", "timeline", (("from", "2021-01-01"), ("to", "2021-12-31"), ("undated", "yes"))),
    ("unknowns-day", "unknowns", (("missing", "day"),)),
    ("unknowns-month", "unknowns", (("missing", "month"),)),
    ("obligations-doha", "obligations", (("agreement", "doha-agreement"),)),
    ("claims-oil-contract", "claims", (("fact", "afghan-oil-extraction-contract"),)),
    ("projects-lithium", "projects", (("resource", "Lithium"),)),
]


def render(url: str, report_name: str, params) -> tuple[list[str], str]:
    report = get_report(report_name)
    values = bind_parameters(report, params)
    engine = make_engine(url)
    out = io.StringIO()
    try:
        with read_only(engine) as conn:
            result = run_report(conn, report, values)
            output.write_rows(out, "csv", result.columns, result.rows, types=result.types)
    finally:
        engine.dispose()
    return result.columns, out.getvalue()


@pytest.mark.parametrize(("case", "report_name", "params"), CASES, ids=[c[0] for c in CASES])
def test_report_output_matches_golden_file(shared_seeded_url, case, report_name, params):
    columns, csv_text = render(shared_seeded_url, report_name, params)
    assert columns == [c.name for c in get_report(report_name).columns], "header columns differ from the result"
    path = GOLDEN / f"{case}.csv"
    if UPDATE and shared_seeded_url.startswith("sqlite"):
        path.write_bytes(csv_text.encode("utf-8"))
    expected = path.read_bytes().decode("utf-8")
    assert csv_text == expected
    assert csv_text.count("\r\n") > 1, f"{case}: the seeded database should give rows"


def test_every_report_has_a_golden_case():
    assert {c[1] for c in CASES} | BEYOND_THE_SEED == set(all_reports())
    assert {p.name for p in GOLDEN.glob("*.csv")} == {f"{c[0]}.csv" for c in CASES}


#: the Python type of a report column's values (besides None), whatever the engine
PYTHON_TYPE = {"text": str, "integer": int, "decimal": Decimal, "boolean": bool, "date": dt.date}


@pytest.mark.parametrize(("case", "report_name", "params"), CASES, ids=[c[0] for c in CASES])
def test_report_values_have_their_declared_types(shared_seeded_url, case, report_name, params):
    """Every value is of its column's declared type on every engine; text columns are not converted
    (db.reports relies on every driver returning str for them), so this is what keeps that true."""
    report = get_report(report_name)
    engine = make_engine(shared_seeded_url)
    try:
        with read_only(engine) as conn:
            result = run_report(conn, report, bind_parameters(report, params))
            rows = list(result.rows)
    finally:
        engine.dispose()
    assert rows
    for row in rows:
        for column, kind, value in zip(result.columns, result.types, row, strict=True):
            assert value is None or type(value) is PYTHON_TYPE[kind], (case, column, kind, value)
