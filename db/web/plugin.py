"""Datasette plugin hooks for accords' databases: the engine refuses writes; a snapshot says when it was taken.

(The metadata and canned queries themselves are written by ``db.web.metadata``
and given to Datasette by :func:`db.web.make_datasette`.)

Hooks, for the pages helper and the browser tests to rely on:

- ``prepare_connection``: every connection Datasette opens on an accords
  database, read or write, gets what ``accords sql`` gets (:mod:`db.guard`):
  ``PRAGMA query_only``, the authorizer that allows reading only, and the
  length and ATTACH limits. Datasette already opens the file ``mode=ro``
  for reading; this makes the engine refuse a write on the connection a
  writable canned query would use too, whatever metadata or plugin asks.
- ``extra_template_vars``: ``accords_snapshot``, the line that says which
  server a snapshot copies and when it was taken (None for a live file).
- ``prepare_jinja2_environment``: on a snapshot, ``base.html`` becomes
  Datasette's own with that line at the top of every page, in
  ``<p class="message-info" id="accords-snapshot">``.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl

from ..guard import SQLITE_MAX_LENGTH, SQLITE_MAX_PATTERN, SqliteAuthorizer
from . import snapshot_of

#: Datasette's own databases, which it writes itself (never accords' data)
DATASETTE_DATABASES = ("_internal", "_memory")

BANNER_TEMPLATE = """{% extends "default:base.html" %}
{% block messages %}{% if accords_snapshot %}<p class="message-info" id="accords-snapshot">{{ accords_snapshot }}</p>
{% endif %}{{ super() }}{% endblock %}"""


def guard(conn: sqlite3.Connection) -> None:
    """Make the engine refuse every write on this connection (see :mod:`db.guard`)."""
    conn.execute("PRAGMA query_only = ON")
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, SQLITE_MAX_LENGTH)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, SQLITE_MAX_PATTERN)
    conn.set_authorizer(SqliteAuthorizer())


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    if database not in DATASETTE_DATABASES:
        guard(conn)


@hookimpl
def extra_template_vars(datasette: Any) -> dict[str, Any]:
    snapshot = snapshot_of(datasette)
    return {"accords_snapshot": snapshot.words() if snapshot else None}


@hookimpl
def prepare_jinja2_environment(env: Any, datasette: Any) -> None:
    if snapshot_of(datasette) is None:
        return
    from jinja2 import ChoiceLoader, DictLoader

    first = env.loader.loaders[0] if isinstance(env.loader, ChoiceLoader) else None
    if isinstance(first, DictLoader) and first.mapping.get("base.html") == BANNER_TEMPLATE:
        return  # already in place (the hook runs at each startup)
    env.loader = ChoiceLoader([DictLoader({"base.html": BANNER_TEMPLATE}), env.loader])
