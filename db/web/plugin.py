"""Datasette plugin hooks for accords' databases: the engine refuses writes; a snapshot says when it was taken.

(The metadata and canned queries themselves are written by ``db.web.metadata``
and given to Datasette by :func:`db.web.make_datasette`.)

Hooks, for the pages helper and the browser tests to rely on:

- ``prepare_connection``: every connection Datasette opens on an accords
  database, read or write, gets what ``accords sql`` gets (:mod:`db.guard`):
  ``PRAGMA query_only``, the authorizer that allows reading only, the
  length and ATTACH limits and the heap limit. Datasette already opens the file ``mode=ro``
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

import json
import re
import sqlite3
import sys
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl

from datasette import hookimpl

from ..cli_support import one_line
from ..errors import UsageError
from ..failures import TIME_LIMIT
from ..guard import SqliteGuard
from ..reports import Report, all_reports, bind_parameters
from . import is_local, local_listen_host, snapshot_of
from .metadata import QUERY_PREFIX

#: Datasette's own databases, which it writes itself (never accords' data)
DATASETTE_DATABASES = ("_internal", "_memory")

BANNER_TEMPLATE = """{% extends "default:base.html" %}
{% block messages %}{% set snapshot_line = accords_snapshot() %}{% if snapshot_line %}<p class="message-info" \
id="accords-snapshot">{{ snapshot_line }}</p>
{% endif %}{{ super() }}{% endblock %}"""


def guard(conn: sqlite3.Connection, time_limit_s: float | None = None) -> None:
    """Make the engine refuse every write on this connection, with every limit of the read path
    (:class:`db.guard.SqliteGuard`, as ``accords sql`` has it; never undone on a served connection);
    one REGEXP runs at most ``time_limit_s``."""
    SqliteGuard(conn, time_limit_s)


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    if database not in DATASETTE_DATABASES:
        guard(conn, datasette.setting("sql_time_limit_ms") / 1000)


#: the title of the error Datasette's table and query pages raise past the time limit (a 400 whose HTML
#: names Datasette's setting, sql_time_limit_ms, and links to its documentation): answered as a
#: QueryInterrupted is, a 503 in accords' words
DATASETTE_INTERRUPTED = "SQL Interrupted"

#: the methods that read
READING_METHODS = ("GET", "HEAD", "OPTIONS")

#: Datasette 0.65's route of a table, view or canned query (``/DATABASE/NAME`` with an optional
#: ``.FORMAT``), matched on the raw path; both names are tilde-encoded (``~2D`` is ``-``)
TABLE_ROUTE = re.compile(r"^/(?P<database>[^/.]+)/(?P<table>[^/.]+)(\.(?P<format>\w+))?$")


def _plain(status: int, words: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> tuple[dict, dict]:
    return ({"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"text/plain; charset=utf-8"), *headers]},
            {"type": "http.response.body", "body": f"{status}: {words}\n".encode()})


def _host_name(scope: dict) -> str | None:
    """The name the request's Host header gives (without its port), or None when it gives none."""
    host = next((value.decode("latin-1") for key, value in scope.get("headers", []) if key == b"host"), None)
    if host is None:
        return None
    return host[:host.index("]") + 1] if host.startswith("[") and "]" in host else host.rsplit(":", 1)[0]


def _refusal(datasette: Any, scope: dict) -> tuple[dict, dict] | None:
    """The answer to a request accords serve never takes, or None: a method that could write
    (whatever the path: Datasette decodes names, so a path is no boundary), or, on a server
    listening on this machine only, a Host header that does not name this machine."""
    if scope["method"] not in READING_METHODS:
        return _plain(405, "accords serves its databases read-only", ((b"allow", b", ".join(
            method.encode() for method in READING_METHODS)),))
    listen = local_listen_host(datasette)
    host = _host_name(scope)
    if listen is not None and host is not None and not is_local(host):
        return _plain(403, f"this server answers only requests for localhost (it listens on {listen})")
    return None


def _canned_report(datasette: Any, scope: dict) -> Report | None:
    """The report whose canned query the request asks for (routed as Datasette routes it), or None."""
    from datasette.utils import tilde_decode

    raw = scope.get("raw_path") or scope["path"].encode()
    match = TABLE_ROUTE.match(raw.decode("latin-1").partition("?")[0])
    if match is None:
        return None
    try:
        database = datasette.get_database(route=tilde_decode(match["database"]))
    except KeyError:
        return None
    name = tilde_decode(match["table"])
    queries = (datasette.metadata("queries", database=database.name) or {})
    if database.name in DATASETTE_DATABASES or name not in queries or not name.startswith(QUERY_PREFIX):
        return None
    return all_reports().get(name.removeprefix(QUERY_PREFIX))


def check_parameters(report: Report, query_string: str) -> None:
    """The values a form gives the report's canned query, checked as `accords report run -p` checks them
    (each parameter's type, choices, length and order; given once); an empty field is no value, and a
    required parameter may be missing (Datasette then shows the empty form). UsageError if one is refused."""
    pairs = [(key, value) for key, value in parse_qsl(query_string, keep_blank_values=True)
             if report.parameter(key) is not None and value != ""]
    optional = replace(report, parameters=tuple(replace(p, required=False) for p in report.parameters))
    bind_parameters(optional, pairs)


async def _parameter_refusal(datasette: Any, scope: dict) -> tuple[dict, dict] | None:
    """A 400 answer (JSON or a page, as the request asks) when a canned query's parameter is refused."""
    report = _canned_report(datasette, scope)
    if report is None:
        return None
    try:
        check_parameters(report, scope.get("query_string", b"").decode("latin-1"))
    except UsageError as exc:
        message = str(exc)
    else:
        return None
    info = {"ok": False, "error": message, "status": 400, "title": "Invalid parameter"}
    if scope["path"].endswith(".json"):
        body, kind = json.dumps(info).encode(), b"application/json; charset=utf-8"
    else:
        html = await datasette.render_template("error.html", {**info, "menu_links": lambda: []})
        body, kind = html.encode(), b"text/html; charset=utf-8"
    return ({"type": "http.response.start", "status": 400, "headers": [(b"content-type", kind)]},
            {"type": "http.response.body", "body": body})


def _same_site(location: bytes) -> bytes:
    """A redirect's target kept on this server: a path that starts with two slashes (or a backslash,
    which browsers read as a slash) would name another host; one slash is kept of them."""
    if location.startswith(b"/"):
        return b"/" + location.replace(b"\\", b"/").lstrip(b"/")
    return location


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def read_only_app(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                answer = _refusal(datasette, scope) or await _parameter_refusal(datasette, scope)
                if answer is not None:
                    for message in answer:
                        await send(message)
                    return

            async def send_same_site(message: dict) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [(key, _same_site(value) if key.lower() == b"location" else value)
                                                      for key, value in message.get("headers", [])]}
                await send(message)

            await app(scope, receive, send_same_site)

        return read_only_app

    return wrap


@hookimpl
def handle_exception(datasette: Any, request: Any, exception: BaseException) -> Any:
    """Datasette's answer to an error, without its traceback (with rich installed, every 404 printed the
    stack and its local variables on standard output): a query past the time limit is a 503 that says so,
    an unexpected error a 500 with one line, also written to standard error. (make_datasette blocks
    Datasette's own handler, which would print the traceback before any plugin's answer is used.)"""
    from datasette.database import QueryInterrupted
    from datasette.utils.asgi import Base400, Response
    from datasette.views.base import DatasetteError
    from markupsafe import Markup

    async def inner() -> Response:
        title = None
        info: dict[str, Any] = {}
        if isinstance(exception, Base400):
            status, message = exception.status, exception.args[0]
        elif isinstance(exception, DatasetteError) and exception.title != DATASETTE_INTERRUPTED:
            status, info, title = exception.status, dict(exception.error_dict), exception.title
            message = Markup(exception.message) if exception.message_is_html else exception.message
        elif isinstance(exception, QueryInterrupted | DatasetteError):  # Datasette's own words name its setting
            status, title = 503, "Query stopped"
            message = TIME_LIMIT.format(detail=f"{datasette.setting('sql_time_limit_ms') / 1000:g} s")
        else:
            status, title = 500, "Error"
            message = one_line(f"{type(exception).__name__}: {exception}")[:1000]
            print(f"accords: error 500 on {request.method} {one_line(request.path)}: {message}",
                  file=sys.stderr, flush=True)
        info.update({"ok": False, "error": message, "status": status, "title": title})
        if request.path.endswith(".json"):
            return Response.json(info, status=status)
        template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
        html = await template.render_async({**info, "urls": datasette.urls, "app_css_hash": datasette.app_css_hash(),
                                            "menu_links": lambda: []})
        return Response.html(html, status=status)

    return inner


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
