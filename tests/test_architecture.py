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


#: runs the CLI in-process on argv, then prints whether SQLAlchemy was imported
_IMPORTS_SQLALCHEMY = ("import sys; from db.cli import cli; "
                       "sys.argv[0] = 'accords'\n"
                       "try: cli.main(sys.argv[1:], standalone_mode=False)\n"
                       "except Exception as exc: print(type(exc).__name__, file=sys.stderr)\n"
                       "print('sqlalchemy' in sys.modules)")


@pytest.mark.parametrize("args", [["sql", "select slug from actors"], ["sql", "select :k", "-p", "k", "v"],
                                  ["report", "run", "agreements"], ["report", "run", "actor", "-p", "actor", "x"],
                                  ["report", "run", "timeline", "-p", "from", "2023-01-01", "-f", "json"]])
def test_sql_and_reports_on_sqlite_import_no_sqlalchemy(sqlite_seeded, args):
    """On an SQLite file the read path is sqlite3 alone (db/sqlite_read.py): SQLAlchemy costs a third of a second."""
    out = subprocess.run([sys.executable, "-c", _IMPORTS_SQLALCHEMY, "--db", sqlite_seeded, *args],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.splitlines()[-1] == "False"


@pytest.mark.parametrize("url", ["postgresql+psycopg://u@127.0.0.1:9/x", "postgresql://u:secret@127.0.0.1:9/x"])
def test_sql_on_postgresql_imports_no_sqlalchemy(url):
    """A plain PostgreSQL URL (here one nothing listens on) takes psycopg alone (db/pg_read.py), failures too."""
    for args in (["sql", "select 1"], ["report", "run", "sources"], ["--read-url", url, "sql", "select 1"]):
        proc = subprocess.run([sys.executable, "-c", _IMPORTS_SQLALCHEMY, "--db", url, *args],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        assert proc.stdout.splitlines()[-1] == "False", args
        assert proc.stderr.strip() == "ClickException", args  # the one-line failure, not a traceback


@pytest.mark.parametrize("url", ["mysql+pymysql://u@127.0.0.1:9/x", "postgresql+psycopg://u@/x?host=a&host=b"])
def test_queries_on_other_servers_keep_the_sqlalchemy_path(url):
    """MariaDB, and a PostgreSQL URL db/pg_read.py does not read (several hosts), go through db.engine, as before."""
    out = subprocess.run([sys.executable, "-c", _IMPORTS_SQLALCHEMY, "--db", url, "sql", "select 1"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.splitlines()[-1] == "True"


def test_every_module_is_in_the_architecture_page():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = {line.split("`")[1] for line in page.splitlines() if line.startswith("| `")}
    expected = {str(p.relative_to(ROOT)) for p in MODULES
                if p.parent.name != "models" and p.name != "__main__.py" and p.name != "__init__.py"
                or p == ROOT / "db" / "load" / "__init__.py"}
    expected.add("db/models/")
    assert listed == expected
