"""The SQLite read path without SQLAlchemy (db/sqlite_read.py) gives what the SQLAlchemy path gives (issue #17).

`accords sql` and `accords report run` on an SQLite file run on sqlite3
alone; an open Database (the library API) and servers go through SQLAlchemy.
These tests run both paths on the same file and compare the bytes written,
the golden files, the one-line errors and how values are bound.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from db import query, sqlite_read
from db.engine import open_database, resolve_url, sqlite_path
from db.errors import AccordsError
from db.formats import FORMATS

GOLDEN = Path(__file__).parent / "golden"
CASES = __import__("tests.test_golden", fromlist=["CASES"]).CASES

#: ad hoc queries whose values or failures could differ between the two paths
QUERIES = [
    "select slug, name, kind from actors order by id",
    "select 1 as \"a.b\", 2 as a, 3 as a, null as n, x'00ff' as b, 1.5e300 * 1e300 as inf, 0.1 + 0.2 as f",
    "select floor(2.5) as f, typeof(floor(2.5)) as t, 'abc' regexp 'b' as r, null regexp 'x' as n",
    "select '\\:x' as escaped, ':y' as literal, ':z' -- :w\n",
    "select amount, currency from amounts order by id",
    "select * from report_agreements",
    "select 1 where 0",
    "select :1",
    "select ?",
    "select 1; select 2",
    "delete from actors",
    "pragma journal_mode = delete",
    "attach database ':memory:' as other",
    "select load_extension('x')",
    "select * from no_such_table",
    "select zeroblob(40000000)",
    "select 1 regexp 1",
    "create temp table t(x)",
    "begin",
]


def _both(url: str, run, *args, **kwargs) -> tuple[tuple[str, str], tuple[str, str]]:
    """(output, error) of ``run`` on the URL (sqlite3 path) and on an open Database of it (SQLAlchemy path)."""
    results = []
    for target in ("url", "database"):
        out, warnings = (io.BytesIO() if kwargs.get("fmt") == "parquet" else io.StringIO()), []
        try:
            if target == "url":
                run(url, *args, out=out, warn=warnings.append, **kwargs)
            else:
                with open_database(url, reading=True) as db:
                    run(db, *args, out=out, warn=warnings.append, **kwargs)
            error = ""
        except AccordsError as exc:
            error = f"{type(exc).__name__}: {exc}"
        value = out.getvalue()
        results.append((value if isinstance(value, str) else value.hex(), error + "|".join(warnings)))
    return results[0], results[1]


@pytest.mark.parametrize(("case", "report_name", "params"), CASES, ids=[c[0] for c in CASES])
def test_reports_on_the_sqlite3_path_match_the_golden_files(sqlite_seeded, case, report_name, params):
    out = io.StringIO()
    query.run_report(sqlite_seeded, report_name, params, "csv", out)
    assert out.getvalue() == (GOLDEN / f"{case}.csv").read_bytes().decode("utf-8")


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "parquet"] + ["parquet"])
def test_every_report_in_every_format_is_the_same_on_both_paths(sqlite_seeded, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    for _case, name, params in CASES:
        light, alchemy = _both(sqlite_seeded, query.run_report, name, params, fmt=fmt)
        assert light == alchemy, name


@pytest.mark.parametrize("sql", QUERIES)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_ad_hoc_sql_gives_the_same_rows_and_errors_on_both_paths(sqlite_seeded, sql, fmt):
    light, alchemy = _both(sqlite_seeded, query.run_sql, sql, (), fmt=fmt)
    assert light == alchemy


def test_empty_results_are_explained_alike(sqlite_seeded):
    light, alchemy = _both(sqlite_seeded, query.run_report, "actor", [("actor", "nobody")], fmt="csv")
    assert light == alchemy and "no rows; no actor matches 'nobody'" in light[1]


def test_the_time_limit_stops_both_paths_alike(sqlite_seeded):
    slow = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    light, alchemy = _both(sqlite_seeded, query.run_sql, slow, (), fmt="csv", timeout_s=0.2)
    assert light == alchemy and "longer than the time limit" in light[1]


def test_a_database_at_another_revision_is_refused_alike(tmp_path, sqlite_seeded):
    import sqlite3

    path = sqlite_path(sqlite_seeded)
    with sqlite3.connect(path) as conn:
        conn.execute("update alembic_version set version_num = '9999'")
    conn.close()
    light, alchemy = _both(sqlite_seeded, query.run_report, "sources", (), fmt="csv")
    assert light == alchemy and "revision '9999'" in light[1]


@pytest.mark.parametrize(("kind", "value"), [
    ("decimal", Decimal("1.10")), ("decimal", Decimal("12345678901234567890.123456789")), ("decimal", Decimal("1E+3")),
    ("date", dt.date(5, 1, 2)), ("date", dt.date(2023, 12, 31)), ("integer", 10**18), ("text", "x"),
    ("choice", "c"), ("decimal", None), ("date", None),
])
def test_values_are_bound_as_sqlalchemys_sqlite_types_bind_them(sqlite_seeded, kind, value):
    from sqlalchemy import bindparam, text

    from db.engine import read_only
    from db.reports import Parameter, Report, binds

    report = Report("t", "t", "t", "t", "select :x", (Parameter("x", kind),))
    sql = "select typeof(:x), quote(:x), :x"
    with open_database(sqlite_seeded, reading=True) as db, read_only(db.engine) as conn:
        expected = conn.execute(text(sql).bindparams(*binds(report)), {"x": value}).all()
        assert conn.execute(text(sql).bindparams(bindparam("x")), {"x": "?"}).all()  # the plain path works too
    with sqlite_read.reading(sqlite_path(sqlite_seeded), 5) as reader:
        got = reader.execute(sql, {"x": value}, {"x": kind}).fetchall()
    assert [tuple(r) for r in expected] == got


@pytest.mark.parametrize("url", [
    "accords.db", "sqlite:///accords.db", "sqlite:////tmp/a b/x.db", "sqlite+pysqlite:///rel/x.db",
    "sqlite:///a:b@c.db", "sqlite:///a#b.db", "sqlite:///é.db", "dir/with space.db", "/abs/path.db",
])
def test_plain_file_urls_name_the_file_sqlalchemy_names(url):
    assert sqlite_read.sqlite_file(url) == sqlite_path(resolve_url(url))


@pytest.mark.parametrize("url", [
    "sqlite://", "sqlite:///:memory:", "sqlite:///", "sqlite:///x.db?timeout=3", "sqlite:///a%20b.db", "a%20b.db",
    "sqlite:///a&password=x.db", "SQLite:///x.db", "postgresql+psycopg://u@h/db", "mysql+pymysql://root@h/db",
    "sqlite:///x\n.db", "x\x00.db",
])
def test_other_urls_take_the_sqlalchemy_path(url):
    assert sqlite_read.sqlite_file(url) is None


def test_the_default_and_the_environment_variable_are_plain_files(monkeypatch):
    monkeypatch.delenv("ACCORDS_DATABASE_URL", raising=False)
    assert sqlite_read.sqlite_file(None) == Path("accords.db")
    monkeypatch.setenv("ACCORDS_DATABASE_URL", "sqlite:////srv/x.db")
    assert sqlite_read.sqlite_file(None) == Path("/srv/x.db")
    monkeypatch.setenv("ACCORDS_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert sqlite_read.sqlite_file(None) is None


def test_a_missing_file_is_not_created_by_the_sqlite3_path(tmp_path):
    missing = tmp_path / "none.db"
    with pytest.raises(AccordsError, match="no database at"):
        query.run_sql(f"sqlite:///{missing}", "select 1", (), "csv", io.StringIO())
    assert not missing.exists()


def test_a_folder_is_refused_in_one_line(tmp_path):
    with pytest.raises(AccordsError, match="is a folder, not an SQLite file"):
        query.run_sql(str(tmp_path), "select 1", (), "csv", io.StringIO())
