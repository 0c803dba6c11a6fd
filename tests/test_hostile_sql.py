"""A hostile user against `accords sql` and `accords report run`, on every engine.

Each statement below must be refused by the database (never by reading the
SQL) with one ``Error:`` line naming why, and leave everything as it was:
row counts, schema objects, files on disk and server settings. On servers it
runs as the reader login that `accords db create-reader` makes (least
privilege); a few tests run as the owner, to show what the read-only
transaction alone refuses and that accords warns about it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ScratchDatabases, new_database
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db import api, reader
from db.cli import cli
from db.engine import backend
from db.models import metadata

REFUSED = "refused: `accords sql` and reports only read"
TIME_LIMIT = "the query ran longer than the time limit and was stopped"
ONE_COMMAND = "cannot insert multiple commands into a prepared statement"
PG_QUERY_ONLY = "on PostgreSQL `accords sql` runs one query"
MYSQL_SYNTAX = "You have an error in your SQL syntax"
MYSQL_DENIED = "Access denied"


class Target:
    """A seeded database, the URL queries run on (a reader on servers) and a folder for files."""

    def __init__(self, engine: str, admin_url: str, read_url: str, folder: Path):
        self.engine, self.admin_url, self.read_url, self.folder = engine, admin_url, read_url, folder
        self.login = make_url(read_url).username or ""

    def state(self) -> dict:
        """Row counts, schema objects, files in the folder and server settings."""
        eng = create_engine(self.admin_url)
        out: dict = {"files": sorted(p.name for p in self.folder.iterdir())}
        try:
            with eng.connect() as conn:
                out["rows"] = {t.name: conn.execute(text(f"select count(*) from {t.name}")).scalar()
                               for t in metadata.sorted_tables}
                if self.engine == "sqlite":
                    out["schema"] = conn.execute(text("select type, name, sql from sqlite_master order by name")).all()
                    out["settings"] = [conn.exec_driver_sql(f"pragma {p}").scalar()
                                       for p in ("journal_mode", "user_version", "application_id")]
                elif self.engine == "postgresql":
                    out["schema"] = conn.execute(text(
                        "select c.relkind, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                        "where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') "
                        "and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%' order by 2")).all()
                    out["settings"] = conn.execute(text(
                        "select name, setting from pg_settings where name in ('work_mem', 'statement_timeout', "
                        "'default_transaction_read_only', 'log_statement') order by name")).all()
                    out["auto.conf"] = conn.execute(text(
                        "select count(*) from pg_file_settings where sourcefile like '%auto.conf'")).scalar()
                    # logins are the server's: other tests' (accords_*) come and go meanwhile; this one's stays
                    out["roles"] = conn.execute(text(
                        "select rolname, rolsuper from pg_roles where rolname not like 'accords\\_%' "
                        "or rolname = :me order by 1"), {"me": self.login}).all()
                else:
                    out["schema"] = conn.execute(text(
                        "select table_type, table_name from information_schema.tables "
                        "where table_schema = database() order by 2")).all()
                    out["routines"] = conn.execute(text(
                        "select routine_name from information_schema.routines where routine_schema = database()")).all()
                    out["settings"] = conn.execute(text(
                        "select variable_name, variable_value from information_schema.global_variables where "
                        "variable_name in ('MAX_CONNECTIONS', 'GENERAL_LOG', 'READ_ONLY', 'MAX_STATEMENT_TIME', "
                        "'SQL_MODE') order by 1")).all()
                    out["users"] = conn.execute(text(
                        "select user, host from mysql.user where user not like 'accords\\_%' or user = :me "
                        "order by 1, 2"), {"me": self.login}).all()
        finally:
            eng.dispose()
        return out


@pytest.fixture(scope="module")
def targets(tmp_path_factory) -> Iterator:
    """targets(engine) -> that engine's Target, made once per module (a reader login on servers)."""
    scratch = ScratchDatabases()
    made: dict[str, Target] = {}
    readers: list[tuple[str, str]] = []

    def get(engine: str) -> Target:
        if engine not in made:
            folder = tmp_path_factory.mktemp(f"hostile-{engine}")
            admin = new_database(engine, scratch, folder)
            api.upgrade(admin)
            api.seed_database(admin)
            if engine == "sqlite":
                made[engine] = Target("sqlite", admin, admin, folder)
            else:
                name = f"accords_r{uuid.uuid4().hex[:8]}"
                login = reader.create_reader(admin, name, timeout_s=30)
                readers.append((admin, name))
                made[engine] = Target(engine, admin, login.url, folder)
        return made[engine]

    try:
        yield get
    finally:
        for admin, name in readers:
            reader.drop_reader(admin, name)
        scratch.drop_all()


@pytest.fixture(params=("sqlite", "postgresql", "mariadb"))
def target(request, targets) -> Target:
    return targets(request.param)


def run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--read-url", url, *args], catch_exceptions=False)
    return result.exit_code, result.output


def refused(target: Target, sql: str, expected: str, *extra: str) -> None:
    """The statement fails with one Error line containing ``expected``, and nothing changes."""
    before = target.state()
    code, output = run(target.read_url, "sql", sql, *extra)
    errors = [line for line in output.splitlines() if line.startswith("Error: ")]
    assert code in (1, 2), output
    assert len(errors) == 1, output
    assert expected in errors[0], output
    assert "Traceback" not in output
    assert target.state() == before


# --- SQLite ------------------------------------------------------------------------------

SQLITE_HOSTILE = [
    ("delete from actors", "SQLite refused DELETE actors"),
    ("update actors set name = 'x'", "SQLite refused UPDATE actors"),
    ("insert into actors (slug, name, is_named, kind) values ('x', 'x', 1, 'state')", "SQLite refused INSERT actors"),
    ("replace into actors (id, slug, name, is_named, kind) values (1, 'x', 'x', 1, 'state')", "SQLite refused INSERT"),
    ("insert into sources select * from sources", "SQLite refused INSERT sources"),
    ("with gone as (select 1) delete from actors", "SQLite refused DELETE actors"),
    ("drop table actors", REFUSED),
    ("drop view report_agreements", REFUSED),
    ("drop index ix_amounts_agreement_id", REFUSED),
    ("create table extra (id integer)", REFUSED),
    ("create view v as select 1", REFUSED),
    ("create index ix_x on actors (name)", REFUSED),
    ("create trigger t after insert on actors begin delete from actors; end", REFUSED),
    ("create temp table t (x)", REFUSED),
    ("create temp view tv as select 1", REFUSED),
    ("alter table actors rename to people", REFUSED),
    ("alter table actors add column x integer", REFUSED),
    ("reindex", REFUSED),
    ("analyze", REFUSED),
    ("vacuum", REFUSED),
    ("vacuum into '{folder}/copy.db'", "SQLite refused ATTACH"),
    ("attach '{folder}/other.db' as other", "SQLite refused ATTACH"),
    ("attach ':memory:' as m", "SQLite refused ATTACH"),
    ("detach main", REFUSED),
    ("pragma journal_mode = wal", "SQLite refused PRAGMA journal_mode with a value"),
    ("pragma journal_mode = off", "SQLite refused PRAGMA journal_mode with a value"),
    ("pragma query_only = 0", "SQLite refused PRAGMA query_only with a value"),
    ("pragma foreign_keys = off", "SQLite refused PRAGMA foreign_keys with a value"),
    ("pragma user_version = 7", "SQLite refused PRAGMA user_version with a value"),
    ("pragma writable_schema = 1", "SQLite refused PRAGMA writable_schema"),
    ("pragma mmap_size = 1000000", "SQLite refused PRAGMA mmap_size"),
    ("pragma hard_heap_limit = 0", "SQLite refused PRAGMA hard_heap_limit"),
    ("pragma temp_store = memory", "SQLite refused PRAGMA temp_store with a value"),
    ("select load_extension('{folder}/evil')", "SQLite refused the function load_extension"),
    ("begin immediate", REFUSED),
    ("savepoint s", REFUSED),
    ("select 1; delete from actors", "You can only execute one statement at a time"),
    ("select 'a'';'; delete from actors", "You can only execute one statement at a time"),
    ("select 1 /* ; */; delete from actors", "You can only execute one statement at a time"),
    ("select 1 -- x\n; delete from actors", "You can only execute one statement at a time"),
    ("select zeroblob(1000000000)", "string or blob too big"),
    ("select randomblob(1000000000)", "string or blob too big"),
    ("select length(replace(printf('%.*c', 20000000, 'x'), 'x', 'xx'))", "string or blob too big"),
    ("select 'a' like printf('%.*c', 5000, '%')", "LIKE or GLOB pattern too complex"),
]




# --- PostgreSQL ----------------------------------------------------------------------------

PG_HOSTILE = [
    ("select 1; delete from actors", ONE_COMMAND),
    ("select E'\\\\'; commit; delete from actors; select 1", ONE_COMMAND),
    ("select 'a'';'; delete from actors", ONE_COMMAND),
    ("select $$;$$; delete from actors", ONE_COMMAND),
    ("select 1 /* ; */; delete from actors", ONE_COMMAND),
    ("delete from actors", PG_QUERY_ONLY),
    ("update actors set name = 'x'", PG_QUERY_ONLY),
    ("insert into actors (slug, name, is_named, kind) values ('x', 'x', true, 'state')", PG_QUERY_ONLY),
    ("with gone as (delete from actors returning id) select count(*) from gone", "must not contain data-modifying"),
    ("drop view report_agreements", PG_QUERY_ONLY),
    ("truncate amounts", PG_QUERY_ONLY),
    ("create table extra (id int)", PG_QUERY_ONLY),
    ("create temp table t (x int)", PG_QUERY_ONLY),
    ("select * into temp t2 from actors", "SELECT ... INTO is not allowed here"),
    ("alter table actors add column x int", PG_QUERY_ONLY),
    ("copy (select 1) to '/tmp/accords-hostile-pg.txt'", PG_QUERY_ONLY),
    ("copy (select 1) to program 'touch /tmp/accords-hostile-pg-program'", PG_QUERY_ONLY),
    ("copy actors from '/etc/passwd'", PG_QUERY_ONLY),
    ("do $$ begin delete from actors; end $$", PG_QUERY_ONLY),
    ("prepare p as delete from actors", PG_QUERY_ONLY),
    ("set statement_timeout = 0", PG_QUERY_ONLY),
    ("set role postgres", PG_QUERY_ONLY),
    ("reset session authorization", PG_QUERY_ONLY),
    ("alter system set work_mem = '1GB'", PG_QUERY_ONLY),
    ("alter role current_user superuser", PG_QUERY_ONLY),
    ("create role evil superuser login", PG_QUERY_ONLY),
    ("grant all on actors to public", PG_QUERY_ONLY),
    ("lock table actors in access exclusive mode", PG_QUERY_ONLY),
    ("vacuum actors", PG_QUERY_ONLY),
    ("select pg_read_file('/etc/passwd')", REFUSED),
    ("select pg_ls_dir('.')", REFUSED),
    ("select lo_import('/etc/passwd')", REFUSED),
    ("select lo_export(1, '/tmp/accords-hostile-lo')", REFUSED),
    ("select pg_reload_conf()", REFUSED),
    ("select pg_terminate_backend(pid) from pg_stat_activity where usename = 'postgres'", REFUSED),
    ("select set_config('default_transaction_read_only', 'off', false), count(*) from (delete from actors returning 1) d",
     "syntax error"),
    ("select * from actors for update", REFUSED),
    ("select nextval('actors_id_seq')", REFUSED),
    ("select pg_logical_emit_message(false, 'x', repeat('x', 1000))", REFUSED),
    ("select set_config('statement_timeout', '0', false), pg_sleep(5)", TIME_LIMIT),
    ("select pg_sleep(5)", TIME_LIMIT),
    ("select count(*) from generate_series(1, 1000000000)", TIME_LIMIT),
]




# --- MariaDB ---------------------------------------------------------------------------------

MARIADB_HOSTILE = [
    ("select 1; delete from actors", MYSQL_SYNTAX),
    ("select '\\\\'; delete from actors; -- '", MYSQL_SYNTAX),
    ("select 1 /*! ; drop view report_agreements */", MYSQL_SYNTAX),
    ("select 'a'';'; truncate table amounts", MYSQL_SYNTAX),
    ("delete from actors", REFUSED),
    ("update actors set name = 'x'", REFUSED),
    ("insert into actors (slug, name, is_named, kind) values ('x', 'x', 1, 'state')", REFUSED),
    ("replace into actors (id, slug, name, is_named, kind) values (1, 'x', 'x', 1, 'state')", REFUSED),
    ("drop view report_agreements", REFUSED),
    ("truncate table amounts", REFUSED),
    ("create table extra (id int)", REFUSED),
    ("create temporary table t (x int)", REFUSED),
    ("create view v as select 1", REFUSED),
    ("alter table actors add column x int", REFUSED),
    ("rename table actors to people", REFUSED),
    ("create procedure p() delete from actors", REFUSED),
    ("create event e on schedule every 1 second do delete from actors", REFUSED),
    ("select 1 into outfile '/tmp/accords-hostile-my.txt'", MYSQL_DENIED),
    ("select 1 into dumpfile '/tmp/accords-hostile-my.bin'", MYSQL_DENIED),
    ("load data infile '/etc/passwd' into table actors", "INSERT command denied"),
    ("set global max_connections = 1", MYSQL_DENIED),
    ("set global general_log = 1", MYSQL_DENIED),
    ("set global read_only = 1", MYSQL_DENIED),
    ("set password = password('x')", REFUSED),
    ("create user evil identified by 'x'", REFUSED),
    ("grant all on *.* to current_user()", REFUSED),
    ("lock tables actors write", MYSQL_DENIED),
    ("flush tables", MYSQL_DENIED),
    ("select * from actors for update", REFUSED),
    ("kill 1", "Unknown thread id"),
    ("set statement max_statement_time = 0 for select sleep(5)", TIME_LIMIT),
    ("set session max_statement_time = 0", "the statement returned no rows"),
    ("select sleep(5)", TIME_LIMIT),
    ("do sleep(5)", "the statement returned no rows"),
    ("select benchmark(10000000000, md5('a'))", TIME_LIMIT),
    ("select count(*) from information_schema.columns a, information_schema.columns b, "
     "information_schema.columns c", TIME_LIMIT),
    ("install plugin evil soname 'evil.so'", REFUSED),
    ("shutdown", MYSQL_DENIED),
    ("xa start 'x'", "XAER_OUTSIDE"),
    ("handler actors open", "the statement returned no rows"),
]


HOSTILE = ([("sqlite", *case) for case in SQLITE_HOSTILE] + [("postgresql", *case) for case in PG_HOSTILE]
           + [("mariadb", *case) for case in MARIADB_HOSTILE])


@pytest.mark.parametrize("engine, sql, expected", HOSTILE, ids=[f"{engine}-{sql}" for engine, sql, _ in HOSTILE])
def test_hostile_statement_is_refused_and_changes_nothing(targets, engine, sql, expected):
    target = targets(engine)
    refused(target, sql.format(folder=target.folder) if engine == "sqlite" else sql, expected, "--timeout", "1")
    assert not any(Path("/tmp").glob("accords-hostile-*"))


def test_the_corpus_has_forty_statements_per_engine():
    assert min(len(SQLITE_HOSTILE), len(PG_HOSTILE), len(MARIADB_HOSTILE)) >= 40


# --- every engine ----------------------------------------------------------------------------

LEGITIMATE = {
    "recursive CTE": ("with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) "
                      "select n from r order by n", "n\n1\n2\n3\n"),
    "window function": ("select slug, row_number() over (order by slug) as i from actors "
                        "where slug in ('china', 'taliban') order by slug", "slug,i\nchina,1\ntaliban,2\n"),
    "report view": ("select count(*) as n from report_sources", "n\n1\n"),
}


@pytest.mark.parametrize("name", LEGITIMATE)
def test_legitimate_queries_still_work(target, name):
    sql, expected = LEGITIMATE[name]
    code, output = run(target.read_url, "sql", sql, "-f", "csv")
    assert code == 0, output
    assert output.endswith(expected), output


#: per engine, a query of the server's own types that Python's json module has no type for
SERVER_TYPES = {
    "sqlite": "select 1 as n",
    "postgresql": "select interval '1 day 2 hours' as i, time '10:11:12' as t, inet '10.0.0.1' as ip, "
                  "'{\"a\": [1, 2.5]}'::jsonb as j, array[interval '1 hour'] as ai, int4range(1, 3) as r, "
                  "'00000000-0000-0000-0000-000000000001'::uuid as u",
    "mariadb": "select time '10:11:12' as t, timediff('2024-01-02', '2024-01-01') as d, json_object('a', 1) as j",
}


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table", "markdown"])
def test_every_server_type_is_written_in_every_text_format(target, fmt):
    """An interval, a time, an address, a JSON document: written as text (JSON kept as JSON), never a traceback."""
    import json

    code, output = run(target.read_url, "sql", SERVER_TYPES[target.engine], "-f", fmt)
    assert code == 0 and "Traceback" not in output, output
    if fmt == "jsonl" and target.engine == "postgresql":
        row = json.loads(output.splitlines()[-1])
        assert row == {"i": "1 day, 2:00:00", "t": "10:11:12", "ip": "10.0.0.1", "j": {"a": [1, 2.5]},
                       "ai": ["1:00:00"], "r": "[1, 3)", "u": "00000000-0000-0000-0000-000000000001"}
    if fmt == "csv" and target.engine == "postgresql":
        assert output.splitlines()[-1].startswith('"1 day, 2:00:00",10:11:12,10.0.0.1,"{""a"": [1, 2.5]}"')
    if fmt == "jsonl" and target.engine == "mariadb":
        assert json.loads(output.splitlines()[-1])["t"] == "10:11:12"


def test_sqlite_introspection_pragmas_still_work(target):
    if target.engine != "sqlite":
        pytest.skip("SQLite pragmas")
    for sql in ("pragma table_info(actors)", "select name from pragma_table_info('actors') where name = 'slug'",
                "pragma foreign_key_list(agreement_parties)", "pragma user_version", "pragma index_list(actors)"):
        code, output = run(target.read_url, "sql", sql, "-f", "csv")
        assert code == 0, (sql, output)
        assert len(output.splitlines()) >= 2, (sql, output)


def test_a_value_is_never_sql_even_beside_a_name_in_a_string(target):
    """A ``:name`` inside a string literal is not a bind; the value is bound server-side or refused."""
    before = target.state()
    hostile = "x'); delete from actors; -- "
    code, output = run(target.read_url, "sql", "select ':slug' as a, count(*) as n from actors where slug = :slug",
                       "-p", "slug", hostile, "-f", "csv")
    assert "Traceback" not in output
    if code == 0:  # the literal may read '$1' on PostgreSQL (the driver numbers the parameters)
        assert output.endswith(",0\n"), output
    else:
        assert len([line for line in output.splitlines() if line.startswith("Error: ")]) == 1, output
    assert target.state() == before


def test_report_parameters_are_bound(target):
    before = target.state()
    code, output = run(target.read_url, "report", "run", "actor", "-p", "actor", "x' or '1'='1", "-f", "csv")
    assert code == 0, output
    assert "accords: no rows; no actor matches \"x' or '1'='1\"" in output.splitlines()
    assert target.state() == before


def test_an_expensive_call_per_row_stops_at_the_time_limit(target):
    slow = {
        "sqlite": "select length(replace(replace(printf('%.*c', 8000000 + id % 2, 'x'), 'x', 'yy'), 'y', 'zz')) from evidence",
        "postgresql": "select length(repeat(md5(slug), 2000000)) from actors, pg_sleep(0.2)",
        "mariadb": "select length(repeat(md5(slug), 2000000)), sleep(0.2) from actors",
    }[target.engine]
    started = time.monotonic()
    code, output = run(target.read_url, "sql", slow, "--timeout", "1", "-f", "csv")
    elapsed = time.monotonic() - started
    assert code == 1, output
    assert TIME_LIMIT in output
    assert elapsed < 6, elapsed


@pytest.mark.parametrize("options", ["", "?timeout=5"], ids=["sqlite3 path", "SQLAlchemy path"])
@pytest.mark.parametrize("call", ["printf('%.*c', 2000000000, 'x')", "format('%2000000000d', 1)",
                                  "printf('%.*c%.*c', '20000000', 'x', 20000000, 'y')",
                                  "printf(replace(printf('%.*c', 150000, 'x'), 'x', '%c'), 'y')",
                                  # read as SQLite reads them: a blob or text's leading integer, a blob
                                  # format, and %n and %*% taking no value of their own
                                  "printf('%.*c', x'32303030303030303030', 'x')",
                                  "printf(cast('%.*c' as blob), '2000000000 x', 'x')",
                                  "printf('%n%.*c', 2000000000, 'x')", "printf('%*%%.*c', 1, 2000000000, 'x')"])
def test_one_printf_cannot_loop_past_the_time_limit(sqlite_seeded, options, call):
    """SQLite checks the time limit between steps, and one printf with a huge width or precision is one
    step that loops that many times (12 s past a 0.5 s limit, then NULL): widths and precisions that add
    up past the length limit fail at once, in the length limit's words; other calls are SQLite's printf."""
    code, output = run(sqlite_seeded + options, "sql", f"select {call} as x", "--timeout", "600", "-f", "csv")
    assert code == 1, output
    assert "string or blob too big" in output
    fine = ("select printf('%5.2f|%-4d|%s|%%|%q|%Q|%w|%c|%,d|%x|%.3s', 3.14159, 7, 'ab', 'it''s', NULL, 'x\"y', "
            "'z', 1234567, 255, 'abcdef') as p, format('%d', 5) as f, printf() as n, printf(5) as five, "
            "length(printf('%.*c', 1000000, 'x')) as m")
    code, output = run(sqlite_seeded + options, "sql", fine, "-f", "csv")
    assert code == 0, output
    assert output.splitlines()[1] == "\" 3.14|7   |ab|%|it''s|NULL|x\"\"\"\"y|z|1,234,567|ff|abc\",5,,5,1000000"
    # a precision that cuts a character in two gives SQLite's bytes (a blob here), not an error
    code, output = run(sqlite_seeded + options, "sql", "select printf('%.1s', 'é') as b", "-f", "csv")
    assert (code, output.splitlines()[1:]) == (0, ["x'c3'"]), output
    code, output = run(sqlite_seeded + options, "sql", "select printf('%n%*d|%.*s|%*%', '4x', 7, x'32', 'abc', 3) as p", "-f", "csv")
    assert (code, output.splitlines()[1:]) == (0, ["   7|ab|  %"]), output


@pytest.mark.parametrize("options", ["", "?timeout=5"], ids=["sqlite3 path", "SQLAlchemy path"])
def test_a_regexp_that_backtracks_forever_stops_at_the_time_limit(sqlite_seeded, options):
    """Python's re cannot be stopped, and SQLite stops a query only between steps: this REGEXP ran on past
    any --timeout (and Ctrl-C). It now stops at the deadline, as a query past its time limit; REGEXP still
    means what SQLAlchemy makes it mean (a search, NULL for NULL)."""
    hostile = f"select '{'a' * 60}!' regexp '^(a|a)+$'"
    try:
        proc = subprocess.run([sys.executable, "-m", "db", "--read-url", sqlite_seeded + options, "sql", hostile,
                               "--timeout", "1"], capture_output=True, text=True, timeout=120,
                              cwd=Path(__file__).parent.parent)
    except subprocess.TimeoutExpired:
        pytest.fail("REGEXP ran on for 120 s past a 1 s time limit")
    assert proc.returncode == 1, proc.stderr
    assert TIME_LIMIT in proc.stderr
    code, output = run(sqlite_seeded + options, "sql",
                       "select 'abc' regexp 'b' as r, null regexp 'x' as n, 'ABC' regexp '(?i)^a' as i, "
                       "'abc' regexp '^b' as anchored", "-f", "csv")
    assert code == 0, output
    assert output.splitlines()[1] == "1,,1,0"


# --- as the owner: warned, and the read-only transaction still refuses writes ---------------------


def test_the_owner_is_warned_once_and_writes_are_still_refused(target):
    if target.engine == "sqlite":
        pytest.skip("SQLite has no logins")
    before = target.state()
    result = CliRunner().invoke(cli, ["--db", target.admin_url, "sql", "delete from actors"])
    warnings = [line for line in result.output.splitlines() if "accords db create-reader" in line]
    assert len(warnings) == 1, result.output
    assert result.exit_code == 1
    assert target.state() == before
    result = CliRunner().invoke(cli, ["--read-url", target.read_url, "sql", "select 1 as one"])
    assert "create-reader" not in result.output  # the reader is not warned


def test_reader_login_has_select_only(target):
    if target.engine == "sqlite":
        pytest.skip("SQLite has no logins")
    eng = create_engine(target.read_url)
    try:
        with eng.connect() as conn:
            if target.engine == "postgresql":
                row = conn.execute(text(
                    "select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, "
                    "has_table_privilege('actors', 'INSERT, UPDATE, DELETE, TRUNCATE'), "
                    "has_table_privilege('actors', 'SELECT'), current_setting('default_transaction_read_only'), "
                    "(select count(*) from pg_auth_members m join pg_roles u on u.oid = m.member "
                    " where u.rolname = current_user) "
                    "from pg_roles where rolname = current_user")).one()
                assert tuple(row) == (False, False, False, False, False, False, True, "on", 0)
            else:
                grants = [r[0] for r in conn.execute(text("show grants"))]
                assert any("GRANT SELECT ON" in g for g in grants), grants
                assert not any(p in g for g in grants for p in ("FILE", "SUPER", "INSERT", "ALL PRIVILEGES")), grants
    finally:
        eng.dispose()


# --- the command line as a process: Ctrl-C, closed pipes, bad bytes, secrets ----------------------


def _accords(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("ACCORDS_DATABASE_URL", None)
    env.pop("ACCORDS_READ_URL", None)
    return subprocess.Popen([sys.executable, "-c", "from db.cli import main; main()", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), **kwargs)


SLEEPY = {
    "sqlite": "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r",
    "postgresql": "select pg_sleep(60)",
    "mariadb": "select benchmark(100000000000, md5('a'))",  # does not stop when its client goes away
}


def _server_still_running(target: Target) -> int:
    """How many sessions of the reader login are running a statement on the server.

    (Matched by login, not by the query's text: PostgreSQL shows the cursor's
    FETCH and MariaDB the EXECUTE of the prepared statement.)
    """
    login = make_url(target.read_url).username
    eng = create_engine(target.admin_url)
    try:
        with eng.connect() as conn:
            if target.engine == "postgresql":
                return conn.execute(text("select count(*) from pg_stat_activity where state = 'active' "
                                         "and usename = :u and pid <> pg_backend_pid()"), {"u": login}).scalar()
            return conn.execute(text("select count(*) from information_schema.processlist "
                                     "where user = :u and command in ('Query', 'Execute')"), {"u": login}).scalar()
    finally:
        eng.dispose()


def test_ctrl_c_prints_interrupted_exits_130_and_cancels_on_the_server(target):
    proc = _accords("--read-url", target.read_url, "sql", SLEEPY[target.engine], "--timeout", "120")
    if target.engine == "sqlite":
        time.sleep(1.5)
    else:  # the query must be running on the server before Ctrl-C, or its cancellation proves nothing
        deadline = time.monotonic() + 20
        while not _server_still_running(target) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _server_still_running(target), "the query never started on the server"
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < 10
    assert proc.returncode == 130, err
    assert err.decode().strip().splitlines()[-1] == "interrupted", err
    if target.engine != "sqlite":
        deadline = time.monotonic() + 5
        while _server_still_running(target) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _server_still_running(target) == 0


def test_a_closed_pipe_ends_quietly(target):
    proc = _accords("--read-url", target.read_url, "report", "run", "evidence", "-f", "csv")
    assert proc.stdout is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    proc.wait(timeout=60)
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert first.startswith(b"source,")
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Error" not in err


def test_invalid_utf8_argument_is_wrong_use():
    bad = subprocess.run([os.fsencode(sys.executable), b"-c", b"from db.cli import main; main()", b"sql",
                          b"select '\xff'"], capture_output=True)
    assert bad.returncode == 2
    assert bad.stderr.decode().splitlines()[-1] == "Error: argument 2 is not valid UTF-8 text"


def test_a_plain_path_is_an_sqlite_file(tmp_path):
    path = tmp_path / "plain.db"
    api.upgrade(f"sqlite:///{path}")
    result = CliRunner().invoke(cli, ["--db", str(path), "sql", "select count(*) as n from actors", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output == "n\n0\n"


@pytest.mark.parametrize("url, secret", [
    ("postgresql+psycopg://someone:hunter2@127.0.0.1:9/nothing", "hunter2"),
    ("postgresql+psycopg://someone@127.0.0.1:9/nothing?password=hunter3", "hunter3"),
    ("mysql+pymysql://someone@127.0.0.1:9/nothing?password=hunter4", "hunter4"),
    ("postgresql+psycopg://someone:p%40ss@127.0.0.1:abc/nothing", "p%40ss"),
])
def test_secrets_are_masked_in_every_message(url, secret):
    result = CliRunner().invoke(cli, ["--db", url, "sql", "select 1"])
    assert result.exit_code in (1, 2), result.output
    assert secret not in result.output and secret.replace("%40", "@") not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error: ")]) == 1, result.output


def test_non_numeric_port_is_one_line():
    result = CliRunner().invoke(cli, ["--db", "postgresql+psycopg://u@h:port/db", "sql", "select 1"])
    assert result.exit_code == 2
    assert "Error: invalid database URL 'postgresql+psycopg://u@h:port/db'" in result.output


def test_parameter_twice_or_unused_is_wrong_use(target):
    code, output = run(target.read_url, "sql", "select :a as a", "-p", "a", "1", "-p", "a", "2")
    assert code == 2 and "Error: parameter 'a' given more than once" in output
    code, output = run(target.read_url, "sql", "select 1 as a", "-p", "b", "1")
    assert code == 2 and "Error: parameter 'b' is not used by the query" in output


def test_the_reader_reads_the_data_dictionary(target):
    """What a column means is readable through the read-only path (a reader login on servers, #15)."""
    code, output = run(target.read_url, "sql", "select description from data_dictionary "
                       "where object_name = 'actors' and column_name = 'parent_id'", "--format", "csv")
    assert (code, output) == (0, "description\nThe actor this one belongs to (a ministry to its government).\n")


def test_reader_url_and_create_reader_on_sqlite(target):
    if target.engine != "sqlite":
        assert backend(target.read_url) == make_url(target.admin_url).get_backend_name().replace("mariadb", "mysql")
        return
    result = CliRunner().invoke(cli, ["--db", target.admin_url, "db", "create-reader"])
    assert result.exit_code == 2
    assert "SQLite has no logins" in result.output


COMMANDS = (["sql", "select 1"], ["report", "run", "sources"], ["db", "upgrade"], ["db", "current"],
            ["ingest", str(Path(__file__).parent / "data" / "oil-contract.yaml")], ["export"])


@pytest.mark.parametrize("kind", ["device", "folder"])
def test_an_sqlite_database_that_is_not_a_regular_file_is_one_line(tmp_path, kind):
    path = {"device": Path("/dev/null"), "folder": tmp_path}[kind]
    words = {"device": "a device", "folder": "a folder"}[kind]
    for args in COMMANDS:
        result = CliRunner().invoke(cli, ["--db", str(path), *args])
        assert result.exit_code == 1, (args, result.output)
        assert result.output.splitlines() == [f"Error: the database {path} is {words}, not an SQLite file"], args


def test_an_sqlite_database_that_is_a_fifo_is_one_line_not_a_wait(tmp_path):
    """In a process of its own, with a time limit: opening a FIFO to read it would wait for ever."""
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    code = ("import sys; from click.testing import CliRunner; from db.cli import cli; "
            f"commands = {COMMANDS!r}; "
            "results = [CliRunner().invoke(cli, ['--db', sys.argv[1], *args]) for args in commands]; "
            "print('\\n'.join(f'{r.exit_code} {r.output.strip()}' for r in results))")
    proc = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=60)
    assert proc.stdout.splitlines() == [f"1 Error: the database {fifo} is a FIFO, not an SQLite file"] * len(COMMANDS)


@pytest.mark.parametrize("value, message", [
    ("inf", "inf is not in the range 0.001<=x<=86400.0"),
    ("nan", "must be a number of seconds, not NaN"),
    ("-1", "-1.0 is not in the range"),
])
def test_timeout_must_be_a_finite_number_of_seconds(sqlite_seeded, value, message):
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "sql", "select 1", "--timeout", value])
    assert result.exit_code == 2
    assert message in result.output


def test_blobs_and_infinities_print_in_every_format(sqlite_seeded):
    sql = "select x'00ff' as b, 1e999 as big"
    expected = {
        "csv": "b,big\nx'00ff',inf\n",
        "json": '[\n {"b": {"$base64": true, "encoded": "AP8="}, "big": "inf"}\n]\n',
        "jsonl": '{"b": {"$base64": true, "encoded": "AP8="}, "big": "inf"}\n',
    }
    for fmt, text_out in expected.items():
        result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "sql", sql, "-f", fmt])
        assert result.exit_code == 0, result.output
        assert result.output == text_out, fmt


def test_a_full_disk_is_one_line(sqlite_seeded):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    proc = _accords("--db", sqlite_seeded, "export", "-o", "/dev/full")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.decode().splitlines() == ["Error: No space left on device"]


def test_a_database_url_that_is_not_utf8_is_one_line(tmp_path):
    env = {**os.environ, "ACCORDS_DATABASE_URL": os.fsdecode(b"bad\xffname.db")}
    env.pop("ACCORDS_READ_URL", None)
    proc = subprocess.run([sys.executable, "-c", "from db.cli import main; main()", "sql", "select 1"],
                          env=env, cwd=tmp_path, capture_output=True)
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines()[-1] == "Error: the database URL or path is not valid UTF-8 text"
    assert list(tmp_path.iterdir()) == []


def test_the_shipped_revisions_are_alembics():
    from db import migrate
    from db.query import shipped_revisions

    assert set(shipped_revisions()) == migrate.known_revisions()
    assert shipped_revisions()[-1] == migrate.head_revision()


@pytest.mark.parametrize("stamp, message", [
    ("9999", "the database is at revision '9999', which accords"),
    ("0004", "the database is at revision 0004, reports need"),
])
def test_report_run_refuses_a_revision_it_was_not_written_for(tmp_path, stamp, message):
    url = f"sqlite:///{tmp_path / 'stamped.db'}"
    api.upgrade(url)
    api.seed_database(url)
    eng = create_engine(url)
    with eng.begin() as conn:
        conn.execute(text("update alembic_version set version_num = :v"), {"v": stamp})
    eng.dispose()
    before = Path(make_url(url).database).read_bytes()
    result = CliRunner().invoke(cli, ["--db", url, "report", "run", "sources"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {message}") and len(result.output.splitlines()) == 1, result.output
    assert Path(make_url(url).database).read_bytes() == before


# --- found by a hostile review ----------------------------------------------------------------------


def test_concurrent_loads_all_succeed_and_keep_their_rows(target, tmp_path):
    """Loads finishing together take turns to rebuild the report views (MariaDB's DDL commits at once)."""
    files = []
    for i in range(4):
        path = tmp_path / f"concurrent-{i}.yaml"
        path.write_text(f"""format: 1
source:
  slug: concurrent-source-{i}
  title: A short example {i}
  kind: news_article
  text: "In 2023, Acme{i} signed a $5 million contract with Beijing."
actors:
  - {{slug: acme-{i}, name: Acme{i}, kind: company, evidence: ["Acme{i} signed"]}}
agreements:
  - slug: acme-contract-{i}
    title: Acme{i} contract
    kind: contract
    status: signed
    signed: {{text: "In 2023", year: 2023}}
    parties: [{{actor: acme-{i}, role: signatory}}]
    evidence: ["In 2023, Acme{i} signed a $5 million contract with Beijing."]
""", encoding="utf-8")
        files.append(path)
    procs = [_accords("--db", target.admin_url, "ingest", str(path)) for path in files]
    outcomes = [(proc.wait(timeout=120), proc.stderr.read().decode() if proc.stderr else "") for proc in procs]
    assert all(code == 0 for code, _ in outcomes), outcomes
    eng = create_engine(target.admin_url)
    try:
        with eng.connect() as conn:
            slugs = set(conn.execute(text("select slug from sources where slug like 'concurrent-source-%'")).scalars())
            assert slugs == {f"concurrent-source-{i}" for i in range(4)}
            for i in range(4):
                conn.execute(text("delete from sources where slug = :s"), {"s": f"concurrent-source-{i}"})
            conn.commit()
    finally:
        eng.dispose()
    assert api.check(target.admin_url) == []


def test_output_never_follows_a_planted_link_and_never_replaces_the_database(sqlite_seeded, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "out.csv"
    out.symlink_to(victim)
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "sql", "select 1 as one", "-f", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious\n"
    assert not out.is_symlink() and out.read_bytes() == b"one\r\n1\r\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []
    database = Path(make_url(sqlite_seeded).database)
    before = database.read_bytes()
    for args in (["sql", "select 1"], ["report", "run", "sources"], ["export"]):
        result = CliRunner().invoke(cli, ["--db", sqlite_seeded, *args, "-o", str(database)])
        assert result.exit_code == 2, result.output
        assert f"-o {database} is the database being read: choose another file" in result.output
    assert database.read_bytes() == before


def test_a_fifo_nobody_reads_is_not_a_wait(sqlite_seeded, tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    proc = _accords("--db", sqlite_seeded, "sql", "select 1", "-o", str(fifo))
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert err.decode().splitlines() == [f"Error: cannot write {fifo}: no process is reading it"]


@pytest.mark.parametrize("args", [["--help"], ["schema"], ["sql", "select 1"]])
def test_closed_or_full_output_is_one_line(sqlite_seeded, args):
    for stdout in (subprocess.DEVNULL, None):
        env = {**os.environ, "ACCORDS_DATABASE_URL": sqlite_seeded}
        if stdout is None:  # standard output closed: `>&-`
            proc = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-c",
                                   "from db.cli import main; main()", *args], env=env, capture_output=False,
                                  stderr=subprocess.PIPE)
            expected = "standard output is closed: give -o FILE"
        elif Path("/dev/full").exists():
            with open("/dev/full", "w") as full:
                proc = subprocess.run([sys.executable, "-c", "from db.cli import main; main()", *args], env=env,
                                      stdout=full, stderr=subprocess.PIPE)
            expected = "No space left on device"
        else:  # pragma: no cover
            continue
        err = proc.stderr.decode()
        assert proc.returncode == 1, err
        assert len(err.splitlines()) == 1 and err.startswith("Error: ") and expected in err, err


def test_a_short_password_is_masked_without_giving_it_away():
    result = CliRunner().invoke(cli, ["--db", "postgresql+psycopg://someone:1@127.0.0.1:9/nothing", "sql", "select 1"])
    assert result.exit_code == 1
    assert "127.0.0.1" in result.output and "***27" not in result.output
    assert ":1@" not in result.output


def test_a_name_inside_a_literal_or_comment_is_text(target):
    code, output = run(target.read_url, "sql", "select ':x' as a, :x as b, 'a::b' as c -- :y", "-p", "x", "5",
                       "-f", "csv")
    assert code == 0, output
    assert output.splitlines()[-1] == ":x,5,a::b"


def test_control_characters_in_a_file_name_stay_on_one_line(tmp_path, sqlite_seeded):
    bad = tmp_path / "x\ny.yaml"
    bad.write_text("format: 1\nsource: {slug: x, title: t, kind: news_article}\n", encoding="utf-8")
    proc = _accords("--db", sqlite_seeded, "ingest", str(bad))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    lines = err.decode().splitlines()
    assert len(lines) == 1 and "x\\ny.yaml" in lines[0], lines


def test_sqlite_uri_options_are_refused(tmp_path):
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///file:{tmp_path}/n.db?mode=rwc&uri=true", "sql", "select 1"])
    assert result.exit_code == 2
    assert "give the file's path without ?uri, ?mode, ?vfs or ?immutable" in result.output
    assert list(tmp_path.iterdir()) == []
