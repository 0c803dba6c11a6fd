"""Fixtures: real databases on every configured engine.

SQLite always runs (a real file in a temporary folder). PostgreSQL and
MariaDB run when their URLs are set:

    ACCORDS_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1/test
    ACCORDS_TEST_MARIADB_URL=mysql+pymysql://root@127.0.0.1/test

The URL names a database to connect to as an administrator; each test run
creates its own scratch databases (accords_test_<random>) next to it and drops
them at the end, never touching any other database. Without the variables the
server tests skip, saying how to enable them; with ACCORDS_REQUIRE_SERVERS=1
(set by .ci/run) a missing or unreachable server fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
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


class ScratchDatabases:
    """Creates uniquely named databases on a server and drops them all at the end."""

    def __init__(self) -> None:
        self.created: list[tuple[str, str, str]] = []  # (engine, admin url, name)

    def create(self, engine: str) -> str:
        admin = _admin_url(engine)
        name = f"accords_test_{uuid.uuid4().hex[:10]}"
        try:
            eng = create_engine(admin, isolation_level="AUTOCOMMIT")
            with eng.connect() as conn:
                conn.execute(text(f"CREATE DATABASE {name}"))
            eng.dispose()
        except Exception as exc:  # server down or unreachable
            message = f"cannot create a scratch database on {engine} ({make_url(admin).render_as_string()}): {exc}"
            if REQUIRE_SERVERS:
                pytest.fail(message)
            pytest.skip(message)
        self.created.append((engine, admin, name))
        return make_url(admin).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for engine, admin, name in self.created:
            eng = create_engine(admin, isolation_level="AUTOCOMMIT")
            with eng.connect() as conn:
                force = " WITH (FORCE)" if engine == "postgresql" else ""
                conn.execute(text(f"DROP DATABASE IF EXISTS {name}{force}"))
            eng.dispose()


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
def empty_url(engine_name: str, scratch: ScratchDatabases, tmp_path: Path) -> str:
    """URL of a new, empty database on the engine under test."""
    return new_database(engine_name, scratch, tmp_path)


@pytest.fixture(params=ENGINES[1:])
def server_url(request, scratch: ScratchDatabases) -> str:
    """URL of a new database upgraded to the newest schema, on each server engine only."""
    url = scratch.create(request.param)
    api.upgrade(url)
    return url


@pytest.fixture
def fresh_url(empty_url: str) -> str:
    """URL of a database upgraded to the newest schema, with no data."""
    api.upgrade(empty_url)
    return empty_url


@pytest.fixture
def seeded_url(fresh_url: str) -> str:
    """URL of an upgraded database with the seed article loaded (one per test: safe to change)."""
    api.seed_database(fresh_url)
    return fresh_url


@pytest.fixture(scope="session", params=ENGINES)
def shared_seeded_url(request, scratch: ScratchDatabases, tmp_path_factory) -> str:
    """A seeded database shared by read-only tests (reports); never write to it."""
    url = new_database(request.param, scratch, tmp_path_factory.mktemp("shared"))
    api.upgrade(url)
    api.seed_database(url)
    return url


@pytest.fixture
def sqlite_seeded(tmp_path: Path) -> str:
    """An upgraded and seeded SQLite file (for tests about SQLite itself)."""
    url = f"sqlite:///{tmp_path / 'accords.db'}"
    api.upgrade(url)
    api.seed_database(url)
    return url


def take_snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (and the schema revision), in a stable order."""
    from db.models import metadata

    engine = create_engine(url)
    out: dict[str, list[tuple]] = {}
    try:
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                out[table.name] = [tuple(r) for r in conn.execute(table.select().order_by(*table.primary_key.columns))]
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
