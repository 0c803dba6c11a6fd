"""What Datasette shows about accords: titles and descriptions, hidden tables, the reports as canned queries.

Everything here is written from accords' own knowledge, never by hand: the
descriptions of tables, report views and columns are the rows of
``data_dictionary`` as :func:`db.catalog.entries` writes them (the models'
comments, the meanings of enumerated values, the report headers), and the
canned queries are the report headers of :mod:`db.reports` with their SQL
as it is. Plain dictionaries in Datasette 0.65's metadata shape, so that a
test can compare them with the data dictionary.
"""

from __future__ import annotations

from functools import cache
from html import escape
from typing import Any

from ..reports import Report, all_reports

TITLE = "accords"
DESCRIPTION = "Who does what in geopolitics, with the evidence behind every fact."

#: where the pages of db.web.pages live (the source reader, the charts, the schema)
PAGES = {
    "sources": "/-/accords/sources",
    "charts": "/-/accords/charts",
    "schema": "/-/accords/schema",
}

#: tables kept off Datasette's lists (still readable by URL and SQL): accords' bookkeeping, not facts.
#: alembic_version holds the schema revision (``accords db current`` says it); report_views records
#: the SQL and SHA-256 each report_* view was built from, so that ``accords db check`` sees a stale one.
#: data_dictionary stays listed: it is the descriptions shown here, as rows a query can join.
INTERNAL_TABLES = ("alembic_version", "report_views")

#: a canned query's name: report-<name>, so that it never hides the table or view of the same name
#: (Datasette serves a canned query in place of a table called like it: sources, mentions, claims...)
QUERY_PREFIX = "report-"


def query_name(report: Report) -> str:
    return QUERY_PREFIX + report.name


def _column_description(description: str, allowed: str | None) -> str:
    """A column's description, with every value an enumerated column accepts and its meaning."""
    if not allowed:
        return description
    return f"{description} Values: " + "; ".join(line.rstrip(".") for line in allowed.splitlines()) + "."


@cache
def _tables() -> dict[str, dict[str, Any]]:
    """Each table and report view's metadata, from what data_dictionary holds (db.catalog.entries)."""
    from ..catalog import entries

    tables: dict[str, dict[str, Any]] = {}
    for entry in entries():
        table = tables.setdefault(entry.object_name, {"columns": {}})
        if entry.column_name is None:
            table["description"] = entry.description
        else:
            table["columns"][entry.column_name] = _column_description(entry.description, entry.allowed_values)
    tables["alembic_version"] = {"description": "The schema revision of this database (Alembic's bookkeeping)."}
    for name in INTERNAL_TABLES:
        tables[name]["hidden"] = True
    return tables


def _parameter_line(report: Report, name: str) -> str:
    param = report.parameter(name)
    assert param is not None
    if param.required:
        flag = "required"
    elif param.default is not None:
        flag = f"optional, default {param.default}"
    else:
        flag = "optional"
    return (f"<li><code>{escape(param.name)}</code> ({escape(param.accepts())}; {escape(flag)}): "
            f"{escape(param.description)}</li>")


def query_description(report: Report) -> str:
    """A canned query's description: what the report answers, its grain, its typed parameters and its columns."""
    parts = [f"<p>{escape(report.description)}</p>", f"<p><strong>One row:</strong> {escape(report.grain)}.</p>"]
    if report.parameters:
        lines = "".join(_parameter_line(report, p.name) for p in report.parameters)
        parts.append(f"<p><strong>Parameters</strong> (an empty field is no value: the parameter takes its "
                     f"default):</p><ul>{lines}</ul>")
    columns = "".join(f"<li><code>{escape(c.name)}</code> ({escape(c.type)}): {escape(c.description)}</li>"
                      for c in report.columns)
    parts.append(f"<details><summary>Columns</summary><ul>{columns}</ul></details>")
    return "".join(parts)


@cache
def canned_queries() -> dict[str, dict[str, Any]]:
    """Every saved report as a canned query: its SQL as it is, its title, description and parameters; never writable."""
    return {query_name(r): {"sql": r.sql, "title": r.title, "description_html": query_description(r),
                            "params": [p.name for p in r.parameters], "hide_sql": True, "write": False}
            for r in all_reports().values()}


def front_page() -> str:
    """The front page's description: what accords is, and links to its own pages."""
    links = "".join(f'<li><a href="{href}">{escape(words)}</a></li>' for href, words in (
        (PAGES["sources"], "Sources: read each source with the facts and evidence marked in its text"),
        (PAGES["charts"], "Charts: the facts over time and between actors"),
        (PAGES["schema"], "Schema: every table and column, and how they join"),
    ))
    return (f"<p>{escape(DESCRIPTION)} Every fact is a row, and every row can be traced to the verbatim "
            f"words of a source that support it.</p><ul>{links}</ul>"
            "<p>The saved reports are the queries of the database (each with its parameters); the tables and "
            "report views carry their descriptions from accords' data dictionary. Everything here is "
            "read-only.</p>")


def database_metadata() -> dict[str, Any]:
    """The metadata of one accords database: its description, tables and views (a new dict each call)."""
    return {"description_html": front_page(), "tables": _tables()}


def instance_metadata(names: list[str]) -> dict[str, Any]:
    """The whole instance's metadata for the accords databases ``names`` (a server's snapshot time is not
    metadata: it changes when the snapshot is remade, so db.web.plugin shows it on every page)."""
    source = "the sources stored in the database (title, publisher, URL of each)"
    return {
        "title": TITLE,
        "description_html": front_page(),
        "source": source,
        "source_url": PAGES["sources"],
        "license": "accords is MIT-licensed; each source's text belongs to its publisher",
        "databases": {name: database_metadata() for name in names},
    }
