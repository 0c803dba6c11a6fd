"""`accords report`: list, show and run, with typed parameters and every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import api
from db.cli import cli
from db.reports import all_reports

REPORTS = sorted(all_reports())
NEEDS = {name: [(p.name, "china") for p in r.parameters if p.required] for name, r in all_reports().items()}


def run(url, *args):
    return CliRunner().invoke(cli, ["--db", url, "report", "run", *args])


def test_list_shows_every_report_with_title_and_parameters():
    result = CliRunner().invoke(cli, ["report", "list"])
    assert result.exit_code == 0
    for name, report in all_reports().items():
        line = next(line for line in result.output.splitlines() if line.split()[:1] == [name])
        assert report.title in line
        for param in report.parameters:
            assert param.name in line


def test_show_prints_documentation_then_sql():
    result = CliRunner().invoke(cli, ["report", "show", "agreements"])
    assert result.exit_code == 0
    report = all_reports()["agreements"]
    assert result.output.startswith(f"{report.title}  (agreements)\n\nOne row: {report.grain}\n")
    assert result.output.rstrip().endswith(report.sql.rstrip())
    assert result.output.index("Columns:") < result.output.index("SQL:")


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("fmt", ["table", "csv", "json", "jsonl", "markdown"])
def test_every_report_runs_in_every_format(sqlite_seeded, name, fmt):
    if name == "conflicts":  # none on the seed alone: load the test sources that contradict it
        api.ingest(sqlite_seeded, sorted((Path(__file__).parent / "data" / "many-sources").glob("*.yaml")))
    params = [x for name_value in NEEDS[name] for x in ("-p", *name_value)]
    result = run(sqlite_seeded, name, *params, "--format", fmt)
    assert result.exit_code == 0, result.output
    columns = [c.name for c in all_reports()[name].columns]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode())))
        assert rows[0] == columns
    elif fmt == "json":
        data = json.loads(result.output)
        assert isinstance(data, list) and all(list(row) == columns for row in data)
    elif fmt == "jsonl":
        assert all(list(json.loads(line)) == columns for line in result.output.splitlines())
    elif fmt == "markdown":
        assert result.output.splitlines()[0].startswith("| " + columns[0])
    else:
        assert result.output.split()[0] == columns[0]


def test_csv_is_rfc4180_with_empty_nulls(sqlite_seeded):
    result = run(sqlite_seeded, "agreements", "-f", "csv")
    lines = result.stdout_bytes.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)
    doha = [r for r in csv.DictReader(io.StringIO(result.stdout_bytes.decode())) if r["agreement"] == "doha-agreement"]
    assert doha and all(r["signed_earliest"] == "" and r["amount"] == "" for r in doha)


def test_json_keeps_decimals_exact_and_dates_iso(sqlite_seeded):
    data = json.loads(run(sqlite_seeded, "agreements", "-f", "json").output)
    oil = next(r for r in data if r["agreement"] == "afghan-oil-extraction-contract")
    assert oil["amount"] == "150000000.00" and oil["currency"] == "USD"
    assert oil["signed_earliest"] == "2023-01-01" and oil["signed_latest"] == "2023-12-31"


def test_output_file(sqlite_seeded, tmp_path):
    target = tmp_path / "out.csv"
    result = run(sqlite_seeded, "sources", "-f", "csv", "-o", str(target))
    assert result.exit_code == 0 and result.output == ""
    assert target.read_bytes().startswith(b"source,title,kind")


def test_choice_parameter_filters(sqlite_seeded):
    data = json.loads(run(sqlite_seeded, "agreements", "-p", "kind", "accord", "-f", "json").output)
    assert data and {r["kind"] for r in data} == {"accord"}


@pytest.mark.parametrize(("args", "message"), [
    (["agreements", "-p", "kind", "handshake"],
     "Error: parameter 'kind': 'handshake' is not one of: contract, accord, "),
    (["agreements", "-p", "colour", "red"],
     "Error: report 'agreements' has no parameter 'colour' (parameters: kind, grade)"),
    (["timeline", "-p", "from", "2023-02-30"], "Error: parameter 'from': '2023-02-30' is not a date YYYY-MM-DD"),
    (["no-such-report"], "Error: no report named 'no-such-report'; available: "),
])
def test_wrong_parameters_exit_2_naming_the_parameter(sqlite_seeded, args, message):
    result = run(sqlite_seeded, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_missing_required_parameter(sqlite_seeded):
    result = run(sqlite_seeded, "actor")
    assert result.exit_code == 2
    assert "Error: report 'actor' needs parameter 'actor' (any text): add -p actor VALUE" in result.output


def test_hostile_parameter_value_is_bound(sqlite_seeded, snapshot):
    before = snapshot(sqlite_seeded)
    result = run(sqlite_seeded, "aliases", "-p", "actor", "x'); drop table actors; --", "-f", "csv")
    assert result.exit_code == 0
    assert result.stdout_bytes.count(b"\r\n") == 1  # the header only: no actor is called that
    assert snapshot(sqlite_seeded) == before


def test_default_database_is_created_on_first_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ACCORDS_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["report", "run", "sources", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "accords: created accords.db (schema upgraded and the seed article loaded)\n"
    assert (tmp_path / "accords.db").exists()
    again = CliRunner().invoke(cli, ["report", "run", "sources", "-f", "csv"])
    assert again.stderr == ""


def test_table_is_plain_when_not_a_terminal(sqlite_seeded):
    result = run(sqlite_seeded, "sources")
    assert "\x1b[" not in result.output


def test_table_header_is_bold_on_a_terminal_unless_no_color(sqlite_seeded, monkeypatch):
    import io

    from db import cli_support as cli_module

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for no_color, bold in ((None, True), ("1", False)):
        if no_color:
            monkeypatch.setenv("NO_COLOR", no_color)
        else:
            monkeypatch.delenv("NO_COLOR", raising=False)
        screen = Terminal()
        monkeypatch.setattr(cli_module.sys, "stdout", screen)
        cli_module.emit("table", None, lambda out, styled: out.write(f"styled={styled}") or 0)
        assert screen.getvalue() == f"styled={bold}"
