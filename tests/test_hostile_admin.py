"""Hostile use of the administrative commands: create-reader names, database URLs the drivers refuse.

``accords db create-reader --name NAME`` resets an existing reader; given the
name of any other login (the administrator running it, a superuser, an owner,
a user with more than SELECT) it must refuse and change nothing, or it strips
that login of its powers (it once left a PostgreSQL server with no superuser).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from conftest import ScratchDatabases, new_database
from conftest import query_rows as _rows
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from db import api, reader
from db.errors import UsageError


def _execute(url: str, *statements: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:  # PyMySQL formats the statement: a % is written %%
                conn.exec_driver_sql(statement.replace("%", "%%") if url.startswith("mysql") else statement)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator:
    """servers(engine) -> the URL of an upgraded scratch database on that server (made once)."""
    scratch = ScratchDatabases()
    made: dict[str, str] = {}

    def get(engine: str) -> str:
        if engine not in made:
            made[engine] = new_database(engine, scratch, tmp_path_factory.mktemp(engine))
            api.upgrade(made[engine])
        return made[engine]

    try:
        yield get
    finally:
        scratch.drop_all()


@pytest.fixture
def logins(servers) -> Iterator:
    """logins(engine, *create) -> a fresh login name, created with the given statements ({name} filled in)."""
    made: list[tuple[str, str]] = []

    def make(engine: str, *create: str) -> str:
        name = f"accords_t{uuid.uuid4().hex[:8]}"
        made.append((engine, name))
        _execute(servers(engine), *(statement.format(name=name) for statement in create))
        return name

    yield make
    for engine, name in made:
        url = servers(engine)
        if engine == "postgresql":
            _execute(url, f'DROP OWNED BY "{name}"') if _rows(
                url, "select 1 from pg_roles where rolname = :n", n=name) else None
            _execute(url, f'DROP ROLE IF EXISTS "{name}"')
        else:
            _execute(url, *(f"DROP USER IF EXISTS '{name}'@'{host}'" for host in ("%", "localhost")))


def _pg_role(url: str, name: str) -> list[tuple]:
    return _rows(url, "select rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolconfig, "
                      "(select rolpassword is null from pg_authid as a where a.oid = r.oid), "
                      "(select count(*) from pg_auth_members as m where m.member = r.oid) "
                      "from pg_roles as r where rolname = :n", n=name)


@pytest.mark.parametrize("kind, create, why", [
    ("createdb", ('CREATE ROLE "{name}" LOGIN CREATEDB',), "may create roles or databases"),
    ("no login", ('CREATE ROLE "{name}" NOLOGIN',), "a role without login"),
    ("owner", ('CREATE ROLE "{name}" LOGIN', 'CREATE TABLE "{name}_t" (x integer)',
               'ALTER TABLE "{name}_t" OWNER TO "{name}"'), "it owns objects"),
    ("member", ('CREATE ROLE "{name}" LOGIN', 'GRANT pg_read_all_data TO "{name}"'), "a member of other roles"),
])
def test_create_reader_refuses_a_postgresql_login_that_is_more_than_a_reader(servers, logins, kind, create, why):
    url = servers("postgresql")
    name = logins("postgresql", *create)
    before = _pg_role(url, name)
    with pytest.raises(UsageError, match=why):
        reader.create_reader(url, name)
    assert _pg_role(url, name) == before  # not a password, not a setting, not a membership changed


def test_create_reader_refuses_the_login_running_it(servers, logins):
    url = servers("postgresql")
    name = logins("postgresql", 'CREATE ROLE "{name}" LOGIN CREATEROLE',
                  f'GRANT ALL ON DATABASE "{make_url(url).database}" TO "{{name}}"')
    before = _pg_role(url, name)
    as_it = make_url(url).set(username=name).render_as_string(hide_password=False)
    with pytest.raises(UsageError, match="the login running this command"):
        reader.create_reader(as_it, name)
    assert _pg_role(url, name) == before


def _mysql_grants(url: str, name: str) -> list[tuple]:
    return sorted(_rows(url, "select host, authentication_string, max_statement_time from mysql.user "
                             "where user = :n", n=name))


@pytest.mark.parametrize("create, why", [
    (("CREATE USER '{name}'@'localhost'",), "an account .*@localhost exists"),
    (("CREATE USER '{name}'@'%'", "GRANT ALL ON *.* TO '{name}'@'%'"), "privileges beyond SELECT"),
    (("CREATE USER '{name}'@'%'", "GRANT SELECT, INSERT ON test.* TO '{name}'@'%'"), "privileges beyond SELECT"),
])
def test_create_reader_refuses_a_mariadb_account_that_is_more_than_a_reader(servers, logins, create, why):
    url = servers("mariadb")
    name = logins("mariadb", *create)
    before = _mysql_grants(url, name)
    with pytest.raises(UsageError, match=why):
        reader.create_reader(url, name)
    assert _mysql_grants(url, name) == before


def test_create_reader_refuses_the_mariadb_login_running_it(servers, logins):
    url = servers("mariadb")
    database = make_url(url).database
    name = logins("mariadb", "CREATE USER '{name}'@'%'",
                  f"GRANT ALL ON `{database}`.* TO '{{name}}'@'%' WITH GRANT OPTION",
                  "GRANT CREATE USER ON *.* TO '{name}'@'%'")
    before = _mysql_grants(url, name)
    as_it = make_url(url).set(username=name).render_as_string(hide_password=False)
    with pytest.raises(UsageError, match="the login running this command"):
        reader.create_reader(as_it, name)
    assert _mysql_grants(url, name) == before


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_create_reader_still_resets_a_reader(servers, logins, engine):
    url = servers(engine)
    name = logins(engine)
    first = reader.create_reader(url, name)
    again = reader.create_reader(url, name)  # a reader is reset: a new password
    assert make_url(first.url).password != make_url(again.url).password


@pytest.mark.parametrize("query", ["charset=nonsense", "bogus=1", "read_timeout=-1", "port=abc"])
@pytest.mark.parametrize("command", [("db", "current"), ("db", "upgrade"), ("export",)])
def test_a_url_option_the_driver_refuses_is_one_line(query, command):
    from click.testing import CliRunner

    from db.cli import cli

    url = f"mysql+pymysql://root:s3cret-pw@127.0.0.1:1/nowhere?{query}"
    result = CliRunner().invoke(cli, ["--db", url, *command])
    assert not isinstance(result.exception, (TypeError, ValueError, AttributeError)), result.exception
    assert result.exit_code == 2, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: invalid database URL") and "the driver refused its options" in last
    assert "s3cret" not in result.output


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_create_reader_refuses_a_reader_of_another_database(servers, logins, tmp_path, engine):
    """A login is the server's: made again for a second database, the first database's reader lost its
    grants (MariaDB) or its password (PostgreSQL) without a word. It is refused, changing nothing there."""
    first = servers(engine)
    scratch = ScratchDatabases()
    try:
        second = new_database(engine, scratch, tmp_path)
        api.upgrade(second)
        name = logins(engine)
        made = reader.create_reader(first, name=name)
        with pytest.raises(UsageError, match=f"--name {name}: this login already reads the database "):
            reader.create_reader(second, name=name)
        assert _rows(made.url, "select count(*) from actors") == [(0,)]  # the first reader still reads
        again = reader.create_reader(first, name=name)  # the same database: reset, as before
        assert _rows(again.url, "select count(*) from actors") == [(0,)]
        reader.drop_reader(first, name)
    finally:
        scratch.drop_all()


def test_a_mariadb_reader_reads_its_database_only_not_those_its_name_matches(servers, logins, tmp_path):
    """GRANT takes _ and % in a database name as wildcards: the reader of accords_test_x_1 could read
    accords_testXx_1 too. The name is escaped in the grant; running create-reader again still works."""
    first = servers("mariadb")
    database = make_url(first).database
    assert "_" in database
    sibling = database.replace("_", "X", 1)
    _execute(first, f"CREATE DATABASE `{sibling}`", f"CREATE TABLE `{sibling}`.secret (x integer)",
             f"INSERT INTO `{sibling}`.secret VALUES (42)")
    try:
        name = logins("mariadb")
        made = reader.create_reader(first, name=name)
        with pytest.raises(Exception, match="(?i)denied"):
            _rows(made.url, f"select x from `{sibling}`.secret")
        assert _rows(made.url, "select count(*) from actors") == [(0,)]
        again = reader.create_reader(first, name=name)
        assert _rows(again.url, "select count(*) from actors") == [(0,)]
    finally:
        _execute(first, f"DROP DATABASE IF EXISTS `{sibling}`")
