"""Output formats and options: tsv, parquet, --no-headers, --limit, and -o FILE's extension choosing the format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from db.cli import cli
from db.formats import EXTENSIONS, format_for

pq = pytest.importorskip("pyarrow.parquet", reason="parquet output needs pyarrow: pip install '.[test]'")


def _run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", url, *args])
    return result.exit_code, result.output


def _csv(url: str, *args: str) -> list[list[str]]:
    result = CliRunner().invoke(cli, ["--db", url, *args, "-f", "csv"])
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(result.stdout)))


def test_format_follows_the_extension_unless_given():
    assert {ext: format_for(None, f"out/report{ext}") for ext in EXTENSIONS} == EXTENSIONS
    assert format_for(None, "REPORT.CSV") == "csv"
    assert format_for("csv", "report.json") == "csv"
    assert format_for(None, "report.txt") == "table"
    assert format_for(None, "a.dir/report") == "table"
    assert format_for(None, None) == "table"


@pytest.mark.parametrize("ext", [".csv", ".tsv", ".json", ".jsonl", ".md"])
def test_o_file_writes_the_format_its_extension_names(shared_seeded_url, tmp_path, ext):
    target = tmp_path / f"agreements{ext}"
    code, out = _run(shared_seeded_url, "report", "run", "agreements", "-o", str(target))
    assert code == 0, out
    expected = CliRunner().invoke(cli, ["--db", shared_seeded_url, "report", "run", "agreements",
                                        "-f", EXTENSIONS[ext]]).stdout_bytes
    assert target.read_bytes() == expected


def test_timeline_json_is_json(shared_seeded_url, tmp_path):
    target = tmp_path / "timeline.json"
    assert _run(shared_seeded_url, "report", "run", "timeline", "-o", str(target))[0] == 0
    rows = json.loads(target.read_text(encoding="utf-8"))
    assert rows and {"fact", "date_text", "is_inferred"} <= set(rows[0])


def test_format_option_wins_over_the_extension(shared_seeded_url, tmp_path):
    target = tmp_path / "agreements.json"
    assert _run(shared_seeded_url, "report", "run", "agreements", "-o", str(target), "-f", "csv")[0] == 0
    assert target.read_text(encoding="utf-8").startswith("agreement,title,")


def test_tsv_has_tabs_and_quotes_what_would_break_a_line(sqlite_seeded):
    code, out = _run(sqlite_seeded, "sql", "select 'a' as x, 'tab\there' as y, 'two\nlines' as z, null as n",
                     "-f", "tsv")
    assert code == 0, out
    assert out == 'x\ty\tz\tn\na\t"tab\there"\t"two\nlines"\t\n'
    assert list(csv.reader(io.StringIO(out), delimiter="\t")) == [["x", "y", "z", "n"],
                                                                  ["a", "tab\there", "two\nlines", ""]]


def test_tsv_of_a_report_matches_its_csv(shared_seeded_url):
    result = CliRunner().invoke(cli, ["--db", shared_seeded_url, "report", "run", "money", "-f", "tsv"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.stdout), delimiter="\t")) == _csv(shared_seeded_url, "report", "run", "money")


@pytest.mark.parametrize("fmt", ["csv", "tsv", "table", "markdown"])
def test_no_headers_leaves_out_the_header_line_only(shared_seeded_url, fmt):
    with_headers = CliRunner().invoke(cli, ["--db", shared_seeded_url, "report", "run", "agreements", "-f", fmt])
    without = CliRunner().invoke(cli, ["--db", shared_seeded_url, "report", "run", "agreements", "-f", fmt,
                                       "--no-headers"])
    assert with_headers.exit_code == without.exit_code == 0, without.output
    assert "agreement" in with_headers.stdout.splitlines()[0]
    assert not any(line.split() and line.split()[0] == "agreement" for line in without.stdout.splitlines())
    if fmt in ("csv", "tsv"):
        assert with_headers.stdout.splitlines()[1:] == without.stdout.splitlines()


@pytest.mark.parametrize("fmt", ["json", "jsonl", "parquet"])
def test_no_headers_is_refused_where_there_is_no_header_line(sqlite_seeded, tmp_path, fmt):
    code, out = _run(sqlite_seeded, "report", "run", "agreements", "-f", fmt, "--no-headers",
                     "-o", str(tmp_path / "out"))
    assert code == 2
    assert f"Error: --no-headers: {fmt} has no header line" in out
    assert not (tmp_path / "out").exists()


def test_limit_writes_the_first_rows(shared_seeded_url):
    every = _csv(shared_seeded_url, "report", "run", "timeline")
    assert len(every) > 4
    assert _csv(shared_seeded_url, "report", "run", "timeline", "--limit", "3") == every[:4]
    assert _csv(shared_seeded_url, "report", "run", "timeline", "--limit", "0") == every[:1]
    assert _csv(shared_seeded_url, "sql", "select slug from actors order by slug", "--limit", "2") == \
        _csv(shared_seeded_url, "sql", "select slug from actors order by slug")[:3]


def test_limit_leaves_nothing_unread_and_the_connection_as_it_was(shared_seeded_url):
    """On every engine --limit stops the rows at the server's side or the reader's, with no driver warning
    (PyMySQL warned "Previous unbuffered result was left incomplete" and read every row it had not been
    asked for); a connection used again (an open Database's pool) gets every row of the next query."""
    import warnings

    from db import query
    from db.engine import open_database

    many = "select a.slug from actors a cross join actors b cross join actors c order by a.slug, b.slug, c.slug"
    with open_database(shared_seeded_url, reading=True) as database, \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first, every = io.StringIO(), io.StringIO()
        assert query.run_sql(database, many, [], "csv", first, limit=2) == 2
        total = query.run_sql(database, many, [], "csv", every)
        assert query.run_report(database, "timeline", [], "csv", io.StringIO(), limit=1) == 1
    assert [str(w.message) for w in caught] == []
    assert total > 1000
    assert first.getvalue().splitlines() == every.getvalue().splitlines()[:3]


def test_limit_stops_an_endless_query(sqlite_seeded):
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select i from n"
    code, out = _run(sqlite_seeded, "sql", endless, "--limit", "5", "-f", "csv", "--timeout", "20")
    assert code == 0, out
    assert out.split() == ["i", "1", "2", "3", "4", "5"]


def test_limit_must_not_be_negative(sqlite_seeded):
    code, out = _run(sqlite_seeded, "report", "run", "agreements", "--limit", "-1")
    assert code == 2 and "--limit" in out
    code, out = _run(sqlite_seeded, "sql", "select 1", "--limit", "99999999999999999999")  # past islice's range
    assert code == 2 and "--limit" in out, out


def _parquet(url: str, tmp_path: Path, *args: str):
    target = tmp_path / "out.parquet"
    code, out = _run(url, *args, "-o", str(target))
    assert code == 0, out
    return pq.read_table(target)


def test_parquet_columns_have_the_reports_types(shared_seeded_url, tmp_path):
    import pyarrow as pa

    table = _parquet(shared_seeded_url, tmp_path, "report", "run", "money")
    assert table.schema.field("amount").type == pa.decimal128(38, 2)
    assert table.schema.field("disputed").type == pa.bool_()
    assert table.schema.field("n_evidence").type == pa.int64()
    assert table.schema.field("owner").type == pa.string()
    rows = table.to_pylist()
    assert rows[0]["amount"] == Decimal("150000000.00") and rows[0]["disputed"] is False
    timeline = _parquet(shared_seeded_url, tmp_path, "report", "run", "timeline")
    assert timeline.schema.field("date_earliest").type == pa.date32()
    dates = [r["inferred_earliest"] for r in timeline.to_pylist()]
    assert dt.date(2020, 2, 29) in dates and None in dates  # dates as dates, NULL as null


def test_parquet_holds_the_same_rows_as_csv(shared_seeded_url, tmp_path):
    from db.output import text_value

    table = _parquet(shared_seeded_url, tmp_path, "report", "run", "timeline")
    as_text = [[text_value(v) for v in row.values()] for row in table.to_pylist()]
    assert [table.column_names, *as_text] == _csv(shared_seeded_url, "report", "run", "timeline")


def test_parquet_of_ad_hoc_sql_takes_each_columns_type_from_its_values(sqlite_seeded, tmp_path):
    import pyarrow as pa

    table = _parquet(sqlite_seeded, tmp_path, "sql",
                     "select 1 as i, 1.5 as f, 'x' as t, null as n, x'00ff' as b union all "
                     "select 2, 2, 'y', null, null")
    assert [f.type for f in table.schema] == [pa.int64(), pa.float64(), pa.string(), pa.string(), pa.binary()]
    assert table.to_pylist()[1] == {"i": 2, "f": 2.0, "t": "y", "n": None, "b": None}


def test_parquet_mixed_types_in_one_row_group_are_text(sqlite_seeded, tmp_path):
    table = _parquet(sqlite_seeded, tmp_path, "sql", "select 1 as v union all select 'one'")
    assert sorted(table.column("v").to_pylist()) == ["1", "one"]


def test_parquet_value_that_does_not_fit_later_fails_in_one_line_and_writes_nothing(sqlite_seeded, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "late.parquet"
    query = ("with recursive n(i) as (select 1 union all select i + 1 from n where i < 70000) "
             "select case when i < 66000 then i else 'x' end as v from n")
    code, out = _run(sqlite_seeded, "sql", query, "-o", str(target))
    assert code == 1
    assert out.startswith("Error: column v: rows 65,537-70,000 do not fit Parquet type int64") and \
        out.count("\n") == 1 and "cast the column in the SQL" in out
    assert list(folder.iterdir()) == []


def test_parquet_to_a_terminal_is_refused(sqlite_seeded, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    from db.cli_support import output_shape

    with pytest.raises(Exception, match="parquet is binary: give -o FILE.parquet"):
        output_shape("parquet", None, False, None)


def test_parquet_to_standard_output_is_a_parquet_file(sqlite_seeded):
    import pyarrow as pa

    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "report", "run", "agreements", "-f", "parquet"])
    assert result.exit_code == 0, result.output
    table = pq.read_table(pa.BufferReader(result.stdout_bytes))
    assert table.num_rows == len(_csv(sqlite_seeded, "report", "run", "agreements")) - 1


def test_parquet_without_pyarrow_says_how_to_get_it(sqlite_seeded, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    folder = tmp_path / "out"
    folder.mkdir()
    code, out = _run(sqlite_seeded, "report", "run", "agreements", "-o", str(folder / "a.parquet"))
    assert code == 1
    assert out == "Error: parquet output needs pyarrow: pip install 'accords[parquet]'\n"
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_terminal_escapes_in_values_and_names_are_shown_not_obeyed(shared_seeded_url, fmt):
    """A value or column name holding ESC, BEL or a C1 control (from a source loaded as JSON, or written by
    another client) would retitle the window or move the cursor when a table is printed to a terminal:
    table and markdown show them as visible symbols; csv and json keep the data exact."""
    escape = "concat('a', chr(27), ']0;pwned', chr(7), 'b', chr(155), '2J', chr(127))"
    if shared_seeded_url.startswith("sqlite"):
        escape = "'a' || char(27) || ']0;pwned' || char(7) || 'b' || char(155) || '2J' || char(127)"
    elif shared_seeded_url.startswith("mysql"):
        escape = "convert(concat('a', char(27), ']0;pwned', char(7), 'b', x'c29b', '2J', char(127)) using utf8mb4)"
    code, out = _run(shared_seeded_url, "sql", f'select {escape} as "t\tx", \'l1\' as "n\x1bm"', "-f", fmt)
    assert code == 0, out
    assert "a\u241b]0;pwned\u2407b\ufffd2J\u2421" in out
    assert "n\u241bm" in out
    assert not any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) < 0xA0 for c in out), repr(out)
    rows = _csv(shared_seeded_url, "sql", f"select {escape} as x")
    assert rows[1] == ["a\x1b]0;pwned\x07b\x9b2J\x7f"]


@pytest.mark.parametrize("command", [["report", "run", "aliases"], ["sql", "select 1 as x"], ["export"]])
def test_an_empty_output_name_is_wrong_use_not_standard_output(sqlite_seeded, command):
    """`-o "$OUT"` with OUT unset gave `-o ''`, which wrote to standard output as if -o were left out."""
    for name in ("", "  "):
        code, out = _run(sqlite_seeded, *command, "-o", name)
        assert code == 2
        assert "an empty file name: leave out -o to write to standard output" in out
