"""Money is exact on every engine: the digits given are the digits stored, printed, added up and exported."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import yaml
from click.testing import CliRunner
from conftest import edited_small_source
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from test_cli_db import _seed_at_revision

from db import api
from db.cli import cli
from db.models import AMOUNT_MAX, Money, amount_text, metadata

CENT = Decimal("0.01")
AMOUNTS_LINE = '      - {amount: 150000000, currency: USD, qualifier: exact, stage: contracted, text: "$150 million"}'
#: (amount as written in the file, stage, the source's words): two contracted amounts at the top of the
#: range, whose total carries into every part; two planned amounts whose text sorts against their value
BIG = [
    ("999999999999999999.99", "contracted", "$150 million"),
    ("999999999999999999.98", "contracted", "150 million"),
    ("1234567890123456.78", "planned", "$150 million"),
    ("987654321.00", "planned", "150 million"),
]


def _amounts_yaml(items) -> str:
    return "\n".join(f"      - {{amount: '{amount}', currency: USD, qualifier: exact, stage: {stage}, text: \"{words}\"}}"
                     for amount, stage, words in items)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _csv(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


def _count(url: str, table: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(text(f"select count(*) from {table}")).scalar_one()
    engine.dispose()
    return count


@pytest.fixture
def big_url(fresh_url, tmp_path) -> str:
    """A database holding the BIG amounts, loaded with `accords ingest`."""
    path = edited_small_source(tmp_path, AMOUNTS_LINE, _amounts_yaml(BIG))
    result = run("--db", fresh_url, "ingest", str(path))
    assert result.exit_code == 0, result.output
    return fresh_url


def test_amounts_come_back_digit_for_digit_from_sql(big_url):
    result = run("--db", big_url, "sql", "select amount, stage, amount_text from amounts", "--format", "csv")
    assert result.exit_code == 0, result.output
    stored = sorted((r["amount"], r["stage"], r["amount_text"]) for r in _csv(result.stdout))
    assert stored == sorted(BIG)


def test_amounts_come_back_digit_for_digit_from_export(big_url, tmp_path):
    out = tmp_path / "export.yaml"
    result = run("--db", big_url, "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    (doc,) = list(yaml.safe_load_all(out.read_text(encoding="utf-8")))
    exported = sorted((str(a["amount"]), a["stage"], a["text"])
                      for ag in doc["agreements"] for a in ag.get("amounts", []))
    assert exported == sorted(BIG)


def test_the_export_loads_again_with_the_same_digits(big_url, tmp_path, empty_url):
    out = tmp_path / "export.yaml"
    assert run("--db", big_url, "export", "-o", str(out)).exit_code == 0
    api.upgrade(empty_url)
    assert run("--db", empty_url, "ingest", str(out)).exit_code == 0
    result = run("--db", empty_url, "sql", "select amount, stage, amount_text from amounts", "--format", "csv")
    assert sorted((r["amount"], r["stage"], r["amount_text"]) for r in _csv(result.stdout)) == sorted(BIG)


def test_money_report_adds_big_amounts_exactly(big_url):
    result = run("--db", big_url, "report", "run", "money", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = _csv(result.stdout)
    assert {r["amount"] for r in rows} == {amount for amount, _, _ in BIG}
    for stage in ("contracted", "planned"):
        expected = sum(Decimal(amount) for amount, s, _ in BIG if s == stage)
        for row in (r for r in rows if r["stage"] == stage):
            assert row["actor_total"] == str(expected), row
            assert row["actor_n_amounts"] == "2"
            if row["country"]:
                assert row["country_total"] == str(expected), row
    assert "1999999999999999999.97" in {r["actor_total"] for r in rows}  # the carry through every part


def test_money_report_totals_add_small_amounts_with_and_without_carries(fresh_url, tmp_path):
    amounts = [("0.05", "contracted", "$150 million"), ("0.99", "contracted", "150 million"),
               ("999999999.00", "planned", "$150 million"), ("1.00", "planned", "150 million")]
    path = edited_small_source(tmp_path, AMOUNTS_LINE, _amounts_yaml(amounts))
    assert run("--db", fresh_url, "ingest", str(path)).exit_code == 0
    rows = _csv(run("--db", fresh_url, "report", "run", "money", "--format", "csv").stdout)
    assert {r["stage"]: r["actor_total"] for r in rows} == {"contracted": "1.04", "planned": "1000000000.00"}


@pytest.mark.parametrize("report", ["money", "agreements"])
def test_reports_order_amounts_by_value(big_url, report):
    result = run("--db", big_url, "report", "run", report, "--format", "csv")
    assert result.exit_code == 0, result.output
    for stage in ("contracted", "planned"):
        expected = sorted({a for a, s, _ in BIG if s == stage}, key=Decimal)
        listed = [r["amount"] for r in _csv(result.stdout) if r["stage"] == stage]
        # money lists each amount once per actor (A A B B), agreements each party's amounts (A B A B)
        runs = [a for i, a in enumerate(listed) if i == 0 or listed[i - 1] != a]
        assert runs and len(runs) % len(expected) == 0, (stage, listed)
        for start in range(0, len(runs), len(expected)):
            assert runs[start:start + len(expected)] == expected, (stage, listed)


def test_report_views_hold_the_exact_totals(big_url):
    result = run("--db", big_url, "sql", "select distinct stage, actor_total from report_money where actor = 'taliban'",
                 "--format", "csv")
    assert result.exit_code == 0, result.output
    totals = {r["stage"]: Decimal(r["actor_total"]) for r in _csv(result.stdout)}
    assert totals == {s: sum(Decimal(a) for a, st, _ in BIG if st == s) for s in ("contracted", "planned")}


OUT_OF_RANGE = [
    pytest.param("1000000000000000000", id="integer-too-large"),
    pytest.param("'1000000000000000000'", id="string-too-large"),
    pytest.param("'1.999'", id="three-decimals"),
    pytest.param("'1e40'", id="exponent"),
    pytest.param("-1", id="negative"),
    pytest.param("9" * 100, id="integer-of-100-digits"),
    pytest.param("'" + "9" * 5000 + "'", id="string-of-5000-digits"),
    # the reader refuses an integer this long before any schema sees it, naming its line and column
    pytest.param("9" * 5000, id="integer-of-5000-digits"),
]


@pytest.mark.parametrize("amount", OUT_OF_RANGE)
def test_an_amount_out_of_range_is_one_line_and_changes_nothing(seeded_url, snapshot, tmp_path, amount):
    bad = edited_small_source(tmp_path, "amount: 150000000", f"amount: {amount}")
    before, n_amounts = snapshot(seeded_url), _count(seeded_url, "amounts")
    result = run("--db", seeded_url, "ingest", str(bad))
    assert result.exit_code == 1, result.output
    where = "line 39, column 18: " if len(amount) > 1000 and amount[0] != "'" else "agreements[0].amounts[0].amount: "
    assert result.stderr.startswith(f"Error: {bad}: {where}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert _count(seeded_url, "amounts") == n_amounts
    assert snapshot(seeded_url) == before


def test_the_largest_amount_is_accepted_and_one_cent_more_is_not(fresh_url, tmp_path):
    largest = edited_small_source(tmp_path, "amount: 150000000", f"amount: '{AMOUNT_MAX}'", "largest.yaml")
    assert run("--db", fresh_url, "ingest", str(largest)).exit_code == 0
    beyond = edited_small_source(tmp_path, "amount: 150000000", f"amount: '{AMOUNT_MAX + CENT}'", "beyond.yaml")
    assert run("--db", fresh_url, "ingest", str(beyond)).exit_code == 1
    assert _count(fresh_url, "amounts") == 1


# --- the column itself -------------------------------------------------------------


def test_sqlite_stores_canonical_text(sqlite_seeded):
    engine = create_engine(sqlite_seeded)
    with engine.connect() as conn:
        stored = conn.execute(text("select amount, typeof(amount) from amounts")).all()
    engine.dispose()
    assert stored and all(kind == "text" and value == amount_text(value) for value, kind in stored)
    assert ("150000000.00", "text") in stored


@pytest.mark.parametrize("value", ["1e40", "01.00", "1.5", "1.500", "-1.00", ".50", " 1.00", "1,000.00",
                                   "1000000000000000000.00", 1.5, 150, ""])
def test_sqlite_refuses_a_non_canonical_amount(sqlite_seeded, value):
    from sqlalchemy.exc import IntegrityError

    engine = create_engine(sqlite_seeded)
    with engine.connect() as conn:
        agreement_id = conn.execute(text("select min(id) from agreements")).scalar_one()
        with pytest.raises(IntegrityError, match="CHECK constraint failed: ck_amounts_amount_"):
            conn.execute(text("insert into amounts (agreement_id, amount, currency, qualifier, stage, amount_text) "
                              "values (:a, :v, 'USD', 'exact', 'planned', 'x')"), {"a": agreement_id, "v": value})
    engine.dispose()


@pytest.mark.parametrize(("given", "canonical"), [
    ("1.5", "1.50"), (7, "7.00"), ("007", "7.00"), (Decimal("1E+3"), "1000.00"), ("0", "0.00"),
    (Decimal("-0"), "0.00"), (str(AMOUNT_MAX), str(AMOUNT_MAX)), ("1234567890123456.78", "1234567890123456.78"),
])
def test_amount_text_is_canonical(given, canonical):
    assert amount_text(given) == canonical


@pytest.mark.parametrize("given", [1.5, "1e40", "-1", "x", "NaN", "Infinity", str(AMOUNT_MAX + CENT), "9" * 5000])
def test_amount_text_refuses_what_cannot_be_stored(given):
    with pytest.raises(ValueError, match="not an amount|must be exact"):
        amount_text(given)


def test_db_check_finds_no_difference(big_url):
    assert api.check(big_url) == []


# --- migration 0005 ---------------------------------------------------------------------

OLD_VALUES = ["1234567890123456.78", "999999999999999.99", "0.10", "1.50", "540000000"]


def _as_stored_before_0005(conn, value: str):
    """The value bound as SQLAlchemy's NUMERIC bound it before 0005: a float on SQLite, a Decimal elsewhere."""
    return float(value) if conn.dialect.name == "sqlite" else Decimal(value)


def _expected_after_0005(dialect: str, value: str) -> Decimal:
    """SQLite had a float: its best rendering at two decimals; the servers had the exact decimal."""
    exact = Decimal(value)
    return Decimal(repr(float(exact))).quantize(CENT) if dialect == "sqlite" else exact.quantize(CENT)


def _amounts(url: str) -> dict[int, Decimal]:
    table = metadata.tables["amounts"]
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = {row_id: amount for row_id, amount in conn.execute(select(table.c.id, table.c.amount))}
    engine.dispose()
    return rows


def test_upgrade_to_0005_keeps_every_amount(empty_url, tmp_path):
    _seed_at_revision(empty_url, "0004", tmp_path)
    seed_amounts = _amounts(f"sqlite:///{tmp_path / 'head-for-projection.db'}")  # the seed, loaded at head
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        dialect = conn.dialect.name
        agreement_id = conn.execute(text("select min(id) from agreements")).scalar_one()
        added = {}
        for value in OLD_VALUES:
            conn.execute(text("insert into amounts (agreement_id, amount, currency, qualifier, stage, amount_text) "
                              "values (:a, :v, 'USD', 'exact', 'planned', :t)"),
                         {"a": agreement_id, "v": _as_stored_before_0005(conn, value), "t": f"words {value}"})
            added[conn.execute(text("select max(id) from amounts")).scalar_one()] = value
    engine.dispose()

    api.upgrade(empty_url)

    after = _amounts(empty_url)
    assert {i: after[i] for i in seed_amounts} == seed_amounts
    assert {i: after[i] for i in added} == {i: _expected_after_0005(dialect, v) for i, v in added.items()}
    if dialect != "sqlite":
        assert after[max(added)] == Decimal("540000000.00")
        assert {str(after[i]) for i in added} >= {"1234567890123456.78", "999999999999999.99"}
    assert api.check(empty_url) == []


def test_downgrade_from_0005_gives_numbers_back(seeded_url):
    before = _amounts(seeded_url)
    api.downgrade(seeded_url, "0004")
    engine = create_engine(seeded_url)
    with engine.connect() as conn:
        rows = dict(conn.execute(text("select id, amount from amounts")).all())
        if conn.dialect.name == "sqlite":
            kinds = {kind for (kind,) in conn.execute(text("select distinct typeof(amount) from amounts"))}
            assert kinds <= {"integer", "real"}
    engine.dispose()
    assert {i: Decimal(str(v)).quantize(CENT) for i, v in rows.items()} == before
    api.upgrade(seeded_url)
    assert _amounts(seeded_url) == before


def test_an_sqlite_amount_beyond_the_range_stops_the_upgrade_and_changes_nothing(tmp_path, snapshot):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _seed_at_revision(url, "0004", tmp_path)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("update amounts set amount = 1e40 where id = (select min(id) from amounts)"))
    engine.dispose()
    before = snapshot(url)
    result = run("--db", url, "db", "upgrade")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: 1 amount(s) cannot be stored exactly (0.00 to 999999999999999999.99), "
                                    "e.g. amounts.id ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert api.current(url)[0] == "0004"
    assert snapshot(url) == before


def test_money_type_is_numeric_on_the_servers_and_text_on_sqlite():
    from sqlalchemy.dialects import mysql, postgresql, sqlite

    assert str(Money().compile(dialect=postgresql.dialect())) == "NUMERIC(20, 2)"
    assert str(Money().compile(dialect=mysql.dialect())) == "NUMERIC(20, 2)"
    assert str(Money().compile(dialect=sqlite.dialect())) == "TEXT"


#: per engine, SQL whose decimal column holds a number past Decimal's default 28 digits, and its cents
WIDE_SQL = {
    "sqlite": "select 1 as n, 1e30 as x union all select 2, '-1234567890123456789012345678901.505'",
    "postgresql": "select 1 as n, 1e30::numeric(40, 2) as x union all select 2, -1234567890123456789012345678901.505",
    "mysql": "select 1 as n, cast(1e30 as decimal(40, 2)) as x union all "
               "select 2, cast(-1234567890123456789012345678901.505 as decimal(40, 3))",
}
WIDE_CENTS = ["1" + "0" * 30 + ".00", "-1234567890123456789012345678901.50"]


def _wide_report(monkeypatch, sql: str) -> None:
    from db import reports

    report = reports.Report("t", "t", "t", "t", sql, (),
                            (reports.Column("n", "integer"), reports.Column("x", "decimal")))
    monkeypatch.setattr(reports, "get_report", lambda name: report)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "table", "parquet"])
def test_a_report_writes_every_digit_of_a_decimal_past_28_digits(shared_seeded_url, monkeypatch, tmp_path, fmt):
    """Decimal's default context refuses to round such a value to cents (InvalidOperation): accords keeps every digit."""
    _wide_report(monkeypatch, WIDE_SQL[make_url(shared_seeded_url).get_backend_name()])
    out = tmp_path / f"out.{fmt}"
    result = run("--db", shared_seeded_url, "report", "run", "t", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    if fmt == "parquet":
        import pyarrow.parquet as pq

        assert [str(v) for v in pq.read_table(out).column("x").to_pylist()] == WIDE_CENTS
    else:
        assert all(cents in out.read_text(encoding="utf-8") for cents in WIDE_CENTS)


def test_an_infinite_decimal_is_one_line(monkeypatch, sqlite_seeded):
    _wide_report(monkeypatch, "select 1 as n, 9e999 as x")
    for fmt in ("csv", "json"):
        result = run("--db", sqlite_seeded, "report", "run", "t", "--format", fmt)
        assert result.exit_code == 1 and "not a finite decimal, which a report writes with two places: inf" \
            in result.output and "Traceback" not in result.output
