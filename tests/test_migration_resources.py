"""Revision 0007 (resources as rows) over a database that holds data, on every engine.

The seed's "copper, iron, lithium" project, restated by a second (invented, test) source that names
lithium and gold: the record is the four resources, each source has one claim per resource. Downgrading
to 0006 puts one joined value back into projects.resource (the first source's, as 0006 kept the record)
and one joined claim per source; upgrading again splits them into the same rows and claims.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from db import api
from db.cli import cli
from db.errors import AccordsError

PROJECT = "afghan-copper-iron-lithium-interest"
SECOND = """\
format: 1
source:
  slug: test-lithium-report
  title: "TEST DATA: an invented report on lithium and gold"
  kind: other
  text: "TEST DATA. China wants Afghan lithium and gold, an invented report says."
projects:
  - slug: afghan-copper-iron-lithium-interest
    title: China's interest in Afghan lithium and gold
    status: interest
    resources: [lithium, gold]
    evidence: ["China wants Afghan lithium and gold"]
"""
CLAIMS = ("select s.slug, c.evidence_id, c.value, c.support, c.disputed, c.in_record from claims as c "
          "join sources as s on s.id = c.source_id join projects as p on p.id = c.project_id "
          f"where c.field = 'resource' and p.slug = '{PROJECT}'")
ROWS = ("select r.resource, r.resource_key from project_resources as r join projects as p on p.id = r.project_id "
        f"where p.slug = '{PROJECT}'")


def _query(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(bool(v) if isinstance(v, bool) or k in ("disputed", "in_record") else v
                          for k, v in r._mapping.items()) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


@pytest.fixture
def two_sources(seeded_url: str, tmp_path: Path) -> str:
    path = tmp_path / "lithium.yaml"
    path.write_text(SECOND, encoding="utf-8")
    api.ingest(seeded_url, [path])
    return seeded_url


def test_the_record_is_every_resource_each_source_states(two_sources):
    assert sorted(_query(two_sources, ROWS)) == [("copper", "copper"), ("gold", "gold"), ("iron", "iron"),
                                                 ("lithium", "lithium")]
    claims = {(slug, value): (support, in_record) for slug, _, value, support, _, in_record
              in _query(two_sources, CLAIMS)}
    seed = "beijing-and-taliban-build-an-alliance"
    assert claims == {(seed, "copper"): (1, True), (seed, "iron"): (1, True), (seed, "lithium"): (2, True),
                      ("test-lithium-report", "lithium"): (2, False), ("test-lithium-report", "gold"): (1, True)}


def test_down_to_0006_and_up_again_gives_the_same_rows_and_claims(two_sources):
    url = two_sources
    claims, rows = Counter(_query(url, CLAIMS)), Counter(_query(url, ROWS))
    every_claim = Counter(_query(url, "select source_id, evidence_id, field, value, support, disputed, in_record, "
                                      "project_id from claims"))
    api.downgrade(url, "0006")  # nothing lost: each resource is stated by a claim
    assert _query(url, f"select resource from projects where slug = '{PROJECT}'") == [("copper, iron, lithium",)]
    joined = {slug: (value, support, in_record) for slug, _, value, support, _, in_record in _query(url, CLAIMS)}
    assert joined == {"beijing-and-taliban-build-an-alliance": ("copper, iron, lithium", 1, True),
                      "test-lithium-report": ("lithium, gold", 1, False)}
    assert _query(url, "select resource from projects where slug = 'afghan-oil-extraction'") == [("oil",)]
    api.upgrade(url)
    assert Counter(_query(url, CLAIMS)) == claims
    assert Counter(_query(url, ROWS)) == rows
    assert Counter(_query(url, "select source_id, evidence_id, field, value, support, disputed, in_record, "
                               "project_id from claims")) == every_claim
    assert api.check(url) == []


def test_an_upgrade_splits_old_values_as_the_loader_splits_a_string(seeded_url):
    """Values written at 0006 in other forms: 'and', spaces, a repeat in other letter case, an empty part."""
    url = seeded_url
    api.downgrade(url, "0006")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("update projects set resource = :v where slug = 'pamir-xinjiang-road'"),
                     {"v": " gravel,  sand and Stone, , stone"})
        conn.execute(text("update claims set value = 'copper, iron and lithium' where field = 'resource' "
                          "and value = 'copper, iron, lithium'"))
    engine.dispose()
    api.upgrade(url)
    from db.load.check import split_resources

    assert split_resources(" gravel,  sand and Stone, , stone") == ["gravel", "sand", "Stone"]
    road = _query(url, "select r.resource, r.resource_key from project_resources as r join projects as p "
                       "on p.id = r.project_id where p.slug = 'pamir-xinjiang-road' order by r.id")
    assert road == [("gravel", "gravel"), ("sand", "sand"), ("Stone", "stone")]
    assert [value for _, _, value, *_ in _query(url, CLAIMS + " order by c.id")] == ["copper", "iron", "lithium"]


def test_a_downgrade_that_would_lose_a_resource_refuses_unless_forced(seeded_url, snapshot):
    url = seeded_url
    engine = create_engine(url)
    with engine.begin() as conn:  # a resource no source's claim states
        project_id = conn.execute(text(f"select id from projects where slug = '{PROJECT}'")).scalar_one()
        conn.execute(text("insert into project_resources (project_id, resource, resource_key) "
                          "values (:p, 'Cobalt', 'cobalt')"), {"p": project_id})
    engine.dispose()
    message = ("downgrading below 0007 would lose 1 project resource that no source's claim states: "
               "pass --force to downgrade anyway")
    before = snapshot(url)
    result = CliRunner().invoke(cli, ["--db", url, "db", "downgrade", "0006"])
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")
    assert snapshot(url) == before
    with pytest.raises(AccordsError, match=f"^{message}$"):
        api.downgrade(url, "0006")
    assert api.downgrade(url, "0006", force=True).after == "0006"
    assert _query(url, f"select resource from projects where slug = '{PROJECT}'") == [("copper, iron, lithium",)]
