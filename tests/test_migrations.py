"""Migrations, checked by pytest-alembic's suite on every engine."""

from __future__ import annotations

import pytest
from pytest_alembic.tests import (  # noqa: F401 - imported to be collected here
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from pytest_alembic.tests.experimental import (  # noqa: F401
    test_all_models_register_on_metadata,
    test_downgrade_leaves_no_trace,
)
from sqlalchemy import create_engine, event

from db import migrate


@pytest.fixture
def alembic_config(empty_url):
    """accords' own Alembic configuration, as `accords db` builds it, for this test's database."""
    return migrate.alembic_config(empty_url)


@pytest.fixture
def alembic_engine(empty_url):
    """A new, empty database on each engine (SQLite file, PostgreSQL, MariaDB)."""
    engine = create_engine(empty_url)
    if engine.dialect.name == "sqlite":
        # pytest-alembic undoes its upgrade/downgrade cycles with savepoints; pysqlite
        # only makes DDL transactional when SQLAlchemy emits BEGIN itself (SQLAlchemy's
        # documented recipe for SAVEPOINT on pysqlite)
        @event.listens_for(engine, "connect")
        def _autocommit_driver(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _emit_begin(conn):
            conn.exec_driver_sql("BEGIN")

    yield engine
    engine.dispose()


def _schema(url: str) -> dict:
    """Tables, columns, indexes, foreign keys, unique constraints and views, as the engine reports them."""
    from sqlalchemy import inspect

    engine = create_engine(url)
    with engine.connect() as conn:
        insp = inspect(conn)
        out = {"views": sorted(insp.get_view_names())}
        for table in sorted(set(insp.get_table_names()) - {"alembic_version"}):
            out[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)],
                "indexes": sorted((i["name"], tuple(i["column_names"])) for i in insp.get_indexes(table)),
                "foreign_keys": sorted((f["name"] or "", tuple(f["constrained_columns"])) for f in insp.get_foreign_keys(table)),
                "unique": sorted((u["name"] or "", tuple(u["column_names"])) for u in insp.get_unique_constraints(table)),
            }
    engine.dispose()
    return out


def test_each_downgrade_restores_the_schema(empty_url):
    """Upgrade one step and downgrade it again: the schema is exactly as before, on every engine."""
    from db import api

    revisions = [line.split(":")[0] for line in migrate.all_revisions()]
    previous = "base"
    for revision in revisions:
        before = _schema(empty_url)
        api.upgrade(empty_url, revision)
        api.downgrade(empty_url, previous)
        assert _schema(empty_url) == before, f"downgrade of {revision} left a trace"
        api.upgrade(empty_url, revision)
        previous = revision
