"""Fixtures: real databases on every configured engine.

SQLite always runs (a real file in a temporary folder). PostgreSQL and
MariaDB run when their URLs are set:

    ACCORDS_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1/test
    ACCORDS_TEST_MARIADB_URL=mysql+pymysql://root@127.0.0.1/test

The URL names a database to connect to as an administrator; each test run
creates its own scratch databases next to it, never touching any other
database. Each is named ``accords_test_<host>_<pid>_<random>`` (the machine
and the test process that made it) and dropped when the test that asked for
it ends, or at the end of the run, also after a failure, Ctrl-C or SIGTERM;
a run that was killed outright (SIGKILL) leaves its databases behind, and the
next run on the same machine drops those whose process is gone. Without the variables the
server tests skip, saying how to enable them; with ACCORDS_REQUIRE_SERVERS=1
(set by .ci/run) a missing or unreachable server fails the run instead.

Upgrading and seeding a database takes seconds on a server, so each engine's
upgraded database and seeded database are built once per run (``Templates``)
and every test that may write gets its own copy: SQLite copies the file,
PostgreSQL creates the database from a template, MariaDB (which has no
templates) recreates the tables and views and copies the rows. Tests that only
read share one seeded database per engine (``shared_seeded_url``).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from db import api

ENGINES = ("sqlite", "postgresql", "mariadb")
ENV = {"postgresql": "ACCORDS_TEST_POSTGRES_URL", "mariadb": "ACCORDS_TEST_MARIADB_URL"}
EXAMPLE = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1/test",
}
REQUIRE_SERVERS = os.environ.get("ACCORDS_REQUIRE_SERVERS") == "1"


def _admin_url(engine: str) -> str:
    url = os.environ.get(ENV[engine])
    if not url:
        reason = f"{engine} tests need {ENV[engine]}, e.g. {ENV[engine]}={EXAMPLE[engine]}"
        if REQUIRE_SERVERS:
            pytest.fail(f"ACCORDS_REQUIRE_SERVERS=1 but {reason}")
        pytest.skip(reason)
    return url


#: this machine, as scratch database names carry it (a short hash of the host name)
HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]
#: scratch database names: accords_test_<host>_<pid>_<random>
SCRATCH_NAME = re.compile(rf"accords_test_{HOST}_(\d+)_[0-9a-f]+")
_LIST_DATABASES = {"postgresql": "select datname from pg_database", "mariadb": "show databases"}


def _process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _drop_database(engine: str, admin: str, name: str) -> None:
    eng = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as conn:
            force = " WITH (FORCE)" if engine == "postgresql" else ""
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}{force}"))
    finally:
        eng.dispose()


class ScratchDatabases:
    """Creates uniquely named databases on a server and drops them (see :meth:`drop`, :meth:`drop_all`)."""

    def __init__(self) -> None:
        self.created: list[tuple[str, str, str]] = []  # (engine, admin url, name)
        self.swept: set[str] = set()

    def sweep(self, engine: str, admin: str) -> None:
        """Drop the scratch databases a killed run on this machine left behind (their process is gone)."""
        if engine in self.swept:
            return
        self.swept.add(engine)
        eng = create_engine(admin)
        try:
            with eng.connect() as conn:
                names = [row[0] for row in conn.execute(text(_LIST_DATABASES[engine]))]
        finally:
            eng.dispose()
        for name in names:
            m = SCRATCH_NAME.fullmatch(name)
            if m and _process_is_gone(int(m.group(1))):
                _drop_database(engine, admin, name)

    def create(self, engine: str, template: str | None = None) -> str:
        """A new database (on PostgreSQL, optionally a copy of the database named ``template``)."""
        admin = _admin_url(engine)
        name = f"accords_test_{HOST}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        try:
            self.sweep(engine, admin)
            self.created.append((engine, admin, name))  # before CREATE: dropped (if it exists) whatever happens
            eng = create_engine(admin, isolation_level="AUTOCOMMIT")
            with eng.connect() as conn:
                conn.execute(text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")))
            eng.dispose()
        except Exception as exc:  # server down or unreachable
            message = f"cannot create a scratch database on {engine} ({make_url(admin).render_as_string()}): {exc}"
            if REQUIRE_SERVERS:
                pytest.fail(message)
            pytest.skip(message)
        return make_url(admin).set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        """Drop one database this made, now (a test's own, when the test ends); other URLs are left alone."""
        name = make_url(url).database
        for created in [c for c in self.created if c[2] == name]:
            _drop_database(*created)
            self.created.remove(created)

    def drop_all(self) -> None:
        """Drop every database created and not dropped yet (a few at a time); every drop is tried."""
        created, self.created = self.created, []
        with ThreadPoolExecutor(max_workers=4) as pool:
            failures = [f for f in pool.map(lambda c: _try(_drop_database, *c), created) if f]
        if failures:
            raise RuntimeError(f"scratch databases not dropped: {'; '.join(failures)}")


def _try(action, *args) -> str | None:
    try:
        action(*args)
    except Exception as exc:  # noqa: BLE001 - said by drop_all, after every other drop was tried
        return f"{args[-1]}: {exc}"
    return None


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config) -> None:
    """SIGTERM (a time limit, a CI cancel) stops the run as Ctrl-C does: fixtures' teardown drops the databases."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _interrupt)


@pytest.fixture(scope="session")
def scratch() -> Iterator[ScratchDatabases]:
    databases = ScratchDatabases()
    yield databases
    databases.drop_all()


def new_database(engine: str, scratch: ScratchDatabases, tmp_path: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / f'accords-{uuid.uuid4().hex[:8]}.db'}"
    return scratch.create(engine)


@pytest.fixture(params=ENGINES)
def engine_name(request) -> str:
    return request.param


@pytest.fixture
def empty_url(engine_name: str, scratch: ScratchDatabases, tmp_path: Path) -> Iterator[str]:
    """URL of a new, empty database on the engine under test (dropped when the test ends)."""
    url = new_database(engine_name, scratch, tmp_path)
    yield url
    scratch.drop(url)


@pytest.fixture(params=ENGINES[1:])
def server_url(request, templates: Templates, tmp_path: Path) -> Iterator[str]:
    """URL of a new database upgraded to the newest schema, on each server engine only (dropped at the end)."""
    url = templates.copy(request.param, "fresh", tmp_path)
    yield url
    templates.scratch.drop(url)


def _database_name(url: str) -> str:
    name = make_url(url).database
    assert name, url
    return name


def _copy_mariadb(source: str, target: str) -> None:
    """Make the empty MariaDB database ``target`` a copy of ``source``: the tables exactly as the
    server shows them (SHOW CREATE TABLE keeps columns, keys, checks, foreign keys, comments and the
    AUTO_INCREMENT counter), then their rows, then the views (their definitions name the source
    database, which becomes the target's name)."""
    old, new = _database_name(source), _database_name(target)
    engine = create_engine(target, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            kinds = conn.execute(text("select table_name, table_type from information_schema.tables "
                                      "where table_schema = :db order by table_name"), {"db": old}).all()
            tables = [name for name, kind in kinds if kind == "BASE TABLE"]
            views = [name for name, kind in kinds if kind == "VIEW"]
            conn.exec_driver_sql("SET SESSION foreign_key_checks = 0")
            for table in tables:
                ddl = conn.exec_driver_sql(f"SHOW CREATE TABLE `{old}`.`{table}`").one()[1]
                conn.exec_driver_sql(ddl.replace("%", "%%"))
                conn.exec_driver_sql(f"INSERT INTO `{table}` SELECT * FROM `{old}`.`{table}`")
            conn.exec_driver_sql("SET SESSION foreign_key_checks = 1")
            qualified = re.compile(rf"`{re.escape(old)}`\.")
            for view in views:  # a report view selects from tables only, never from another view
                ddl = conn.exec_driver_sql(f"SHOW CREATE VIEW `{old}`.`{view}`").one()[1]
                conn.exec_driver_sql(qualified.sub(f"`{new}`.", ddl).replace("%", "%%"))
    finally:
        engine.dispose()


class Templates:
    """Per engine, a database upgraded to the newest schema ("fresh") and one that also holds the
    seed article ("seeded"), each built on first use and then copied for every test that needs one.

    A template is never given to a test, so no test can change it; on PostgreSQL it must have no
    open connection when it is copied (accords' api functions dispose of their engines)."""

    KINDS = ("fresh", "seeded")

    def __init__(self, scratch: ScratchDatabases, folder: Path) -> None:
        self.scratch, self.folder = scratch, folder
        self.built: dict[tuple[str, str], str] = {}

    def template(self, engine: str, kind: str) -> str:
        """URL of the template (build it if needed); never connect to it but to copy it."""
        assert kind in self.KINDS, kind
        if (engine, kind) not in self.built:
            folder = self.folder / f"{engine}-{kind}"
            folder.mkdir(exist_ok=True)
            url = new_database(engine, self.scratch, folder)
            api.upgrade(url)
            if kind == "seeded":
                api.seed_database(url)
            if engine == "sqlite":
                path = Path(url.removeprefix("sqlite:///"))
                assert sorted(folder.iterdir()) == [path], "the template must be one closed file to copy"
            self.built[engine, kind] = url
        return self.built[engine, kind]

    def copy(self, engine: str, kind: str, folder: Path, filename: str | None = None) -> str:
        """URL of a new database holding what the template holds (SQLite: a file in ``folder``)."""
        source = self.template(engine, kind)
        if engine == "sqlite":
            url = new_database(engine, self.scratch, folder)
            if filename is not None:
                url = f"sqlite:///{folder / filename}"
            shutil.copyfile(source.removeprefix("sqlite:///"), url.removeprefix("sqlite:///"))
            return url
        if engine == "postgresql":
            return self.scratch.create(engine, template=_database_name(source))
        url = self.scratch.create(engine)
        _copy_mariadb(source, url)
        return url


@pytest.fixture(scope="session")
def templates(scratch: ScratchDatabases, tmp_path_factory) -> Templates:
    """The run's template databases (see Templates); tests ask for fresh_url, seeded_url and the like."""
    return Templates(scratch, tmp_path_factory.mktemp("templates"))


@pytest.fixture
def fresh_url(engine_name: str, templates: Templates, tmp_path: Path) -> Iterator[str]:
    """URL of a database upgraded to the newest schema, with no data (one per test: safe to change)."""
    url = templates.copy(engine_name, "fresh", tmp_path)
    yield url
    templates.scratch.drop(url)


@pytest.fixture
def seeded_url(engine_name: str, templates: Templates, tmp_path: Path) -> Iterator[str]:
    """URL of an upgraded database with the seed article loaded (one per test: safe to change)."""
    url = templates.copy(engine_name, "seeded", tmp_path)
    yield url
    templates.scratch.drop(url)


@pytest.fixture(scope="session", params=ENGINES)
def shared_seeded_url(request, templates: Templates, tmp_path_factory) -> str:
    """A seeded database shared by read-only tests (reports); never write to it."""
    return templates.copy(request.param, "seeded", tmp_path_factory.mktemp("shared"))


@pytest.fixture
def sqlite_seeded(templates: Templates, tmp_path: Path) -> str:
    """An upgraded and seeded SQLite file, tmp_path/accords.db (for tests about SQLite itself)."""
    return templates.copy("sqlite", "seeded", tmp_path, "accords.db")


def query_rows(url: str, sql: str, **params) -> list[tuple]:
    """The rows of one query on the database at ``url`` (a connection of its own, closed after)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def take_snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (and the schema revision), in a stable order."""
    from db.models import metadata

    engine = create_engine(url)
    out: dict[str, list[tuple]] = {}
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            for table in metadata.sorted_tables:
                if table.name not in present:  # a database at an older revision
                    continue
                columns = [c for c in table.columns if c.name in {x["name"] for x in inspect(conn).get_columns(table.name)}]
                out[table.name] = [tuple(r) for r in conn.execute(
                    select(*columns).order_by(*table.primary_key.columns))]
            out["alembic_version"] = [tuple(r) for r in conn.execute(text("select version_num from alembic_version"))]
    finally:
        engine.dispose()
    return out


@pytest.fixture
def snapshot():
    """snapshot(url) -> every row of every table, to prove a database unchanged."""
    return take_snapshot


SMALL_SOURCE = Path(__file__).parent / "data" / "oil-contract.yaml"


def edited_small_source(tmp_path: Path, old: str, new: str, name: str = "edited.yaml") -> Path:
    """A copy of tests/data/oil-contract.yaml with one edit (and its text file beside it)."""
    article = SMALL_SOURCE.with_name("beijing-and-taliban-build-an-alliance.txt")
    shutil.copyfile(article, tmp_path / article.name)
    content = SMALL_SOURCE.read_text(encoding="utf-8")
    assert old in content, f"test setup: {old!r} not in {SMALL_SOURCE.name}"
    path = tmp_path / name
    path.write_text(content.replace(old, new, 1), encoding="utf-8")
    return path


def pytest_collection_modifyitems(config, items):
    """pytest-alembic's experimental downgrade_leaves_no_trace undoes each step with a
    SAVEPOINT; MariaDB commits implicitly on every DDL statement, so that test cannot
    run there. tests/test_migrations.py::test_each_downgrade_restores_the_schema checks
    the same property on every engine without savepoints."""
    kept, dropped = [], []
    for item in items:
        (dropped if item.nodeid.endswith("test_downgrade_leaves_no_trace[mariadb]") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


GENERATOR = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"


@pytest.fixture(scope="session")
def generator():
    """benchmarks/generate.py as a module: synthetic source files for tests at scale."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("accords_benchmark_generate", GENERATOR)
    assert spec and spec.loader, GENERATOR
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module

