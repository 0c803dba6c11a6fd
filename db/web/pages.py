"""Datasette plugin hooks for accords' own pages: source reader, charts, schema (see db.web).

The pages live under ``/-/accords/``: ``sources`` (every source, linked),
``sources/<slug>`` (the reader), ``charts`` and ``schema``; their scripts,
Vega, Vega-Lite, vega-embed and Mermaid are served from the package
(``/-/accords/static/``), so every page works with no internet access.
Each page extends Datasette's ``base.html`` and reads through read-only
``db.execute`` queries with bound parameters.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import NotFound, Response, asgi_static

from . import charts, reader

HERE = Path(__file__).resolve().parent
PREFIX = "/-/accords"
#: the longest slug the sources table holds (sources.slug is String(120))
MAX_SLUG = 120
#: the Mermaid text of the schema, written by db.erd and kept current by tests/test_erd.py
SCHEMA_MERMAID = HERE / "schema.mmd"


#: a URL that may be a link: a web address, whose scheme a browser cannot read as another one
WEB_ADDRESS = re.compile(r"https?://", re.IGNORECASE)


def web_address(url: str | None) -> str | None:
    """``url`` if it is a web address (http or https), else None: a source's URL is whatever its file says,
    and a ``javascript:`` one would run in the reader's page when clicked."""
    return url if url is not None and WEB_ADDRESS.match(url) else None


@hookimpl
def prepare_jinja2_environment(env, datasette):
    """Put accords' templates (db/web/templates) in front of Datasette's own, once per environment."""
    from jinja2 import ChoiceLoader, FileSystemLoader

    if not getattr(env, "_accords_pages", False):
        env.loader = ChoiceLoader([FileSystemLoader(str(HERE / "templates")), env.loader])
        env._accords_pages = True


@hookimpl
def register_routes(datasette):
    return [
        (rf"^{PREFIX}/sources$", sources_page),
        (rf"^{PREFIX}/sources/(?P<slug>[^/]+)$", source_page),
        (rf"^{PREFIX}/charts$", charts_page),
        (rf"^{PREFIX}/schema$", schema_page),
        (rf"^{PREFIX}/static/(?P<path>[A-Za-z0-9_.-]+)$", asgi_static(HERE / "static")),
    ]


@hookimpl
def menu_links(datasette, actor, request):
    return [{"href": datasette.urls.path(f"{PREFIX}/{page}"), "label": label}
            for page, label in (("sources", "Sources"), ("charts", "Charts"), ("schema", "Schema"))]


async def _database(datasette, request):
    """The accords database (Datasette's first), once the actor may view it."""
    db = datasette.get_database()
    await datasette.ensure_permissions(request.actor, [("view-database", db.name), "view-instance"])
    return db


async def _page(datasette, request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    context = {"accords_static": datasette.urls.path(f"{PREFIX}/static/"), "accords_prefix": datasette.urls.path(PREFIX),
               **context}
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)


async def sources_page(request, datasette):
    db = await _database(datasette, request)
    rows = (await db.execute(reader.SOURCES_SQL)).rows
    sources = [dict(row) | {"url": datasette.urls.path(f"{PREFIX}/sources/{quote(row['slug'], safe='')}"),
                            "row_url": datasette.urls.table(db.name, "sources") + "?" + urlencode({"slug": row["slug"]},
                                                                                                   quote_via=quote)}
               for row in rows]
    return await _page(datasette, request, "accords_sources.html", {"sources": sources, "database": db.name})


async def _read(datasette, db, slug: str) -> tuple[Any, tuple[list, list, list, list]]:
    """The source row and its segments, evidence, claims and disputes; NotFound for no such source."""
    source = (await db.execute(reader.SOURCE_SQL, {"slug": slug})).first()
    if source is None:
        raise NotFound(f"No source {slug!r}")
    rows = await db.execute_fn(lambda conn: reader.read_source(conn, source["id"], datasette.sql_time_limit_ms))
    return source, rows


async def source_page(request, datasette):
    db = await _database(datasette, request)
    slug = unquote(request.url_vars["slug"])  # Datasette routes the raw path: the slug comes as the link encoded it
    if len(slug) > MAX_SLUG:
        raise NotFound(f"No source {slug[:40]!r}...: a source's slug is at most {MAX_SLUG} characters")
    try:
        source, (segments, evidence, claims, disputes) = await _read(datasette, db, slug)
    except (QueryInterrupted, sqlite3.OperationalError) as exc:
        interrupted = isinstance(exc, QueryInterrupted) or exc.args == ("interrupted",)
        why = "reading it took longer than the time limit" if interrupted else f"reading it failed: {exc}"
        return await _page(datasette, request, "error.html",
                           {"ok": False, "title": "Source not shown", "status": 503,
                            "error": f"Source {slug!r} cannot be shown: {why}."}, status=503)
    refs = reader.fact_references(evidence, claims, disputes)
    reading = reader.render(source["content"], [dict(s) for s in segments], reader.group_spans(refs))
    n_disputed = sum(1 for claim in claims if claim["disputed"])
    return await _page(datasette, request, "accords_source.html", {
        "source": {k: source[k] for k in source.keys() if k != "content"},
        "source_row_url": datasette.urls.row(db.name, "sources", str(source["id"])), "reading": reading,
        "source_href": web_address(source["url"]),
        "n_disputed": n_disputed, "rows_url": datasette.urls.database(db.name), "database": db.name})


async def _chart_rows(db, name: str, given: dict[str, str]) -> tuple[list[dict[str, Any]], str | None]:
    """The report's rows (at most charts.LIMIT) and a note: why there are none, or that there were more."""
    from ..errors import UsageError

    try:
        sql, values = charts.report_query(name, given)
        rows = (await db.execute(sql, values)).rows
    except UsageError as exc:
        return [], str(exc)
    except QueryInterrupted:
        return [], "the query took too long: narrow it with the form"
    except sqlite3.DatabaseError as exc:
        return [], f"the query failed: {exc}"
    note = f"the first {charts.LIMIT} rows only: narrow it with the form" if len(rows) > charts.LIMIT else None
    return [dict(row) for row in rows[:charts.LIMIT]], note


async def charts_page(request, datasette):
    db = await _database(datasette, request)
    form = {key: request.args.get(key, "")[:200] for key in ("from", "to", "actor", "tie", "country")}
    # the three reports at once, on Datasette's pool of connection threads
    (timeline, timeline_note), (money, money_note), (network, network_note) = await asyncio.gather(
        _chart_rows(db, "timeline", {k: form[k] for k in ("from", "to")}),
        _chart_rows(db, "money", {k: form[k] for k in ("actor", "country")}),
        _chart_rows(db, "network", {k: form[k] for k in ("actor", "tie")}))
    timeline_values = charts.timeline_values(timeline)
    money_values = charts.money_values(money)
    network_values = charts.network_values(network)
    specs = [
        ("timeline", "Timeline of dated facts", timeline_note, len(timeline_values),
         charts.timeline_spec(timeline_values)),
        ("money", "Money by actor", money_note, len(money_values), charts.money_spec(money_values)),
        ("network", "Actor network", network_note, len(network_values["links"]),
         charts.network_spec(network_values)),
    ]
    return await _page(datasette, request, "accords_charts.html", {
        "charts": [{"name": n, "title": t, "note": note, "n": count, "spec": spec}
                   for n, t, note, count, spec in specs],
        "form": form, "limit": charts.LIMIT, "database": db.name})


async def schema_page(request, datasette):
    await _database(datasette, request)
    return await _page(datasette, request, "accords_schema.html",
                       {"mermaid": SCHEMA_MERMAID.read_text(encoding="utf-8")})
