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
- ``asgi_wrapper``: a request other than GET, HEAD or OPTIONS to a path of
  an accords database (``/accords/...``) is answered 405, before Datasette
  sees it: no form there posts anything (Datasette 0.65 answers a POST to
  a read-only canned query with a 500).
- ``prepare_jinja2_environment``: on a snapshot, the Jinja global
  ``accords_snapshot()`` gives the line that says which server it copies
  and when it was taken (as it is now: a refresh changes it), and
  ``base.html`` becomes Datasette's own with that line at the top of every
  page, error pages included, in ``<p class="message-info" id="accords-snapshot">``.
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
{% block messages %}{% set snapshot_line = accords_snapshot() %}{% if snapshot_line %}<p class="message-info" \
id="accords-snapshot">{{ snapshot_line }}</p>
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


#: the methods that read
READING_METHODS = ("GET", "HEAD", "OPTIONS")


def _database_path(datasette: Any, path: str) -> bool:
    """Whether ``path`` is under one of the accords databases' routes."""
    first = path.lstrip("/").split("/", 1)[0].split(".", 1)[0]
    return any(db.route == first for name, db in datasette.databases.items() if name not in DATASETTE_DATABASES)


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def read_only_app(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] not in READING_METHODS \
                    and _database_path(datasette, scope["path"]):
                await send({"type": "http.response.start", "status": 405,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"allow", b"GET, HEAD, OPTIONS")]})
                await send({"type": "http.response.body", "body": b"405: accords serves its databases read-only\n"})
                return
            await app(scope, receive, send)

        return read_only_app

    return wrap


@hookimpl
def prepare_jinja2_environment(env: Any, datasette: Any) -> None:
    if snapshot_of(datasette) is None:
        return
    from jinja2 import ChoiceLoader, DictLoader

    def line() -> str | None:
        snapshot = snapshot_of(datasette)
        return snapshot.words() if snapshot else None

    env.globals["accords_snapshot"] = line  # a global, not a context variable: error pages show it too
    first = env.loader.loaders[0] if isinstance(env.loader, ChoiceLoader) else None
    if isinstance(first, DictLoader) and first.mapping.get("base.html") == BANNER_TEMPLATE:
        return  # already in place (the hook runs at each startup)
    env.loader = ChoiceLoader([DictLoader({"base.html": BANNER_TEMPLATE}), env.loader])
