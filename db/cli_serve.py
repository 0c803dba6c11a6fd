"""The `accords serve` command: browse the database read-only in a web browser.

Kept apart from ``db/cli.py`` (which registers it) so that each CLI module
stays small; the work is in ``db.web.serve``, which imports Datasette and
uvicorn only when the command runs.
"""

from __future__ import annotations

import click

from .cli_support import MAX_TIMEOUT_S, fail_cleanly


def read_url(ctx: click.Context) -> str | None:
    """The URL to read: --read-url / $ACCORDS_READ_URL, else the database URL (a reader login suffices)."""
    obj = ctx.find_root().obj or {}
    return obj.get("read_url") or obj.get("database_url")


def _warn(message: str) -> None:
    click.echo(f"accords: {message}", err=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True, help="Port to listen on.")
@click.option("--refresh", "refresh", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="PostgreSQL and MariaDB: remake the local snapshot every SECONDS (default: only at start).")
@click.option("--timeout", type=click.FloatRange(min=0.001, max=MAX_TIMEOUT_S), default=30.0, show_default=True,
              metavar="SECONDS", help="Stop a query that runs longer than this.")
@click.pass_context
@fail_cleanly
def serve(ctx: click.Context, host: str, port: int, refresh: float | None, timeout: float) -> None:
    """Browse the database read-only in a web browser (Datasette).

    Tables and report views with their descriptions, every report as a
    query with its parameters, and accords' own pages: the source reader,
    charts and the schema. An SQLite file is served live; a PostgreSQL or
    MariaDB database as a local snapshot (made with export and ingest),
    whose time every page shows.

    \b
    Example:
        accords serve --port 8001
    """
    from .web.serve import serve as run

    run(read_url(ctx), host=host, port=port, refresh_s=refresh, timeout_s=timeout, echo=_warn)
