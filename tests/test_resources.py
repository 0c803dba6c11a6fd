"""A project's resources in source files: a list (resources), or the older resource (a list or one string).

One string is split as revision 0007 splits the old column: on commas and on the word 'and', each part
trimmed, a repeat (letter case ignored) dropped. Each resource must occur in the source text, fit its
column (120 characters), hold no comma, and a project may list at most MAX_RESOURCES.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from db.cli import cli
from db.load.check import split_resources
from db.load.limits import MAX_RESOURCES

TEXT = "TEST DATA. Acme wants copper, iron and lithium from Ruritania, an invented report says."


def _source(tmp_path: Path, **project) -> Path:
    doc = {
        "format": 1,
        "source": {"slug": "test-resources", "title": "TEST DATA: resources", "kind": "other", "text": TEXT},
        "projects": [{"slug": "acme-mines", "title": "Acme's mines", "status": "interest",
                      "evidence": ["Acme wants copper, iron and lithium from Ruritania"], **project}],
    }
    path = tmp_path / "resources.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _resources(url: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "select r.resource, r.resource_key, (select count(*) from claims as c where c.project_id = "
                "r.project_id and c.field = 'resource' and c.value = r.resource) from project_resources as r "
                "order by r.id"))]
    finally:
        engine.dispose()


@pytest.mark.parametrize("split", [
    ("copper, iron and lithium", ["copper", "iron", "lithium"]),
    ("copper, iron, and lithium", ["copper", "iron", "lithium"]),
    ("  Copper ,copper, , iron", ["Copper", "iron"]),
    ("oil", ["oil"]),
    ("", []),
    (None, []),
    (["natural gas", "oil and gas"], ["natural gas", "oil and gas"]),  # a list is taken as it is
])
def test_split_resources(split):
    value, expected = split
    assert split_resources(value) == expected


@pytest.mark.parametrize("given", [
    {"resources": ["copper", "iron", "lithium"]},
    {"resource": ["copper", "iron", "lithium"]},
    {"resource": "copper, iron and lithium"},
])
def test_a_list_or_a_single_string_loads_as_rows_and_one_claim_each(fresh_url, tmp_path, given):
    result = CliRunner().invoke(cli, ["--db", fresh_url, "ingest", str(_source(tmp_path, **given))])
    assert result.exit_code == 0, result.output
    assert _resources(fresh_url) == [("copper", "copper", 1), ("iron", "iron", 1), ("lithium", "lithium", 1)]
    exported = CliRunner().invoke(cli, ["--db", fresh_url, "export"])
    documents = list(yaml.safe_load_all(exported.stdout))
    assert documents[0]["projects"][0]["resources"] == ["copper", "iron", "lithium"]


@pytest.mark.parametrize(("given", "message"), [
    ({"resources": "copper"}, "projects[0].resources: must be array, not text"),
    ({"resources": [1]}, "projects[0].resources[0]: must be string, not an integer"),
    ({"resources": ["copper"], "resource": "iron"}, "projects[0]: give resources or resource, not both"),
    ({"resources": ["copper", "Copper"]},
     "projects[0].resources: lists a resource more than once (letter case ignored)"),
    ({"resources": ["gold"]}, "projects[0].resources: resource words 'gold' do not occur in the source text"),
    ({"resource": "copper, gold"}, "projects[0].resource: resource words 'gold' do not occur in the source text"),
    ({"resources": ["copper, iron"]},
     "projects[0].resources: resource 'copper, iron' holds a comma: give each resource alone"),
])
def test_a_bad_resource_is_one_line_and_changes_nothing(fresh_url, snapshot, tmp_path, given, message):
    path = _source(tmp_path, **given)
    before = snapshot(fresh_url)
    result = CliRunner().invoke(cli, ["--db", fresh_url, "ingest", str(path)])
    assert (result.exit_code, result.stderr) == (1, f"Error: {path}: {message}\n")
    assert snapshot(fresh_url) == before


def test_limits_on_the_number_and_length_of_resources(fresh_url, tmp_path):
    long = "x" * 121
    path = _source(tmp_path, resources=[long])
    result = CliRunner().invoke(cli, ["--db", fresh_url, "ingest", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: projects[0].resources[0]: ") and "is too long" in result.stderr
    many = ", ".join(["copper"] + [f"c{i}" for i in range(MAX_RESOURCES)])
    path = _source(tmp_path, resource=many)
    result = CliRunner().invoke(cli, ["--db", fresh_url, "ingest", str(path)])
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {path}: projects[0].resource: {MAX_RESOURCES + 1} resources, more than the limit of "
           f"{MAX_RESOURCES}\n")
    path = _source(tmp_path, resources=["copper"] * (MAX_RESOURCES + 1))
    result = CliRunner().invoke(cli, ["--db", fresh_url, "ingest", str(path)])
    assert result.exit_code == 1 and "projects[0].resources" in result.stderr


def test_the_projects_report_lists_the_resources_and_finds_a_project_by_one(fresh_url, tmp_path):
    assert CliRunner().invoke(cli, ["--db", fresh_url, "ingest", str(_source(
        tmp_path, resources=["lithium", "iron", "copper"]))]).exit_code == 0
    result = CliRunner().invoke(cli, ["--db", fresh_url, "report", "run", "projects", "-p", "resource", "IRON",
                                      "-f", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and ',"copper, iron, lithium",' in lines[1]
    none = CliRunner().invoke(cli, ["--db", fresh_url, "report", "run", "projects", "-p", "resource", "gold",
                                    "-f", "csv"])
    assert none.stdout.splitlines()[1:] == []
