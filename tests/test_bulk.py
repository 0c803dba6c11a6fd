"""Bulk writes: PostgreSQL loads with COPY, and COPY gives exactly the rows INSERT gives; a large load into
small tables checks its foreign keys at the end."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import edited_small_source
from sqlalchemy import Engine, create_engine, event, text

from db import api, load
from db.errors import AccordsError
from db.load import bulk, deferred

MANY = sorted((Path(__file__).parent / "data" / "many-sources").glob("*.yaml"))
SMALL = Path(__file__).parent / "data" / "oil-contract.yaml"


@pytest.fixture
def two_postgres(templates, tmp_path) -> tuple[str, str]:
    return templates.copy("postgresql", "fresh", tmp_path), templates.copy("postgresql", "fresh", tmp_path)


def _load(url: str) -> None:
    api.seed_database(url)
    api.ingest(url, [str(p) for p in MANY])


def test_copy_loads_the_same_rows_as_insert(two_postgres, snapshot, monkeypatch):
    with_copy, with_insert = two_postgres
    copied: list[str] = []
    real_copy = bulk._copy

    def counting(conn, target, columns, rows, progress):
        copied.append(target.name)
        return real_copy(conn, target, columns, rows, progress)

    monkeypatch.setattr(bulk, "_copy", counting)
    _load(with_copy)
    assert {"actors", "statements", "evidence", "claims", "labels", "source_segments"} <= set(copied)
    monkeypatch.setattr(bulk, "copies", lambda conn: False)
    copied.clear()
    _load(with_insert)
    assert copied == []
    assert snapshot(with_copy) == snapshot(with_insert)


def test_copy_keeps_every_character(two_postgres, tmp_path):
    url = two_postgres[0]
    article = (Path(__file__).parent / "data" / "beijing-and-taliban-build-an-alliance.txt").read_text(encoding="utf-8")
    awkward = "Tab\there, back\\slash \\N, a \"quote\", \r\na line, \\. and é – ✓.\n"
    text_file = tmp_path / "awkward.txt"
    text_file.write_text(awkward + article, encoding="utf-8", newline="")
    source = (Path(__file__).parent / "data" / "oil-contract.yaml").read_text(encoding="utf-8")
    source = source.replace("slug: test-oil-contract", "slug: test-awkward", 1)
    source = source.replace("text_file: beijing-and-taliban-build-an-alliance.txt", "text_file: awkward.txt", 1)
    path = tmp_path / "awkward.yaml"
    path.write_text(source, encoding="utf-8")
    api.ingest(url, [str(path)])
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("select content from sources where slug = 'test-awkward'")).scalar_one()
            quotes = conn.execute(text(
                "select e.char_start, e.char_end, e.quote from evidence as e join sources as s on s.id = e.source_id "
                "where s.slug = 'test-awkward'")).all()
    finally:
        engine.dispose()
    assert stored == awkward + article
    assert quotes and all(stored[start:end] == quote for start, end, quote in quotes)


def test_reserved_ids_come_from_the_sequence(two_postgres):
    url = two_postgres[0]
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            first = bulk.reserve_ids(conn, "actors", 3)
            second = bulk.reserve_ids(conn, "actors", 2)
            assert bulk.reserve_ids(conn, "actors", 0) == []
    finally:
        engine.dispose()
    assert len(set(first + second)) == 5 and first == sorted(first) and max(first) < min(second)


# ----------------------------------------------------------------------------- foreign keys checked at the end


def _foreign_keys(url: str) -> set[tuple[str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text(
                "select conrelid::regclass::text, pg_get_constraintdef(oid) from pg_constraint "
                "where contype = 'f' and connamespace = current_schema()::regnamespace")).all())
    finally:
        engine.dispose()


@pytest.fixture
def deferrals(monkeypatch) -> list[bool]:
    """Whether each load since checked its foreign keys at the end (every load large enough for it)."""
    seen: list[bool] = []
    real = deferred.defer_foreign_keys

    def spy(conn, file_bytes):
        seen.append(real(conn, file_bytes))
        return seen[-1]

    monkeypatch.setattr(deferred, "defer_foreign_keys", spy)
    monkeypatch.setattr(deferred, "BULK_BYTES", 1)
    return seen


def test_a_load_into_small_tables_checks_its_foreign_keys_at_the_end(two_postgres, snapshot, deferrals,
                                                                      monkeypatch):
    """The same rows, ids and constraints as a load that checks each row's keys as it writes it."""
    at_end, row_by_row = two_postgres
    keys = _foreign_keys(at_end)
    _load(at_end)
    assert deferrals[0] is True  # the seed, into empty tables
    monkeypatch.setattr(deferred, "BULK_BYTES", 10**15)
    _load(row_by_row)
    assert snapshot(at_end) == snapshot(row_by_row)
    assert _foreign_keys(at_end) == keys and len(keys) > 80


def test_tables_larger_than_the_files_keep_their_keys_checked_row_by_row(two_postgres, deferrals):
    url = two_postgres[0]
    _load(url)
    api.ingest(url, [str(SMALL)])
    assert deferrals[-1] is False


def test_a_reference_to_nothing_fails_the_load_at_the_end(two_postgres, snapshot, deferrals):
    """A row pointing at no actor, written while the keys are dropped: the load fails when they are added
    back, and leaves the database (rows and keys) as it was."""
    url = two_postgres[0]

    class Dangling(load.Writer):
        def write(self, conn, plan, progress=None):
            result = super().write(conn, plan, progress)
            conn.execute(text("insert into evidence (source_id, char_start, char_end, quote, actor_id) "
                              "select id, 0, 1, 'x', :nobody from sources limit 1"), {"nobody": 10**9})
            return result

    before, keys = snapshot(url), _foreign_keys(url)
    with pytest.raises(AccordsError, match="violates foreign key constraint \"fk_evidence_actor_id_actors\""):
        api.ingest(url, [str(SMALL)], writer=Dangling())
    assert deferrals == [True]
    assert snapshot(url) == before and _foreign_keys(url) == keys


def test_a_load_never_waits_for_another_session(two_postgres, deferrals):
    """A reader holding a table: the load checks its keys row by row rather than wait for (or block) it."""
    url = two_postgres[0]
    engine = create_engine(url)
    try:
        with engine.connect() as reader:
            reader.execute(text("select count(*) from actors")).scalar_one()  # its transaction holds the table
            api.ingest(url, [str(SMALL)])
            assert reader.execute(text("select count(*) from sources")).scalar_one() == 1  # committed meanwhile
    finally:
        engine.dispose()
    assert deferrals == [False]


@pytest.fixture
def slug_queries(monkeypatch) -> list[str]:
    """The statements since that looked rows up by a list of slugs (``_ids_by_slug``'s ``slug = ANY``)."""
    seen: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        if ".slug = ANY" in statement:
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", watch)
    yield seen
    event.remove(Engine, "before_cursor_execute", watch)


def test_a_load_holding_its_tables_finds_slugs_in_memory(two_postgres, snapshot, deferrals, slug_queries,
                                                         monkeypatch):
    """While the keys are dropped nobody else writes the tables: the slugs of each file are not asked of the
    database (the ids found in memory are the ones a load asking for them finds)."""
    in_memory, asking = two_postgres
    files = [str(SMALL), *(str(p) for p in MANY)]  # the later files name the first one's actors
    api.ingest(in_memory, files)
    assert deferrals == [True] and slug_queries == []
    monkeypatch.setattr(deferred, "BULK_BYTES", 10**15)
    api.ingest(asking, files)
    assert deferrals[-1] is False and slug_queries  # the same files, asked of the database
    assert snapshot(in_memory) == snapshot(asking)


def test_a_corrected_source_in_a_load_holding_its_tables_asks_for_slugs_again(two_postgres, snapshot, deferrals,
                                                                              tmp_path, monkeypatch):
    """Replacing a source deletes the facts only it supported, whose slugs memory would still hold: a
    load that replaces one looks slugs up in the database from then on, and writes what any load writes."""
    first, second = two_postgres
    corrected = edited_small_source(tmp_path, "title: Beijing and Taliban", "title: Beijing and the Taliban")
    files = [str(SMALL), str(corrected), *(str(p) for p in MANY)]
    api.ingest(first, files)
    assert deferrals == [True]
    monkeypatch.setattr(deferred, "BULK_BYTES", 10**15)
    api.ingest(second, files)
    assert deferrals[-1] is False
    assert snapshot(first) == snapshot(second)


# ----------------------------------------------------------------------------- COPY in a thread


def test_a_copy_runs_while_the_caller_goes_on(two_postgres, monkeypatch):
    """insert_many returns once the COPY has begun; the connection's next statement waits for it to end."""
    url = two_postgres[0]
    release = threading.Event()
    real_send = bulk._send

    def held_back(*args):
        assert release.wait(30)
        real_send(*args)

    monkeypatch.setattr(bulk, "_send", held_back)
    rows = [(f"copied-{i}", f"Copied {i}", f"copied {i}", True, "state") for i in range(3)]
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            bulk.insert_many(conn, "actors", ["slug", "name", "name_key", "is_named", "kind"], rows)
            assert bulk.Copying._KEY in conn.info  # still copying: the caller was not kept waiting
            release.set()
            assert conn.execute(text("select count(*) from actors where slug like 'copied-%'")).scalar_one() == 3
            assert bulk.Copying._KEY not in conn.info
    finally:
        engine.dispose()


def test_a_copy_failing_in_its_thread_fails_the_load(two_postgres, snapshot):
    """The COPY's own error, raised at the connection's next statement, and nothing kept."""
    url = two_postgres[0]

    class Broken(load.Writer):
        def write(self, conn, plan, progress=None):
            result = super().write(conn, plan, progress)
            bulk.insert_many(conn, "source_segments", ["source_id", "seq", "kind", "char_start", "char_end", "text"],
                             [(1, 10**6, "body", 5, 2, "backwards")])
            return result

    before = snapshot(url)
    with pytest.raises(AccordsError, match='violates check constraint "ck_source_segments_span_valid"'):
        api.ingest(url, [str(SMALL)], writer=Broken())
    assert snapshot(url) == before
