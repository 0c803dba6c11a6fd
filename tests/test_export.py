"""`accords export` reads each table a fixed number of times per source, however many rows it holds.

Statements are counted with SQLAlchemy's ``before_cursor_execute`` event, on
every engine, for the whole of ``api.export`` (connecting included).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import yaml
from conftest import new_database
from sqlalchemy import event
from sqlalchemy.engine import Engine

from db import api

SECOND = Path(__file__).parent / "data" / "second-source.yaml"
SEED_SOURCE = "beijing-and-taliban-build-an-alliance"
#: one synthetic source, and one with twice as many facts of every kind
SMALL = dict(actors=20, statements=40, agreements=40, projects=20, events=4, relations=4, sources=1)
DOUBLE = {name: n if name == "sources" else 2 * n for name, n in SMALL.items()}
SECTIONS = ("actors", "relations", "agreements", "projects", "events", "statements")


@contextmanager
def counted() -> Iterator[list[str]]:
    """The SQL statements sent to any engine while the block runs."""
    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def export(url: str, source: str | None = None) -> tuple[str, list[str]]:
    out = io.StringIO()
    with counted() as sent:
        api.export(url, out, source)
    return out.getvalue(), sent


def synthetic_url(generator: ModuleType, url: str, folder: Path, sizes: dict[str, int]) -> str:
    """The database at ``url`` upgraded, holding one synthetic source of these sizes."""
    api.upgrade(url)
    api.ingest(url, generator.generate(folder, **sizes))
    return url


def test_twice_the_facts_take_the_same_statements(generator, engine_name, scratch, tmp_path):
    small = synthetic_url(generator, new_database(engine_name, scratch, tmp_path), tmp_path / "small", SMALL)
    double = synthetic_url(generator, new_database(engine_name, scratch, tmp_path), tmp_path / "double", DOUBLE)

    small_text, small_sent = export(small, generator.source_slug(0))
    double_text, double_sent = export(double, generator.source_slug(0))

    small_doc, double_doc = yaml.safe_load(small_text), yaml.safe_load(double_text)
    for section in SECTIONS:
        assert len(double_doc[section]) == 2 * len(small_doc[section]) > 0, section
    assert len(double_sent) == len(small_sent)


def test_the_seed_takes_no_more_statements_than_any_source(generator, seeded_url, tmp_path):
    """The seeded article (103 facts with their parts) costs what a source of 20 facts costs, or less:
    tables the source has no rows in are not read at all."""
    _, seed_sent = export(seeded_url, SEED_SOURCE)
    synthetic_url(generator, seeded_url, tmp_path / "small", SMALL)
    _, small_sent = export(seeded_url, generator.source_slug(0))
    assert len(seed_sent) <= len(small_sent)
    # a source's own queries: the source, the slugs of five tables, its evidence and segments,
    # fourteen tables of facts and their parts, inferences; the rest opens the read-only connection
    assert len(small_sent) <= 23 + 10, small_sent


def test_every_further_source_adds_no_more_than_one_source_costs(seeded_url):
    api.ingest(seeded_url, [SECOND])
    _, one = export(seeded_url, SEED_SOURCE)
    _, both = export(seeded_url)
    text, _ = export(seeded_url)
    assert len(list(yaml.safe_load_all(text))) == 2
    assert len(both) < 2 * len(one)
