"""Revision 0006 (claims, labels, source grades, amount periods) over a database that holds data.

On every engine a database at 0005 holds the seed, tests/data/second-source.yaml and
tests/data/many-sources/3-test-regional-digest.yaml
(written by the loader at the newest revision, then downgraded with --force:
the loader of 0005 is gone). Upgrading it must lose nothing: every row of
every table is still there, and every report of the old version gives its
rows again (the reports as they were before 0006 are read from the git
history; today's reports must show the same rows on the old columns). The
claims and labels it writes are those a fresh load of each source would
write for the fact's current values, and `accords db check` finds nothing.

A downgrade below 0006 that would lose information (a claim that differs
from the record, a source's grade, an amount's period) refuses and changes
nothing, unless forced.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from db import api, migrate
from db.cli import cli
from db.engine import make_engine, read_only, sqlite_path
from db.errors import AccordsError
from db.reports import Report, all_reports, bind_parameters, parse_report, run_report

REPO = Path(__file__).resolve().parent.parent
SECOND = Path(__file__).parent / "data" / "second-source.yaml"
#: a third source (invented test data) that restates and refines some of the seed's facts
THIRD = Path(__file__).parent / "data" / "many-sources" / "3-test-regional-digest.yaml"
BEFORE, CLAIMS = "0005", "0006"
#: fact table -> its column in evidence, claims and labels (FACT_TARGETS)
FACT_COLUMN = {
    "actors": "actor_id", "actor_aliases": "alias_id", "actor_relations": "relation_id",
    "agreements": "agreement_id", "agreement_parties": "party_id", "agreement_obligations": "obligation_id",
    "projects": "project_id", "project_participants": "participant_id", "amounts": "amount_id",
    "statements": "statement_id", "statement_subjects": "subject_id", "events": "event_id",
    "event_participants": "event_participant_id",
}
LABELS = {"actors": ("name", "description"), "actor_relations": ("description",),
          "agreements": ("title", "description"), "projects": ("title", "description"),
          "events": ("title", "description"), "statements": ("content",)}
#: report parameters tried besides each report's defaults (where the report has the parameter)
PARAMETERS = [
    ("actor", (("actor", "Beijing"),)),
    ("actor", (("actor", "taliban"),)),
    ("agreements", (("kind", "contract"),)),
    ("aliases", (("actor", "Kabul"),)),
    ("evidence", (("fact", "afghan-oil-extraction-contract"),)),
    ("evidence", (("actor", "China"),)),
    ("money", (("actor", "taliban"),)),
    ("obligations", (("agreement", "doha-agreement"),)),
    ("statements", (("speaker", "taliban"),)),
    ("timeline", (("from", "2023-01-01"), ("to", "2023-12-31"))),
]


# ----------------------------------------------------------------------------- helpers


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True,
                          timeout=60).stdout


@pytest.fixture(scope="module")
def old_reports() -> dict[str, Report]:
    """The reports as they were before revision 0006: those of the commit before db/models/claims.py."""
    try:
        added = _git("log", "--format=%H", "--diff-filter=A", "--", "db/models/claims.py").split()
        before = f"{added[-1]}^"
        names = [Path(p).stem for p in _git("ls-tree", "--name-only", before, "reports/").split()
                 if p.endswith(".sql")]
        reports = {name: parse_report(name, _git("show", f"{before}:reports/{name}.sql")) for name in names}
    except (OSError, subprocess.SubprocessError, IndexError) as exc:
        pytest.skip(f"the reports before revision 0006 are read from the git history, not available here: {exc}")
    assert len(reports) >= 10, sorted(reports)
    return reports


def _cases(reports: dict[str, Report]) -> list[tuple[str, tuple]]:
    """(report, parameters): every report with its defaults, and the examples it takes."""
    out: list[tuple[str, tuple]] = [(name, ()) for name, r in reports.items()
                                    if not any(p.required for p in r.parameters)]
    out += [(name, params) for name, params in PARAMETERS
            if name in reports and all(reports[name].parameter(p) is not None for p, _ in params)]
    return out


def _run(url: str, report: Report, params: tuple) -> tuple[list[str], list[tuple]]:
    """A report's columns and rows, read-only, whatever the database's revision."""
    engine = make_engine(url)
    try:
        with read_only(engine) as conn:
            result = run_report(conn, report, bind_parameters(report, list(params)))
            return result.columns, list(result.rows)
    finally:
        engine.dispose()


def _tables(url: str) -> dict[str, tuple[list[str], Counter]]:
    """Every table's columns and rows (report_views and alembic_version aside)."""
    engine = create_engine(url)
    out = {}
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            for table in sorted(set(insp.get_table_names()) - {"alembic_version", "report_views"}):
                columns = [c["name"] for c in insp.get_columns(table)]
                out[table] = (columns, Counter(tuple(r) for r in conn.execute(
                    text(f"select {', '.join(columns)} from {table}"))))
    finally:
        engine.dispose()
    return out


def _query(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


CLAIM_COLUMNS = ("s.slug, c.field, c.value, c.earliest, c.latest, c.date_precision, c.amount, c.currency, "
                 "c.qualifier, c.period, c.support, c.disputed, c.in_record, c.evidence_id, "
                 + ", ".join(f"c.{column}" for column in FACT_COLUMN.values()))
LABEL_COLUMNS = "s.slug, l.field, l.value, " + ", ".join(f"l.{column}" for column in FACT_COLUMN.values())


def _claims(url: str) -> Counter:
    """Every claim, its source by slug, its booleans as bools (MariaDB gives 0 and 1)."""
    rows = _query(url, f"select {CLAIM_COLUMNS} from claims as c join sources as s on s.id = c.source_id")
    return Counter(r[:11] + (bool(r[11]), bool(r[12])) + r[13:] for r in rows)


def _labels(url: str) -> Counter:
    return Counter(_query(url, f"select {LABEL_COLUMNS} from labels as l join sources as s on s.id = l.source_id"))


def _at_0005_with_two_sources(seeded_url: str) -> str:
    """The seeded database with two other sources loaded too, downgraded (forced) to 0005."""
    api.ingest(seeded_url, [SECOND, THIRD])
    api.downgrade(seeded_url, BEFORE, force=True)
    assert api.current(seeded_url)[0] == BEFORE
    return seeded_url


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args))


# ----------------------------------------------------------------------------- the upgrade


def test_the_upgrade_keeps_every_row_and_every_report_row(seeded_url, old_reports):
    url = _at_0005_with_two_sources(seeded_url)
    cases = _cases(old_reports)
    before = {(name, params): _run(url, old_reports[name], params) for name, params in cases}
    assert sum(len(rows) for _, rows in before.values()) > 1000
    tables_before = _tables(url)

    result = _cli("--db", url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert api.current(url)[0] == migrate.head_revision()
    check = _cli("--db", url, "db", "check")
    assert (check.exit_code, check.output) == (0, "database, migrations and models agree; report views are current\n")
    assert api.check(url) == []

    # every row of every table, on the columns it had
    tables_after = _tables(url)
    for table, (columns, rows) in tables_before.items():
        after_columns, after_rows = tables_after[table]
        assert set(columns) <= set(after_columns), table
        kept = [after_columns.index(c) for c in columns]
        assert Counter(tuple(r[i] for i in kept) for r in after_rows.elements()) == rows, table

    # the old reports give the same rows, and today's give them too (on the old columns)
    current = all_reports()
    for (name, params), (columns, rows) in before.items():
        assert _run(url, old_reports[name], params) == (columns, rows), (name, params)
        report = current.get(name)
        if report is None or any(report.parameter(p) is None for p, _ in params):
            continue
        new_columns, new_rows = _run(url, report, params)
        assert set(columns) <= set(new_columns), f"report {name} lost columns {set(columns) - set(new_columns)}"
        old = Counter(rows)
        new = Counter(tuple(r[new_columns.index(c)] for c in columns) for r in new_rows)
        missing = old - new
        assert not missing, f"report {name} {params}: rows gone after the upgrade, e.g. {next(iter(missing))}"


def test_the_upgrade_writes_each_sources_claims_and_labels(seeded_url):
    url = _at_0005_with_two_sources(seeded_url)
    api.upgrade(url)
    sources = dict(_query(url, "select id, slug from sources"))
    assert len(sources) == 3
    first = min(sources)
    for table, column in FACT_COLUMN.items():
        # the sources with evidence on each fact
        stated: dict[int, set[int]] = {}
        for fact_id, source_id in _query(url, f"select {column}, source_id from evidence where {column} is not null"):
            stated.setdefault(fact_id, set()).add(source_id)
        assert stated, f"no {table} with evidence: the test data should have some"
        claims = _query(url, f"select c.{column}, c.source_id, c.field, c.support, c.disputed, c.in_record, "
                             f"e.source_id, e.{column} from claims as c join evidence as e on e.id = c.evidence_id "
                             f"where c.{column} is not null")
        by_fact: dict[int, set[int]] = {}
        for fact_id, source_id, field, support, disputed, in_record, *quoted in claims:
            by_fact.setdefault(fact_id, set()).add(source_id)
            assert support == len(stated[fact_id]), (table, fact_id, field)
            assert not disputed and bool(in_record) == (source_id == min(stated[fact_id])), (table, fact_id, field)
            assert quoted == [source_id, fact_id], f"{table} {fact_id} {field}: quoted by another source or fact"
        assert by_fact == stated, f"{table}: a source with evidence on a fact has no claim on it"
        for field in LABELS.get(table, ()):
            labels = Counter(_query(url, f"select {column}, source_id from labels where field = '{field}' "
                                         f"and {column} is not null"))
            assert labels == Counter((f, s) for f, ss in stated.items() for s in ss), (table, field)
    signed = _query(url, "select s.slug, c.value, c.earliest, c.latest, c.date_precision, c.support, c.in_record "
                         "from claims as c join sources as s on s.id = c.source_id "
                         "join agreements as g on g.id = c.agreement_id "
                         "where g.slug = 'afghan-oil-extraction-contract' and c.field = 'signed' order by s.id")
    assert [(slug, value, support, bool(shown)) for slug, value, _, _, _, support, shown in signed] == [
        (sources[first], "In 2023", 3, True), ("test-second-source", "In 2023", 3, False),
        ("test-regional-digest", "In 2023", 3, False)]
    assert {(str(e), str(la), p) for _, _, e, la, p, _, _ in signed} == {("2023-01-01", "2023-12-31", "year")}
    assert not _query(url, "select id from claims where disputed")  # the backfill opens no conflict


def test_the_backfill_writes_the_claims_a_fresh_load_writes(seeded_url):
    """One source: the claims and labels the loader wrote, and those the migration writes for the same rows,
    are the same (evidence, support and record flags included)."""
    loaded, loaded_labels = _claims(seeded_url), _labels(seeded_url)
    assert len(loaded) > 500 and len(loaded_labels) > 100
    api.downgrade(seeded_url, BEFORE)  # one source, nothing graded: nothing to lose, no --force needed
    api.upgrade(seeded_url)
    assert _claims(seeded_url) == loaded
    assert _labels(seeded_url) == loaded_labels


def test_the_offline_sql_backfills_as_the_upgrade_does(templates, tmp_path):
    """`db upgrade --sql 0005:head` applied by psql to a PostgreSQL database at 0005 writes the same claims."""
    online = _at_0005_with_two_sources(templates.copy("postgresql", "seeded", tmp_path))
    offline = _at_0005_with_two_sources(templates.copy("postgresql", "seeded", tmp_path))
    assert shutil.which("psql"), "psql (the PostgreSQL client) is needed beside the server"
    api.upgrade(online)
    sql = _cli("--db", offline, "db", "upgrade", "--sql", f"{BEFORE}:head")
    assert sql.exit_code == 0, sql.output
    assert "INSERT INTO claims" in sql.stdout
    u = make_url(offline)
    proc = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", u.host or "127.0.0.1",
                           "-p", str(u.port or 5432), "-U", u.username or "postgres", "-d", u.database or ""],
                          input=sql.stdout, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert _claims(offline) == _claims(online) and _labels(offline) == _labels(online)


def _details(url: str) -> dict:
    """What compare_metadata leaves out, of the tables 0006 makes or changes: CHECK constraints (their SQL as
    the engine keeps it), indexes with their options (partial ones), foreign keys' options, comments."""
    engine = create_engine(url)
    out = {}
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            for table in ("claims", "labels", "sources", "amounts"):
                out[table] = {
                    "columns": sorted((c["name"], str(c["type"]), c["nullable"], c.get("comment"))
                                      for c in insp.get_columns(table)),
                    "checks": sorted((c["name"], " ".join(c["sqltext"].split()))
                                     for c in insp.get_check_constraints(table)),
                    "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]),
                                       repr(sorted((k, str(v)) for k, v in (i.get("dialect_options") or {}).items())))
                                      for i in insp.get_indexes(table)),
                    "foreign_keys": sorted((f["name"], tuple(f["constrained_columns"]), f["referred_table"],
                                            repr(sorted(f.get("options", {}).items())))
                                           for f in insp.get_foreign_keys(table)),
                    "comment": None if conn.dialect.name == "sqlite" else insp.get_table_comment(table)["text"],
                }
    finally:
        engine.dispose()
    return out


def test_the_migrated_schema_is_the_models_to_the_last_check_and_partial_index(empty_url, fresh_url):
    from db.models import metadata

    engine = create_engine(empty_url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    models, migrated = _details(empty_url), _details(fresh_url)
    assert migrated == models
    assert ("ck_sources_grade_valid" in {name for name, _ in models["sources"]["checks"]}
            or fresh_url.startswith("mysql"))  # MariaDB lists a CHECK constraint only once it is written as one


# ----------------------------------------------------------------------------- the downgrade


def _views(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return sorted(inspect(engine).get_view_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize(("grades", "periods", "disputed", "superseded", "lost"), [
    (1, 0, 0, 0, "1 source grade"),
    (0, 2, 0, 0, "2 amount periods"),
    (0, 0, 1, 0, "1 claim that differs from the record"),
    (0, 0, 2, 1, "3 claims that differ from the record"),
    (1, 1, 2, 1, "3 claims that differ from the record, 1 source grade and 1 amount period"),
])
def test_a_downgrade_that_loses_information_refuses_unless_forced(seeded_url, snapshot, grades, periods,
                                                                   disputed, superseded, lost):
    url = seeded_url
    engine = create_engine(url)
    with engine.begin() as conn:
        if grades:
            conn.execute(text("update sources set grade = 'B'"))
        if periods:
            ids = [r[0] for r in conn.execute(text("select id from amounts order by id"))][:periods]
            assert len(ids) == periods
            conn.execute(text(f"update amounts set period = 'total' where id in ({', '.join(map(str, ids))})"))
        ids = [r[0] for r in conn.execute(text("select id from claims order by id"))]
        for claim_id in ids[:disputed]:
            conn.execute(text("update claims set disputed = :t where id = :i"), {"t": True, "i": claim_id})
        for claim_id in ids[disputed:disputed + superseded]:
            conn.execute(text("update claims set in_record = :f where id = :i"), {"f": False, "i": claim_id})
    engine.dispose()
    message = f"downgrading below {CLAIMS} would lose {lost}: pass --force to downgrade anyway"
    before, views = snapshot(url), _views(url)
    assert views
    # to 0005, and every step (one step back, the default, no longer crosses 0006: later revisions follow it)
    for target in ([BEFORE], ["base"]):
        result = _cli("--db", url, "db", "downgrade", *target)
        assert (result.exit_code, result.output) == (1, f"Error: {message}\n"), target
        assert snapshot(url) == before and _views(url) == views
    path = sqlite_path(url)
    if path is not None:
        assert list(path.parent.glob("*.bak")) == [], "a refused downgrade backs nothing up"
    with pytest.raises(AccordsError, match=f"^{message}$"):
        api.downgrade(url, BEFORE)
    assert snapshot(url) == before and _views(url) == views
    assert api.downgrade(url, CLAIMS).after == CLAIMS  # the later revisions lose nothing
    at_claims = snapshot(url)
    # the migration refuses by itself too, when alembic runs it without accords' check first
    with pytest.raises(AccordsError, match=f"^{message}$"):
        migrate.downgrade(url, BEFORE)
    assert snapshot(url) == at_claims

    result = _cli("--db", url, "db", "downgrade", BEFORE, "--force")
    assert result.exit_code == 0, result.output
    assert api.current(url)[0] == BEFORE
    tables = set(inspect(create_engine(url)).get_table_names())
    assert not {"claims", "labels"} & tables
    api.upgrade(url)
    assert api.check(url) == []
    assert not _query(url, "select id from sources where grade is not null")


def test_a_downgrade_that_loses_nothing_needs_no_force(seeded_url):
    assert _cli("--db", seeded_url, "db", "downgrade", BEFORE).exit_code == 0
    assert api.current(seeded_url)[0] == BEFORE


def test_the_force_flag_is_documented():
    result = _cli("db", "downgrade", "--help")
    assert result.exit_code == 0 and "--force" in result.output


def test_a_downgrade_loses_nothing_where_sources_only_corroborate(seeded_url):
    """Claims that state the record's value (not in the record only because another source's words are
    shown) are not lost: the downgrade needs no --force."""
    api.ingest(seeded_url, [SECOND])
    assert _query(seeded_url, "select count(*) from claims where not in_record")[0][0] > 0
    result = _cli("--db", seeded_url, "db", "downgrade", BEFORE)
    assert result.exit_code == 0, result.output
