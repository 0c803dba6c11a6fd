"""Full-text search (issue #16): revision 0010's objects on every engine, kept current by every load and
removal, checked by `db check`, read through the read-only query path, documented."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import query_rows as _query
from sqlalchemy import create_engine, inspect, text

from db import api, fulltext
from db.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
#: one word of the seed article in each searched table, and the rows that hold it
SEED_WORD = "marble"
#: words no other source uses, for a source loaded and removed by the tests
NEW_WORDS = ("quokka", "zephyrine")


def _execute(url: str, sql: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def _dialect(url: str) -> str:
    return create_engine(url).dialect.name


def _found(url: str, table: str, words: str, scan: bool = False) -> set[int]:
    """Ids of the rows the engine's full-text search finds (db.fulltext's condition, as the dictionary gives
    it); on PostgreSQL through the index, or with ``scan`` through a scan of every row instead."""
    engine = create_engine(url)
    sql = f"select id from {table} where {fulltext.condition(engine.dialect.name, table)}"
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                off = "enable_bitmapscan = off; set enable_indexscan = off" if scan else "enable_seqscan = off"
                conn.exec_driver_sql(f"set {off}")
                plan = "\n".join(r[0] for r in conn.execute(text(f"explain {sql}"), {"words": words}))
                assert (fulltext.index_name(table) in plan) != scan, plan
            return {r[0] for r in conn.execute(text(sql), {"words": words})}
    finally:
        engine.dispose()


def _having(url: str, table: str, word: str) -> set[int]:
    """Ids of the rows whose searched column has the word, found without the index: by Python over every
    row, or on PostgreSQL (whose English stemming Python does not know) by the same condition over every row."""
    if _dialect(url) == "postgresql":
        return _found(url, table, word, scan=True)
    pattern = re.compile(rf"\b{re.escape(word)}\b", re.I)
    return {i for i, value in _query(url, f"select id, {fulltext.SEARCHED[table]} from {table}") if pattern.search(value)}


def _source(path: Path, slug: str = "test-full-text") -> Path:
    """A small source whose sentences, evidence and statement use NEW_WORDS (and no other source does)."""
    sentences = ["The quokka delegation met the zephyrine council.", "A quokka said the talks went well."]
    doc = {
        "format": 1,
        "source": {"slug": slug, "title": "TEST DATA: full-text search", "kind": "other", "text": " ".join(sentences)},
        "actors": [{"slug": "test-quokka-delegation", "name": "Quokka delegation", "kind": "group",
                    "evidence": ["The quokka delegation"]}],
        "statements": [{"slug": "test-quokka-talks", "voice": "actor", "speaker": "test-quokka-delegation",
                        "kind": "claim", "direct_quote": False, "content": "the talks went well",
                        "evidence": ["A quokka said the talks went well."]}],
    }
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def _objects(url: str) -> set[str]:
    """The full-text objects present: SQLite's search tables and triggers, the servers' full-text indexes."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                return {name for (name,) in conn.exec_driver_sql(
                    "select name from sqlite_master where name like '%\\_fts%' escape '\\' "
                    "or (type = 'trigger' and name glob '*_a[idu]')")}
            insp = inspect(conn)
            return {i["name"] for t in fulltext.SEARCHED for i in insp.get_indexes(t) if i["name"].endswith("_fts")}
    finally:
        engine.dispose()


# ----------------------------------------------------------------------------- the migration


def test_upgrade_indexes_the_rows_already_there_and_downgrade_removes_it(seeded_url):
    everything = _objects(seeded_url)
    assert api.downgrade(seeded_url, "0009").after == "0009"
    assert _objects(seeded_url) == set()
    api.upgrade(seeded_url)
    assert _objects(seeded_url) == everything
    for table in fulltext.SEARCHED:
        assert _found(seeded_url, table, SEED_WORD) == _having(seeded_url, table, SEED_WORD) != set(), table
    assert api.check(seeded_url) == []


def test_each_engine_has_its_own_kind_of_object(fresh_url):
    if _dialect(fresh_url) == "sqlite":
        expected = {f"{t}{suffix}" for t in fulltext.SEARCHED for suffix in ("_ai", "_ad", "_au", "_fts")}
        assert {n for n in _objects(fresh_url) if not re.search(r"_fts_(data|idx|docsize|config)$", n)} == expected
    else:
        assert _objects(fresh_url) == {fulltext.index_name(t) for t in fulltext.SEARCHED}


def test_the_sqlite_layout_is_sqlite_utils_and_datasette_finds_it(templates, tmp_path):
    """The search table and triggers are word for word what sqlite-utils writes for the same table, and
    Datasette's own detection (which its search box and ?_search= use) finds them."""
    sqlite_utils = pytest.importorskip("sqlite_utils")
    from datasette.utils import detect_fts

    url = templates.copy("sqlite", "fresh", tmp_path)
    ours = sqlite3.connect(url.removeprefix("sqlite:///"))
    for table, column in fulltext.SEARCHED.items():
        theirs = sqlite_utils.Database(memory=True)
        theirs.execute(f"create table {table} (id INTEGER NOT NULL, {column} TEXT NOT NULL, PRIMARY KEY (id))")
        theirs[table].enable_fts([column], create_triggers=True)
        layout = "select type, name, sql from sqlite_master where name in (?, ?, ?, ?) order by name"
        names = (fulltext.fts_table(table), *(f"{table}_{s}" for s in fulltext.TRIGGERS))
        assert ours.execute(layout, names).fetchall() == theirs.execute(layout, names).fetchall()
        assert detect_fts(ours, table) == fulltext.fts_table(table)
    ours.close()


@pytest.mark.parametrize("dialect, expected", [
    ("sqlite", ['CREATE VIRTUAL TABLE "statements_fts" USING FTS5', 'CREATE TRIGGER "statements_au"',
                "INSERT INTO \"statements_fts\" (\"statements_fts\") SELECT 'rebuild'"]),
    ("postgresql", ["CREATE INDEX ix_statements_content_fts ON statements USING gin "
                    "(to_tsvector('english', \"content\"))"]),
    ("mariadb", ["CREATE FULLTEXT INDEX ix_statements_content_fts ON statements (content)"]),
])
def test_offline_sql_writes_the_objects_and_drops_them(dialect, expected, tmp_path):
    url = {"sqlite": f"sqlite:///{tmp_path / 'none.db'}", "postgresql": "postgresql+psycopg://u@127.0.0.1:9/none",
           "mariadb": "mysql+pymysql://u@127.0.0.1:9/none"}[dialect]
    up = CliRunner().invoke(cli, ["--db", url, "db", "upgrade", "--sql", "0009:0010"])
    down = CliRunner().invoke(cli, ["--db", url, "db", "downgrade", "--sql", "0010:0009"])
    assert (up.exit_code, down.exit_code) == (0, 0), up.output + down.output
    for line in expected:
        assert line in up.stdout, line
    assert ("DROP TABLE \"statements_fts\"" if dialect == "sqlite" else "DROP INDEX ix_statements_content_fts") \
        in down.stdout
    assert not (tmp_path / "none.db").exists()


# ----------------------------------------------------------------------------- loads keep it current


def _remove(url: str, slug: str) -> None:
    result = CliRunner().invoke(cli, ["--db", url, "source", "remove", slug, "--yes"])
    assert result.exit_code == 0, result.output


def test_a_load_and_a_removal_keep_every_index_current(seeded_url, tmp_path):
    """Through accords' ingest (bulk: COPY on PostgreSQL, compiled tuples on SQLite) and `source remove`."""
    result = CliRunner().invoke(cli, ["--db", seeded_url, "ingest", str(_source(tmp_path / "new.yaml"))])
    assert result.exit_code == 0, result.output
    for word in NEW_WORDS:
        for table in fulltext.SEARCHED:
            assert _found(seeded_url, table, word) == _having(seeded_url, table, word), (table, word)
    assert _found(seeded_url, "source_segments", "quokka") and _found(seeded_url, "evidence", "quokka")
    assert _found(seeded_url, "statements", "talks") == _having(seeded_url, "statements", "talks") != set()
    assert api.check(seeded_url) == []
    _remove(seeded_url, "test-full-text")
    for table in fulltext.SEARCHED:
        assert _found(seeded_url, table, "quokka") == set() == _having(seeded_url, table, "quokka")
        assert _found(seeded_url, table, SEED_WORD) == _having(seeded_url, table, SEED_WORD) != set()
    assert api.check(seeded_url) == []


def test_an_update_is_found_by_its_new_words_only(seeded_url):
    engine = create_engine(seeded_url)
    with engine.begin() as conn:
        conn.execute(text("update statements set content = 'a zephyrine reply' where slug = :s"),
                     {"s": "chinese-traders-enquire-about-marble-mines"})
    engine.dispose()
    (changed,) = _query(seeded_url, "select id from statements where slug = 'chinese-traders-enquire-about-marble-mines'")
    assert _found(seeded_url, "statements", "zephyrine") == {changed[0]}
    assert changed[0] not in _found(seeded_url, "statements", SEED_WORD)
    assert _found(seeded_url, "statements", SEED_WORD) == _having(seeded_url, "statements", SEED_WORD) != set()
    assert api.check(seeded_url) == []


def test_many_sources_through_the_bulk_paths(fresh_url, generator, tmp_path):
    """Generated sources, thousands of rows in one ingest (COPY on PostgreSQL, compiled tuples on SQLite):
    the index equals the table (`db check`: SQLite's integrity-check), and finds what a scan of every row
    finds."""
    api.ingest(fresh_url, generator.generate(tmp_path / "corpus", actors=200, statements=2000, agreements=80,
                                             projects=40, sources=4))
    assert _query(fresh_url, "select count(*) from statements")[0][0] >= 2000
    assert api.check(fresh_url) == []
    word = "corridor"  # a word of the generator's statements
    for table in fulltext.SEARCHED:
        assert _found(fresh_url, table, word) == _having(fresh_url, table, word), (table, word)
    assert _found(fresh_url, "statements", word)


# ----------------------------------------------------------------------------- db check


def _check(url: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", url, "db", "check"])
    return result.exit_code, result.output


def test_check_is_clean_and_tolerates_a_users_sqlite_utils_search_table(templates, tmp_path):
    url = templates.copy("sqlite", "seeded", tmp_path)
    path = url.removeprefix("sqlite:///")
    added = subprocess.run([sys.executable, "-m", "sqlite_utils", "enable-fts", path, "actors", "name",
                            "--create-triggers"], capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    assert "actors_fts_data" in {n for (n,) in _query(url, "select name from sqlite_master")}
    assert _check(url) == (0, "database, migrations and models agree; report views are current\n")
    result = CliRunner().invoke(cli, ["--db", url, "ingest", str(_source(tmp_path / "new.yaml"))])
    assert result.exit_code == 0, result.output
    assert {r[0] for r in _query(url, "select rowid from actors_fts where actors_fts match 'quokka'")} == {
        r[0] for r in _query(url, "select id from actors where name = 'Quokka delegation'")} != set()
    # a real difference is still one: an index the models declare, dropped
    _execute(url, "drop index ix_statements_speaker_actor_id")
    code, out = _check(url)
    assert code == 1 and "ix_statements_speaker_actor_id" in out and "actors_fts" not in out


def test_without_the_filter_the_comparison_would_see_the_search_objects(seeded_url):
    """The filter does work on every engine: Alembic's comparison alone reports the full-text objects."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from db.models import metadata

    engine = create_engine(seeded_url)
    try:
        with engine.connect() as conn:
            raw = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
            filtered = compare_metadata(MigrationContext.configure(conn, opts={
                "compare_type": True, "include_object": fulltext.include_object(conn)}), metadata)
    finally:
        engine.dispose()
    kinds = {d[0] for d in raw}
    assert kinds == ({"remove_table"} if engine.dialect.name == "sqlite" else {"remove_index"})
    assert len(raw) == (3 * 5 if engine.dialect.name == "sqlite" else 3)  # a virtual table and 4 shadow tables
    assert filtered == []


def test_check_finds_a_missing_trigger_and_an_index_that_fell_behind(templates, tmp_path):
    url = templates.copy("sqlite", "seeded", tmp_path)
    _execute(url, "drop trigger statements_au")
    code, out = _check(url)
    assert code == 1 and "full-text search of statements: trigger statements_au missing" in out
    url = templates.copy("sqlite", "seeded", tmp_path)
    # a write that bypasses the triggers: the index no longer matches the table
    _execute(url, "insert into evidence_fts(evidence_fts, rowid, quote) select 'delete', id, quote from evidence "
                  "where id = 1")
    code, out = _check(url)
    assert code == 1 and "full-text search of evidence: evidence_fts does not match the table" in out
    assert "INSERT INTO evidence_fts(evidence_fts) VALUES ('rebuild')" in out


def test_check_finds_a_missing_server_index(server_url):
    _execute(server_url, "drop index ix_evidence_quote_fts" + ("" if _dialect(server_url) == "postgresql" else
                                                                 " on evidence"))
    assert api.check(server_url) == ["full-text search of evidence: the index ix_evidence_quote_fts is missing"]


# ----------------------------------------------------------------------------- the read-only query path


def _sql(url: str, query: str, *params: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", url, "sql", query, "--format", "csv", *params])
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


@pytest.mark.parametrize("form", ["path", "url with options"])
def test_sqlite_search_functions_read_and_fts_commands_are_refused(sqlite_seeded, snapshot, form):
    """Both SQLite read paths (sqlite3 alone for a plain path; SQLAlchemy for a URL with options)."""
    path = sqlite_seeded.removeprefix("sqlite:///")
    url = path if form == "path" else f"sqlite:///{path}?timeout=5"
    before = snapshot(sqlite_seeded)
    code, out = _sql(url, "select rowid, round(bm25(statements_fts), 3) < 0 as ranked, "
                          "highlight(statements_fts, 0, '[', ']') as shown from statements_fts "
                          "where statements_fts match :w order by rowid", "-p", "w", "marble")
    assert code == 0, out
    assert out.splitlines()[1:] == ["1,1,to request access to lucrative [marble] mines",
                                    "2,1,to enquire about investment opportunities in [marble] mines"]
    code, out = _sql(url, "select snippet(source_segments_fts, 0, '[', ']', '…', 4) as shown from source_segments_fts "
                          "where source_segments_fts match 'lithium'")
    assert (code, out) == (0, 'shown\n"…copper, iron, and [lithium]."\n')
    for command in ("insert into statements_fts(statements_fts) values ('rebuild')",
                    "insert into statements_fts(statements_fts) values ('delete-all')",
                    "insert into statements_fts(statements_fts, rank) values ('integrity-check', 1)",
                    "delete from statements_fts_data"):
        code, out = _sql(url, command)
        assert code == 1 and "refused: `accords sql` and reports only read" in out, (command, out)
    assert snapshot(sqlite_seeded) == before
    assert _query(sqlite_seeded, "select count(*) from statements_fts where statements_fts match 'marble'") == [(2,)]


def test_server_search_through_the_read_path(shared_seeded_url):
    dialect = _dialect(shared_seeded_url)
    code, out = _sql(shared_seeded_url, f"select id from statements where {fulltext.condition(dialect, 'statements')} "
                                        "order by id", "-p", "words", SEED_WORD)
    assert code == 0, out
    assert out == "id\n" + "".join(f"{i}\n" for i in sorted(_having(shared_seeded_url, "statements", SEED_WORD)))


# ----------------------------------------------------------------------------- docs


SERVER_EXAMPLE = re.compile(r"<!-- full-text: (\w+) -->\n```text\n(\$ accords [^\n]*)\n(.*?)```", re.S)


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_readme_server_examples_print_what_the_readme_shows(engine, templates, tmp_path):
    """The README's PostgreSQL and MariaDB examples (text blocks: test_docs.py runs the console ones on
    SQLite), run on a seeded database of that engine."""
    import shlex

    examples = [(command, shown) for name, command, shown in SERVER_EXAMPLE.findall(README.read_text("utf-8"))
                if name == engine]
    assert examples
    url = templates.copy(engine, "seeded", tmp_path)
    for command, shown in examples:
        result = CliRunner().invoke(cli, ["--db", url, *shlex.split(command)[2:]])  # after "$ accords"
        assert result.exit_code == 0, result.output
        if os.environ.get("ACCORDS_UPDATE_DOCS") == "1":  # refresh, as tests/test_docs.py does
            block = f"<!-- full-text: {engine} -->\n```text\n{command}\n"
            README.write_text(README.read_text("utf-8").replace(block + shown, block + result.stdout, 1), "utf-8")
            continue
        assert result.stdout == shown, f"README example is out of date:\n{command}\n{result.stdout}"


def test_the_dictionary_says_how_to_search_on_each_engine(shared_seeded_url):
    dialect = _dialect(shared_seeded_url)
    (description,) = _query(shared_seeded_url, "select description from data_dictionary where "
                                               "object_name = 'statements' and column_name = 'content'")
    assert fulltext.condition(dialect, "statements") in description[0]
    described = {r[0] for r in _query(shared_seeded_url, "select object_name from data_dictionary")}
    assert ("statements_fts" in described) == (dialect == "sqlite")


def test_sqlite_before_3_37_finds_the_same_virtual_and_shadow_tables(templates, tmp_path):
    """Older SQLite ignores PRAGMA table_list (no rows): the names from sqlite_master give the same set."""
    url = templates.copy("sqlite", "fresh", tmp_path)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("create virtual table actors_fts using fts4(name, content='actors')")
            current = fulltext.sqlite_internal_tables(conn)
            run = conn.exec_driver_sql

            def without_table_list(sql: str, *args):
                return run("select 1 where 0" if "table_list" in sql else sql, *args)

            conn.exec_driver_sql = without_table_list  # type: ignore[method-assign]
            older = fulltext.sqlite_internal_tables(conn)
    finally:
        engine.dispose()
    assert older == current
    assert {"statements_fts", "statements_fts_idx", "actors_fts", "actors_fts_segdir"} <= current
    assert not current & {"statements", "actors", "evidence", "source_segments"}


def test_sqlite_loads_a_table_with_triggers_a_batch_per_statement_and_the_same_rows(templates, tmp_path,
                                                                                   snapshot, generator):
    """A table with triggers is filled through a temporary table, one INSERT ... SELECT per batch (row by
    row, FTS5 flushes at every statement: see db/load/bulk.py); the rows are those the plain path writes."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    files = generator.generate(tmp_path / "corpus", actors=40, statements=300, agreements=20, projects=10, sources=2)
    plain, staged = (templates.copy("sqlite", "fresh", tmp_path) for _ in range(2))
    for table in fulltext.SEARCHED:  # the plain path: no triggers, the search tables left behind
        for suffix in fulltext.TRIGGERS:
            _execute(plain, f"drop trigger {table}_{suffix}")
    copies: list[str] = []

    def record(_conn, _cursor, statement, *_):
        if statement.startswith("INSERT INTO main.") and " SELECT " in statement:
            copies.append(statement.split()[2])

    api.ingest(plain, files)
    event.listen(Engine, "before_cursor_execute", record)
    try:
        api.ingest(staged, files)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert set(copies) == {'main.source_segments', 'main.evidence', 'main.statements'}
    assert snapshot(staged) == snapshot(plain)
    assert api.check(staged) == []
