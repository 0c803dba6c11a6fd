"""The ``accords`` command: a thin layer over ``db.api``.

Only click is imported at start-up; the database libraries load when a
command needs them, so ``accords --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .cli_serve import serve
from .cli_sources import db_url as _db_url
from .cli_sources import print_loaded, source
from .cli_support import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    ClosedOutput,
    a_file,
    argv_problem,
    complete_param,
    complete_report,
    emit,
    fail_cleanly,
    output_file,
    output_options,
    output_shape,
    param_option,
    quiet_stdout,
    unexpected,
)


def _read_url(ctx: click.Context) -> str | None:
    """The URL for queries: --read-url / $ACCORDS_READ_URL, else the database URL."""
    obj = ctx.find_root().obj or {}
    return obj.get("read_url") or obj.get("database_url")


def _database_files(ctx: click.Context) -> list[Path]:
    """The SQLite files of the database URLs in use (and their journals): never an -o target."""
    from .pg_read import server_target
    from .sqlite_read import sqlite_file

    files: list[Path] = []
    for url in {_read_url(ctx), _db_url(ctx)}:
        path = sqlite_file(url)  # a plain file, or a server (below), known without SQLAlchemy
        if path is None and server_target(url) is not None:
            continue
        if path is None:
            from .engine import resolve_url, sqlite_path

            path = sqlite_path(resolve_url(url))
        if path is not None:
            files += [path] + [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
    return files


def _creates(ctx: click.Context) -> bool:
    """Whether a query may create the default SQLite database (never through a reader login)."""
    return not (ctx.find_root().obj or {}).get("read_url")


def _warn(message: str) -> None:
    click.echo(f"accords: {message}", err=True)


# --- root ----------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="accords")
@click.option("--db", "database_url", metavar="URL", envvar="ACCORDS_DATABASE_URL", show_envvar=True,
              help="Database URL or SQLite file (default: accords.db in the current folder).")
@click.option("--read-url", "read_url", metavar="URL", envvar="ACCORDS_READ_URL", show_envvar=True,
              help="URL that `sql` and `report run` use instead (a reader login: see `db create-reader`).")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, read_url: str | None) -> None:
    """accords: who does what in geopolitics, with the evidence behind every fact.

    \b
    Example:
        accords report run agreements
    """
    ctx.ensure_object(dict)
    ctx.obj["database_url"] = database_url
    ctx.obj["read_url"] = read_url


# --- db ------------------------------------------------------------------------


@cli.group("db")
def db_group() -> None:
    """Create, upgrade, inspect and seed the database.

    \b
    Example:
        accords db upgrade && accords db seed
    """


@db_group.command()
@click.argument("revision", default="head")
@click.option("--sql", is_flag=True, help="Print the DDL for the target engine instead of running it.")
@click.pass_context
@fail_cleanly
def upgrade(ctx: click.Context, revision: str, sql: bool) -> None:
    """Upgrade the schema to REVISION (default: the newest) and rebuild the report views.

    On SQLite the file is backed up beside itself first and restored if the
    upgrade fails. With --sql the DDL is printed instead (from the empty
    schema, or for a range FROM:TO such as 0001:head); the report views are
    then built by the next `accords db upgrade` or `accords db seed`.

    \b
    Example:
        accords --db postgresql+psycopg://me@localhost/accords db upgrade
    """
    from . import api

    result = api.upgrade(_db_url(ctx), revision, sql=sql, stdout=sys.stdout if sql else None)
    if sql:
        return
    if result.backup:
        click.echo(f"backed up the database to {result.backup}", err=True)
    if result.before == result.after:
        click.echo(f"database already at revision {result.after or 'base'}; nothing to apply", err=True)
    else:
        click.echo(f"upgraded the database from {result.before or 'base'} to {result.after}", err=True)
    if result.views:
        click.echo(f"rebuilt {len(result.views)} report views (report_*)", err=True)


@db_group.command()
@click.argument("revision", default="-1")
@click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
@click.option("--force", is_flag=True, help="Downgrade even where that loses information (claims, grades, periods).")
@click.pass_context
@fail_cleanly
def downgrade(ctx: click.Context, revision: str, sql: bool, force: bool) -> None:
    """Downgrade the schema to REVISION (default: one step back; 'base' removes every table).

    On SQLite the file is backed up beside itself first. With --sql, give a
    range FROM:TO (for example 0002:base) and the SQL is printed instead.
    A downgrade that would lose information refuses, changing nothing, and
    says what it would lose; --force downgrades anyway.

    \b
    Example:
        accords db downgrade base
    """
    from . import api

    result = api.downgrade(_db_url(ctx), revision, sql=sql, stdout=sys.stdout if sql else None, force=force)
    if result.backup:
        click.echo(f"backed up the database to {result.backup}", err=True)
    if not sql:
        click.echo(f"database is at revision {result.after or 'base'}", err=True)


@db_group.command()
@click.pass_context
@fail_cleanly
def current(ctx: click.Context) -> None:
    """Print the database's schema revision and whether it is the newest.

    \b
    Example:
        accords db current
    """
    from . import api

    found = api.status(_db_url(ctx))
    if found.revision == found.head:
        click.echo(f"{found.revision} (newest)")
        return
    click.echo(found.heading())
    for line in found.pending:
        click.echo(f"  {line}")


@db_group.command()
@fail_cleanly
def history() -> None:
    """List every schema revision accords ships, newest first.

    \b
    Example:
        accords db history
    """
    from . import api

    api.history(sys.stdout)


@db_group.command()
@click.pass_context
@fail_cleanly
def check(ctx: click.Context) -> None:
    """Check that the database, the migrations and the models agree (exit 1 if not).

    \b
    Example:
        accords db check
    """
    from . import api

    problems = api.check(_db_url(ctx))
    for line in problems:
        click.echo(f"- {line}")
    if problems:
        raise click.ClickException(f"{len(problems)} difference(s) found")
    click.echo("database, migrations and models agree; report views are current")


@db_group.command("create-reader")
@click.option("--name", default="accords_reader", show_default=True, help="Name of the login to create or reset.")
@click.option("--timeout", type=click.FloatRange(min=1), default=30.0, show_default=True, metavar="SECONDS",
              help="The login's statement time limit.")
@click.pass_context
@fail_cleanly
def create_reader(ctx: click.Context, name: str, timeout: float) -> None:
    """Create a login that can only read accords' tables, and print its URL (PostgreSQL, MariaDB).

    Run it as an administrator or the owner of the tables. The login gets
    SELECT and nothing else: no writes, no server files or programs, no
    server settings, a statement time limit. Running it again resets its
    privileges and password. Give the URL to `sql` and `report run` with
    --read-url or ACCORDS_READ_URL.

    \b
    Example:
        accords --db postgresql+psycopg://postgres@localhost/accords db create-reader
    """
    from . import api

    reader = api.create_reader(_db_url(ctx), name, timeout)
    click.echo(reader.url)
    click.echo(f"accords: login {reader.name} can only read; use the URL above with --read-url or "
               "ACCORDS_READ_URL", err=True)


@db_group.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.pass_context
@fail_cleanly
def seed(ctx: click.Context, files: tuple[str, ...]) -> None:
    """Load the shipped seed article, or the given source FILES, all or nothing.

    Every quote is checked against the source text first; on any problem
    nothing is written. Loading the same file twice changes nothing.

    \b
    Example:
        accords db seed
    """
    from . import api

    results = api.seed_sources(_db_url(ctx), files)
    print_loaded(results)


# --- reports -------------------------------------------------------------------


@cli.group()
def report() -> None:
    """List, document and run the saved SQL reports.

    \b
    Example:
        accords report run timeline --format csv
    """


@report.command("list")
@fail_cleanly
def report_list() -> None:
    """List the saved reports with their titles and parameters.

    \b
    Example:
        accords report list
    """
    from tabulate import tabulate

    from .reports import all_reports

    rows = []
    for r in all_reports().values():
        params = ", ".join(f"{p.name}{'' if p.required else '?'}" for p in r.parameters)
        rows.append([r.name, r.title, params])
    click.echo(tabulate(rows, headers=["report", "title", "parameters (? = optional)"], tablefmt="simple"))


@report.command("show")
@click.argument("name", shell_complete=complete_report)
@fail_cleanly
def report_show(name: str) -> None:
    """Show a report's documentation, then its SQL.

    \b
    Example:
        accords report show agreements
    """
    from .reports import get_report

    r = get_report(name)
    click.echo(f"{r.title}  ({r.name})\n")
    click.echo(f"One row: {r.grain}")
    click.echo(f"Key: {', '.join(r.key)}\n")
    click.echo(r.description + "\n")
    if r.parameters:
        click.echo("Parameters:")
        for p in r.parameters:
            flag = "required" if p.required else f"optional, default {p.default!r}" if p.default is not None else "optional"
            flag += f"; not before {p.not_before}" if p.not_before else ""
            click.echo(f"  {p.name} ({p.accepts()}; {flag}): {p.description}")
        click.echo()
    click.echo("Columns:")
    for c in r.columns:
        click.echo(f"  {c.name} ({c.type}): {c.description}")
    if r.view_name:
        click.echo(f"\nAlso in the database as the view {r.view_name}.")
    click.echo("\nSQL:\n" + r.sql)


@report.command("run")
@click.argument("name", shell_complete=complete_report)
@click.option("-p", "--param", "params", type=(str, str), multiple=True, metavar="NAME VALUE",
              shell_complete=complete_param,
              help="A parameter value, bound (never pasted into the SQL). Repeatable.")
@output_options
@click.pass_context
@fail_cleanly
def report_run(ctx: click.Context, name: str, params: tuple[tuple[str, str], ...], fmt: str | None,
               output: str | None, no_headers: bool, limit: int | None, timeout: float) -> None:
    """Run a saved report, read-only, and print its rows.

    \b
    Example:
        accords report run actor -p actor Beijing --format markdown
    """
    from .query import run_report

    shape = output_shape(fmt, output, no_headers, limit)
    emit(shape.fmt, output, lambda out, styled: run_report(
        _read_url(ctx), name, params, shape.fmt, out, timeout, styled, warn=_warn, create=_creates(ctx),
        headers=shape.headers, limit=shape.limit), _database_files(ctx))


@cli.command()
@click.argument("query")
@param_option
@output_options
@click.pass_context
@fail_cleanly
def sql(ctx: click.Context, query: str, params: tuple[tuple[str, str], ...], fmt: str | None,
        output: str | None, no_headers: bool, limit: int | None, timeout: float) -> None:
    """Run one read-only SQL statement and print its rows.

    The database itself refuses any write and a second statement: SQLite is
    opened read-only, servers run it in a read-only transaction (use a
    reader login from `accords db create-reader` for least privilege).

    \b
    Example:
        accords sql "select slug, name from actors where kind = :kind" -p kind state
    """
    from .query import run_sql

    shape = output_shape(fmt, output, no_headers, limit)
    emit(shape.fmt, output, lambda out, styled: run_sql(
        _read_url(ctx), query, params, shape.fmt, out, timeout, styled, warn=_warn, create=_creates(ctx),
        headers=shape.headers, limit=shape.limit), _database_files(ctx))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--fail-on-conflict", is_flag=True,
              help="Load nothing, and exit 1, if a file's claims conflict with another source's (for pipelines).")
@click.pass_context
@fail_cleanly
def ingest(ctx: click.Context, files: tuple[str, ...], quiet: bool, fail_on_conflict: bool) -> None:
    """Check source FILES (YAML or JSON) and load them, all or nothing.

    Every file is checked before anything is committed, and each problem is
    one line (the file's format first; its quotes and references once the
    format is right). All files load in one transaction: any problem rolls it
    all back, leaving the database as it was. Actors named by a known
    slug or alias are the existing actors. Loading a file again changes
    nothing; a corrected file replaces that source's claims.

    Each source's line says what it added and corroborates, then each value
    it refines and each conflict it opens ("Many sources" in the README).

    \b
    Example:
        accords ingest new-source.yaml
    """
    from . import api

    show = not quiet and sys.stderr.isatty()
    bar = click.progressbar(length=1, label="loading", file=sys.stderr, show_percent=True) if show else None

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.length = total
            bar.update(done - bar.pos)

    try:
        results = api.ingest(_db_url(ctx), files, progress, fail_on_conflict=fail_on_conflict)
    finally:
        if bar is not None:
            bar.render_finish()
    if quiet:
        return
    print_loaded(results)


@cli.command()
@click.option("--source", metavar="SLUG", help="Only this source.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), callback=a_file,
              help="Write to this file.")
@click.pass_context
@fail_cleanly
def export(ctx: click.Context, source: str | None, output: str | None) -> None:
    """Write the database back as source files (one YAML document per source).

    The output is what `accords ingest` reads: ingesting it into an empty
    database gives the same rows.

    \b
    Example:
        accords export --source beijing-and-taliban-build-an-alliance -o article.yaml
    """
    from . import api

    if output:
        with output_file(output, _database_files(ctx)) as out:
            api.export(_db_url(ctx), out, source)
    else:
        api.export(_db_url(ctx), sys.stdout, source)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the source file format (YAML or JSON).

    \b
    Example:
        accords schema > accords-source.schema.json
    """
    from . import api

    click.echo(api.schema_json())


cli.add_command(source)
cli.add_command(serve)


def main() -> None:
    """The console entry point: one line and an exit code for interrupts, closed pipes and bad bytes."""
    problem = argv_problem(sys.argv[1:])
    if problem:
        click.echo(f"Usage: accords [OPTIONS] COMMAND [ARGS]...\nTry 'accords -h' for help.\n\nError: {problem}",
                   err=True)
        sys.exit(EXIT_USAGE)
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        sys.stdout = ClosedOutput()
    try:
        cli(prog_name="accords", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        quiet_stdout()
        sys.exit(0)
    except OSError as exc:  # writing help or a schema to a full disk, a closed output...
        click.echo(f"Error: cannot write the output: {exc.strerror or exc}", err=True)
        quiet_stdout()
        sys.exit(EXIT_FAILURE)
    except Exception as exc:  # a bug or a driver's surprise: one line, secrets masked
        if os.environ.get("ACCORDS_TRACEBACK") == "1":
            raise
        click.echo(unexpected(exc, sys.argv[1:], dict(os.environ)), err=True)
        sys.exit(EXIT_FAILURE)
