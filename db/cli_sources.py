"""The `accords source` commands, and how the CLI prints what a load or a removal did.

Kept apart from ``db/cli.py`` (which registers the group) so that each CLI
module stays small; like the rest of the CLI, it parses, calls one library
function and prints.
"""

from __future__ import annotations

import click

from .cli_support import fail_cleanly, one_line


def db_url(ctx: click.Context) -> str | None:
    """The --db URL (or $ACCORDS_DATABASE_URL) given to the root command, if any."""
    return (ctx.find_root().obj or {}).get("database_url")


def print_loaded(results) -> None:
    """One line per loaded source (what it added, how many facts it corroborates), then each value it
    refines and each conflict it opens; or that it was unchanged."""
    for result in results:
        if result.changed:
            summary = ", ".join(f"{n} {t}" for t, n in result.counts.items())
            also = f"; corroborates {result.corroborated} facts of other sources" if result.corroborated else ""
            click.echo(f"loaded {result.source_slug}: {summary or 'no new rows'}{also}")
            for line in result.refined:
                click.echo(f"  refines {one_line(line)}")
            for line in result.conflicts:
                click.echo(f"  conflict {one_line(line)}")
        else:
            click.echo(f"{result.source_slug} is already loaded and unchanged")


@click.group()
def source() -> None:
    """Manage the sources in the database.

    \b
    Example:
        accords source remove test-contrary-report --yes
    """


@source.command("remove")
@click.argument("slug")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
@fail_cleanly
def source_remove(ctx: click.Context, slug: str, yes: bool) -> None:
    """Remove source SLUG: its claims, its evidence and every fact only it supported.

    Facts that other sources also support stay, and their record is worked
    out again from the claims left: afterwards every report is what it would
    be had the source never been loaded. One transaction: all or nothing.

    \b
    Example:
        accords source remove test-contrary-report --yes
    """
    from . import api

    if not yes and not click.confirm(f"Remove source {slug!r} and every fact only it supports?", err=True):
        click.echo("nothing removed", err=True)
        raise click.exceptions.Exit(1)
    removed = api.remove_source(db_url(ctx), slug)
    summary = ", ".join(f"{n} {t}" for t, n in removed.counts.items())
    click.echo(f"removed {removed.source_slug}: {summary}")
