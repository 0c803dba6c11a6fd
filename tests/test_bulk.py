"""Bulk writes: PostgreSQL loads with COPY, and COPY gives exactly the rows INSERT gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from db import api
from db.load import bulk

MANY = sorted((Path(__file__).parent / "data" / "many-sources").glob("*.yaml"))


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
