"""Property tests: truncated, malformed and random files never crash the loader or half-write."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
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


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=json_values)
def test_a_rejected_file_writes_nothing(sqlite_seeded, snapshot, tmp_path, path, value):
    doc = copy.deepcopy(VALID_DOC)
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    shutil.copyfile(ARTICLE, tmp_path / ARTICLE.name)
    before = snapshot(sqlite_seeded)
    try:
        api.ingest(sqlite_seeded, [bad])
    except ValidationError:
        assert snapshot(sqlite_seeded) == before
