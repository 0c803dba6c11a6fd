"""`accords sql`: read-only ad hoc queries; every attempt to write fails and changes nothing."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from db.cli import cli

WRITES = [
    "delete from actors",
    "drop table actors",
    "update actors set name = 'x'",
    "insert into actors (slug, name, is_named, kind) values ('x', 'x', 1, 'state')",
    "with gone as (delete from actors returning id) select count(*) from gone",
    "select 1; delete from actors",
    "create table extra (id integer)",
]


@pytest.mark.parametrize("query", WRITES)
def test_writes_fail_with_one_line_and_change_nothing(seeded_url, snapshot, query):
    before = snapshot(seeded_url)
    result = CliRunner().invoke(cli, ["--db", seeded_url, "sql", query])
    assert result.exit_code in (1, 2), result.output
    error_lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(error_lines) == 1 and "Traceback" not in result.output
    assert snapshot(seeded_url) == before


def test_delete_says_read_only(sqlite_seeded):
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "sql", "delete from actors"])
    assert result.exit_code == 1
    assert result.output == "Error: refused: `accords sql` and reports only read (SQLite refused DELETE actors)\n"


def test_two_statements_are_refused_by_the_driver(sqlite_seeded):
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "sql", "select 1; select 2"])
    assert result.exit_code == 1
    assert result.output == "Error: You can only execute one statement at a time.\n"


def test_parameters_are_bound_not_pasted(seeded_url, snapshot):
    before = snapshot(seeded_url)
    hostile = "x'); drop table actors; --"
    result = CliRunner().invoke(cli, ["--db", seeded_url, "sql", "select count(*) as n from actors where slug = :slug",
                                      "-p", "slug", hostile, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == b"n\r\n0\r\n"
    assert snapshot(seeded_url) == before


def test_query_with_parameter_finds_rows(shared_seeded_url):
    result = CliRunner().invoke(cli, ["--db", shared_seeded_url, "sql",
                                      "select slug, country from actors where slug = :slug", "-p", "slug", "china",
                                      "-f", "json"])
    assert result.exit_code == 0, result.output
    assert result.stdout == '[\n {"slug": "china", "country": "CN"}\n]\n'


def test_missing_parameter_is_wrong_use(sqlite_seeded):
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "sql", "select :x"])
    assert result.exit_code == 2
    assert "the query uses :x but no value was given: add -p x VALUE" in result.output



def test_a_parameter_with_a_double_colon_cast_is_wrong_use_with_advice(sqlite_seeded):
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "sql", "select :b::int as x", "-p", "b", "5"])
    assert result.exit_code == 2
    assert "parameter :b is followed by '::', which no engine binds: write cast(:b as TYPE) instead" in result.output


def test_colons_in_literals_and_comments_come_back_as_written(shared_seeded_url):
    """Only a colon text() takes for a parameter is escaped: `:b::int` in a literal kept no backslash before."""
    result = CliRunner().invoke(cli, ["--db", shared_seeded_url, "sql",
                                      "select ':b::int' as a, 'x::y' as b, ':c' as c, 'd:e' as d, cast(:v as int) as v "
                                      "-- :w::int and :z", "-p", "v", "5", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "a,b,c,d,v\n:b::int,x::y,:c,d:e,5\n"  # (the runner reads CRLF as LF)

SLOW = {
    "sqlite": "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n",
    "postgresql": "select pg_sleep(30)",
    "mysql": "select sleep(30)",
}


def test_timeout_stops_a_long_query(shared_seeded_url):
    from sqlalchemy.engine import make_url

    slow = SLOW[make_url(shared_seeded_url).get_backend_name()]
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["--db", shared_seeded_url, "sql", slow, "--timeout", "0.5"])
    assert time.monotonic() - started < 15
    assert result.exit_code == 1, result.output
    assert "the query ran longer than the time limit and was stopped" in result.output


def test_a_stopped_query_leaves_no_half_written_output_file(sqlite_seeded, tmp_path):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "rows.csv"
    out.write_text("an earlier result\n")
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "sql", SLOW["sqlite"], "--timeout", "0.5",
                                      "-f", "csv", "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "--timeout SECONDS allows more" in result.output
    assert out.read_text() == "an earlier result\n"
    assert [p.name for p in out.parent.iterdir()] == ["rows.csv"]  # no partial file left beside it
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "sql", "select 1 as one", "-f", "csv", "-o", str(out)])
    assert result.exit_code == 0 and out.read_bytes() == b"one\r\n1\r\n"


def test_report_timeout_is_configurable(sqlite_seeded):
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "report", "run", "timeline", "--timeout", "0"])
    assert result.exit_code == 2
    assert "--timeout" in result.output


def test_sql_error_is_one_line(sqlite_seeded):
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "sql", "select nope from actors"])
    assert result.exit_code == 1
    assert result.output == "Error: no such column: nope\n"
