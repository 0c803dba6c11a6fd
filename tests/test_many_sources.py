"""Many sources, one record: refine, corroborate and conflict on every engine, removal, export.

The three invented sources in tests/data/many-sources/ (marked TEST DATA)
refine the seed (the oil contract's day, its yearly amount, the road's
month, Pelosi's month), contradict it (2022 against 2023, $540 million in
all against $150 million, a marble deal "contracted" against an interest)
and give partial dates at their edges (part of a year inside a range, a
relative date). Golden files for the claims and conflicts reports, made on
SQLite, are compared on every engine.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ENGINES
from conftest import query_rows as rows
from test_golden import render

from db import api
from db.cli import cli
from db.errors import AccordsError, ValidationError
from db.reports import all_reports, get_report

DATA = Path(__file__).parent / "data" / "many-sources"
SOURCES = sorted(DATA.glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden" / "many-sources"
UPDATE = os.environ.get("ACCORDS_UPDATE_GOLDEN") == "1"
OIL = "afghan-oil-extraction-contract"


def claims_of(url: str, slug: str, field: str) -> list[tuple]:
    """(source, value, support, disputed, in_record) of an agreement's claims on one field."""
    return sorted(rows(url, """
        select s.slug, c.value, c.support, c.disputed, c.in_record from claims c
        join sources s on s.id = c.source_id join agreements a on a.id = c.agreement_id
        where a.slug = :slug and c.field = :field""", slug=slug, field=field),
        key=lambda r: r[0])


def normal(value):
    return bool(value) if isinstance(value, int) and value in (0, 1) else value


@pytest.fixture
def loaded(seeded_url: str) -> str:
    """The seed and the three test sources, loaded in order."""
    api.ingest(seeded_url, SOURCES)
    return seeded_url


def test_refine_keeps_every_claim_and_shows_the_most_precise(engine_name, seeded_url):
    results = api.ingest(seeded_url, SOURCES[:1])
    assert results[0].refined == [
        f"{OIL} signed: In 2023 -> on 5 January 2023",
        f"{OIL} amount: $150 million -> $150 million a year",
        "pamir-xinjiang-road started: Also In 2023 -> in April 2023",
        "pelosi-visit-to-taiwan occurred: in 2022 -> in August 2022",
    ]
    assert results[0].conflicts == []
    record = rows(seeded_url, "select signed_text, signed_earliest, signed_latest, signed_precision from agreements "
                              "where slug = :s", s=OIL)
    assert [tuple(map(str, r)) for r in record] == [("on 5 January 2023", "2023-01-05", "2023-01-05", "day")]
    # the seed's "In 2023" is still its claim; the wire report's day supports it (2 sources), not the reverse
    assert [tuple(map(normal, r)) for r in claims_of(seeded_url, OIL, "signed")] == [
        ("beijing-and-taliban-build-an-alliance", "In 2023", 2, False, False),
        ("test-wire-report", "on 5 January 2023", 1, False, True),
    ]
    amount = rows(seeded_url, "select amount_text, period, qualifier from amounts am join agreements a "
                              "on a.id = am.agreement_id where a.slug = :s", s=OIL)
    assert amount == [("$150 million a year", "year", "exact")]


def test_corroboration_counts_distinct_sources(engine_name, loaded):
    signed = {r[0]: r[2] for r in claims_of(loaded, OIL, "signed")}
    # In 2023 is stated by the seed and the digest, and within it by the wire report's day
    assert signed == {"beijing-and-taliban-build-an-alliance": 3, "test-regional-digest": 3,
                      "test-wire-report": 1, "test-contrary-report": 1}
    kinds = {r[0]: r[2] for r in claims_of(loaded, OIL, "kind")}
    assert set(kinds.values()) == {4}
    sources = rows(loaded, "select count(distinct e.source_id) from evidence e join agreements a "
                           "on a.id = e.agreement_id where a.slug = :s", s=OIL)
    assert sources == [(4,)]


def test_conflict_keeps_both_sides_and_flags_the_record(engine_name, loaded):
    signed = {r[0]: tuple(map(normal, r[1:])) for r in claims_of(loaded, OIL, "signed")}
    assert signed["test-contrary-report"] == ("in 2022", 1, True, False)
    assert signed["test-wire-report"] == ("on 5 January 2023", 1, True, True)  # the side with most support
    assert signed["beijing-and-taliban-build-an-alliance"][2] is True
    record = rows(loaded, "select signed_text from agreements where slug = :s", s=OIL)
    assert record == [("on 5 January 2023",)]
    amounts = rows(loaded, """
        select s.slug, c.value, c.disputed from amounts am join agreements a on a.id = am.agreement_id
        join claims c on c.amount_id = am.id join sources s on s.id = c.source_id
        where a.slug = :s order by s.id""", s=OIL)
    # $150 million (seed) against $540 million in all (contrary); the wire's yearly amount is no total
    assert [(a, b, normal(c)) for a, b, c in amounts] == [
        ("beijing-and-taliban-build-an-alliance", "$150 million", True),
        ("test-wire-report", "$150 million a year", False),
        ("test-contrary-report", "$540 million in all", True)]
    status = rows(loaded, "select status from projects where slug = 'afghan-marble-mines-interest'")
    # one source each: the seed (ungraded) ranks above a source graded D (not usually reliable)
    assert status == [("interest",)]
    flags = rows(loaded, """select s.slug, c.value, c.disputed, c.in_record from claims c
        join sources s on s.id = c.source_id join projects p on p.id = c.project_id
        where p.slug = 'afghan-marble-mines-interest' and c.field = 'status' order by s.id""")
    assert [(a, b, normal(c), normal(d)) for a, b, c, d in flags] == [
        ("beijing-and-taliban-build-an-alliance", "interest", True, True),
        ("test-contrary-report", "contracted", True, False)]


def test_partial_dates_at_their_edges(engine_name, loaded):
    exchange = rows(loaded, "select signed_text, signed_earliest, signed_latest from agreements where slug = :s",
                    s="china-taliban-ambassador-exchange")
    assert [tuple(map(str, r)) for r in exchange] == [("in late 2022", "2022-09-01", "2022-12-31")]
    # "last year" (relative) is a claim, compared with nothing: Pelosi's visit stays in August 2022
    pelosi = rows(loaded, """select e.occurred_text, c.value, c.disputed from events e
        join claims c on c.event_id = e.id where e.slug = 'pelosi-visit-to-taiwan' and c.field = 'occurred'
        order by c.source_id""")
    assert [(a, b, normal(c)) for a, b, c in pelosi] == [
        ("in August 2022", "in 2022", False), ("in August 2022", "in August 2022", False),
        ("in August 2022", "last year", False)]


def test_ingest_prints_what_a_file_changed_and_fail_on_conflict_loads_nothing(engine_name, seeded_url, snapshot):
    runner = CliRunner()
    before = snapshot(seeded_url)
    failed = runner.invoke(cli, ["--db", seeded_url, "ingest", "--fail-on-conflict", *map(str, SOURCES)])
    assert failed.exit_code == 1, failed.output
    assert f"2-test-contrary-report.yaml: test-contrary-report: conflict {OIL} amount: $150 million" in failed.output
    assert "nothing was loaded (--fail-on-conflict)" in failed.output
    assert snapshot(seeded_url) == before
    done = runner.invoke(cli, ["--db", seeded_url, "ingest", *map(str, SOURCES[:2])])
    assert done.exit_code == 0, done.output
    assert "loaded test-wire-report: 9 evidence; corroborates 7 facts of other sources\n" in done.output
    assert f"  refines {OIL} signed: In 2023 -> on 5 January 2023\n" in done.output
    assert (f"  conflict {OIL} amount: $150 million (beijing-and-taliban-build-an-alliance) vs "
            "$540 million in all (test-contrary-report)\n") in done.output


def _all_reports(url: str) -> dict[str, str]:
    out = {}
    for name, report in all_reports().items():
        params = [(p.name, OIL) for p in report.parameters if p.required]
        if name == "actor":
            params = [("actor", "taliban")]
        out[name] = render(url, name, params)[1]
    return out


@pytest.mark.parametrize("removed", range(len(SOURCES)), ids=[p.stem for p in SOURCES])
def test_removing_a_source_restores_every_report(engine_name, templates, tmp_path, removed):
    """Load all, remove one: every report equals the database where it was never loaded."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with_all = templates.copy(engine_name, "seeded", tmp_path / "a")
    without = templates.copy(engine_name, "seeded", tmp_path / "b")
    api.ingest(with_all, SOURCES)
    api.ingest(without, [p for i, p in enumerate(SOURCES) if i != removed])
    result = api.remove_source(with_all, SOURCES[removed].stem.split("-", 1)[1])
    assert result.counts["sources"] == 1 and result.counts["claims"] > 0
    assert _all_reports(with_all) == _all_reports(without)


def test_remove_refuses_an_unknown_source_and_asks_first(engine_name, seeded_url, snapshot):
    before = snapshot(seeded_url)
    runner = CliRunner()
    unknown = runner.invoke(cli, ["--db", seeded_url, "source", "remove", "no-such-source", "--yes"])
    assert unknown.exit_code == 1 and unknown.output == (
        "Error: no source with slug 'no-such-source' (see `accords report run sources`)\n")
    asked = runner.invoke(cli, ["--db", seeded_url, "source", "remove", "beijing-and-taliban-build-an-alliance"],
                          input="n\n")
    assert asked.exit_code == 1 and "Remove source" in asked.output and "nothing removed" in asked.output
    assert snapshot(seeded_url) == before


def test_export_then_ingest_reproduces_the_claims_and_conflicts(engine_name, loaded, templates, tmp_path):
    out = io.StringIO()
    api.export(loaded, out)
    (tmp_path / "copy").mkdir()
    copy = templates.copy(engine_name, "fresh", tmp_path / "copy")
    exported = tmp_path / "export.yaml"
    exported.write_text(out.getvalue(), encoding="utf-8")
    api.ingest(copy, [exported])
    claims = """select s.slug, c.field, c.value, c.earliest, c.latest, c.amount, c.currency, c.qualifier, c.period,
                       c.support, c.disputed, c.in_record, e.quote, s.grade
                from claims c join sources s on s.id = c.source_id join evidence e on e.id = c.evidence_id"""
    assert sorted(map(str, rows(copy, claims))) == sorted(map(str, rows(loaded, claims)))
    assert _all_reports(copy) == _all_reports(loaded)


CASES = [("claims-oil-contract", "claims", (("fact", OIL),)),
         ("claims-marble-mines", "claims", (("fact", "afghan-marble-mines-interest"),)),
         ("claims-oil-contract-grade-b", "claims", (("fact", OIL), ("grade", "B"))),
         ("conflicts", "conflicts", ()),
         ("conflicts-contrary", "conflicts", (("source", "test-contrary-report"),)),
         ("agreements", "agreements", ())]


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mariadb"])
def shared_loaded(request, templates, tmp_path_factory) -> str:
    if request.param not in ENGINES:
        pytest.skip(f"{request.param} is not tested in this run")
    url = templates.copy(request.param, "seeded", tmp_path_factory.mktemp("many"))
    api.ingest(url, SOURCES)
    return url


@pytest.mark.parametrize(("case", "report_name", "params"), CASES, ids=[c[0] for c in CASES])
def test_claims_and_conflicts_match_golden_files(shared_loaded, case, report_name, params):
    columns, csv_text = render(shared_loaded, report_name, params)
    assert columns == [c.name for c in get_report(report_name).columns]
    path = GOLDEN / f"{case}.csv"
    if UPDATE and shared_loaded.startswith("sqlite"):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(csv_text.encode("utf-8"))
    assert csv_text == path.read_bytes().decode("utf-8")
    assert csv_text.count("\r\n") > 1


DATED = """format: 1
source:
  slug: test-dated-contract
  title: "TEST DATA: a date quoted apart from its fact"
  kind: other
  text: "TEST DATA. Acme and Beijing signed a contract. It was signed on 3 March 2023. Nothing else."
actors:
  - {slug: acme, name: Acme, kind: company, evidence: ["Acme and Beijing"]}
agreements:
  - slug: acme-test-contract
    title: Acme contract
    kind: contract
    status: signed
    signed: {text: "on 3 March 2023", day: "2023-03-03", evidence: [QUOTE]}
    parties: [{actor: acme, role: signatory}, {actor: china, role: counterparty}]
    evidence: ["Acme and Beijing signed a contract."]
"""


def test_a_date_can_give_its_own_evidence(engine_name, seeded_url, tmp_path):
    good = tmp_path / "dated.yaml"
    good.write_text(DATED.replace("QUOTE", '"It was signed on 3 March 2023."'), encoding="utf-8")
    api.ingest(seeded_url, [good])
    quoted = rows(seeded_url, """select c.field, e.quote from claims c join evidence e on e.id = c.evidence_id
        join agreements a on a.id = c.agreement_id where a.slug = 'acme-test-contract' order by c.field""")
    assert quoted == [("kind", "Acme and Beijing signed a contract."),
                      ("signed", "It was signed on 3 March 2023."),
                      ("status", "Acme and Beijing signed a contract.")]
    bad = tmp_path / "bad.yaml"
    bad.write_text(DATED.replace("QUOTE", '"Nothing else."').replace("test-dated-contract", "test-bad-date"),
                   encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        api.ingest(seeded_url, [bad])
    assert caught.value.problems == [
        f"{bad}: agreements[0].signed.text: date words 'on 3 March 2023' do not occur in the date's evidence"]


def test_a_corrected_file_replaces_only_its_own_claims(engine_name, seeded_url, tmp_path):
    api.ingest(seeded_url, SOURCES[:1])
    seed_claims = rows(seeded_url, "select c.id, c.field, c.value from claims c join sources s on s.id = c.source_id "
                                   "where s.slug = 'beijing-and-taliban-build-an-alliance' order by c.id")
    corrected = tmp_path / "wire.yaml"
    corrected.write_text(SOURCES[0].read_text(encoding="utf-8").replace("5 January 2023", "6 January 2023")
                         .replace('"2023-01-05"', '"2023-01-06"'), encoding="utf-8")
    result = api.ingest(seeded_url, [corrected])[0]
    assert result.changed and result.conflicts == []
    after = rows(seeded_url, "select c.id, c.field, c.value from claims c join sources s on s.id = c.source_id "
                             "where s.slug = 'beijing-and-taliban-build-an-alliance' order by c.id")
    assert after == seed_claims  # the seed's claims are untouched
    assert [tuple(map(normal, r)) for r in claims_of(seeded_url, OIL, "signed")] == [
        ("beijing-and-taliban-build-an-alliance", "In 2023", 2, False, False),
        ("test-wire-report", "on 6 January 2023", 1, False, True),
    ]


def test_money_totals_add_only_the_side_of_a_dispute_the_record_keeps(engine_name, loaded):
    money = csv.DictReader(io.StringIO(render(loaded, "money", [("actor", "taliban")])[1]))
    contract = [r for r in money if r["owner"] == OIL]
    assert {(r["amount"], r["disputed"]) for r in contract} == {("150000000.00", "true"), ("540000000.00", "true")}
    # $150 million (the seed, with the wire report's yearly words) is the record's side: $540 million, outside
    # the record, is added to no total
    assert {(r["amount"], r["actor_total"], r["actor_n_disputed"]) for r in contract} == {
        ("150000000.00", "150000000.00", "1"), ("540000000.00", "", "")}


ACME = """format: 1
source:
  slug: SLUG
  title: "TEST DATA: Acme, a company invented for the tests"
  kind: other
  text: "TEST DATA. Acme signed a contract with Beijing."
actors:
  - {slug: acme, name: Acme, kind: company, country: COUNTRY, evidence: ["Acme signed"]}
agreements:
  - slug: acme-beijing-contract
    title: Acme contract with China
    kind: contract
    status: signed
    parties: [{actor: acme, role: signatory}, {actor: china, role: counterparty}]
    evidence: ["Acme signed a contract with Beijing."]
"""


def test_an_actor_only_removed_sources_introduced_goes_with_them(engine_name, seeded_url, tmp_path):
    files = []
    for slug, country in (("test-acme-one", "US"), ("test-acme-two", "GB")):
        files.append(tmp_path / f"{slug}.yaml")
        files[-1].write_text(ACME.replace("SLUG", slug).replace("COUNTRY", country), encoding="utf-8")
    results = api.ingest(seeded_url, files)
    assert results[1].conflicts == ["acme country: US (test-acme-one) vs GB (test-acme-two)"]
    api.remove_source(seeded_url, "test-acme-one")
    assert rows(seeded_url, "select country from actors where slug = 'acme'") == [("GB",)]  # the other's claim
    api.remove_source(seeded_url, "test-acme-two")
    assert rows(seeded_url, "select slug from actors where slug = 'acme'") == []
    assert rows(seeded_url, "select slug from agreements where slug = 'acme-beijing-contract'") == []


def test_a_source_others_rely_on_cannot_be_removed(engine_name, seeded_url, snapshot):
    api.ingest(seeded_url, SOURCES[:1])  # the wire report names the seed's actors by slug, declaring none
    before = snapshot(seeded_url)
    with pytest.raises(AccordsError) as caught:
        api.remove_source(seeded_url, "beijing-and-taliban-build-an-alliance")
    assert str(caught.value).startswith("cannot remove beijing-and-taliban-build-an-alliance: other sources refer "
                                        "to actor chinese-state-owned-companies, actor taliban")
    assert snapshot(seeded_url) == before


PERIODS = """format: 1
source:
  slug: test-acme-periods
  title: "TEST DATA: Acme's two contracts"
  kind: other
  text: "TEST DATA. Acme pays $10 million a year under one contract, and $100 million in total under another."
actors:
  - {slug: acme, name: Acme, kind: company, country: US, evidence: ["Acme pays"]}
agreements:
  - slug: acme-yearly-contract
    title: Acme's yearly contract
    kind: contract
    status: signed
    parties: [{actor: acme, role: signatory}]
    amounts: [{amount: 10000000, currency: USD, qualifier: exact, stage: contracted, period: year,
               text: "$10 million a year"}]
    evidence: ["Acme pays $10 million a year under one contract"]
  - slug: acme-total-contract
    title: Acme's other contract
    kind: contract
    status: signed
    parties: [{actor: acme, role: signatory}]
    amounts: [{amount: 100000000, currency: USD, qualifier: exact, stage: contracted, period: total,
               text: "$100 million in total"}]
    evidence: ["$100 million in total under another"]
"""


def test_money_never_adds_amounts_of_different_periods(engine_name, seeded_url, tmp_path):
    path = tmp_path / "periods.yaml"
    path.write_text(PERIODS, encoding="utf-8")
    api.ingest(seeded_url, [path])
    money = list(csv.DictReader(io.StringIO(render(seeded_url, "money", [("actor", "acme")])[1])))
    assert sorted((r["period"], r["amount"], r["actor_total"]) for r in money) == [
        ("total", "100000000.00", "100000000.00"), ("year", "10000000.00", "10000000.00")]


def test_a_parent_that_loops_through_another_sources_parents_is_refused(engine_name, seeded_url, tmp_path, snapshot):
    path = tmp_path / "cycle.yaml"
    path.write_text("""format: 1
source:
  slug: test-cycle
  title: "TEST DATA: a parent loop"
  kind: other
  text: "TEST DATA. China belongs to the Chinese state-owned companies."
actors:
  - {slug: china, name: China, kind: state, country: CN, parent: chinese-state-owned-companies,
     evidence: ["China belongs"]}
""", encoding="utf-8")
    before = snapshot(seeded_url)
    with pytest.raises(ValidationError) as caught:
        api.ingest(seeded_url, [path])
    assert caught.value.problems == [f"{path}: actors: the parent chain of the parent it gives, "
                                     "'chinese-state-owned-companies', leads back to the actor through other "
                                     "sources' parents"]
    assert snapshot(seeded_url) == before
