"""The fixtures' databases are copies of template databases (tests/conftest.py, Templates): a copy
must be exactly what `accords db upgrade` (and `accords db seed`) make, on every engine: the same
tables, columns, keys, checks, comments, views, rows and counters of the next id."""

from __future__ import annotations

import pytest
from conftest import Templates, new_database
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from db import api


def _index_repr(index: dict) -> str:
    """An index as text; a partial index's condition (a clause object on PostgreSQL) by its SQL."""
    options = {k: str(v) for k, v in index.get("dialect_options", {}).items()}
    return repr({**index, "dialect_options": options})


def _everything(url: str) -> dict:
    """What a database holds, with its own name written as DB wherever the server shows it."""
    name = make_url(url).database or ""
    engine = create_engine(url)
    out: dict = {}
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            dialect = conn.dialect.name
            for table in sorted(insp.get_table_names()):
                out[f"table {table}"] = {
                    "comment": insp.get_table_comment(table)["text"] if dialect != "sqlite" else None,
                    "columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default")), c.get("comment"))
                                for c in insp.get_columns(table)],
                    "primary key": insp.get_pk_constraint(table),
                    "indexes": sorted(map(_index_repr, insp.get_indexes(table))),
                    "foreign keys": sorted(map(repr, insp.get_foreign_keys(table))),
                    "unique": sorted(map(repr, insp.get_unique_constraints(table))),
                    "checks": sorted(map(repr, insp.get_check_constraints(table))),
                    "rows": sorted(map(repr, conn.execute(text(f"select * from {table}")))),
                }
                if dialect == "mysql":  # the server's own statement, with the AUTO_INCREMENT counter
                    out[f"table {table}"]["ddl"] = conn.exec_driver_sql(f"SHOW CREATE TABLE `{table}`").one()[1]
            for view in sorted(insp.get_view_names()):
                out[f"view {view}"] = (insp.get_view_definition(view) or "").replace(name, "DB")
            if dialect == "postgresql":
                for (sequence,) in conn.execute(text("select sequencename from pg_sequences "
                                                     "where schemaname = 'public' order by 1")):
                    out[f"sequence {sequence}"] = conn.execute(text(
                        f"select last_value, is_called from {sequence}")).one()
            elif dialect == "sqlite":  # a table rebuilt by a migration lists its constraints in any order
                out["sqlite_master"] = [(kind, name, table, sorted(line.strip().rstrip(",") for line in sql.split("\n")))
                                        for kind, name, table, sql in conn.execute(text(
                                            "select type, name, tbl_name, coalesce(sql, '') from sqlite_master "
                                            "order by type, name"))]
    finally:
        engine.dispose()
    return out


@pytest.mark.parametrize("kind", Templates.KINDS)
def test_a_copy_is_what_upgrade_and_seed_make(engine_name, kind, templates, scratch, tmp_path):
    copy = templates.copy(engine_name, kind, tmp_path)
    built = new_database(engine_name, scratch, tmp_path)
    api.upgrade(built)
    if kind == "seeded":
        api.seed_database(built)
    expected = _everything(built)
    assert expected["table alembic_version"]["rows"] and any(key.startswith("view report_") for key in expected)
    if kind == "seeded":
        assert expected["table actors"]["rows"]
    assert _everything(copy) == expected
    assert api.check(copy) == []


def test_each_copy_is_a_database_of_its_own(engine_name, templates, tmp_path):
    first, second = (templates.copy(engine_name, "seeded", tmp_path) for _ in range(2))
    assert first != second
    engine = create_engine(first)
    with engine.begin() as conn:
        conn.execute(text("delete from actor_aliases"))
    engine.dispose()
    assert _everything(second)["table actor_aliases"]["rows"]
    assert _everything(templates.copy(engine_name, "seeded", tmp_path))["table actor_aliases"]["rows"]


def _databases(engine: str) -> set[str]:
    from conftest import _LIST_DATABASES, _admin_url

    eng = create_engine(_admin_url(engine))
    try:
        with eng.connect() as conn:
            return {row[0] for row in conn.execute(text(_LIST_DATABASES[engine]))}
    finally:
        eng.dispose()


CHILD_TEST = '''
import time
from pathlib import Path


def test_waits(empty_url):
    Path({ready!r}).write_text(empty_url)
    time.sleep(60)
'''


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_a_run_stopped_by_sigterm_drops_its_databases(engine, tmp_path):
    """A run ended by a time limit or a CI cancel (SIGTERM) leaves no scratch database behind."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from conftest import _admin_url

    _admin_url(engine)  # skips (or fails) without the server
    ready = tmp_path / "url"
    test = tmp_path / "test_child.py"
    test.write_text(CHILD_TEST.format(ready=str(ready)), encoding="utf-8")
    tests = Path(__file__).parent
    child = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
                              "-p", "conftest", "--rootdir", str(tmp_path), "-k", engine, str(test)],
                             cwd=tmp_path, env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), str(tests.parent)])},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ready.exists(), child.communicate(timeout=30)[0].decode()
        name = make_url(ready.read_text()).database
        assert name in _databases(engine)
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert name not in _databases(engine)


def test_a_killed_runs_databases_are_dropped_by_the_next_run(scratch, tmp_path):
    """SIGKILL leaves no time to clean up: the next scratch database made on this machine drops them."""
    import subprocess
    import sys

    from conftest import HOST, ScratchDatabases, _admin_url, _drop_database

    admin = _admin_url("postgresql")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = f"accords_test_{HOST}_{int(gone.stdout)}_deadbeef"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f"create database {left}"))
    finally:
        engine.dispose()
    try:
        fresh = ScratchDatabases()
        fresh.create("postgresql")
        fresh.drop_all()
        assert left not in _databases("postgresql")
    finally:
        _drop_database("postgresql", admin, left)
