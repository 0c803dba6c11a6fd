"""Property tests: truncated, malformed and random files never crash the loader or half-write."""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from conftest import take_snapshot
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from db import api, load
from db.errors import ValidationError

SMALL = Path(__file__).parent / "data" / "oil-contract.yaml"
ARTICLE = SMALL.with_name("beijing-and-taliban-build-an-alliance.txt")
VALID_TEXT = SMALL.read_text(encoding="utf-8")
VALID_DOC = yaml.safe_load(VALID_TEXT)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def _plan(tmp_path: Path, content: bytes) -> None:
    """Plan a file: it must either pass or raise ValidationError with one-line problems."""
    path = tmp_path / "input.yaml"
    path.write_bytes(content)
    shutil.copyfile(ARTICLE, tmp_path / ARTICLE.name)
    try:
        load.plan_documents(path)
    except ValidationError as exc:
        assert exc.problems
        assert all(p.startswith(str(path)) and "\n" not in p for p in exc.problems)


@SETTINGS
@given(cut=st.integers(min_value=0, max_value=len(VALID_TEXT.encode())))
def test_truncated_files(tmp_path, cut):
    _plan(tmp_path, VALID_TEXT.encode()[:cut])


@SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes(tmp_path, data):
    _plan(tmp_path, data)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


PATHS = [p for p in _paths(VALID_DOC) if p]


@SETTINGS
@given(path=st.sampled_from(PATHS), value=json_values)
def test_one_value_replaced_by_anything(tmp_path, path, value):
    doc = copy.deepcopy(VALID_DOC)
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    _plan(tmp_path, yaml.safe_dump(doc, allow_unicode=True).encode())


def _load_one_changed_value(folder: Path, path: tuple, value) -> Path:
    """tests/data/oil-contract.yaml with the value at ``path`` replaced, and its text file beside it."""
    doc = copy.deepcopy(VALID_DOC)
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    changed = folder / "changed.yaml"
    changed.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    shutil.copyfile(ARTICLE, folder / ARTICLE.name)
    return changed


@pytest.fixture(scope="module")
def seeded(templates, tmp_path_factory) -> dict[str, list[tuple]]:
    """Every row of the seeded database each example starts from (a copy of the template's)."""
    return take_snapshot(templates.copy("sqlite", "seeded", tmp_path_factory.mktemp("seeded")))


def _slugs(snapshot: dict[str, list[tuple]]) -> set[str]:
    return {row[1] for row in snapshot["sources"]}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=json_values | st.from_regex(r"[a-z][a-z0-9-]{2,20}", fullmatch=True))
@example(path=("source", "title"), value="TEST DATA: another title")  # loads
@example(path=("source", "slug"), value="test-another-slug")  # loads under another slug
@example(path=("actors", 1, "slug"), value="test-new-actor")  # loads, with a new actor
@example(path=("agreements", 0, "kind"), value="handshake")  # refused
def test_a_file_is_loaded_whole_or_refused_with_nothing_written(templates, seeded, snapshot, tmp_path, path, value):
    """Each example starts from its own copy of the seeded database, in a known state. A refused file
    changes nothing and says why in one line per problem; a loaded file adds its source (the rows
    already there stay), leaves a database `accords db check` accepts, and loading it again changes
    nothing."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    url = templates.copy("sqlite", "seeded", folder)
    assert snapshot(url) == seeded  # the known state every example starts from
    changed = _load_one_changed_value(folder, path, value)
    try:
        results = api.ingest(url, [changed])
    except ValidationError as exc:
        assert exc.problems
        assert all(p.startswith(f"{changed}: ") and "\n" not in p for p in exc.problems), exc.problems
        assert snapshot(url) == seeded
        event("refused")
        return
    event("loaded")
    assert [r.source_slug for r in results] == [results[0].source_slug] and results[0].changed
    after = snapshot(url)
    assert _slugs(after) == _slugs(seeded) | {results[0].source_slug}
    assert results[0].source_slug not in _slugs(seeded)
    for table in ("sources", "source_segments", "evidence", "actors", "agreements", "statements"):
        assert set(seeded[table]) <= set(after[table]), f"loading another source changed {table}"
    assert api.check(url) == []
    again = api.ingest(url, [changed])
    assert [(r.source_slug, r.changed) for r in again] == [(results[0].source_slug, False)]
    assert snapshot(url) == after

