"""An empty value ('') bound for a report's parameter is no value, on every engine, in the SQL itself.

``accords report run -p kind ""`` turns the empty value into "not given"
before any SQL runs, but other clients bind what a form or a cell holds:
Datasette's canned-query forms bind an empty field as '', and so do most SQL
tools. Every report reads its parameters once, in its first CTE ``params``,
as ``nullif(:name, '')`` (see tests/test_report_conventions.py), so such a
client gets the rows of the parameter not given. These tests bind the
values the way such a client does: untyped, straight to the driver
(``db.engine.execute`` without typed binds, so nothing in accords converts
them), and compare the rows with what ``accords`` itself gets, typed, with
the parameter not given, on the seed and the many-sources files (so that
every report, conflicts too, has rows to compare).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import ENGINES
from test_report_conventions import canonical_params

from db import api, reports
from db.engine import execute, make_engine, read_only
from db.errors import UsageError
from db.reports import Parameter, Report, all_reports, bind_parameters, normalise_batch, parse_report

#: a value for each required parameter, one that finds rows in the seed
REQUIRED = {("actor", "actor"): "Beijing", ("claims", "fact"): "afghan-oil-extraction-contract"}


#: sources that, with the seed, give every report rows (conflicts among them), shared with test_many_sources
MANY_SOURCES = sorted((Path(__file__).parent / "data" / "many-sources").glob("*.yaml"))


@pytest.fixture(scope="module", params=ENGINES)
def loaded_engine(request, templates, tmp_path_factory) -> Iterator[Any]:
    """The seed and the many-sources files on one engine (shared by this file's tests: never write to it)."""
    url = templates.copy(request.param, "seeded", tmp_path_factory.mktemp("empty-params"))
    api.ingest(url, MANY_SOURCES)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def conn(loaded_engine) -> Iterator[Any]:
    with read_only(loaded_engine) as connection:
        yield connection


def _normalised(report: Report, result: Any) -> list[tuple]:
    declared = {c.name: c.type for c in report.columns}
    types = [declared.get(name, "text") for name in result.keys()]
    return list(normalise_batch(types, result.fetchall()))


def raw_rows(conn, report: Report, values: dict[str, Any]) -> list[tuple]:
    """The rows a client that binds the values as they are gets: no parameter types, no conversion."""
    bound = {p.name: values.get(p.name) for p in report.parameters}  # a parameter not given: NULL
    return _normalised(report, execute(conn, report.sql, bound))


def accords_rows(conn, report: Report, given: list[tuple[str, str]]) -> list[tuple]:
    """The rows accords gets for ``-p NAME VALUE`` pairs: checked, converted and bound typed."""
    return list(reports.run_report(conn, report, bind_parameters(report, given)).rows)


def required_values(report: Report) -> dict[str, str]:
    return {p.name: REQUIRED[(report.name, p.name)] for p in report.parameters if p.required}


OPTIONAL = [pytest.param(name, p.name, id=f"{name}-{p.name}")
            for name, report in sorted(all_reports().items()) for p in report.parameters if not p.required]
WITH_PARAMETERS = [name for name, report in sorted(all_reports().items()) if report.parameters]


def test_the_required_values_cover_every_required_parameter():
    assert {(name, p.name) for name, r in all_reports().items() for p in r.parameters if p.required} == set(REQUIRED)


@pytest.mark.parametrize(("name", "param"), OPTIONAL)
def test_an_empty_optional_parameter_gives_the_rows_of_none(conn, name, param):
    report = all_reports()[name]
    required = required_values(report)
    expected = accords_rows(conn, report, list(required.items()))
    assert expected, f"{name} with {required or 'no parameters'} should give rows to compare"
    assert raw_rows(conn, report, {**required, param: ""}) == expected


@pytest.mark.parametrize("name", WITH_PARAMETERS)
def test_every_optional_parameter_empty_at_once_gives_the_rows_of_none(conn, name):
    report = all_reports()[name]
    required = required_values(report)
    empty = {p.name: "" for p in report.parameters if not p.required}
    expected = accords_rows(conn, report, list(required.items()))
    assert raw_rows(conn, report, {**required, **empty}) == expected
    assert raw_rows(conn, report, required) == expected  # NULL, as the views and SQL clients may pass, too


def test_the_examples_of_the_issue(conn):
    """agreements with kind '' and grade '' gave 0 rows instead of all of them; timeline 3 instead of all."""
    agreements, timeline = all_reports()["agreements"], all_reports()["timeline"]
    every_agreement = accords_rows(conn, agreements, [])
    assert raw_rows(conn, agreements, {"kind": "", "grade": ""}) == every_agreement
    assert len({row[0] for row in every_agreement}) > 1
    every_fact = accords_rows(conn, timeline, [])
    assert raw_rows(conn, timeline, {"from": "", "to": "", "basis": "", "undated": ""}) == every_fact
    assert len(every_fact) > 3


def test_a_report_without_nullif_would_be_caught(conn):
    """The comparison can fail: the agreements report as it was (kind read as bound) gives other rows for ''."""
    report = all_reports()["agreements"]
    old = dataclasses.replace(report, sql=report.sql.replace("nullif(:kind, '')", ":kind"))
    assert old.sql != report.sql
    assert raw_rows(conn, old, {"kind": ""}) != accords_rows(conn, report, [])


def test_a_date_filters_the_same_bound_as_a_date_or_as_text(conn):
    """accords binds a date as a date; a form binds it as text: both filter alike on every engine."""
    report = all_reports()["timeline"]
    every_fact = accords_rows(conn, report, [])
    for given in ([("from", "2011-01-01")], [("to", "2011-12-31")], [("from", "2010-06-01"), ("to", "2012-06-30")]):
        typed = accords_rows(conn, report, given)
        assert typed != every_fact, f"{given} should filter"
        assert raw_rows(conn, report, dict(given)) == typed
        assert raw_rows(conn, report, {k: dt.date.fromisoformat(v) for k, v in given}) == typed
        assert raw_rows(conn, report, {**dict(given), "basis": "", "undated": ""}) == typed


def test_a_choice_filters_alike_bound_by_accords_or_as_text(conn):
    report = all_reports()["agreements"]
    typed = accords_rows(conn, report, [("kind", "contract")])
    assert typed and typed != accords_rows(conn, report, [])
    assert raw_rows(conn, report, {"kind": "contract", "grade": ""}) == typed


@pytest.mark.parametrize(("name", "param"), sorted(REQUIRED))
def test_a_required_parameter_bound_empty_finds_nothing(conn, name, param):
    """A required parameter bound '' is no value: the report finds nothing (no rows), never every row,
    the same as NULL; accords itself refuses it before any query."""
    report = all_reports()[name]
    assert accords_rows(conn, report, [(param, REQUIRED[(name, param)])])
    assert raw_rows(conn, report, {param: ""}) == []
    assert raw_rows(conn, report, {param: None}) == []
    with pytest.raises(UsageError, match=f"needs parameter '{param}'"):
        bind_parameters(report, [(param, "")])


# --- the forms of the types no shipped report uses yet ----------------------------------------

NUMBERS_HEADER = """-- title: Test
-- grain: one row per source
-- parameters:
--   - {name: first, type: integer}
--   - {name: above, type: decimal}
-- description: A test report.
-- columns:
--   - {name: source, type: text, description: The slug.}
"""
NUMBERS_SQL = ("with " + canonical_params([Parameter("first", "integer"), Parameter("above", "decimal")]) + "\n"
               "select s.slug as source from params as p cross join sources as s "
               "where (p.first is null or s.id >= p.first) and (p.above is null or s.id > p.above) order by s.slug")


def test_integer_and_decimal_parameters_empty_as_text_or_typed(conn):
    report = parse_report("numbers", NUMBERS_HEADER + NUMBERS_SQL)
    every = accords_rows(conn, report, [])
    ids = [row[0] for row in conn.exec_driver_sql("select id from sources order by id")]
    assert len(ids) > 2, "the data should hold a few sources"
    second = ids[1]
    assert raw_rows(conn, report, {"first": "", "above": ""}) == every
    from_second = accords_rows(conn, report, [("first", str(second))])
    assert from_second != every
    assert raw_rows(conn, report, {"first": str(second), "above": ""}) == from_second
    assert raw_rows(conn, report, {"first": second}) == from_second
    above = accords_rows(conn, report, [("above", f"{second}.5")])
    assert above != every and above != from_second
    assert raw_rows(conn, report, {"first": "", "above": f"{second}.5"}) == above
    if conn.dialect.name != "sqlite":  # sqlite3 binds no Decimal; accords binds it as a float there
        assert raw_rows(conn, report, {"above": Decimal(f"{second}.5")}) == above
