"""Docs that test themselves: README examples, the report table, help texts, the data dictionary.

Refresh the generated parts after a change with:

    ACCORDS_UPDATE_DOCS=1 python -m pytest tests/test_docs.py
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect

from db import api, dictionary, models
from db.cli import cli
from db.reports import all_reports

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DICTIONARY = ROOT / "docs" / "data-dictionary.md"
UPDATE = os.environ.get("ACCORDS_UPDATE_DOCS") == "1"
CONSOLE = re.compile(r"```console\n(.*?)```", re.S)
TABLE_MARK = "<!-- reports-table -->"


def _run_example(command: str) -> str:
    args = shlex.split(command)
    assert args[0] == "accords", command
    result = CliRunner().invoke(cli, args[1:])
    assert result.exit_code == 0, f"{command}\n{result.output}"
    return result.stdout


def _reports_table() -> str:
    rows = ["| report | what one row is | parameters |", "|---|---|---|"]
    for name, r in all_reports().items():
        params = ", ".join(f"`{p.name}`" + ("" if p.required else " (optional)") for p in r.parameters)
        rows.append(f"| `{name}`: {r.title} | {r.grain} | {params or 'none'} |")
    return "\n".join(rows)


@pytest.fixture
def in_seeded_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ACCORDS_DATABASE_URL", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    api.upgrade("sqlite:///accords.db")
    api.seed_database("sqlite:///accords.db")
    # the README's "Many sources" loads the test sources by their path in the repository
    shutil.copytree(ROOT / "tests" / "data" / "many-sources", tmp_path / "tests" / "data" / "many-sources")


def test_readme_examples_print_what_the_readme_shows(in_seeded_folder):
    text = README.read_text(encoding="utf-8")
    blocks = CONSOLE.findall(text)
    assert blocks, "the README has console examples"
    new_text = text
    for block in blocks:
        command = block.splitlines()[0]
        assert command.startswith("$ accords "), block
        shown = "\n".join(block.splitlines()[1:]) + ("\n" if len(block.splitlines()) > 1 else "")
        actual = _run_example(command[2:])
        if UPDATE:
            new_text = new_text.replace(f"```console\n{block}```", f"```console\n{command}\n{actual}```", 1)
        else:
            assert shown == actual, f"README example is out of date: {command}"
    table = _reports_table()
    before, _, after = new_text.partition(TABLE_MARK + "\n")
    current_table, sep, rest = after.partition("\n\n")
    if UPDATE:
        new_text = before + TABLE_MARK + "\n" + table + "\n\n" + rest
        README.write_text(new_text, encoding="utf-8")
    else:
        assert current_table == table, "README report table is out of date"


def test_every_report_has_a_description_and_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    for name, report in all_reports().items():
        assert report.description and report.grain and report.columns, name
        assert f"| `{name}`: " in text, f"report {name} is missing from the README"


def _commands(group: click.Group, prefix: str = "accords"):
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")


@pytest.mark.parametrize(("path", "command"), list(_commands(cli)), ids=lambda x: x if isinstance(x, str) else "")
def test_every_command_has_help_ending_in_an_example(path, command):
    assert command.help, path
    example = command.help.rstrip().split("Example:")
    assert len(example) == 2, f"{path}: help has no Example: block"
    lines = [line.strip() for line in example[1].strip().splitlines()]
    assert lines and all(line.startswith("accords") for line in lines), path


def test_help_works_everywhere():
    for path, _ in _commands(cli):
        args = path.split()[1:]
        for flag in ("-h", "--help"):
            result = CliRunner().invoke(cli, [*args, flag])
            assert result.exit_code == 0 and "Usage:" in result.output, path


def test_data_dictionary_is_current():
    rendered = dictionary.render()
    if UPDATE:
        DICTIONARY.write_text(rendered, encoding="utf-8")
    assert DICTIONARY.read_text(encoding="utf-8") == rendered, "run: python -m db.dictionary > docs/data-dictionary.md"


def test_every_table_column_and_value_is_described():
    for table in models.metadata.sorted_tables:
        assert table.comment, table.name
        for column in table.columns:
            assert column.comment, f"{table.name}.{column.name}"
        for column, values in dictionary.enum_columns(table).items():
            meanings = next((v for k, v in dictionary.MEANINGS.items() if set(k) == set(values)), None)
            assert meanings is not None, f"{table.name}.{column}: no meanings"
            assert set(meanings) == set(values), f"{table.name}.{column}"


def _schema_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("\n## Schema\n", 1)[1].split("\n## ", 1)[0]


def _names_exist(table: str, cited: list[str]) -> list[str]:
    """The names in ``cited`` that are not columns of the table (``signed_*``: some column with that prefix)."""
    columns = [c.name for c in models.metadata.tables[table].columns]
    return [name for name in cited
            if not (any(c.startswith(name[:-1]) for c in columns) if name.endswith("_*") else name in columns)]


def test_the_column_names_the_readme_cites_exist():
    """Every `name` in a row of the README's schema table is a column of that row's table, and every
    `table.column` anywhere in the README is a column (the README once called actors.parent_id `parent`)."""
    rows = re.findall(r"^\| `(\w+)` \| (.*) \|$", _schema_section(), re.M)
    assert len(rows) >= len(models.metadata.tables) - 1, "the schema table lists the tables"
    for table, described in rows:
        assert table in models.metadata.tables, f"README schema: no table {table!r}"
        missing = _names_exist(table, re.findall(r"`([\w*]+)`", described))
        assert not missing, f"README schema: {table} has no column {missing}"
    dotted = re.findall(r"`(\w+)\.(\w+)`", README.read_text(encoding="utf-8"))
    assert dotted, "the README names some columns as table.column"
    for table, column in dotted:
        if table in models.metadata.tables:
            assert not _names_exist(table, [column]), f"README: {table} has no column {column!r}"


def test_the_readme_check_finds_a_wrong_column_name():
    assert _names_exist("actors", ["parent", "slug", "signed_*"]) == ["parent", "signed_*"]
    assert _names_exist("agreements", ["signed_*", "status"]) == []


def test_comments_are_stored_in_the_database(server_url):
    """PostgreSQL and MariaDB store the comments (SQLite has none; the dictionary covers it)."""
    engine = create_engine(server_url)
    with engine.connect() as conn:
        insp = inspect(conn)
        for table in models.metadata.sorted_tables:
            assert insp.get_table_comment(table.name)["text"] == table.comment
            stored = {c["name"]: c.get("comment") for c in insp.get_columns(table.name)}
            for column in table.columns:
                assert stored[column.name] == column.comment, f"{table.name}.{column.name}"
    engine.dispose()
