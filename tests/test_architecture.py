"""The shape of the code: layers, sizes, and docs/architecture.md kept true (issue #13)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(p for p in (ROOT / "db").rglob("*.py"))
MAX_LINES, MAX_FUNCTION_LINES, MAX_COMPLEXITY = 500, 80, 20


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ROOT)) for p in MODULES])
def test_no_module_over_500_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ROOT)) for p in MODULES])
def test_no_function_over_80_lines_or_complexity_20(path):
    source = path.read_text(encoding="utf-8")
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    complex_ = [f"{block.name} (complexity {block.complexity})" for block in cc_visit(source)
                if block.complexity > MAX_COMPLEXITY]
    assert not long and not complex_, long + complex_


def test_queries_import_neither_alembic_nor_the_models_nor_the_loader():
    code = ("import sys, db.query, db.cli; "
            "print(sorted({m.split('.')[0] if not m.startswith('db.') else '.'.join(m.split('.')[:2]) "
            "for m in sys.modules if m.startswith(('alembic', 'db.models', 'db.load', 'yaml', 'jsonschema'))}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_module_is_in_the_architecture_page():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = {line.split("`")[1] for line in page.splitlines() if line.startswith("| `")}
    expected = {str(p.relative_to(ROOT)) for p in MODULES
                if p.parent.name != "models" and p.name != "__main__.py" and p.name != "__init__.py"
                or p == ROOT / "db" / "load" / "__init__.py"}
    expected.add("db/models/")
    assert listed == expected
