"""The charts page's data and its Vega / Vega-Lite specifications (see db.web.pages).

Each chart runs one saved report (reports/timeline.sql, money.sql, network.sql)
with its parameters bound as the CLI binds them, keeps at most ``LIMIT`` rows
(a chart of more marks than that is unreadable: narrow it with the form), and
turns the rows into the data of a specification that the vendored vega-embed
draws in the browser, with no request leaving the machine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from .. import reports
from ..sqlite_read import bind_values, compile_text

#: the most rows one chart draws
LIMIT = 400


def report_query(name: str, given: Mapping[str, str]) -> tuple[str, tuple[Any, ...]]:
    """The report's SQL (for sqlite3, ``?`` placeholders, at most LIMIT rows) and its bound values.

    ``given`` holds the form's values (empty ones ignored); a value the report's parameter does not
    accept raises :class:`db.errors.UsageError` with the report's own wording."""
    report = reports.get_report(name)
    pairs = [(key, value) for key, value in given.items() if value and report.parameter(key) is not None]
    values = reports.bind_parameters(report, pairs)
    sql, names = compile_text(report.sql)
    kinds = {p.name: p.type for p in report.parameters}
    return f"select * from ({sql}) limit {LIMIT + 1}", bind_values(names, values, kinds)


def _day_after(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def _marker(first: str | None, last: str | None) -> str:
    if first is not None and last is not None:
        return "day" if first == last else "range"
    return "on or after" if first is not None else "on or before"


def timeline_values(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each dated fact as the range its date can mean, stated or, failing that, inferred: from its
    first day to the day after its last (so a year is a year-long bar), a day as a point, a date
    known at one end only ("on or after", "on or before") as a point pointing the open way."""
    out = []
    for row in rows:
        stated = row["date_earliest"] is not None or row["date_latest"] is not None
        inferred = row["inferred_earliest"] is not None or row["inferred_latest"] is not None
        if not stated and not inferred:
            continue
        first, last = ((row["date_earliest"], row["date_latest"]) if stated
                       else (row["inferred_earliest"], row["inferred_latest"]))
        label = row["fact"] if not row["object_actor"] else f"{row['fact']} → {row['object_actor']}"
        marker = _marker(first, last)
        out.append({
            "fact": f"{row['fact_type']}: {label}", "fact_type": row["fact_type"], "what": row["what"],
            "date_of": row["date_of"], "date_text": row["date_text"], "precision": row["date_precision"],
            "first": first, "last": last, "end": _day_after(last) if marker == "range" else None,
            "at": first if first is not None else last, "marker": marker,
            "basis": "stated" if stated else "inferred", "disputed": bool(row["disputed"]),
        })
    return out


def timeline_spec(values: list[dict[str, Any]]) -> dict[str, Any]:
    """Vega-Lite: a bar from the first day to the end of the last for a range, a point for a day (a
    triangle for a date open at one end); inferred dates pale and dashed, stated ones solid."""
    tooltip = [{"field": f, "type": "nominal"} for f in ("fact", "what", "date_of", "date_text", "precision",
                                                          "basis", "first", "last", "disputed")]
    y = {"field": "fact", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 260}}
    basis = {"field": "basis", "type": "nominal", "title": "date",
             "scale": {"domain": ["stated", "inferred"], "range": ["#2b6cb0", "#c05621"]}}
    pale = {"condition": {"test": "datum.basis === 'inferred'", "value": 0.15}, "value": 0.85}
    layers = [
        {"transform": [{"filter": "datum.marker === 'range'"}],
         "mark": {"type": "bar", "height": 10, "strokeWidth": 1.5},
         "encoding": {"x": {"field": "first", "type": "temporal", "title": None},
                      "x2": {"field": "end"}, "fillOpacity": pale, "stroke": basis,
                      "strokeDash": {"condition": {"test": "datum.basis === 'inferred'", "value": [4, 2]},
                                     "value": [1, 0]}}},
        {"transform": [{"filter": "datum.marker !== 'range'"}],
         "mark": {"type": "point", "size": 70, "strokeWidth": 2, "filled": True},
         "encoding": {"x": {"field": "at", "type": "temporal"}, "stroke": basis, "fillOpacity": pale,
                      "shape": {"field": "marker", "type": "nominal", "title": "point",
                                "scale": {"domain": ["day", "on or after", "on or before"],
                                          "range": ["circle", "triangle-right", "triangle-left"]}}}},
    ]
    has_ranges = any(v["marker"] == "range" for v in values)
    has_points = any(v["marker"] != "range" for v in values)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": values},
        "width": 640, "height": {"step": 16},
        "encoding": {"y": y, "color": basis, "tooltip": tooltip},
        # a layer with no rows would make Vega-Lite warn of an empty scale
        "layer": [layer for layer, drawn in zip(layers, (has_ranges, has_points), strict=True) if drawn],
    }


def money_values(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One value per actor, currency, stage and period: the report's actor_total (its distinct amounts)."""
    seen: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        if row["actor"] is None or row["actor_total"] is None:
            continue
        key = (row["actor"], row["currency"], row["stage"], row["period"])
        seen.setdefault(key, {
            "actor": row["actor_name"], "slug": row["actor"], "currency": row["currency"],
            "stage": row["stage"], "period": row["period"] or "unstated",
            "total": float(row["actor_total"]), "total_text": str(row["actor_total"]),
            "n_amounts": row["actor_n_amounts"], "n_disputed": row["actor_n_disputed"]})
    return list(seen.values())


def money_spec(values: list[dict[str, Any]]) -> dict[str, Any]:
    """Vega-Lite: per currency, a bar per actor, its length the actor's total, a colour per stage."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": values},
        "facet": {"row": {"field": "currency", "type": "nominal", "title": "currency"}},
        "resolve": {"scale": {"x": "independent", "y": "independent"}},
        "spec": {
            "width": 560, "height": {"step": 18},
            "mark": "bar",
            "encoding": {
                "y": {"field": "actor", "type": "nominal", "sort": "-x", "title": None},
                "x": {"field": "total", "type": "quantitative", "aggregate": "sum", "title": "total stated"},
                "color": {"field": "stage", "type": "nominal"},
                "tooltip": [{"field": "actor"}, {"field": "stage"}, {"field": "period"}, {"field": "currency"},
                            {"field": "total_text", "title": "total"}, {"field": "n_amounts", "title": "amounts"},
                            {"field": "n_disputed", "title": "disputed"}],
            },
        },
    }


def network_values(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The ties as nodes (actors, by first appearance) and links (indexes into the nodes)."""
    index: dict[str, int] = {}
    nodes: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for row in rows:
        ends = []
        for side in ("a", "b"):
            slug = row[f"actor_{side}"]
            if slug not in index:
                index[slug] = len(nodes)
                nodes.append({"index": len(nodes), "slug": slug, "name": row[f"actor_{side}_name"], "degree": 0})
            nodes[index[slug]]["degree"] += row["n_facts"]
            ends.append(index[slug])
        links.append({"source": ends[0], "target": ends[1], "tie": row["tie"], "n_facts": row["n_facts"],
                      "relation_kind": row["relation_kind"]})
    return {"nodes": nodes, "links": links}


def network_spec(values: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Vega: the actors as circles sized by their facts, the ties as lines coloured by kind, laid out
    by a force simulation run to its end before the first drawing (static)."""
    return {
        "$schema": "https://vega.github.io/schema/vega/v6.json",
        "width": 760, "height": 520, "padding": 4, "autosize": "none",
        "data": [{"name": "nodes", "values": values["nodes"]},
                 {"name": "links", "values": values["links"]}],
        "scales": [
            {"name": "tie", "type": "ordinal", "domain": {"data": "links", "field": "tie"}, "range": "category"},
            {"name": "size", "type": "sqrt", "domain": {"data": "nodes", "field": "degree"}, "range": [30, 600]},
        ],
        "legends": [{"stroke": "tie", "title": "tie", "orient": "top-left", "symbolType": "stroke"}],
        "marks": [
            {"name": "actors", "type": "symbol", "zindex": 1, "from": {"data": "nodes"},
             "encode": {"enter": {"fill": {"value": "#4a5568"}, "stroke": {"value": "#fff"},
                                  "size": {"scale": "size", "field": "degree"},
                                  "tooltip": {"signal": "datum.name + ' (' + datum.slug + ')'"}}},
             "transform": [{"type": "force", "static": True, "iterations": 300, "signal": "force",
                            "forces": [{"force": "center", "x": {"signal": "width / 2"},
                                        "y": {"signal": "height / 2"}},
                                       {"force": "collide", "radius": 12},
                                       {"force": "nbody", "strength": -70},
                                       {"force": "link", "links": "links", "distance": 70}]}]},
            {"name": "labels", "type": "text", "zindex": 2, "from": {"data": "actors"},
             "encode": {"update": {"x": {"field": "x"}, "y": {"field": "y", "offset": -8},
                                   "text": {"field": "datum.slug"}, "fontSize": {"value": 9},
                                   "align": {"value": "center"}, "fill": {"value": "#1a202c"}}}},
            {"name": "ties", "type": "path", "from": {"data": "links"},
             "encode": {"update": {"stroke": {"scale": "tie", "field": "tie"}, "strokeOpacity": {"value": 0.6},
                                   "strokeWidth": {"signal": "min(1 + datum.n_facts, 6)"},
                                   "tooltip": {"signal": "datum.tie + ': ' + datum.n_facts + ' fact(s)'"}}},
             "transform": [{"type": "linkpath", "require": {"signal": "force"}, "shape": "line",
                            "sourceX": "datum.source.x", "sourceY": "datum.source.y",
                            "targetX": "datum.target.x", "targetY": "datum.target.y"}]},
        ],
    }
