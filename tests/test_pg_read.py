"""The PostgreSQL read path without SQLAlchemy (db/pg_read.py) gives what the SQLAlchemy path gives (issue #17).

`accords sql` and `accords report run` on a plain PostgreSQL URL run on
psycopg alone; an open Database (the library API), MariaDB and other URLs go
through SQLAlchemy. These tests run both paths on the same database and
compare the bytes written, the golden files, the one-line errors, how the URL
is read and how values are bound. They need ACCORDS_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import query_rows
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import psycopg as pg_dialect
from sqlalchemy.engine import make_url

from db import pg_copy, pg_read, query, reports, sqltext
from db.engine import open_database, safe_url
from db.errors import AccordsError
from db.formats import FORMATS

GOLDEN = Path(__file__).parent / "golden"
CASES = __import__("tests.test_golden", fromlist=["CASES"]).CASES

#: ad hoc queries whose values or failures could differ between the two paths
QUERIES = [
    "select slug, name, kind from actors order by id",
    "select 1 as \"a.b\", 2 as a, 3 as a, null as n, '\\x00ff'::bytea as b, 'infinity'::float8 as inf, "
    "0.1::float8 + 0.2 as f, 1.50::numeric as d, true as t, date '2023-01-02' as day, "
    "'{\"a\": [1, 2.5]}'::jsonb as j, array[1, 2] as arr, 'é'::varchar as e, "
    "'2023-01-02 03:04:05+02'::timestamptz at time zone 'UTC' as ts, 123::int8 as big",
    "select ':x' as literal, '\\:y' as escaped, 'a::b' as c, 1::text as cast -- :w\n",
    "select ':b::int' as a, 'x::y' as b, ':c' as c -- :w::int\n",
    "select 5 % 3 as m, 'a%b' as p, '%%' as pp, '%(x)s' as named",
    "select amount, currency from amounts order by id",
    "select * from report_agreements",
    "select current_setting('transaction_isolation') as iso, current_setting('transaction_read_only') as ro, "
    "current_setting('statement_timeout') as st",
    "table alembic_version",
    "values (1, 'a'), (2, 'b')",
    "select from actors",
    "select",
    "select 1 where false",
    "select pg_sleep(0)",
    "select :1",
    "select ?",
    "select $1",
    "select 1; select 2",
    "select 'a'';'; delete from actors",
    "delete from actors",
    "with gone as (delete from actors returning id) select count(*) from gone",
    "select * into temp t2 from actors",
    "set statement_timeout = 0",
    "explain select 1",
    "select * from actors for update",
    "select nextval('actors_id_seq')",
    "select * from no_such_table",
    "select no_such_column from actors",
    "select 1/0",
    "select E'\\xff'",
    "select 'infinity'::date as d",
]


@pytest.fixture(scope="module")
def pg_seeded(templates, tmp_path_factory) -> str:
    """A seeded PostgreSQL database shared by this module's tests (read-only use)."""
    return templates.copy("postgresql", "seeded", tmp_path_factory.mktemp("pg-read"))


def _run(url: str, run, *args, alchemy: bool = False, **kwargs) -> tuple[str, str]:
    """(output, error and warnings) of ``run`` on the URL, or on an open Database of it (the SQLAlchemy path)."""
    out, warnings = (io.BytesIO() if kwargs.get("fmt") == "parquet" else io.StringIO()), []
    try:
        if alchemy:
            with open_database(url, reading=True) as db:
                run(db, *args, out=out, warn=warnings.append, **kwargs)
        else:
            run(url, *args, out=out, warn=warnings.append, **kwargs)
        error = ""
    except AccordsError as exc:
        error = f"{type(exc).__name__}: {exc}"
    value = out.getvalue()
    return (value if isinstance(value, str) else value.hex()), error + "|".join(warnings)


def _both(url: str, run, *args, **kwargs) -> tuple[tuple[str, str], tuple[str, str]]:
    """(output, error) of ``run`` on the URL (psycopg path) and on an open Database of it (SQLAlchemy path)."""
    return _run(url, run, *args, **kwargs), _run(url, run, *args, alchemy=True, **kwargs)


@pytest.mark.parametrize(("case", "report_name", "params"), CASES, ids=[c[0] for c in CASES])
def test_reports_on_the_psycopg_path_match_the_golden_files(pg_seeded, case, report_name, params):
    out = io.StringIO()
    query.run_report(pg_seeded, report_name, params, "csv", out)
    assert out.getvalue() == (GOLDEN / f"{case}.csv").read_bytes().decode("utf-8")


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "parquet"] + ["parquet"])
def test_every_report_in_every_format_is_the_same_on_both_paths(pg_seeded, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    for _case, name, params in CASES:
        light, alchemy = _both(pg_seeded, query.run_report, name, params, fmt=fmt)
        assert light == alchemy, name


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_without_chunked_rows_the_declared_cursor_gives_the_same(pg_seeded, typed_report, monkeypatch, fmt):
    """With a libpq older than 17 (no chunked rows), the rows come through the declared cursor, as values."""
    from psycopg import capabilities

    monkeypatch.setattr(capabilities, "has_stream_chunked", lambda check=False: False)
    for _case, name, params in CASES:
        light, alchemy = _both(pg_seeded, query.run_report, name, params, fmt=fmt)
        assert light == alchemy, name
    light, alchemy = _both(pg_seeded, query.run_report, typed_report(TYPED_SQL, TYPED_COLUMNS), (), fmt=fmt)
    assert light == alchemy and "Error" not in light[1]


@pytest.mark.parametrize("sql", QUERIES)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_ad_hoc_sql_gives_the_same_rows_and_errors_on_both_paths(pg_seeded, sql, fmt):
    light, alchemy = _both(pg_seeded, query.run_sql, sql, (), fmt=fmt)
    assert light == alchemy


def test_parameters_and_limits_are_the_same_on_both_paths(pg_seeded):
    sql = "select slug, :kind as asked, length(:kind) as n from actors where kind = :kind order by slug"
    for limit in (None, 0, 2):
        light, alchemy = _both(pg_seeded, query.run_sql, sql, [("kind", "state")], fmt="csv", limit=limit)
        assert light == alchemy and light[0].startswith("slug,asked,n\r\n")
    light, alchemy = _both(pg_seeded, query.run_report, "evidence", (), fmt="csv", limit=3)
    assert light == alchemy and len(light[0].splitlines()) == 4


def test_a_failure_after_the_first_rows_is_one_line_on_both_paths(pg_seeded):
    """Where a failure comes after some rows were written depends on how rows are fetched; the error does not."""
    light, alchemy = _both(pg_seeded, query.run_sql, "select 1 / (5 - i) as x from generate_series(1, 10) as i", (),
                           fmt="csv")
    assert light[1] == alchemy[1] and light[1].startswith("AccordsError: division by zero")
    assert "x\r\n1\r\n".startswith(light[0]) or light[0].startswith("x\r\n")


def test_empty_results_are_explained_alike(pg_seeded):
    light, alchemy = _both(pg_seeded, query.run_report, "actor", [("actor", "nobody")], fmt="csv")
    assert light == alchemy and "no rows; no actor matches 'nobody'" in light[1]


def test_the_time_limit_stops_both_paths_alike(pg_seeded):
    for slow in ("select pg_sleep(5)", "select set_config('statement_timeout', '0', true), pg_sleep(5)"):
        light, alchemy = _both(pg_seeded, query.run_sql, slow, (), fmt="csv", timeout_s=0.3)
        # the server's limit or the watchdog, whichever comes first, words the detail in brackets
        assert light[0] == alchemy[0] == ""
        assert light[1].split(" (")[0] == alchemy[1].split(" (")[0] == "AccordsError: the query ran longer than the time limit and was stopped"


def test_a_database_at_another_revision_is_refused_alike(templates, tmp_path):
    url = templates.copy("postgresql", "seeded", tmp_path)
    with open_database(url) as db, db.engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '9999'"))
    light, alchemy = _both(url, query.run_report, "sources", (), fmt="csv")
    assert light == alchemy and "revision '9999'" in light[1]


def test_a_database_without_tables_is_refused_alike(templates, tmp_path):
    url = templates.scratch.create("postgresql")
    light, alchemy = _both(url, query.run_report, "sources", (), fmt="csv")
    assert light == alchemy and "no accords tables" in light[1]


def test_the_read_only_transaction_is_one_snapshot_rolled_back(pg_seeded):
    with pg_read.reading(pg_read.server_target(pg_seeded), 5) as reader:
        rows = reader.execute("select current_setting('transaction_isolation'), "
                              "current_setting('transaction_read_only'), current_setting('statement_timeout'), "
                              "txid_current_if_assigned() is null", {}).fetchall()
        conn = reader.conn
    assert rows == [("repeatable read", "on", "5s", True)]
    assert conn.closed


@pytest.mark.parametrize(("kind", "value"), [
    ("decimal", Decimal("1.10")), ("decimal", Decimal("12345678901234567890.123456789")), ("decimal", Decimal("1E+3")),
    ("date", dt.date(5, 1, 2)), ("date", dt.date(2023, 12, 31)), ("integer", 10**9), ("integer", 7), ("text", "x"),
    ("text", "é'\\%s"), ("choice", "c"), ("decimal", None), ("date", None), ("text", None),
])
def test_values_are_bound_as_sqlalchemys_psycopg_types_bind_them(pg_seeded, kind, value):
    from db.engine import read_only

    report = reports.Report("t", "t", "t", "t", "select :x", (reports.Parameter("x", kind),))
    for sql in ("select pg_typeof(:x)::text as t, (:x)::text as v, :x as x", "select (:x)::text as v, :x as x"):
        try:
            with open_database(pg_seeded, reading=True) as db, read_only(db.engine) as conn:
                expected: object = [tuple(r) for r in conn.execute(text(sql).bindparams(*reports.binds(report)),
                                                                    {"x": value})]
        except AccordsError as exc:  # a NULL decimal has no type: "could not determine data type of parameter $1"
            expected = str(exc)
        try:
            with pg_read.reading(pg_read.server_target(pg_seeded), 5) as reader:
                got: object = reader.execute(sql, {"x": value}, {"x": kind}).fetchall()
        except AccordsError as exc:
            got = str(exc)
        assert got == expected, sql


#: every report as accords sends it, and each ad hoc query with its parameters typed as each report type
SENT = [(reports.sql_for(r, "postgresql"), r.parameters) for r in reports.all_reports().values()] + [
    (sql, tuple(reports.Parameter(n, kind) for n in reports.bind_names(sql)))
    for sql in QUERIES + ["select :a, :b + 1, :a || 'x' where :c > 1 -- :d"] for kind in reports.PARAM_TYPES]


@pytest.mark.parametrize(("sql", "parameters"), SENT)
def test_the_sql_sent_is_what_sqlalchemys_psycopg_dialect_sends(sql, parameters):
    report = reports.Report("t", "t", "t", "t", sql, parameters)
    kinds = {p.name: p.type for p in parameters}
    for clause, typed in ((text(sqltext.protect_colons(sql)), {}),
                          (text(sqltext.protect_colons(sql)).bindparams(*reports.binds(report)), kinds)):
        assert pg_read.compile_text(sql, typed)[0] == clause.compile(dialect=pg_dialect.dialect()).string


#: URLs this path reads: psycopg's arguments must be SQLAlchemy's (the adapters map aside)
PLAIN_URLS = [
    "postgresql+psycopg://postgres@127.0.0.1:5432/test", "postgresql://u@h/d", "postgresql+psycopg://",
    "postgresql+psycopg:///d", "postgresql+psycopg://u:p%40ss@h:5/d?sslmode=require&application_name=a+b",
    "postgresql+psycopg://u@[::1]:5432/d", "postgresql+psycopg://u:@h/d", "postgresql+psycopg://@h/d",
    "postgresql+psycopg://u@h:0/d", "postgresql+psycopg://u@h/d?connect_timeout=3&options=-c%20work_mem%3D1MB",
    "postgresql+psycopg://u@h/d?password=secret&x=", "postgresql+psycopg://%C3%A9@h/%64b", "postgresql+psycopg://h",
]
#: URLs left to SQLAlchemy: several hosts, repeated options, other drivers and backends, odd characters
OTHER_URLS = [
    "postgresql+psycopg://u@/d?host=/tmp", "postgresql+psycopg://u@h/d?host=a&host=b", "postgresql+psycopg2://u@h/d",
    "postgresql+psycopg://u@h:port/d", "postgresql+psycopg://u@h/d?a=1&a=2", "postgresql+asyncpg://u@h/d",
    "mysql+pymysql://root@h/test", "sqlite:///x.db", "x.db", "postgresql+psycopg://u@h/d#x", "PostgreSQL://u@h/d",
    "postgresql+psycopg://a@b@h/d", "postgresql+psycopg://u@h/d/e", "postgresql+psycopg://u@h/d\n",
]


@pytest.mark.parametrize("url", PLAIN_URLS)
def test_plain_urls_connect_as_sqlalchemy_connects(url):
    parsed = make_url(url)
    _, expected = parsed.get_dialect()().create_connect_args(parsed)
    expected.pop("context", None)
    target = pg_read.server_target(url)
    assert target is not None and target.args == expected
    assert target.scrub(url) == safe_url(url)


@pytest.mark.parametrize("url", OTHER_URLS)
def test_other_urls_take_the_sqlalchemy_path(url):
    assert pg_read.server_target(url) is None


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://someone:hunter2@127.0.0.1:9/nothing",
    "postgresql+psycopg://someone@127.0.0.1:9/nothing?password=hunter3",
    "postgresql+psycopg://someone:1@127.0.0.1:9/nothing",
])
def test_a_failed_connection_is_one_line_alike_without_secrets(url):
    light, alchemy = _both(url, query.run_sql, "select 1", (), fmt="csv")
    assert light == alchemy
    assert light[1].startswith("AccordsError: connection failed") and "hunter" not in light[1]
    assert ":1@" not in light[1] and "127.0.0.1" in light[1]


# --- report columns fetched as PostgreSQL's text (CSV and TSV) ------------------------------------

TYPED_SQL = """
select i as n_int, i::int8 as n_big, i::int2 as n_small, i % 3 as flag, i % 2 = 0 as yes,
       (i * 1.255)::numeric(20, 2) as amount, (i * 1.255)::numeric as raw_amount, (i * 2.5)::numeric(30, 2) as wide,
       date '2023-01-01' + i * 400 as day, 'x,' || i as label, i::text as text_number, i as plain
from generate_series(-3, 3) as i
union all select null, null, null, null, null, null, null, null, null, null, null, null
order by 1 nulls last
"""
TYPED_COLUMNS = (("n_int", "integer"), ("n_big", "integer"), ("n_small", "integer"), ("flag", "boolean"),
                 ("yes", "boolean"), ("amount", "decimal"), ("raw_amount", "decimal"), ("wide", "decimal"),
                 ("day", "date"), ("label", "text"), ("text_number", "decimal"), ("plain", "text"))


@pytest.fixture
def typed_report(monkeypatch):
    """Make `report run t` run ``sql`` with the given (name, type) columns."""

    def make(sql: str, columns) -> str:
        report = reports.Report("t", "t", "t", "t", sql, (), tuple(reports.Column(n, t) for n, t in columns))
        monkeypatch.setattr(reports, "get_report", lambda name: report)
        return "t"

    return make


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_columns_fetched_as_text_are_written_as_their_values_would_be(pg_seeded, typed_report, fmt):
    name = typed_report(TYPED_SQL, TYPED_COLUMNS)
    light, alchemy = _both(pg_seeded, query.run_report, name, (), fmt=fmt)
    assert light == alchemy and "Error" not in light[1]
    if fmt == "csv":
        # -3.765: rounded by the server's numeric(20, 2) cast, then by Python's quantize (half to even)
        assert light[0].splitlines()[1] == "-3,-3,-3,false,false,-3.77,-3.76,-7.50,2019-09-19,\"x,-3\",-3.00,-3"


@pytest.mark.parametrize("day", ["10000-01-01", "0044-03-15 BC", "infinity", "-infinity"])
def test_a_date_python_cannot_hold_fails_alike_when_fetched_as_text(pg_seeded, typed_report, day):
    name = typed_report(f"select d::date as day from (values ('2023-01-02'), ('{day}')) as v(d)", [("day", "date")])
    light, alchemy = _both(pg_seeded, query.run_report, name, (), fmt="csv")
    assert light[1] == alchemy[1] and light[1].startswith("AccordsError: date too")


def test_only_types_whose_text_is_the_written_text_are_fetched_as_text():
    class Column:
        def __init__(self, name, oid, precision=None, scale=None):
            self.name, self.type_code, self.precision, self.scale = name, oid, precision, scale

    class Info:
        def __init__(self, style):
            self.style = style

        def parameter_status(self, name):
            return self.style

    class Conn:
        def __init__(self, style):
            self.info = Info(style)

    types = {"i": "integer", "b": "boolean", "d": "date", "m": "decimal", "t": "text", "w": "decimal"}
    columns = [Column("i", 23), Column("b", 16), Column("d", 1082), Column("m", 1700, 20, 2), Column("t", 25),
               Column("w", 1700, 40, 3)]
    iso = pg_read._text_columns(Conn("ISO, MDY"), columns, types)
    assert [r is not None for r in iso] == [True, True, True, False, False, False]  # one numeric not cents: none
    wide = pg_read._text_columns(Conn("ISO, MDY"), [Column("m", 1700, 20, 2), Column("w", 1700, 40, 2)], types)
    assert wide is not None and None not in wide  # numeric(40, 2): its text is every digit, as accords writes it
    german = pg_read._text_columns(Conn("German, DMY"), columns[:2] + columns[2:3], types)
    assert [r is not None for r in german] == [True, True, False]
    assert pg_read._text_columns(Conn("ISO"), [Column("i", 23), Column("x", 23)], {"i": "integer", "x": "decimal"}) \
        is None  # an integer written as a decimal (5.00) is not its text: the type is fetched as values


# --- lines written by the server (COPY) ---------------------------------------------------------


@pytest.fixture
def copies(monkeypatch) -> list[str]:
    """The COPY statements the psycopg path sends (each one's SQL)."""
    sent: list[str] = []
    real = pg_copy.copy_statement

    def spy(*args, **kwargs):
        statement = real(*args, **kwargs)
        if statement is not None:
            sent.append(statement)
        return statement

    monkeypatch.setattr(pg_copy, "copy_statement", spy)
    return sent


def test_reports_without_values_are_written_by_copy_byte_for_byte(pg_seeded, copies):
    """Every report with its parameters unset, or set to one of its choices, is COPY's lines, as SQLAlchemy's path writes it."""
    for _case, name, params in CASES:
        copies.clear()
        light, alchemy = _both(pg_seeded, query.run_report, name, params, fmt="csv")
        assert light == alchemy, name
        report = reports.get_report(name)
        chosen = dict(params)
        by_copy = all(p.type == "choice" for p in report.parameters if chosen.get(p.name, "") != "")
        assert (len(copies) == 1) == (by_copy and len(report.columns) > 1), name


#: values whose CSV spelling COPY and the csv module could disagree on
HOSTILE_SQL = """
select * from (values
  (1, '', 'a,b', 'say "hi"', E'two\\nlines', E'cr\\rhere', E'crlf\\r\\nend', '\\.', ' pad ', 'é ☃',
   0.125::numeric, 0.135::numeric, -0.125::numeric, -0.004::numeric, -0.005::numeric, 'NaN'::numeric,
   12345678901234567890.125::numeric, 1.005, -0.0, 2.5, -0.001, 7, 5, true, 15.00::numeric(10, 2)),
  (2, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
   null, null, null, null, null, null, null, null),
  (3, '""', ',', '"', E'\\n', E'\\r', E'\\r\\n', 'x', '', '',
   1, -1, 0, 2.5, -2.5, 0.005, 0.015, 0.025, 3, -3.335, 100, -2, 0, false, -0.01::numeric(10, 2))
) as v(n, t1, t2, t3, t4, t5, t6, t7, t8, t9, d1, d2, d3, d4, d5, d6, d7, x1, x2, x3, x4, i1, b1, b2, m1)
order by n
"""
HOSTILE_COLUMNS = (("n", "integer"), *((f"t{i}", "text") for i in range(1, 10)),
                   *((f"d{i}", "decimal") for i in range(1, 8)), *((f"x{i}", "decimal") for i in range(1, 5)),
                   ("i1", "decimal"), ("b1", "boolean"), ("b2", "boolean"), ("m1", "decimal"))


def test_copy_spells_hostile_values_as_the_csv_module_does(pg_seeded, typed_report, copies):
    """Empty text and NULL, quotes, delimiters, CR and LF, lone ``\\.``, and decimals rounded half to even, -0.00."""
    name = typed_report(HOSTILE_SQL, HOSTILE_COLUMNS)
    light, alchemy = _both(pg_seeded, query.run_report, name, (), fmt="csv")
    assert copies and light == alchemy and "Error" not in light[1]
    assert light[0].split("\r\n", 1)[1].startswith('1,,"a,b","say ""hi""","two\nlines","cr\rhere","crlf\r\nend",\\., pad ,é ☃,'
                            '0.12,0.14,-0.12,-0.00,-0.00,NaN,12345678901234567890.12,1.00,0.00,2.50,-0.00,7.00,'
                            'true,true,15.00')


def test_copy_takes_the_sql_as_a_report_may_end(pg_seeded, typed_report, copies):
    """A final semicolon, or a line comment, cannot break the query out of (or into) its parentheses."""
    for ending in (";", " ;  \n", "-- the end", "-- ) as q(a, b)) to stdout; select 1 --"):
        name = typed_report(f"select 1 as a, 'b' as b{ending}", (("a", "integer"), ("b", "text")))
        light, alchemy = _both(pg_seeded, query.run_report, name, (), fmt="csv")
        assert light == alchemy and light[0] == "a,b\r\n1,b\r\n", ending
    assert len(copies) == 4


def test_a_value_given_by_the_user_is_bound_never_written_into_copy(pg_seeded, copies):
    hostile = "x') to stdout; select 1; --"
    light, alchemy = _both(pg_seeded, query.run_report, "evidence", [("actor", hostile)], fmt="csv")
    assert light == alchemy and copies == []  # fetched as rows, the value bound
    _both(pg_seeded, query.run_report, "evidence", [("subunits", "no")], fmt="csv")
    spelled = "(pg_catalog.chr(110) || pg_catalog.chr(111))::VARCHAR"  # 'no', without a quote
    assert len(copies) == 1 and spelled in copies[0] and ":subunits" not in copies[0]
    assert "NULL::VARCHAR" in copies[0]  # the unset parameters: NULL, as binding None sends it


def test_copy_is_cancelled_by_the_time_limit_and_leaves_early_for_a_limit(pg_seeded, typed_report, copies):
    name = typed_report("select i as a, pg_sleep(case when i = 3 then 5 else 0 end)::text as b "
                        "from generate_series(1, 3) as i", (("a", "integer"), ("b", "text")))
    light = _run(pg_seeded, query.run_report, name, (), fmt="csv", timeout_s=0.5)
    assert light[1].startswith("AccordsError: the query ran longer than the time limit") and copies
    big = typed_report("select i as a, 'x' as b from generate_series(1, 1000000) as i", (("a", "integer"), ("b", "text")))
    light, alchemy = _both(pg_seeded, query.run_report, big, (), fmt="csv", limit=2)
    assert light == alchemy and light[0] == "a,b\r\n1,x\r\n2,x\r\n"


def test_a_date_python_cannot_hold_fails_by_copy_too(pg_seeded, typed_report, copies):
    for day in ("10000-01-01", "0044-03-15 BC", "infinity"):
        name = typed_report(f"select 1 as n, d::date as day from (values ('2023-01-02'), ('{day}')) as v(d)",
                            (("n", "integer"), ("day", "date")))
        light, alchemy = _both(pg_seeded, query.run_report, name, (), fmt="csv")
        assert alchemy[1].startswith("AccordsError: date too") and copies
        assert "out of Python's range (years 1 to 9999)" in light[1] and day.split()[0] in light[1]


def test_copy_is_used_only_where_its_lines_are_accords_lines():
    class Column:
        def __init__(self, name, oid, precision=None, scale=None):
            self.name, self.type_code, self.precision, self.scale = name, oid, precision, scale

    class Info:
        encoding, style = "utf-8", "ISO, MDY"

        def parameter_status(self, name):
            return self.style

    class Conn:
        info = Info()

    def statement(columns, types, fmt="csv", conn=None):
        return pg_copy.copy_statement(conn or Conn(), "select 1", {}, columns, types, fmt)

    both = [Column("a", 23), Column("b", 25)]
    assert statement(both, {"a": "integer"}) is not None
    assert statement(both[:1], {"a": "integer"}) is None  # one column: COPY quotes a lone \. and csv an empty field
    assert statement([Column("a", 23), Column("j", 3802)], {}) is None  # jsonb's text: fetched as values
    assert statement([Column("a", 23), Column("t", 1114)], {"t": "text"}) is None  # a timestamp as text
    german = Conn()
    german.info = Info()
    german.info.style = "German, DMY"
    assert statement([Column("a", 23), Column("d", 1082)], {"d": "date"}, conn=german) is None
    latin = Conn()
    latin.info = Info()
    latin.info.encoding = "iso8859-1"
    assert statement(both, {}, conn=latin) is None
    from db.delimited import quoting
    quotes_cr = "\r" in (quoting("\t", "\n") or "")
    assert (statement(both, {}, fmt="tsv") is not None) == quotes_cr  # TSV only where csv quotes CR as COPY does
    assert pg_copy.literals_for({"a": None, "c": "yes"}, {"a": "date", "c": "choice"}, {"c": ("yes", "no")}) == \
        {"a": "NULL::DATE", "c": "(pg_catalog.chr(121) || pg_catalog.chr(101) || pg_catalog.chr(115))::VARCHAR"}
    assert pg_copy.literals_for({"c": "maybe"}, {"c": "choice"}, {"c": ("yes", "no")}) is None
    assert pg_copy.literals_for({"c": "it's"}, {"c": "choice"}, {"c": ("it's",)}) is None  # a choice not a plain word
    assert pg_copy.literals_for({"t": "x"}, {"t": "text"}, {}) is None


#: decimal text that PostgreSQL's numeric and Python's Decimal read alike, blanks and sign included
ALIKE_DECIMAL_TEXT = ["E'\\t-0.001'", "E'\\n-0.004 '", "E'\\013-0.001\\f'", "' 2.5 '", "'+.5'", "'5.'", "'1E2'",
                      "'-0.005e0'", "'-1e-300'", "'12345678901234567890123456.125'",
                      # cents already, written as they are; and near misses that are not (zeros, sign, 27 digits)
                      "'12.30'", "'-0.00'", "'0.05'", "'99999999999999999999999999.99'", "'007.50'", "'+1.00'",
                      "'-00.10'",
                      # past Decimal's default 28 digits: every digit written, on both paths
                      "'1e400'", "'-123456789012345678901234567890.125'", "'1234567890123456789012345678901.50'"]


def test_decimal_text_is_rounded_by_copy_as_decimal_reads_it(pg_seeded, typed_report, copies):
    """A tab or newline before a minus: numeric and Decimal both skip it, and the sign stays (-0.00)."""
    values = ", ".join(f"({v})" for v in ALIKE_DECIMAL_TEXT)
    name = typed_report(f"select 1 as n, v as x from (values {values}) as t(v)", (("n", "integer"), ("x", "decimal")))
    light, alchemy = _both(pg_seeded, query.run_report, name, (), fmt="csv")
    assert copies and light == alchemy and "Error" not in light[1]
    assert light[0].split("\r\n")[1:4] == ["1,-0.00", "1,-0.00", "1,-0.00"]


@pytest.mark.parametrize("text", ["1_000", "５", "\u00a05", "Infinity", "abc", "0x1A"])
def test_decimal_text_read_otherwise_by_python_is_never_written_by_copy(pg_seeded, typed_report, copies, text):
    """'1_000' is 1000 to Decimal and an error to numeric ('0x1A' the reverse): COPY fails, writes no line."""
    name = typed_report(f"select 1 as n, '{text}' as x", (("n", "integer"), ("x", "decimal")))
    light = _run(pg_seeded, query.run_report, name, (), fmt="csv")
    assert copies and light[0] == "" and light[1].startswith("AccordsError: invalid input syntax for type numeric")


#: SQL the server takes as one query, but a subquery cannot hold
SEMICOLON_ENDINGS = ["; -- the end", "; /* the end */", ";\n-- the end\n"]


@pytest.mark.parametrize("ending", SEMICOLON_ENDINGS)
def test_a_semicolon_before_a_comment_is_fetched_as_rows(pg_seeded, typed_report, copies, ending):
    name = typed_report(f"select 1 as n, 2 as x{ending}", (("n", "integer"), ("x", "integer")))
    light, alchemy = _both(pg_seeded, query.run_report, name, (), fmt="csv")
    assert light == alchemy and light[0] == "n,x\r\n1,2\r\n" and not copies


#: numerics whose cents take more than Decimal's default 28 digits, and their cents
WIDE_DECIMALS = [("10::numeric ^ 40", "1" + "0" * 40 + ".00"),
                 ("99999999999999999999999999.995::numeric(30, 3)", "100000000000000000000000000.00"),
                 ("-1e26::numeric", "-1" + "0" * 26 + ".00"),
                 ("1234567890123456789012345678901.5::numeric(40, 2)", "1234567890123456789012345678901.50"),
                 ("-1234567890123456789012345678901.005::numeric", "-1234567890123456789012345678901.00")]


@pytest.mark.parametrize(("value", "cents"), WIDE_DECIMALS)
def test_a_decimal_past_28_digits_is_written_whole_by_copy_and_the_rows_path(pg_seeded, typed_report, copies,
                                                                             value, cents):
    """Decimal's default context refuses to round these (InvalidOperation); accords writes every digit."""
    name = typed_report(f"select 1 as n, {value} as x", (("n", "integer"), ("x", "decimal")))
    light, alchemy = _both(pg_seeded, query.run_report, name, (), fmt="csv")
    assert copies and light == alchemy and light[0] == f"n,x\r\n1,{cents}\r\n" and "Error" not in light[1]


@pytest.mark.parametrize("fmt", ["tsv", "json", "jsonl", "table", "markdown"])
def test_a_decimal_past_28_digits_is_written_whole_in_every_format(pg_seeded, typed_report, fmt):
    values = ", ".join(f"({v})" for v, _ in WIDE_DECIMALS)
    name = typed_report(f"select 1 as n, v as x from (values {values}) as t(v)", (("n", "integer"), ("x", "decimal")))
    light, alchemy = _both(pg_seeded, query.run_report, name, (), fmt=fmt)
    assert light == alchemy and "Error" not in light[1] and all(cents in light[0] for _, cents in WIDE_DECIMALS)
    adhoc = _both(pg_seeded, query.run_sql, f"select v as x from (values {values}) as t(v)", (), fmt=fmt)
    assert adhoc[0] == adhoc[1] and "Error" not in adhoc[0][1]


@pytest.mark.parametrize("value", ["'Infinity'::numeric", "'-Infinity'::numeric"])
def test_an_infinite_decimal_fails_in_one_line_by_copy_as_on_the_rows_path(pg_seeded, typed_report, copies, value):
    """Infinity has no cents: neither path writes a line; both say so in the rows path's words."""
    name = typed_report(f"select 1 as n, {value} as x", (("n", "integer"), ("x", "decimal")))
    light, alchemy = _both(pg_seeded, query.run_report, name, (), fmt="csv")
    assert copies and {light[0], alchemy[0]} <= {"", "n,x\r\n"}  # no row (the rows path writes the header first)
    infinity = value.split("'")[1]
    assert reports.NOT_CENTS in light[1] and alchemy[1].startswith(f"AccordsError: {reports.NOT_CENTS}{infinity}warning")


def test_a_decimal_just_within_28_digits_is_written_by_copy(pg_seeded, typed_report, copies):
    name = typed_report("select 1 as n, v as x from (values (99999999999999999999999999.994::numeric), "
                        "(-99999999999999999999999999.985::numeric), ('NaN'::numeric)) as t(v)",
                        (("n", "integer"), ("x", "decimal")))
    light, alchemy = _both(pg_seeded, query.run_report, name, (), fmt="csv")
    assert copies and light == alchemy and "Error" not in light[1]
    assert light[0] == "n,x\r\n1,99999999999999999999999999.99\r\n1,-99999999999999999999999999.98\r\n1,NaN\r\n"


def test_a_choice_word_cannot_end_a_literal_the_bind_pattern_misreads(pg_seeded, monkeypatch, copies):
    """``E'\\' :c '`` is one literal to the server, not to text()'s pattern: a quoted constant there would end it."""
    # with the word spelled 'x', the SQL would read: select E'\' 'x'::VARCHAR ' as a, ... : another query
    sql = "select 1 as n, E'\\' :c ' as a, :c as b"
    report = reports.Report("t", "t", "t", "t", sql, (reports.Parameter("c", "choice", choices=("x", "y")),),
                            (reports.Column("n", "integer"), reports.Column("a", "text"), reports.Column("b", "text")))
    monkeypatch.setattr(reports, "get_report", lambda name: report)
    light, alchemy = _both(pg_seeded, query.run_report, "t", [("c", "x")], fmt="csv")
    assert light == alchemy and not copies and light[0] == "n,a,b\r\n1,' $1::VARCHAR ,x\r\n"
    assert pg_copy.literals_for({"c": "x"}, {"c": "choice"}, {"c": ("x",)}) == {"c": "(pg_catalog.chr(120))::VARCHAR"}


@pytest.mark.parametrize("setting", ["standard_conforming_strings = off", "search_path = public, pg_catalog",
                                     "DateStyle = 'ISO, DMY'", "TimeZone = 'Pacific/Kiritimati'",
                                     "client_encoding = 'SQL_ASCII'", "client_encoding = 'LATIN1'"])
def test_copy_as_a_reader_login_with_its_own_settings_writes_the_rows_bytes(pg_seeded, typed_report, copies, setting):
    """The login `accords db create-reader` makes, with a setting an ALTER ROLE gave it: COPY's lines, the same bytes."""
    import uuid

    from db import reader

    login = reader.create_reader(pg_seeded, f"accords_cr{uuid.uuid4().hex[:8]}", timeout_s=30)
    try:
        with open_database(pg_seeded) as admin, admin.engine.begin() as conn:
            conn.execute(text(f"alter role {login.name} set {setting}"))
        name = typed_report(HOSTILE_SQL, HOSTILE_COLUMNS)
        for options in ({}, {"limit": 1}, {"headers": False}):
            copies.clear()
            light, alchemy = _both(login.url, query.run_report, name, (), fmt="csv", **options)
            assert copies and light == alchemy and "Error" not in light[1], options
    finally:
        reader.drop_reader(pg_seeded, login.name)


@pytest.mark.parametrize("encoding", ["SQL_ASCII", "LATIN1"])
def test_a_role_with_another_client_encoding_reads_in_utf8_on_both_paths(pg_seeded, encoding):
    """A role's client_encoding would make psycopg encode the SQL (and decode the rows) in it: accords asks for UTF-8."""
    import uuid

    from db import reader

    login = reader.create_reader(pg_seeded, f"accords_ce{uuid.uuid4().hex[:8]}", timeout_s=30)
    try:
        with open_database(pg_seeded) as admin, admin.engine.begin() as conn:
            conn.execute(text(f"alter role {login.name} set client_encoding = '{encoding}'"))
        sql = "select 'Кабул ☃' as city, current_setting('client_encoding') as encoding, slug from actors order by id"
        for url in (login.url, login.url + "?client_encoding=latin1"):
            light, alchemy = _both(url, query.run_sql, sql, (), fmt="csv")
            assert light == alchemy and light[1] == "" and light[0].splitlines()[1].startswith("Кабул ☃,UTF8,")
    finally:
        reader.drop_reader(pg_seeded, login.name)


#: a schema that shadows, for a role whose search_path puts it first, every function and operator COPY's rules
#: use and the types they cast to (each answers what no rule expects)
SHADOWING = """
create schema {s};
create function {s}.round(numeric, integer) returns numeric language sql as 'select 666';
create function {s}.mod(numeric, numeric) returns numeric language sql as 'select 0.5';
create function {s}.trunc(numeric) returns numeric language sql as 'select 2';
create function {s}.sign(numeric) returns numeric language sql as 'select 100';
create function {s}.abs(numeric) returns numeric language sql as 'select 0.5';
create function {s}.ltrim(text, text) returns text language sql as 'select ''-''';
create function {s}.yes(text, text) returns boolean language sql as 'select true';
create function {s}.yes(numeric, numeric) returns boolean language sql as 'select true';
create function {s}.yes(integer, integer) returns boolean language sql as 'select true';
create function {s}.yes(date, date) returns boolean language sql as 'select true';
create function {s}.cat(text, text) returns text language sql as 'select ''evil''';
create function {s}.num(numeric, numeric) returns numeric language sql as 'select 13';
create operator {s}.= (leftarg = text, rightarg = text, function = {s}.yes);
create operator {s}.= (leftarg = numeric, rightarg = numeric, function = {s}.yes);
create operator {s}.= (leftarg = integer, rightarg = integer, function = {s}.yes);
create operator {s}.<> (leftarg = numeric, rightarg = numeric, function = {s}.yes);
create operator {s}.< (leftarg = numeric, rightarg = numeric, function = {s}.yes);
create operator {s}.>= (leftarg = date, rightarg = date, function = {s}.yes);
create operator {s}.<= (leftarg = date, rightarg = date, function = {s}.yes);
create operator {s}.~ (leftarg = text, rightarg = text, function = {s}.yes);
create operator {s}.~~ (leftarg = text, rightarg = text, function = {s}.yes);
create operator {s}.|| (leftarg = text, rightarg = text, function = {s}.cat);
create operator {s}.+ (leftarg = numeric, rightarg = numeric, function = {s}.num);
create operator {s}.- (leftarg = numeric, rightarg = numeric, function = {s}.num);
create operator {s}.* (leftarg = numeric, rightarg = numeric, function = {s}.num);
create domain {s}.text as pg_catalog.text check (strpos(value, '.') = 0);
create domain {s}.date as pg_catalog.date check (value <> '0001-01-01');
"""
# (numeric, varchar, integer and boolean are keywords to the parser: always pg_catalog's types)


def test_copy_runs_postgresqls_own_functions_whatever_the_search_path(pg_seeded, typed_report, copies):
    """A role with `search_path = evil, public, pg_catalog` gets the same bytes by COPY as by the rows path."""
    import uuid

    from db import reader

    login = reader.create_reader(pg_seeded, f"accords_sp{uuid.uuid4().hex[:8]}", timeout_s=30)
    schema = f"accords_evil{uuid.uuid4().hex[:8]}"
    try:
        with open_database(pg_seeded) as admin, admin.engine.begin() as conn:
            conn.exec_driver_sql(SHADOWING.format(s=schema))
            conn.exec_driver_sql(f"grant usage on schema {schema} to {login.name}")
            conn.exec_driver_sql(f"alter role {login.name} set search_path = {schema}, public, pg_catalog")
        shadowed = query_rows(login.url, "select round(1.5, 0), ''::text = 'x'::text")
        assert shadowed == [(666, True)]  # the role does get the shadowing functions and operators
        decimal_text = ", ".join(f"({v})" for v in ALIKE_DECIMAL_TEXT)
        for sql, columns in ((HOSTILE_SQL, HOSTILE_COLUMNS), (TYPED_SQL, TYPED_COLUMNS),
                             (f"select 1 as n, v as x from (values {decimal_text}) as t(v)",
                              (("n", "integer"), ("x", "decimal")))):
            copies.clear()
            light, alchemy = _both(login.url, query.run_report, typed_report(sql, columns), (), fmt="csv")
            assert copies and light == alchemy and "Error" not in light[1] and "evil" not in light[0]
    finally:
        with open_database(pg_seeded) as admin, admin.engine.begin() as conn:
            conn.exec_driver_sql(f"drop schema if exists {schema} cascade")
        reader.drop_reader(pg_seeded, login.name)
