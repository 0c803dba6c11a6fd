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
