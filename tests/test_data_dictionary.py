"""The dictionary inside the database (issue #15): data_dictionary, read by any SQL client on every engine,
kept current; comments on the report views on PostgreSQL. (That a reader login reads it is tested in
test_hostile_sql.py, whose module-wide reader it uses: a login made here would change the server's roles
while that file's tests compare them.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import query_rows as _query
from sqlalchemy import create_engine, inspect, text

from db import api, catalog, models
from db.cli import cli
from db.reports import Column, Report, all_reports

SMALL_SOURCE = Path(__file__).parent / "data" / "oil-contract.yaml"
PARENT_ID = "The actor this one belongs to (a ministry to its government)."


def _sql(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--read-url", url, "sql", *args, "--format", "csv"])
    return result.exit_code, result.stdout


def test_a_client_reads_what_a_column_means(seeded_url):
    """`accords sql` (a read-only connection) reads it like any table, on every engine."""
    code, out = _sql(seeded_url, "select description from data_dictionary "
                                 "where object_name = 'actors' and column_name = 'parent_id'")
    assert (code, out) == (0, f"description\n{PARENT_ID}\n")
    assert models.Actor.__table__.c.parent_id.comment == PARENT_ID
    code, out = _sql(seeded_url, "select allowed_values from data_dictionary "
                                 "where object_name = 'event_participants' and column_name = 'role'")
    assert code == 0 and "\norganiser: Organised it" in out and "\nauthor: Wrote or issued the document" in out


def test_every_table_view_and_column_in_the_database_is_described(seeded_url):
    """What the engine reports (every table and view, every column) has its row, and the rows are those
    db.catalog writes: the models' comments and the report headers. A view's columns are in its order; a
    table's in the models' (a column a migration added may stand elsewhere in the engine's order). SQLite's
    full-text tables are described; their shadow tables, where FTS5 keeps its index, are SQLite's own."""
    engine = create_engine(seeded_url)
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            dialect = conn.dialect.name
            shadow = ({name for _, name, kind, *_ in conn.exec_driver_sql("pragma table_list") if kind == "shadow"}
                      if dialect == "sqlite" else set())
            present = {t: [c["name"] for c in insp.get_columns(t)]
                       for t in set(insp.get_table_names()) - {"alembic_version"} - shadow}
            present.update({v: [c["name"] for c in insp.get_columns(v)] for v in insp.get_view_names()})
            kinds = {**dict.fromkeys(insp.get_table_names(), "table"), **dict.fromkeys(insp.get_view_names(), "view")}
    finally:
        engine.dispose()
    rows = _query(seeded_url, "select object_name, ordinal, object_kind, column_name, description "
                              "from data_dictionary order by object_name, ordinal")
    described: dict[str, list[str]] = {}
    for name, ordinal, kind, column, description in rows:
        assert description, (name, column)
        assert kind == kinds[name], name
        if ordinal == 0:
            assert column is None, name
        else:
            described.setdefault(name, []).append(column)
    assert {n: sorted(c) for n, c in described.items()} == {n: sorted(c) for n, c in present.items()}
    assert {n: c for n, c in described.items() if kinds[n] == "view"} == {
        n: c for n, c in present.items() if kinds[n] == "view"}
    assert {r for r in all_reports().values() if r.view_name} and "report_timeline" in described
    assert len(rows) == len(catalog.entries(dialect))


def test_view_rows_come_from_the_report_headers(shared_seeded_url):
    timeline = all_reports()["timeline"]
    rows = _query(shared_seeded_url, "select ordinal, column_name, data_type, description from data_dictionary "
                                     "where object_name = 'report_timeline' order by ordinal")
    assert rows[0] == (0, None, None, catalog.view_description(timeline))
    assert rows[0][3].startswith(f"{timeline.title}: {timeline.grain}. ")
    assert rows[1:] == [(i, c.name, c.type, " ".join(c.description.split()))
                        for i, c in enumerate(timeline.columns, start=1)]


def test_check_finds_a_stale_dictionary_and_a_load_rewrites_it(seeded_url):
    assert api.check(seeded_url) == []
    engine = create_engine(seeded_url)
    with engine.begin() as conn:
        conn.execute(text("update data_dictionary set description = 'wrong' "
                          "where object_name = 'actors' and column_name = 'parent_id'"))
        conn.execute(text("delete from data_dictionary where object_name = 'report_money'"))
    engine.dispose()
    assert api.check(seeded_url) == ["data_dictionary is out of date (actors, report_money): "
                                     "run `accords db upgrade` to rewrite it"]
    result = CliRunner().invoke(cli, ["--db", seeded_url, "db", "check"])
    assert result.exit_code == 1 and "- data_dictionary is out of date (actors, report_money)" in result.output
    api.ingest(seeded_url, [SMALL_SOURCE])  # every load rewrites a stale dictionary, as it rebuilds stale views
    assert api.check(seeded_url) == []
    assert _query(seeded_url, "select description from data_dictionary "
                              "where object_name = 'actors' and column_name = 'parent_id'") == [(PARENT_ID,)]


def test_an_upgrade_rewrites_it(fresh_url):
    engine = create_engine(fresh_url)
    with engine.begin() as conn:
        conn.execute(text("delete from data_dictionary"))
    engine.dispose()
    assert api.check(fresh_url)
    assert api.upgrade(fresh_url).views  # nothing to migrate: the views and the dictionary are rebuilt
    assert api.check(fresh_url) == []
    dialect = create_engine(fresh_url).dialect.name
    assert _query(fresh_url, "select count(*) from data_dictionary")[0][0] == len(catalog.entries(dialect))


def _view_comments(url: str, view: str) -> tuple[str | None, dict[str, str | None]]:
    comment = _query(url, "select obj_description(cast(:v as regclass), 'pg_class')", v=view)[0][0]
    columns = dict(_query(url, "select a.attname, col_description(a.attrelid, a.attnum) from pg_attribute as a "
                               "where a.attrelid = cast(:v as regclass) and a.attnum > 0", v=view))
    return comment, columns


def test_postgresql_report_views_carry_their_descriptions_as_comments(templates, tmp_path):
    url = templates.copy("postgresql", "seeded", tmp_path)
    for report in all_reports().values():
        if report.view_name is None:
            continue
        comment, columns = _view_comments(url, report.view_name)
        assert comment == catalog.view_description(report), report.name
        assert columns == {c.name: " ".join(c.description.split()) for c in report.columns}, report.name


def test_a_comment_keeps_quotes_percent_signs_and_colons(templates, tmp_path):
    url = templates.copy("postgresql", "fresh", tmp_path)
    words = "It's 10 % of :kind, %(x)s and %s; \\ too"
    report = Report("zz_test", "Test", "one row", words, "select 1 as n",
                    columns=(Column("n", "integer", words),))
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("create view report_zz_test as select 1 as n")
        catalog.comment_on_view(conn, report)
    engine.dispose()
    assert _view_comments(url, "report_zz_test") == (f"Test: one row. {words}", {"n": words})


def test_mariadb_and_sqlite_views_carry_no_comment_and_nothing_fails(seeded_url):
    """CREATE VIEW has no COMMENT clause on MariaDB (and SQLite keeps no comments): the views are built
    all the same, and data_dictionary is where their descriptions are."""
    if seeded_url.startswith("postgresql"):
        pytest.skip("PostgreSQL stores them: see the test above")
    assert _query(seeded_url, "select count(*) from data_dictionary where object_kind = 'view' and ordinal = 0")[0][0] \
        == sum(1 for r in all_reports().values() if r.view_name)
