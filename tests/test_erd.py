"""The schema diagram (issue #16): the README's Mermaid erDiagram and db/web/schema.mmd are what
db.erd draws from the models now, and the diagram names every table and foreign key."""

from __future__ import annotations

import re

import pytest

from db import erd
from db.models import metadata


@pytest.fixture(scope="module")
def diagram() -> str:
    return erd.mermaid()


def test_readme_diagram_is_current(diagram):
    readme = erd.README.read_text(encoding="utf-8")
    assert erd.with_diagram(readme, diagram) == readme, "the README's diagram has drifted: python -m db.erd --update"


def test_web_schema_page_diagram_is_current(diagram):
    assert erd.SCHEMA_MERMAID.read_text(encoding="utf-8") == diagram, \
        "db/web/schema.mmd has drifted: python -m db.erd --update"


def test_diagram_has_every_table_and_foreign_key(diagram):
    assert diagram.startswith("erDiagram\n")
    tables = set(re.findall(r"^  (\w+) \{$", diagram, re.M))
    assert tables == set(metadata.tables)
    drawn = set(re.findall(r"^  (\w+) \S+ (\w+) : (\w+)$", diagram, re.M))
    expected = {(fk.column.table.name, table.name, fk.parent.name)
                for table in metadata.tables.values() for fk in table.foreign_keys}
    assert drawn == expected


def test_a_readme_without_markers_is_refused(diagram):
    with pytest.raises(ValueError, match="erd:start"):
        erd.with_diagram("# no diagram here\n", diagram)


def test_main_prints_the_diagram(capsys, diagram):
    assert erd.main([]) == 0
    assert capsys.readouterr().out == diagram
    assert erd.main(["--bogus"]) == 2
