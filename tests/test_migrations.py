"""Migrations, checked by pytest-alembic's suite on every engine."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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
from db.resources import migrations_dir


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
                # in any order: a downgrade that adds back a column an upgrade dropped (0007's projects.resource)
                # can only put it last on PostgreSQL and MariaDB
                "columns": sorted((c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)),
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


# --- migrations never import the models -------------------------------------------------------
# A migration must keep working when the models change, so it spells out its own tables
# (sa.table()) instead of importing db.models. Two checks: every migration runs, up to the newest
# revision and back to base, in a Python where db.models cannot be imported (so an import at the
# top, inside upgrade(), or through another module that imports the models fails); and no
# migration names db.models in any import, even on a branch that SQLite does not take.

RUN_WITHOUT_MODELS = """
import importlib.abc, importlib.util, sys
from pathlib import Path

class NoModels(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "db.models" or name.startswith("db.models."):
            raise ImportError(f"migrations must not import the models ({name})")
        return None

sys.meta_path.insert(0, NoModels())

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

versions, database = Path(sys.argv[1]), sys.argv[2]
modules = []
for path in sorted(versions.glob("[0-9]*.py")):
    spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    modules.append(module)
engine = create_engine(f"sqlite:///{database}")
for step in [m.upgrade for m in modules] + [m.downgrade for m in reversed(modules)]:
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        step()
        if step.__name__ == "upgrade":
            assert inspect(conn).get_table_names(), step.__module__
assert "db.models" not in sys.modules
print(len(modules), "migrations up and down without the models")
"""

VERSIONS = Path(migrations_dir(), "versions")


def test_migrations_run_where_the_models_cannot_be_imported(tmp_path):
    result = subprocess.run([sys.executable, "-c", RUN_WITHOUT_MODELS, str(VERSIONS), str(tmp_path / "m.db")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{len(migrate.all_revisions())} migrations up and down without the models\n"


def _imported(tree: ast.AST) -> set[str]:
    """Every module an import statement anywhere in the tree names (``from db import models`` is db.models)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ("." * node.level) + (node.module or "")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__"):
            names.update(arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str))
    return names


def test_no_migration_names_the_models_in_an_import():
    paths = sorted(VERSIONS.glob("[0-9]*.py"))
    assert len(paths) == len(migrate.all_revisions())
    for path in paths:
        imported = _imported(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        models = {name for name in imported if name == "db.models" or name.startswith("db.models.")
                  or name.lstrip(".").split(".")[0] == "models"}
        assert not models, f"{path.name} imports {sorted(models)}"
        assert "alembic.op" in imported or "alembic" in imported, path.name  # the parse saw its imports
