"""Shell completion of commands, report names and parameter names."""

from __future__ import annotations

import pytest
from click.shell_completion import ShellComplete

from db.cli import cli


def complete(args: list[str], incomplete: str) -> list[str]:
    return [c.value for c in ShellComplete(cli, {}, "accords", "_ACCORDS_COMPLETE").get_completions(args, incomplete)]


def test_commands_complete():
    assert complete([], "re") == ["report"]
    assert complete(["db"], "up") == ["upgrade"]


def test_report_names_complete():
    assert complete(["report", "run"], "ti") == ["timeline"]
    assert complete(["report", "show"], "a") == ["actor", "agreements", "aliases"]


def test_parameter_names_complete():
    assert complete(["report", "run", "timeline", "-p"], "") == ["from", "to", "basis", "undated"]
    assert complete(["report", "run", "statements", "--param"], "s") == ["speaker", "subunits"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_are_generated(shell, monkeypatch):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [], prog_name="accords", env={"_ACCORDS_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0
    assert "_ACCORDS_COMPLETE" in result.output
