"""Reports as CSV and TSV lines rendered by SQLite (db/sqlite_lines.py) are byte for byte the Python path's (#17).

Each test runs the same report twice on the same SQLite file: once with
the lines SQLite renders (the default for csv and tsv) and once with
``query.LINE_FORMATS`` emptied, which sends the rows through the Python
path (normalise_batch, then the csv module) as before. Awkward values are
written into a copy of the seed with sqlite3 and read by made-up reports.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from db import query, reports, sqlite_lines
from db.cli import cli
from db.errors import AccordsError

CASES = __import__("tests.test_golden", fromlist=["CASES"]).CASES
MANY = Path(__file__).parent / "data" / "many-sources"
ALL = query.LINE_FORMATS


def _run(monkeypatch, url: str, name: str, params=(), fmt: str = "csv", lines: bool = True, **kwargs) -> Any:
    monkeypatch.setattr(query, "LINE_FORMATS", ALL if lines else frozenset())
    out = io.BytesIO() if fmt == "parquet" else io.StringIO()
    query.run_report(url, name, params, fmt, out, **kwargs)
    return out.getvalue()


def _both(monkeypatch, url: str, name: str, params=(), fmt: str = "csv", **kwargs) -> tuple[Any, Any]:
    return (_run(monkeypatch, url, name, params, fmt, True, **kwargs),
            _run(monkeypatch, url, name, params, fmt, False, **kwargs))


@pytest.mark.parametrize("fmt", ["csv", "tsv", "parquet"])
def test_every_report_is_the_same_both_ways_on_the_seed(monkeypatch, sqlite_seeded, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    for _case, name, params in CASES:
        for kwargs in ({}, {"headers": False}, {"limit": 1}, {"limit": 0}):
            lines, python = _both(monkeypatch, sqlite_seeded, name, params, fmt, **kwargs)
            assert lines == python, (name, params, kwargs)
    full = _run(monkeypatch, sqlite_seeded, "timeline", (), fmt)
    assert len(full) > 1000  # the comparison above is not of empty outputs


def test_every_report_is_the_same_both_ways_with_three_more_sources(monkeypatch, sqlite_seeded):
    from db import api

    api.ingest(sqlite_seeded, sorted(MANY.glob("*.yaml")))
    for _case, name, params in [*CASES, ("conflicts", "conflicts", ())]:
        for fmt in ("csv", "parquet") if _has_pyarrow() else ("csv",):
            lines, python = _both(monkeypatch, sqlite_seeded, name, params, fmt)
            assert lines == python, (name, params, fmt)
    assert _run(monkeypatch, sqlite_seeded, "conflicts").count("\n") > 1


# --- awkward values --------------------------------------------------------------

TEXTS = ["plain", "a,b", 'q"uote', '"', "'", ",", "new\nline", "cr\rx", "crlf\r\ny", "tab\tx", "", None, " lead",
         "trail ", "ünïcødé 中文 🎉", "semi;colon", "back\\slash", "a|b", 42, -7, 2.5, 0.1 + 0.2, 1e300, -0.0,
         b"\x00\xff"]
INTEGERS = [1, -5, 0, None, 2**62, -(2**63), "7", 3.9, -3.9]
BOOLEANS = [1, 0, None, 2, -1, "1", "0", 0.0, 0.5, 3.0]
DATES = ["2024-01-31", None, "0001-01-01", "9999-12-31", "2024-02-29", "20240131", "2024-W01-1"]
DECIMALS = ["150000000.00", "0.00", "-0.00", "12.5", "007.50", "-0.001", "1.005", "1.015", "2.675", "-2.675", 2.675,
            0.125, 0.135, 1e-300, -1e-300, 12, -3, 0, None, "1e3", " 1.00", "+1.00", "1.", ".5", "-.5", "00.00",
            "99999999999999999999999999.99", "-99999999999999999999999999.99", "9999999999999999999999999.999",
            2**62, 1e20, 0.1 + 0.2, -0.0, "12.345", "12.3456789", 3.14159]
COLUMNS = {"t": ("text", TEXTS), "i": ("integer", INTEGERS), "b": ("boolean", BOOLEANS), "d": ("date", DATES),
           "m": ("decimal", DECIMALS)}


@pytest.fixture
def awkward(sqlite_seeded, tmp_path) -> str:
    """The seed with a table of awkward values, one column per report type, each column as long as the longest."""
    path = tmp_path / "awkward.db"
    shutil.copy(sqlite_seeded.removeprefix("sqlite:///"), path)
    length = max(len(values) for _kind, values in COLUMNS.values())
    con = sqlite3.connect(path)
    con.execute("create table awkward (id integer primary key, t, i, b, d, m)")
    con.executemany("insert into awkward values (?, ?, ?, ?, ?, ?)",
                    [(n, *(values[n % len(values)] for _kind, values in COLUMNS.values())) for n in range(length)])
    con.commit()
    con.close()
    return f"sqlite:///{path}"


def _fake(monkeypatch, sql: str, columns: dict[str, str], parameters=()) -> None:
    report = reports.Report(name="fake", title="Fake", grain="one row per awkward value", description="", sql=sql,
                            parameters=tuple(parameters),
                            columns=tuple(reports.Column(n, t) for n, t in columns.items()), view=False)
    real = reports.get_report
    monkeypatch.setattr(reports, "get_report", lambda name: report if name == "fake" else real(name))


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_awkward_values_are_written_the_same_both_ways(monkeypatch, awkward, fmt):
    _fake(monkeypatch, "select t, i, b, d, m, t as t2 from awkward order by id",
          {**{name: kind for name, (kind, _values) in COLUMNS.items()}, "t2": "text"})
    lines, python = _both(monkeypatch, awkward, "fake", (), fmt)
    assert lines == python
    assert '"q""uote"' in lines and "ünïcødé 中文 🎉" in lines and "2.68" in lines and "-0.00" in lines


def _has_pyarrow() -> bool:
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None


def _parquet(data: bytes) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(io.BytesIO(data))


def test_awkward_values_are_written_the_same_both_ways_as_parquet(monkeypatch, awkward):
    pytest.importorskip("pyarrow")
    # text that is not str fails on both ways (a test below); dates and decimals only those Python converts
    _fake(monkeypatch, "select t, i, b, d, m from awkward where typeof(t) in ('text', 'null') "
                       "and d not like '%W%' order by id",
          {name: kind for name, (kind, _values) in COLUMNS.items()})
    lines, python = _both(monkeypatch, awkward, "fake", (), "parquet")
    assert lines == python
    table = _parquet(lines)
    assert [str(t) for t in table.schema.types] == ["string", "int64", "bool", "date32[day]", "decimal128(38, 2)"]
    texts = table.column("t").to_pylist()
    assert "" in texts and None in texts and 'q"uote' in texts and "crlf\r\ny" in texts
    for fmt in ("csv", "parquet"):
        assert _both(monkeypatch, awkward, "fake", (), fmt, limit=3)[0] == _both(monkeypatch, awkward, "fake", (),
                                                                                  fmt, limit=3)[1]


def test_parquet_row_groups_are_the_python_paths(monkeypatch, awkward):
    pytest.importorskip("pyarrow")
    from db.parquet import ROW_GROUP

    con = sqlite3.connect(awkward.removeprefix("sqlite:///"))
    con.execute("create table many (id integer primary key, t text)")
    con.executemany("insert into many (t) values (?)", [(f"row {n}" if n % 7 else None,) for n in range(ROW_GROUP * 2)])
    con.commit()
    con.close()
    _fake(monkeypatch, "select t from many order by id", {"t": "text"})
    for kwargs in ({}, {"limit": ROW_GROUP}, {"limit": ROW_GROUP + 1}):
        lines, python = _both(monkeypatch, awkward, "fake", (), "parquet", **kwargs)
        assert lines == python, kwargs
    import pyarrow.parquet as pq

    assert pq.ParquetFile(io.BytesIO(lines)).num_row_groups == 2


def test_text_that_is_not_text_fails_as_parquet_both_ways(monkeypatch, awkward):
    pytest.importorskip("pyarrow")
    _fake(monkeypatch, "select t from awkward where typeof(t) = 'integer'", {"t": "text"})
    for lines in (True, False):
        with pytest.raises(AccordsError):
            _run(monkeypatch, awkward, "fake", (), "parquet", lines)


@pytest.mark.parametrize(("name", "kind", "values"), [(n, k, v) for n, (k, v) in COLUMNS.items()])
@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_a_report_of_one_column_writes_empty_fields_as_the_csv_module_does(monkeypatch, awkward, fmt, name, kind,
                                                                           values):
    _fake(monkeypatch, f"select {name} from awkward order by id", {name: kind})
    lines, python = _both(monkeypatch, awkward, "fake", (), fmt)
    assert lines == python
    if None in values:
        assert '\n""' in lines


def test_every_character_is_written_the_same_both_ways(monkeypatch, awkward):
    """Each character from U+0001 to U+00FF and some beyond, alone, leading, inside and trailing."""
    con = sqlite3.connect(awkward.removeprefix("sqlite:///"))
    con.execute("create table chars (id integer primary key, t text)")
    chars = [chr(c) for c in range(1, 256)] + ["\u2028", "\u00a0", "\ufeff", "\U0001f600"]
    con.executemany("insert into chars (t) values (?)", [(s,) for c in chars for s in (c, c + "x", "x" + c + "y",
                                                                                        "y" + c)])
    con.commit()
    con.close()
    _fake(monkeypatch, "select t, t as u from chars order by id", {"t": "text", "u": "text"})
    for fmt in ("csv", "tsv"):
        lines, python = _both(monkeypatch, awkward, "fake", (), fmt)
        assert lines == python


@pytest.mark.parametrize(("column", "kind", "bad"), [("d", "date", "2024-02-30"), ("d", "date", "yesterday"),
                                                     ("i", "integer", "seven"), ("m", "decimal", "12 million"),
                                                     ("m", "decimal", "1e40")])
def test_a_value_the_python_path_cannot_convert_fails_on_the_lines_path_too(monkeypatch, awkward, column, kind, bad):
    con = sqlite3.connect(awkward.removeprefix("sqlite:///"))
    con.execute(f"update awkward set {column} = ? where id = 3", (bad,))
    con.commit()
    con.close()
    _fake(monkeypatch, f"select {column} from awkward order by id", {column: kind})
    with pytest.raises(Exception):  # noqa: B017 - the Python path raises ValueError or InvalidOperation
        _run(monkeypatch, awkward, "fake", (), "csv", False)
    with pytest.raises(AccordsError, match="user-defined function raised exception"):
        _run(monkeypatch, awkward, "fake", (), "csv", True)


def test_the_quoted_characters_are_the_csv_modules(monkeypatch):
    assert set(sqlite_lines.quoted_characters("csv")) == {",", '"', "\r", "\n"}
    assert {"\t", '"', "\n"} <= set(sqlite_lines.quoted_characters("tsv"))


# --- the read path's guarantees ------------------------------------------------------


def test_bound_parameters_stay_values(monkeypatch, sqlite_seeded):
    hostile = "x'); delete from actors; --"
    for name, params in (("evidence", (("fact", hostile),)), ("statements", (("speaker", hostile),)),
                         ("timeline", (("from", "2001-01-01"), ("to", "2020-12-31")))):
        lines, python = _both(monkeypatch, sqlite_seeded, name, params)
        assert lines == python
    con = sqlite3.connect(sqlite_seeded.removeprefix("sqlite:///"))
    assert con.execute("select count(*) from actors").fetchone()[0] > 0


@pytest.mark.parametrize(("sql", "refused"), [
    ("select * from actors where load_extension('x') is null", "the function load_extension"),
    ("select 1 as x from actors where 0 union all select * from (select 1 as y)) as z; insert into actors "
     "select * from actors; --", None),
    ("select 1 as x; delete from actors", None),
    ("select 1 as x) limit 0; delete from actors; --", None),
])
def test_a_report_whose_sql_tries_to_write_is_refused_on_the_lines_path(monkeypatch, sqlite_seeded, sql, refused):
    _fake(monkeypatch, sql, {"x": "integer"})
    with pytest.raises((AccordsError, sqlite3.Error)) as failure:
        _run(monkeypatch, sqlite_seeded, "fake")
    if refused:
        assert refused in str(failure.value)
    con = sqlite3.connect(sqlite_seeded.removeprefix("sqlite:///"))
    assert con.execute("select count(*) from actors").fetchone()[0] > 0


def test_the_lines_connection_is_read_only(monkeypatch, sqlite_seeded):
    """The wrapped query runs on the guarded connection: query_only is on, the file opened read-only."""
    _fake(monkeypatch, "select query_only as q from pragma_query_only", {"q": "integer"})
    assert _run(monkeypatch, sqlite_seeded, "fake") == "q\r\n1\r\n"


def test_the_time_limit_stops_the_lines_path(monkeypatch, sqlite_seeded):
    _fake(monkeypatch, "with recursive n(i) as (select 1 union all select i + 1 from n) "
                       "select i from n where i < 0", {"i": "integer"})
    with pytest.raises(AccordsError, match="time limit"):
        _run(monkeypatch, sqlite_seeded, "fake", timeout_s=0.3)


def test_a_trailing_comment_in_the_sql_is_harmless(monkeypatch, sqlite_seeded):
    _fake(monkeypatch, "select slug as s from actors order by id -- the end", {"s": "text"})
    lines, python = _both(monkeypatch, sqlite_seeded, "fake")
    assert lines == python and lines.count("\n") > 3


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_the_cli_writes_the_same_file_both_ways(monkeypatch, sqlite_seeded, tmp_path, fmt):
    files = []
    for lines in (True, False):
        monkeypatch.setattr(query, "LINE_FORMATS", ALL if lines else frozenset())
        target = tmp_path / f"timeline-{lines}.{fmt}"
        result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "report", "run", "timeline", "-o", str(target),
                                          "--no-headers", "--limit", "5"])
        assert result.exit_code == 0, result.output
        files.append(target.read_bytes())
    assert files[0] == files[1] and files[0].count(b"\n") == 5


# --- without pyarrow -----------------------------------------------------------------


def test_csv_and_tsv_need_no_pyarrow_and_parquet_says_how_to_get_it(monkeypatch, sqlite_seeded):
    expected = {fmt: _run(monkeypatch, sqlite_seeded, "timeline", (), fmt, False) for fmt in ("csv", "tsv")}
    for name in [m for m in sys.modules if m == "pyarrow" or m.startswith("pyarrow.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` now raises ImportError
    for fmt in ("csv", "tsv"):
        assert _run(monkeypatch, sqlite_seeded, "timeline", (), fmt) == expected[fmt]
    with pytest.raises(AccordsError, match=r"parquet output needs pyarrow: pip install 'accords\[parquet\]'"):
        _run(monkeypatch, sqlite_seeded, "timeline", (), "parquet")


def test_a_csv_report_imports_no_pyarrow(sqlite_seeded, tmp_path):
    code = ("import sys, io; from db import query; "
            f"query.run_report({sqlite_seeded!r}, 'timeline', (), 'csv', io.StringIO()); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyarrow', 'sqlalchemy')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
