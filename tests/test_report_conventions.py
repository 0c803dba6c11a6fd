"""Conventions every report keeps: parameters read once (empty as not given), one way to find an actor
(with its sub-units), and a grain key that is unique.

A report with parameters reads them in one place, its first CTE ``params``
(see ``canonical_params``): one row, a column a parameter, in the header's
order, each ``nullif(:<param>, '')`` (a date ``date(nullif(cast(:<param> as
char(10)), ''))``, named ``<param>_on``), so that a client that binds an empty
field as '' (Datasette's forms, most SQL tools) gets the rows of the
parameter not given, on every engine, whether it binds a date as a date or
as text. Nowhere else does the SQL name a ``:<param>``; it reads ``params``,
as ``p``, an alias kept for it.

An actor parameter (a text parameter whose description says it takes an
alias) is matched by exactly one block, the same in every report::

    <param>_ids as (
        select a.id from params as p cross join actors as a where a.slug = lower(p.<param>)
        union
        select a.id from params as p cross join actors as a where a.name_key = lower(p.<param>)
        union
        select x.actor_id from params as p cross join actor_aliases as x where x.alias_key = lower(p.<param>)
    )

and nowhere else does a report compare an actor's slug, name or alias with a
parameter. A report that filters facts by an actor finds its sub-units too
(actors.parent_id, all the way down) with two more blocks, again the same in
every report (see ``canonical_units``): ``<param>_tree``, recursive from
``<param>_ids`` (the only place that uses it), and ``<param>_units``, each
actor once with how it matched (``self``, ``sub-unit of <slug>``), which the
report uses instead of ``<param>_ids`` and shows in a ``*_match`` column. The
report opens with ``with recursive`` (MariaDB and PostgreSQL need the word)
and declares the one ``subunits`` parameter (``-p subunits no``: only the
actor itself). The reports in ``WITHOUT_SUBUNITS`` say why they do not. Every report's ``key`` identifies its rows: no two rows share the
key's values (NULL counting as a value), on the seed and on synthetic data,
on every engine.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import new_database
from sqlalchemy import text

from db import api
from db.engine import make_engine, read_only
from db.reports import (
    Parameter,
    Report,
    ReportFormatError,
    all_reports,
    bind_parameters,
    check_report,
    parse_report,
    run_report,
)
from db.sqltext import bind_names, code_only

TINY = dict(actors=40, statements=200, agreements=40, projects=40, sources=4)

# --- parameters: read once, in params, an empty value as no value ----------------------------

#: how params reads a parameter of each type: '' becomes NULL, and the value has one type on every
#: engine whether the client binds it typed (accords: a date as a date) or as text (a date as text);
#: PostgreSQL cannot compare '' with a date, so the value goes through text first
PARAMS_FORMS = {
    "text": "nullif(:{name}, '') as {name}",
    "choice": "nullif(:{name}, '') as {name}",
    "date": "date(nullif(cast(:{name} as char(10)), '')) as {name}_on",
    "integer": "cast(nullif(cast(:{name} as char(24)), '') as integer) as {name}",
    "decimal": "cast(nullif(cast(:{name} as char(100)), '') as decimal(65, 30)) as {name}",
}


def params_column(param: Parameter) -> str:
    """The name of a parameter's column in params: its own, ``<name>_on`` for a date (``from`` is a keyword)."""
    return f"{param.name}_on" if param.type == "date" else param.name


def canonical_params(parameters: Sequence[Parameter]) -> str:
    """The params block for these parameters, as the shipped reports write it, comment included."""
    return ("params as (\n"
            "    -- every parameter, read once: an empty value ('') is no value, as when it is not given\n"
            "    select\n"
            + ",\n".join("        " + PARAMS_FORMS[p.type].format(name=p.name) for p in parameters)
            + "\n)")


_P_ALIAS = re.compile(r"\b(?:from|join) (\w+) as p\b")


def params_problems(report: Report) -> list[str]:
    """Where a report reads a parameter other than once, in its first CTE params."""
    where = f"reports/{report.name}.sql"
    if not report.parameters:
        return []
    block = canonical_params(report.parameters)
    problems = []
    if not any(report.sql.startswith(opening + block + after) for opening in ("with ", "with recursive ")
               for after in (",\n", "\nselect")):
        problems.append(f"{where}: the SQL does not open with the params block canonical_params writes "
                        "(`with params as (` or `with recursive params as (`, a column a parameter, in order)")
    rest = report.sql.replace(block, " ", 1)
    problems += [f"{where}: :{name} is read outside params: read p.{name} from params instead"
                 for name in bind_names(rest)]
    code = _normalised(rest)
    for param in report.parameters:
        if not re.search(rf"\bp\.{params_column(param)}\b", code):
            problems.append(f"{where}: params.{params_column(param)} is never read")
    problems += [f"{where}: the alias p stands for {table}; keep it for params"
                 for table in sorted(set(_P_ALIAS.findall(code)) - {"params"})]
    return problems


@pytest.mark.parametrize("name", sorted(all_reports()))
def test_every_report_reads_its_parameters_once_in_params(name):
    assert params_problems(all_reports()[name]) == []


PARAMS_HEADER = """-- title: Test
-- grain: one row per agreement
-- parameters:
--   - {name: kind, type: choice, choices: [contract, accord]}
--   - {name: from, type: date}
-- description: A test report.
-- columns:
--   - {name: agreement, type: text, description: The slug.}
"""
PARAMS_SQL = ("with " + canonical_params([Parameter("kind", "choice", choices=("contract", "accord")),
                                          Parameter("from", "date")]) + ",\n"
              "chosen as (select ag.slug from params as p cross join agreements as ag "
              "where (p.kind is null or ag.kind = p.kind) and (p.from_on is null or ag.signed_latest >= p.from_on))\n"
              "select slug as agreement from chosen")


def test_the_canonical_params_pass():
    report = parse_report("test", PARAMS_HEADER + PARAMS_SQL)
    assert check_report(report) == [] and params_problems(report) == []


@pytest.mark.parametrize(("sql", "problem"), [
    pytest.param(PARAMS_SQL.replace("nullif(:kind, '') as kind", ":kind as kind"),
                 "does not open with the params block", id="no-nullif"),
    pytest.param(PARAMS_SQL.replace("date(nullif(cast(:from as char(10)), ''))", "nullif(:from, '')"),
                 "does not open with the params block", id="date-as-text"),
    pytest.param(PARAMS_SQL.replace("        nullif(:kind, '') as kind,\n", "").replace(
        "date(nullif(cast(:from as char(10)), '')) as from_on", "date(nullif(cast(:from as char(10)), '')) as from_on,\n"
        "        nullif(:kind, '') as kind"), "does not open with the params block", id="other-order"),
    pytest.param(PARAMS_SQL.replace("ag.kind = p.kind", "ag.kind = :kind"),
                 ":kind is read outside params", id="bind-outside"),
    pytest.param(PARAMS_SQL.replace("(p.kind is null or ag.kind = p.kind)", "(:kind is null or ag.kind = :kind)"),
                 "params.kind is never read", id="column-unread"),
    pytest.param("with chosen as (select 1 as x), " + PARAMS_SQL[len("with "):],
                 "does not open with the params block", id="not-first"),
    pytest.param(PARAMS_SQL.replace("select slug as agreement from chosen",
                                    "select p.slug as agreement from chosen as p"),
                 "the alias p stands for chosen", id="alias-taken"),
])
def test_a_parameter_read_otherwise_is_caught(sql, problem):
    problems = params_problems(parse_report("test", PARAMS_HEADER + sql))
    assert any(problem in p for p in problems), problems


# --- one actor lookup ------------------------------------------------------------------

_LOOKUP = re.compile(  # in SQL without comments, in lower case, spaces collapsed (see _normalised)
    r"\b(\w+) as \("
    r"select a\.id from params as p cross join actors as a where a\.slug = lower\(p\.(\w+)\) union "
    r"select a\.id from params as p cross join actors as a where a\.name_key = lower\(p\.\2\) union "
    r"select x\.actor_id from params as p cross join actor_aliases as x where x\.alias_key = lower\(p\.\2\)\)"
)
_ACTOR_TABLES = re.compile(r"\b(?:actors|actor_aliases)(?: as)? (\w+)")
_ACTOR_COLUMNS = "slug|name|name_key|alias|alias_key"
_PARAMETER = r"(?:lower\()?(?::\w+|p\.\w+)\)?"  # a bound parameter, or its column in params
_COMPARED = r"(?:=|<>|!=|like|in \(?)"


def _normalised(sql: str) -> str:
    """The SQL without comments and strings, in lower case, with runs of spaces as one and none
    just inside parentheses: the text the checks below read."""
    code = " ".join(code_only(sql).lower().split())
    return re.sub(r"\s*\)", ")", re.sub(r"\(\s*", "(", code))


def is_actor_parameter(report: Report, name: str) -> bool:
    param = report.parameter(name)
    return param is not None and param.type == "text" and "alias" in param.description.lower()


def actor_lookup_problems(report: Report) -> list[str]:
    """Where a report finds an actor given by the user other than with the one canonical block."""
    where = f"reports/{report.name}.sql"
    code = _normalised(report.sql)
    problems = []
    blocks = list(_LOOKUP.finditer(code))
    found = Counter(m.group(2) for m in blocks)
    for m in blocks:
        cte, param = m.group(1), m.group(2)
        if cte != f"{param}_ids":
            problems.append(f"{where}: the lookup of :{param} is named {cte}, not {param}_ids")
        if not is_actor_parameter(report, param):
            problems.append(f"{where}: :{param} is looked up as an actor but its description does not say so")
        if found[param] > 1:
            problems.append(f"{where}: :{param} is looked up {found[param]} times")
    rest = _LOOKUP.sub(" ", code)
    for p in report.parameters:
        if is_actor_parameter(report, p.name):
            if not found[p.name]:
                problems.append(f"{where}: actor parameter :{p.name} has no {p.name}_ids lookup block")
            elif not re.search(rf"\b{p.name}_ids\b", rest):
                problems.append(f"{where}: {p.name}_ids is never used")
    for column in ("name_key", "alias_key"):
        if re.search(rf"\b{column}\b", rest):
            problems.append(f"{where}: {column} is used outside the canonical actor lookup")
    for alias in sorted(set(_ACTOR_TABLES.findall(code)) - {"on", "where", "join", "left", "union", "group"}):
        column = rf"(?:lower\()?\b{alias}\.(?:{_ACTOR_COLUMNS})\b\)?"
        if re.search(rf"{column} {_COMPARED} ?{_PARAMETER}", rest) or re.search(rf"{_PARAMETER} {_COMPARED} ?{column}", rest):
            problems.append(f"{where}: an actor's slug, name or alias ({alias}.) is compared with a parameter "
                            "outside the canonical actor lookup")
    return problems


@pytest.mark.parametrize("name", sorted(all_reports()))
def test_every_report_finds_actors_with_the_one_lookup(name):
    assert actor_lookup_problems(all_reports()[name]) == []


def test_the_reports_with_actor_parameters_are_the_expected_ones():
    actor_params = {(name, p.name) for name, r in all_reports().items() for p in r.parameters
                    if is_actor_parameter(r, p.name)}
    assert actor_params == {("actor", "actor"), ("aliases", "actor"), ("claims", "fact"), ("evidence", "actor"), ("mentions", "actor"),
                            ("money", "actor"), ("network", "actor"), ("statements", "speaker"),
                            ("statements", "target")}


# --- sub-units ------------------------------------------------------------------------------

#: actor parameters that find the words' actors only, not their sub-units, and why
WITHOUT_SUBUNITS = {
    ("aliases", "actor"): "a lookup of which actors some words name: their sub-units are other actors",
    ("claims", "fact"): "names one fact, whose claims it lists; an actor's sub-units are other facts",
}

#: the parameter every report with sub-units declares, verbatim
SUBUNITS_PARAMETER = Parameter(
    "subunits", "choice", False, "yes", ("yes", "no"),
    "yes: an actor parameter also finds the actor's sub-units, all the way down its parent chain "
    "(actors.parent_id); no: only the actor itself.")


def canonical_units(param: str) -> str:
    """The sub-unit blocks that follow ``<param>_ids``, as the shipped reports write them."""
    return (f"{param}_tree as (\n"
            "    -- the actors found and, unless subunits is no, their sub-units all the way down (actors.parent_id,\n"
            "    -- an index lookup a level); depth 0 is a found actor itself; the bound on depth stops a parent loop\n"
            f"    select k.id, k.id as matched_id, 0 as depth from {param}_ids as k\n"
            "    union\n"
            "    select sub.id, t.matched_id, t.depth + 1\n"
            f"    from {param}_tree as t\n"
            "    cross join params as p\n"
            "    join actors as sub on sub.parent_id = t.id\n"
            "    where (p.subunits is null or p.subunits <> 'no') and t.depth < 100\n"
            "),\n"
            f"{param}_units as (\n"
            "    -- each actor once, with how it matched: self, or sub-unit of the nearest found actor above it\n"
            "    select f.id, case when f.depth = 0 then 'self' else replace('sub-unit of #', '#', f.matched) end as how\n"
            "    from (\n"
            "        select t.id, t.depth, fa.slug as matched,\n"
            "               row_number() over (partition by t.id order by t.depth, fa.slug) as n\n"
            f"        from {param}_tree as t\n"
            "        join actors as fa on fa.id = t.matched_id\n"
            "    ) as f\n"
            "    where f.n = 1\n"
            ")")


def subunit_problems(report: Report) -> list[str]:
    """Where a report that takes an actor leaves out its sub-units, or finds them otherwise."""
    where = f"reports/{report.name}.sql"
    params = [p.name for p in report.parameters if is_actor_parameter(report, p.name)
              and (report.name, p.name) not in WITHOUT_SUBUNITS]
    if not params:
        if report.parameter("subunits"):
            return [f"{where}: declares subunits but has no actor parameter that finds sub-units"]
        return []
    problems = []
    if not report.sql.lower().startswith("with recursive "):
        problems.append(f"{where}: a report with sub-units opens with `with recursive`")
    if report.parameter("subunits") != SUBUNITS_PARAMETER:
        problems.append(f"{where}: declares no subunits parameter, or one unlike SUBUNITS_PARAMETER")
    if not any(c.name.endswith("_match") for c in report.columns):
        problems.append(f"{where}: no *_match column says how a row's actor matched")
    rest = report.sql
    for param in params:
        block = canonical_units(param)
        if block not in rest:
            problems.append(f"{where}: :{param} has no {param}_tree and {param}_units blocks as canonical_units "
                            "writes them")
            continue
        rest = rest.replace(block, " ")
    code = _normalised(_LOOKUP.sub(" ", _normalised(rest)))
    for param in params:
        if re.search(rf"\b{param}_ids\b", code):
            problems.append(f"{where}: {param}_ids is used outside {param}_tree: use {param}_units, which has "
                            "the sub-units")
        if canonical_units(param) in report.sql and not re.search(rf"\b{param}_units\b", code):
            problems.append(f"{where}: {param}_units is never used")
    return problems


@pytest.mark.parametrize("name", sorted(all_reports()))
def test_every_report_that_takes_an_actor_finds_its_subunits(name):
    assert subunit_problems(all_reports()[name]) == []


def test_the_reports_without_subunits_are_the_expected_ones():
    actor_params = {(name, p.name) for name, r in all_reports().items() for p in r.parameters
                    if is_actor_parameter(r, p.name)}
    assert set(WITHOUT_SUBUNITS) <= actor_params


HEADER = """-- title: Test
-- grain: one row per actor
-- parameters:
--   - {name: actor, type: text, description: "An actor's slug, display name or alias."}
-- description: A test report.
-- columns:
--   - {name: actor, type: text, description: The slug.}
"""


def canonical_lookup(param: str) -> str:
    """The lookup block as the shipped reports write it, comment included."""
    return (f"{param}_ids as (\n"
            "    -- the actor by slug, display name or alias (letter case ignored): three index lookups, which\n"
            "    -- every engine's planner sees as a few rows (an OR across them made PostgreSQL scan tables)\n"
            f"    select a.id from params as p cross join actors as a where a.slug = lower(p.{param})\n"
            "    union\n"
            f"    select a.id from params as p cross join actors as a where a.name_key = lower(p.{param})\n"
            "    union\n"
            f"    select x.actor_id from params as p cross join actor_aliases as x where x.alias_key = lower(p.{param})\n"
            ")")


CANONICAL = "with " + canonical_params([Parameter("actor")]) + ",\n" + canonical_lookup("actor") + "\n"

SUBUNITS_HEADER = HEADER.replace("-- description:", """--   - name: subunits
--     type: choice
--     choices: ['yes', 'no']
--     default: 'yes'
--     description: "yes: an actor parameter also finds the actor's sub-units, all the way down its parent chain (actors.parent_id); no: only the actor itself."
-- description:""").replace("-- columns:\n", """-- columns:
--   - {name: actor_match, type: text, description: How it matched.}
""")
WITH_UNITS = ("with recursive " + canonical_params([Parameter("actor"), SUBUNITS_PARAMETER]) + ",\n"
              + canonical_lookup("actor") + ",\n" + canonical_units("actor") + "\n"
              "select a.slug as actor, u.how as actor_match from actor_units as u join actors as a on a.id = u.id")


def test_the_canonical_subunits_pass():
    report = parse_report("test", SUBUNITS_HEADER + WITH_UNITS)
    assert check_report(report) == []
    assert actor_lookup_problems(report) == [] and subunit_problems(report) == [] and params_problems(report) == []


@pytest.mark.parametrize(("header", "sql", "problem"), [
    pytest.param(HEADER, CANONICAL + "select a.slug as actor from actors as a where a.id in (select id from actor_ids)",
                 "opens with `with recursive`", id="no-subunits"),
    pytest.param(HEADER, WITH_UNITS, "declares no subunits parameter", id="no-parameter"),
    pytest.param(SUBUNITS_HEADER.replace("only the actor itself", "the actor"), WITH_UNITS,
                 "declares no subunits parameter, or one unlike", id="other-parameter"),
    pytest.param(SUBUNITS_HEADER, WITH_UNITS.replace("t.depth < 100", "t.depth < 5"),
                 ":actor has no actor_tree and actor_units blocks", id="edited-block"),
    pytest.param(SUBUNITS_HEADER, WITH_UNITS + " where a.id in (select id from actor_ids)",
                 "actor_ids is used outside actor_tree", id="ids-bypass-subunits"),
    pytest.param(SUBUNITS_HEADER.replace("actor_match", "how"), WITH_UNITS.replace("as actor_match", "as how"),
                 "no *_match column", id="no-match-column"),
])
def test_leaving_out_subunits_is_caught(header, sql, problem):
    problems = subunit_problems(parse_report("test", header + sql))
    assert any(problem in p for p in problems), problems


def test_subunits_follow_the_parent_chain_and_stop_at_a_loop(engine_name, scratch, tmp_path):
    """The blocks on every engine: the whole chain down, self before sub-unit, and a parent loop
    (which the loader refuses, written here by hand) ends at the bound instead of running forever."""
    url = new_database(engine_name, scratch, tmp_path)
    api.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for i, slug in enumerate(["a", "b", "c", "x", "y"], 1):
                conn.execute(text("insert into actors (id, slug, name, name_key, kind, is_named) "
                                  "values (:i, :s, :n, :k, 'group', :t)"), {"i": i, "s": slug, "n": slug, "k": slug, "t": True})
            for child, parent in [(2, 1), (3, 2), (4, 5), (5, 4)]:  # c under b under a; x and y: a loop
                conn.execute(text("update actors set parent_id = :p where id = :c"), {"p": parent, "c": child})
        report = parse_report("test", SUBUNITS_HEADER + WITH_UNITS + " order by a.slug")
        with read_only(engine) as conn:
            def run(*params):
                return list(run_report(conn, report, bind_parameters(report, list(params))).rows)

            assert run(("actor", "a")) == [("a", "self"), ("b", "sub-unit of a"), ("c", "sub-unit of a")]
            assert run(("actor", "b")) == [("b", "self"), ("c", "sub-unit of b")]
            assert run(("actor", "a"), ("subunits", "no")) == [("a", "self")]
            assert run(("actor", "a"), ("subunits", "")) == run(("actor", "a"))  # empty: the default
            assert run(("actor", "x")) == [("x", "self"), ("y", "sub-unit of x")]
    finally:
        engine.dispose()


def test_the_canonical_lookup_passes():
    report = parse_report("test", HEADER + CANONICAL + "select a.slug as actor from params as p cross join actors as a "
                                  "where p.actor is null or a.id in (select id from actor_ids)")
    assert actor_lookup_problems(report) == [] and params_problems(report) == []


@pytest.mark.parametrize(("sql", "problem"), [
    pytest.param(  # the OR form aliases.sql and money.sql had: PostgreSQL scanned whole tables
        "select a.slug as actor from actors as a where :actor is null or a.slug = lower(:actor) "
        "or a.name_key = lower(:actor) or a.id in (select x.actor_id from actor_aliases as x "
        "where x.alias_key = lower(:actor))",
        "actor parameter :actor has no actor_ids lookup block", id="or-form"),
    pytest.param(
        CANONICAL + "select a.slug as actor from actors as a where a.id in (select id from actor_ids) "
                    "or lower(a.name) = lower(:actor)",
        "an actor's slug, name or alias (a.) is compared with a parameter", id="name-compared"),
    pytest.param(
        CANONICAL + "select p.slug as actor from actors as p join actor_ids as k on k.id = p.id "
                    "where p.slug = :actor",
        "an actor's slug, name or alias (p.) is compared with a parameter", id="slug-compared"),
    pytest.param(
        CANONICAL + "select al.alias as actor from actor_aliases as al where al.actor_id in "
                    "(select id from actor_ids) or lower(:actor) = al.alias",
        "an actor's slug, name or alias (al.) is compared with a parameter", id="alias-compared"),
    pytest.param(
        CANONICAL.replace("actor_ids", "chosen") + "select a.slug as actor from actors as a "
                                                   "where a.id in (select id from chosen)",
        "the lookup of :actor is named chosen, not actor_ids", id="named-otherwise"),
    pytest.param(
        CANONICAL + "select a.slug as actor from actors as a where :actor is not null",
        "actor_ids is never used", id="unused"),
    pytest.param(
        CANONICAL + "select a.slug as actor from actors as a where a.id in (select id from actor_ids) "
                    "or a.name_key = 'x'",
        "name_key is used outside the canonical actor lookup", id="name-key-elsewhere"),
])
def test_another_way_of_finding_an_actor_is_caught(sql, problem):
    problems = actor_lookup_problems(parse_report("test", HEADER + sql))
    assert any(problem in p for p in problems), problems


def test_a_lookup_of_a_parameter_not_described_as_an_actor_is_caught():
    header = HEADER.replace("An actor's slug, display name or alias.", "A slug.")
    problems = actor_lookup_problems(parse_report("test", header + CANONICAL + "select a.slug as actor from actors "
                                                  "as a where a.id in (select id from actor_ids)"))
    assert problems == ["reports/test.sql: :actor is looked up as an actor but its description does not say so"]


def test_the_shipped_sql_keeps_the_lookup_verbatim():
    """Not only the same logic: the same text, comment included, so a reader knows it at a glance."""
    for name, report in all_reports().items():
        for param in (p.name for p in report.parameters if is_actor_parameter(report, p.name)):
            assert canonical_lookup(param) in report.sql, (name, param)


# --- grain keys: parsing -------------------------------------------------------------------

KEYED = """-- title: Test
-- grain: one row per actor
-- key: KEY
-- description: A test report.
-- columns:
--   - {name: slug, type: text, description: The slug.}
--   - {name: kind, type: text, description: The kind.}
select slug, kind from actors
"""


def test_every_shipped_report_declares_a_key():
    for name, report in all_reports().items():
        assert report.key, f"reports/{name}.sql: header: add key: [columns that identify one row]"


def test_a_key_is_parsed_in_its_order():
    assert parse_report("test", KEYED.replace("KEY", "[kind, slug]")).key == ("kind", "slug")
    assert parse_report("test", KEYED.replace("-- key: KEY\n", "")).key == ()


@pytest.mark.parametrize(("key", "message"), [
    ("[slug, country]", "reports/test.sql: header: key 'country' is not a declared column"),
    ("slug", "reports/test.sql: header: key must be a list of column names, e.g. [agreement, party]"),
    ("[]", "reports/test.sql: header: key must be a list of column names, e.g. [agreement, party]"),
    ("[slug, {kind: 1}]", "reports/test.sql: header: key must be a list of column names, e.g. [agreement, party]"),
    ("[slug, kind, slug]", "reports/test.sql: header: key names 'slug' twice"),
])
def test_a_wrong_key_is_one_clear_error(key, message):
    with pytest.raises(ReportFormatError) as caught:
        parse_report("test", KEYED.replace("KEY", key))
    assert str(caught.value) == message


# --- grain keys: unique on real data ---------------------------------------------------------


def _parameter_values(conn) -> list[str]:
    """A few of each kind of thing a text parameter can name, read from the database."""
    def first(sql: str, n: int = 3) -> list[str]:
        values = [row[0] for row in conn.execute(text(sql))]
        step = max(1, len(values) // n)
        return values[::step][:n]

    return (first("select slug from actors order by slug", 6) + first("select name from actors order by name", 2)
            + first("select alias from actor_aliases order by alias", 3)
            + first("select slug from agreements order by slug", 2) + first("select slug from projects order by slug")
            + first("select slug from events order by slug") + first("select slug from statements order by slug")
            + first("select slug from sources order by slug", 2)
            + first("select distinct country from actors where country is not null order by country", 2))


def _cases(report: Report, values: list[str]) -> list[list[tuple[str, str]]]:
    """The report with its defaults, and with each text parameter given each value (the others at
    their defaults; a required one always given). Choice and date parameters only filter rows."""
    required = [p.name for p in report.parameters if p.required]
    cases = [] if required else [[]]
    for p in report.parameters:
        if p.type == "text":
            for value in values:
                cases.append([(p.name, value)] + [(r, value) for r in required if r != p.name])
    return cases


def duplicate_keys(url: str, reports: dict[str, Report] | None = None) -> list[str]:
    """Every report and parameter case whose rows repeat a key, with the key repeated."""
    problems = []
    engine = make_engine(url)
    try:
        with read_only(engine) as conn:
            values = _parameter_values(conn)
            n_rows = 0
            for name, report in (reports or all_reports()).items():
                for params in _cases(report, values):
                    result = run_report(conn, report, bind_parameters(report, params))
                    at = [result.columns.index(k) for k in report.key]
                    seen = Counter(tuple(row[i] for i in at) for row in result.rows)
                    n_rows += sum(seen.values())
                    problems += [f"{name} {params}: key {dict(zip(report.key, key, strict=True))} on {n} rows"
                                 for key, n in seen.items() if n > 1]
    finally:
        engine.dispose()
    assert n_rows > (1000 if reports is None else 0), "the cases should give rows to check"
    return problems


def test_a_key_that_repeats_is_reported(sqlite_seeded):
    too_short = dataclasses.replace(all_reports()["aliases"], key=("actor",))
    problems = duplicate_keys(sqlite_seeded, {"aliases": too_short})
    assert "aliases []: key {'actor': 'china'} on 3 rows" in problems


def test_every_report_key_is_unique_on_the_seed(shared_seeded_url):
    assert duplicate_keys(shared_seeded_url) == []


def test_every_report_key_is_unique_on_synthetic_data(generator, engine_name, scratch, tmp_path):
    url = new_database(engine_name, scratch, tmp_path)
    api.upgrade(url)
    api.ingest(url, generator.generate(tmp_path / "files", **TINY))
    api.seed_database(url)  # the article too: actors shared by name and alias across sources
    assert duplicate_keys(url) == []


# --- the README's example -------------------------------------------------------------------


def test_the_readme_example_report_keeps_the_conventions(sqlite_seeded):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = next(block for block in re.findall(r"```sql\n(.*?)```", readme, re.S) if block.startswith("-- title:"))
    report = parse_report("example", example)
    assert check_report(report) == []
    assert actor_lookup_problems(report) == []
    assert canonical_lookup("actor") in report.sql
    assert subunit_problems(report) == []
    assert params_problems(report) == []
    assert duplicate_keys(sqlite_seeded, {"example": report}) == []
    engine = make_engine(sqlite_seeded)
    try:
        with read_only(engine) as conn:
            rows = list(run_report(conn, report, bind_parameters(report, [("actor", "Beijing")])).rows)
    finally:
        engine.dispose()
    assert ("china", "self", "afghan-oil-extraction-contract") in {row[:3] for row in rows}
    assert ("chinese-state-owned-companies", "sub-unit of china", "afghan-oil-extraction-contract") in {
        row[:3] for row in rows}


# --- known gaps ------------------------------------------------------------------------------

TWO_OBLIGATIONS = """format: 1
source:
  slug: two-obligations
  title: Two obligations of one party, quoted by one sentence
  kind: other
  text: "Acme agreed with Beijing to pay and to build."
actors:
  - {slug: acme, name: Acme, kind: company, evidence: ["Acme"]}
  - {slug: china, name: China, kind: state, country: CN, aliases: [Beijing], evidence: ["Beijing"]}
agreements:
  - slug: acme-deal
    title: Acme deal
    kind: contract
    status: signed
    parties: [{actor: acme, role: signatory}, {actor: china, role: counterparty}]
    obligations:
      - {obligor: acme, beneficiary: china, description: to pay}
      - {obligor: acme, beneficiary: china, description: to build}
    evidence: ["Acme agreed with Beijing to pay and to build."]
"""


@pytest.mark.xfail(strict=True, reason="evidence names an obligation by its agreement and obligor only: two "
                                       "obligations of one party quoted by one span give two rows no column "
                                       "tells apart (the grain's key would need the obligation's words)")
def test_the_evidence_key_tells_apart_two_obligations_of_one_party(tmp_path):
    url = f"sqlite:///{tmp_path / 'accords.db'}"
    path = tmp_path / "two-obligations.yaml"
    path.write_text(TWO_OBLIGATIONS, encoding="utf-8")
    api.upgrade(url)
    api.ingest(url, [path])
    assert duplicate_keys(url, {"evidence": all_reports()["evidence"]}) == []


def test_postgresql_inlines_the_params_cte():
    """PostgreSQL materializes a CTE named more than once, hiding the parameters from the planner (a
    million statements: 6 s for evidence -p fact instead of 14 ms); accords sends it NOT MATERIALIZED."""
    from db.reports import all_reports, sql_for

    for name, report in all_reports().items():
        if report.parameters:
            assert "params as not materialized (" in sql_for(report, "postgresql"), name
        for dialect in ("sqlite", "mysql", "mariadb"):
            assert sql_for(report, dialect) == report.sql, (name, dialect)
