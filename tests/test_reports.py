"""The report catalog's headers: parsed once, and checked against their SQL."""

from __future__ import annotations

import pytest

from db.errors import UsageError
from db.reports import ReportFormatError, all_reports, bind_parameters, check_report, parse_report

HEADER = """-- title: Test
-- grain: one row per actor
-- description: A test report.
-- parameters:
--   - {name: kind, type: choice, choices: [state, group]}
--   - {name: since, type: date}
-- columns:
--   - {name: slug, type: text, description: The slug.}
"""


@pytest.mark.parametrize("name", sorted(all_reports()))
def test_every_shipped_report_agrees_with_its_header(name):
    assert check_report(all_reports()[name]) == []


def test_an_undeclared_parameter_and_an_unused_one_are_caught():
    report = parse_report("test", HEADER + "select slug from actors where kind = :kind and country = :country")
    assert check_report(report) == [
        "reports/test.sql: :country is used in the SQL but not declared in the header",
        "reports/test.sql: parameter 'since' is declared but not used in the SQL",
    ]


def test_two_statements_in_a_report_are_caught():
    report = parse_report("test", HEADER + "select slug from actors where kind = :kind and :since is null; delete from actors")
    assert check_report(report) == ["reports/test.sql: the SQL must be exactly one statement"]


def test_bind_names_ignore_strings_comments_and_casts():
    report = parse_report("test", HEADER + "select ':nope' as x, slug -- :nope\nfrom actors "
                                           "where kind = :kind and cast(:since as date) is null")
    assert check_report(report) == []


def test_a_header_without_columns_is_rejected():
    with pytest.raises(ReportFormatError, match="reports/bad.sql: header: columns is required"):
        parse_report("bad", "-- title: Bad\n-- grain: x\n-- description: y\nselect 1")


def test_parameters_are_typed():
    report = parse_report("test", HEADER + "select slug from actors where kind = :kind and :since is null")
    assert bind_parameters(report, [("since", "2023-03-04")])["since"].isoformat() == "2023-03-04"
    with pytest.raises(UsageError, match="parameter 'kind': 'city' is not one of: state, group"):
        bind_parameters(report, [("kind", "city")])


def test_the_shipped_header_cache_matches_the_report_files():
    """reports/headers.json caches the parsed headers; after editing a header, refresh it with
    `python -m db.reports > reports/headers.json`."""
    from pathlib import Path

    from db.reports import headers_json

    shipped = Path(__file__).resolve().parent.parent / "reports" / "headers.json"
    assert shipped.read_text(encoding="utf-8") == headers_json()


def test_a_header_not_in_the_cache_is_parsed_from_its_yaml():
    from db.resources import reports_dir

    text = (reports_dir() / "agreements.sql").read_text(encoding="utf-8")
    edited = text.replace("-- title: Agreements\n", "-- title: Agreements, edited\n", 1)
    assert edited != text
    assert parse_report("agreements", edited).title == "Agreements, edited"
    assert parse_report("agreements", text) == all_reports()["agreements"]
