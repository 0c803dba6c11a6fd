"""Issue 15: reports find an actor's sub-units; the timeline's dates on the sources' own basis; ranges
that run backwards are wrong use; unknowns lists the month and day a partial date leaves open.

Expectations are read from the seed file (the article's facts), not written down here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import text

from db.cli import cli
from db.engine import make_engine, read_only
from db.errors import UsageError
from db.reports import ReportFormatError, all_reports, bind_parameters, get_report, parse_report, run_report

SEED = yaml.safe_load((Path(__file__).resolve().parent.parent / "db" / "data" / "seed.yaml").read_text("utf-8"))
PARENT = {a["slug"]: a.get("parent") for a in SEED["actors"]}


def ancestors(slug: str) -> list[str]:
    """The actor's parent chain, from the actor itself up."""
    chain = [slug]
    while PARENT.get(chain[-1]):
        chain.append(PARENT[chain[-1]])
    return chain


def rows(url: str, name: str, *params: tuple[str, str]) -> list[dict]:
    report = get_report(name)
    engine = make_engine(url)
    try:
        with read_only(engine) as conn:
            result = run_report(conn, report, bind_parameters(report, list(params)))
            return [dict(zip(result.columns, row, strict=True)) for row in result.rows]
    finally:
        engine.dispose()


# --- sub-units ---------------------------------------------------------------------------------


def test_the_statements_of_us_government_actors_are_the_seven_of_the_article(shared_seeded_url):
    expected = {st["slug"]: st["speaker"] for st in SEED["statements"]
                if st.get("speaker") and "united-states" in ancestors(st["speaker"])}
    assert len(expected) == 7  # the United States, the Biden administration (2), the State Department (4)
    found = rows(shared_seeded_url, "statements", ("speaker", "united-states"))
    assert {r["statement"]: r["speaker"] for r in found} == expected
    for r in found:
        assert r["speaker_match"] == ("self" if r["speaker"] == "united-states" else "sub-unit of united-states")
    only = rows(shared_seeded_url, "statements", ("speaker", "united-states"), ("subunits", "no"))
    assert {r["statement"] for r in only} == {s for s, sp in expected.items() if sp == "united-states"}
    assert {r["speaker_match"] for r in only} == {"self"}


def test_a_target_finds_statements_about_sub_units_too(shared_seeded_url):
    found = rows(shared_seeded_url, "statements", ("target", "united-states"))
    about = {r["about"] for r in found}
    assert "united-states" in about and "biden-administration" in about  # the article blames the administration
    assert all("united-states" in ancestors(a) for a in about)
    deep = [r for r in found if r["about"] == "state-department-employees"]  # two levels down
    assert deep and {r["target_match"] for r in deep} == {"sub-unit of united-states"}
    only = rows(shared_seeded_url, "statements", ("target", "united-states"), ("subunits", "no"))
    assert {r["about"] for r in only} == {"united-states"}


@pytest.mark.parametrize(("name", "columns"), [
    ("actor", ["actor"]), ("money", ["actor"]), ("evidence", ["fact", "part"]),
    ("network", ["actor_a", "actor_b"]),
])
def test_every_actor_report_takes_the_sub_units_unless_told_not_to(shared_seeded_url, name, columns):
    top = "china"
    sub_units = {slug for slug in PARENT if slug != top and top in ancestors(slug)}
    with_units = rows(shared_seeded_url, name, ("actor", top))
    seen = {r[c] for r in with_units for c in columns}
    assert seen & sub_units, f"{name}: no row of China's sub-units"
    itself = rows(shared_seeded_url, name, ("actor", top), ("subunits", "no"))
    assert 0 < len(itself) < len(with_units)
    match_columns = [c.name for c in get_report(name).columns if c.name.endswith("_match")]
    assert {r[c] for r in itself for c in match_columns} <= {"self", None}
    assert "sub-unit of china" in {r[c] for r in with_units for c in match_columns}
    assert rows(shared_seeded_url, name, ("actor", top), ("subunits", "")) == with_units  # empty: the default


def test_the_sub_units_of_an_actor_are_its_whole_parent_chain_down(shared_seeded_url):
    profiled = {r["actor"]: r["actor_match"] for r in rows(shared_seeded_url, "actor", ("actor", "United States"))}
    expected = {slug for slug in PARENT if "united-states" in ancestors(slug)}
    assert set(profiled) == expected
    assert profiled["political-appointees-and-career-officials"] == "sub-unit of united-states"  # two levels down
    assert profiled["united-states"] == "self"


# --- timeline: the sources' own dates ------------------------------------------------------------


def overlaps(r: dict, first: str, last: str, prefix: str = "date") -> bool:
    earliest, latest = r[f"{prefix}_earliest"], r[f"{prefix}_latest"]
    return ((earliest or latest) is not None and (latest is None or latest.isoformat() >= first)
            and (earliest is None or earliest.isoformat() <= last))


def test_the_timeline_on_the_stated_basis_leaves_inferences_apart(shared_seeded_url):
    every = rows(shared_seeded_url, "timeline", ("basis", "stated"))
    assert not any(r["is_inferred"] for r in every)
    assert any(r["inferred_earliest"] for r in every), "inferred dates are still shown"
    placed = [r for r in every if r["date_earliest"] or r["date_latest"]]
    assert every[:len(placed)] == placed, "the facts the sources date come first"
    doha = next(r for r in every if r["fact"] == "doha-agreement")
    assert doha["date_earliest"] is None and doha["inferred_earliest"].isoformat() == "2020-02-29"
    year = rows(shared_seeded_url, "timeline", ("basis", "stated"), ("from", "2023-01-01"), ("to", "2023-12-31"))
    assert year and all(overlaps(r, "2023-01-01", "2023-12-31") for r in year)
    assert [r for r in every if overlaps(r, "2023-01-01", "2023-12-31")] == year


def test_from_and_to_keep_only_facts_whose_range_overlaps(shared_seeded_url):
    every = rows(shared_seeded_url, "timeline")
    placed = [r for r in every if r["date_earliest"] or r["date_latest"] or r["inferred_earliest"]
              or r["inferred_latest"]]
    undated = [r for r in every if r not in placed]
    assert undated, "the seed has relative dates accords has not inferred"
    window = rows(shared_seeded_url, "timeline", ("from", "2021-01-01"), ("to", "2021-12-31"))
    assert window and not any(r in undated for r in window)
    inferred = [r for r in window if r["is_inferred"]]
    assert inferred and all(overlaps(r, "2021-01-01", "2021-12-31", "inferred") for r in inferred)
    kept = rows(shared_seeded_url, "timeline", ("from", "2021-01-01"), ("to", "2021-12-31"), ("undated", "yes"))
    assert kept == [r for r in every if r in window or r in undated]
    assert rows(shared_seeded_url, "timeline", ("from", "")) == every  # empty: not given


def run_cli(url: str, *args: str):
    return CliRunner().invoke(cli, ["--db", url, "report", "run", *args])


def test_from_after_to_is_wrong_use_in_one_line_on_every_engine(shared_seeded_url, snapshot):
    before = snapshot(shared_seeded_url)
    result = run_cli(shared_seeded_url, "timeline", "-p", "from", "2023-12-31", "-p", "to", "2023-01-01")
    assert result.exit_code == 2
    error = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert error == ["Error: parameter 'from' (2023-12-31) is after parameter 'to' (2023-01-01): "
                     "-p from may not be later than -p to"]
    assert snapshot(shared_seeded_url) == before
    same_day = run_cli(shared_seeded_url, "timeline", "-p", "from", "2023-01-01", "-p", "to", "2023-01-01")
    assert same_day.exit_code == 0


# --- the declared pair ---------------------------------------------------------------------------

PAIR = """-- title: Test
-- grain: one row per actor
-- key: [slug]
-- description: A test report.
-- parameters:
--   - {name: low, type: LOW}
--   - {name: high, type: HIGH, not_before: BEFORE}
-- columns:
--   - {name: slug, type: text, description: The slug.}
select slug from actors where :low is null and :high is null
"""


def pair(low: str = "integer", high: str = "integer", before: str = "low"):
    return parse_report("test", PAIR.replace("LOW", low).replace("HIGH", high).replace("BEFORE", before))


@pytest.mark.parametrize("kind", ["integer", "decimal", "date"])
def test_a_declared_pair_refuses_a_range_that_runs_backwards(kind):
    low, high = {"integer": ("10", "9"), "decimal": ("1.5", "1.25"), "date": ("2024-03-05", "2024-03-04")}[kind]
    report = pair(kind, kind)
    with pytest.raises(UsageError) as caught:
        bind_parameters(report, [("low", low), ("high", high)])
    assert str(caught.value) == (f"parameter 'low' ({bind_parameters(report, [('low', low)])['low']}) is after "
                                 f"parameter 'high' ({bind_parameters(report, [('high', high)])['high']}): "
                                 "-p low may not be later than -p high")
    assert bind_parameters(report, [("low", high), ("high", low)])  # the right way round
    assert bind_parameters(report, [("low", low)]) and bind_parameters(report, [("high", high)])  # one end open


@pytest.mark.parametrize(("args", "message"), [
    (("integer", "integer", "nothing"), "parameters[1].not_before: 'nothing' is not another declared parameter"),
    (("integer", "integer", "high"), "parameters[1].not_before: 'high' is not another declared parameter"),
    (("integer", "date", "low"), "parameters[1].not_before: 'high' and 'low' must both be of one type of: "
                                 "integer, decimal, date"),
    (("text", "text", "low"), "parameters[1].not_before: 'high' and 'low' must both be of one type of: "
                              "integer, decimal, date"),
])
def test_a_wrong_pair_in_a_header_is_one_clear_error(args, message):
    with pytest.raises(ReportFormatError) as caught:
        pair(*args)
    assert str(caught.value) == f"reports/test.sql: header: {message}"


#: names of parameters that end a range, with the parameter that starts it
RANGE_ENDS = {"to": "from", "until": "since", "before": "after", "max": "min"}


def test_every_shipped_range_is_declared_as_a_pair():
    found = 0
    for name, report in all_reports().items():
        for p in report.parameters:
            start = RANGE_ENDS.get(p.name) or (p.name.replace("max_", "min_", 1) if p.name.startswith("max_") else None)
            if start and report.parameter(start):
                found += 1
                assert p.not_before == start, f"reports/{name}.sql: {p.name} needs not_before: {start}"
    assert found >= 1


def test_an_empty_required_parameter_is_missing():
    with pytest.raises(UsageError, match="needs parameter 'actor'"):
        bind_parameters(get_report("actor"), [("actor", "")])


# --- unknowns: the month and the day a partial date leaves open ------------------------------------


@pytest.mark.parametrize("missing", ["month", "day"])
def test_unknowns_lists_the_month_and_day_a_partial_date_leaves_open(shared_seeded_url, missing):
    open_ = {"month": ("part_of_year", "year", "years"), "day": ("month", "part_of_year", "year", "years")}[missing]
    engine = make_engine(shared_seeded_url)
    try:
        with read_only(engine) as conn:
            expected = set()
            for table, column in [("agreements", "signed"), ("projects", "started"), ("events", "occurred"),
                                  ("statements", "said"), ("sources", "published")]:
                for slug, precision in conn.execute(text(f"select slug, {column}_precision from {table}")):
                    if precision in open_:
                        expected.add((table.rstrip("s"), slug, precision))
    finally:
        engine.dispose()
    assert any(e[2] == "year" for e in expected), "the seed has dates known only to the year"
    found = rows(shared_seeded_url, "unknowns", ("missing", missing))
    assert {(r["fact_type"], r["fact"], r["stated_precision"]) for r in found} == expected
    assert all(r["missing"] == missing and r["stated_text"] for r in found)
