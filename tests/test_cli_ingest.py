"""`accords ingest` and `accords export`: validation, identity across sources, idempotence, round trips."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import edited_small_source
from sqlalchemy import Engine, create_engine, event, text

from db import api, load
from db.cli import cli
from db.errors import ValidationError

DATA = Path(__file__).parent / "data"
SMALL = DATA / "oil-contract.yaml"
SECOND = DATA / "second-source.yaml"
ARTICLE = load.seed_path().parent / "beijing-and-taliban-build-an-alliance.txt"


def ingest(url, *paths):
    return CliRunner().invoke(cli, ["--db", url, "ingest", *map(str, paths)])


CASES = [
    ("{actor: taliban, role: counterparty}", "{actor: atlantis, role: counterparty}",
     "agreements[0].parties[1].actor: unknown actor 'atlantis'"),
    ('"In 2023, Chinese state-owned companies signed', '"In 2025, Chinese state-owned companies signed',
     "agreements[0].evidence[0]: quote not found in the source text: "
     "'In 2025, Chinese state-owned companies signed a $150 mill...'"),
    ('signed: {text: "In 2023", year: 2023}',
     'signed: {text: "In 2023", precision: year, earliest: "2023-12-31", latest: "2023-01-01"}',
     "agreements[0].signed: latest date 2023-01-01 is before earliest date 2023-12-31"),
    ("amount: 150000000", "amount: a lot",
     "agreements[0].amounts[0].amount: 'a lot' is not valid: expected an exact decimal amount in currency "
     "units, from 0 to 999999999999999999.99 (at most 18 digits before the point and 2 after it): "
     'an integer or a string such as "1.50" (never a float).'),
    ("kind: contract", "kind: handshake",
     "agreements[0].kind: 'handshake' is not one of: contract, accord, diplomatic_exchange, guarantee, "
     "memorandum, treaty, other"),
    ("qualifier: exact", "qualifier: roughly",
     "agreements[0].amounts[0].qualifier: 'roughly' is not one of: exact, about, at_least, more_than, "
     "at_most, less_than"),
]


@pytest.mark.parametrize(("old", "new", "message"), CASES, ids=[c[2].split(":")[0] for c in CASES])
def test_each_validation_error_is_one_exact_line_and_changes_nothing(seeded_url, snapshot, tmp_path, old, new, message):
    bad = edited_small_source(tmp_path, old, new)
    before = snapshot(seeded_url)
    result = ingest(seeded_url, bad)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad}: {message}\n"
    assert snapshot(seeded_url) == before


def test_all_problems_of_all_files_are_reported_and_nothing_is_written(fresh_url, snapshot, tmp_path):
    one = edited_small_source(tmp_path, "kind: contract", "kind: handshake", "one.yaml")
    two = edited_small_source(tmp_path, "{actor: taliban, role: counterparty}", "{actor: atlantis, role: counterparty}", "two.yaml")
    before = snapshot(fresh_url)
    result = ingest(fresh_url, SECOND, one, two)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {one}: agreements[0].kind: 'handshake' is not one of: contract, accord, diplomatic_exchange, "
        "guarantee, memorandum, treaty, other",
        f"Error: {two}: agreements[0].parties[1].actor: unknown actor 'atlantis'",
    ]
    assert snapshot(fresh_url) == before


def test_reingesting_the_seed_changes_nothing(seeded_url, snapshot):
    before = snapshot(seeded_url)
    result = ingest(seeded_url, load.seed_path())
    assert result.exit_code == 0
    assert result.stdout == "beijing-and-taliban-build-an-alliance is already loaded and unchanged\n"
    assert snapshot(seeded_url) == before


def _content_rows(url: str) -> dict[str, list]:
    """Every table's rows by content: ids replaced by the slugs or quotes they point at."""
    engine = create_engine(url)
    queries = {
        "actors": "select a.slug, a.name, a.is_named, a.kind, a.country, p.slug, a.description "
                  "from actors a left join actors p on p.id = a.parent_id",
        "aliases": "select a.slug, x.alias from actor_aliases x join actors a on a.id = x.actor_id",
        "agreements": "select slug, title, kind, status, description, signed_earliest, signed_latest, "
                      "signed_precision, signed_text from agreements",
        "parties": "select g.slug, a.slug, p.role from agreement_parties p join agreements g on g.id = p.agreement_id "
                   "join actors a on a.id = p.actor_id",
        "amounts": "select amount, currency, qualifier, stage, amount_text from amounts",
        "statements": "select s.slug, s.voice, a.slug, s.kind, s.is_direct_quote, s.content, s.said_text "
                      "from statements s left join actors a on a.id = s.speaker_actor_id",
        "subjects": "select count(*) from statement_subjects",
        "resources": "select p.slug, r.resource, r.resource_key from project_resources r "
                     "join projects p on p.id = r.project_id",
        "resource_claims": "select s.slug, p.slug, c.value from claims c join sources s on s.id = c.source_id "
                           "join projects p on p.id = c.project_id where c.field = 'resource'",
        "events": "select slug, title, kind, occurred_text from events",
        "relations": "select s.slug, o.slug, r.kind, r.since_text from actor_relations r "
                     "join actors s on s.id = r.subject_actor_id join actors o on o.id = r.object_actor_id",
        "evidence": "select s.slug, e.char_start, e.char_end, e.quote from evidence e join sources s on s.id = e.source_id",
        "inferences": "select field, earliest, latest, date_precision, value_text, reasoning from inferences",
        "segments": "select seq, kind, char_start, char_end from source_segments",
        "sources": "select slug, title, kind, author, sha256 from sources",
    }
    with engine.connect() as conn:
        out = {name: sorted(map(repr, conn.execute(text(q)))) for name, q in queries.items()}
    engine.dispose()
    return out


def test_export_then_ingest_into_an_empty_database_gives_identical_rows(seeded_url, empty_url, tmp_path):
    assert ingest(seeded_url, SECOND).exit_code == 0
    exported = tmp_path / "export.yaml"
    result = CliRunner().invoke(cli, ["--db", seeded_url, "export", "-o", str(exported)])
    assert result.exit_code == 0, result.output
    assert len(list(yaml.safe_load_all(exported.read_text(encoding="utf-8")))) == 2
    api.upgrade(empty_url)
    assert ingest(empty_url, exported).exit_code == 0
    assert _content_rows(empty_url) == _content_rows(seeded_url)
    again = CliRunner().invoke(cli, ["--db", empty_url, "export"])
    assert again.stdout == exported.read_text(encoding="utf-8")


def test_second_source_merges_actors_and_reports_cite_both(seeded_url):
    result = ingest(seeded_url, SECOND)
    assert result.exit_code == 0, result.output
    engine = create_engine(seeded_url)
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from actors where slug = 'prc'")).scalar() == 0
        cited = conn.execute(text(
            "select s.slug from evidence e join sources s on s.id = e.source_id "
            "join agreements a on a.id = e.agreement_id where a.slug = 'afghan-oil-extraction-contract' "
            "group by s.slug order by s.slug")).scalars().all()
        china_sources = conn.execute(text(
            "select distinct s.slug from evidence e join sources s on s.id = e.source_id "
            "join actors a on a.id = e.actor_id where a.slug = 'china' order by s.slug")).scalars().all()
    engine.dispose()
    assert cited == ["beijing-and-taliban-build-an-alliance", "test-second-source"]
    assert china_sources == ["beijing-and-taliban-build-an-alliance", "test-second-source"]
    report = CliRunner().invoke(cli, ["--db", seeded_url, "report", "run", "sources", "-f", "csv"])
    assert "test-second-source" in report.stdout and "beijing-and-taliban-build-an-alliance" in report.stdout


def test_a_corrected_file_replaces_the_sources_facts_without_orphans(fresh_url, tmp_path):
    first = edited_small_source(tmp_path, "qualifier: exact", "qualifier: exact", "v1.yaml")
    assert ingest(fresh_url, first).exit_code == 0
    corrected = edited_small_source(tmp_path, "amount: 150000000, currency: USD, qualifier: exact",
                       "amount: 150000000, currency: USD, qualifier: about", "v1.yaml")
    corrected.write_text(corrected.read_text(encoding="utf-8").replace(
        "      - {actor: taliban, role: counterparty}\n", ""), encoding="utf-8")
    result = ingest(fresh_url, corrected)
    assert result.exit_code == 0, result.output
    engine = create_engine(fresh_url)
    with engine.connect() as conn:
        assert conn.execute(text("select qualifier from amounts")).scalars().all() == ["about"]
        assert conn.execute(text("select count(*) from agreement_parties")).scalar() == 1
        assert conn.execute(text("select count(*) from agreements")).scalar() == 1
        orphans = conn.execute(text(
            "select count(*) from actors a where not exists (select 1 from evidence e where e.actor_id = a.id)"
        )).scalar()
        assert orphans == 0
    engine.dispose()


def test_ingest_is_quiet_when_piped(fresh_url):
    result = ingest(fresh_url, SMALL)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.startswith("loaded test-oil-contract: 3 actors")
    quiet = CliRunner().invoke(cli, ["--db", fresh_url, "ingest", "--quiet", str(SECOND)])
    assert quiet.exit_code == 0 and quiet.output == ""


def _big_source(path: Path, n: int, slug: str = "big-test-source", prefix: str = "") -> None:
    sentences = [f"Actor {prefix}{i} said thing number {i}." for i in range(n)]
    doc = {
        "format": 1,
        "source": {"slug": slug, "title": "TEST DATA: generated", "kind": "other",
                   "text": " ".join(sentences)},
        "actors": [{"slug": f"actor-{prefix}{i}", "name": f"Actor {prefix}{i}", "kind": "person",
                    "evidence": [f"Actor {prefix}{i} said thing number {i}."]} for i in range(n)],
        "statements": [{"slug": f"statement-{prefix}{i}", "voice": "actor", "speaker": f"actor-{prefix}{i}",
                        "kind": "claim", "direct_quote": False, "content": f"{prefix}{i} said thing number {i}."}
                       for i in range(n)],
    }
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")


def test_killed_midway_leaves_nothing_half_written(tmp_path, snapshot):
    db = tmp_path / "accords.db"
    url = f"sqlite:///{db}"
    api.upgrade(url)
    api.seed_database(url)
    before = snapshot(url)
    big = tmp_path / "big.yaml"
    _big_source(big, 4000)
    proc = subprocess.Popen([sys.executable, "-m", "db", "--db", url, "ingest", str(big)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = Path(f"{db}-journal")
    deadline = time.monotonic() + 60
    while not journal.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert proc.poll() is None, "the ingest finished before it could be killed: make the file bigger"
    time.sleep(0.2)  # well inside the write transaction
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert snapshot(url) == before
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("pragma integrity_check")).scalar() == "ok"
    engine.dispose()


@pytest.mark.parametrize("background", [False, True], ids=["inline", "background"])
def test_a_write_that_fails_midway_rolls_back_the_files_already_written(fresh_url, snapshot, background):
    """Each file is written once checked: an error writing the second file (here a stand-in for
    a database error) reaches the caller, the first file's rows are rolled back, and a background
    checking process is stopped."""
    written = []

    class WriteThenFail(load.Writer):
        def write(self, conn, plan, progress=None):
            if written:
                raise RuntimeError("disk full")
            written.append(plan.source["slug"])
            return super().write(conn, plan, progress)

    before = snapshot(fresh_url)
    with pytest.raises(RuntimeError, match="disk full"):
        api.ingest(fresh_url, [SECOND, SMALL, SECOND.with_name("does-not-matter.yaml")], background=background,
                   writer=WriteThenFail())
    assert written == [yaml.safe_load(SECOND.read_text())["source"]["slug"]]
    assert snapshot(fresh_url) == before
    import multiprocessing

    assert not multiprocessing.active_children()


def test_checking_in_a_background_process_loads_the_same_rows(tmp_path, snapshot):
    """api.ingest checks large loads in a second process: same rows, same results as checking inline."""
    urls = {mode: f"sqlite:///{tmp_path / f'{mode}.db'}" for mode in ("inline", "background")}
    results = {}
    for mode, url in urls.items():
        api.upgrade(url)
        results[mode] = api.ingest(url, [SECOND, SMALL], background=mode == "background")
    assert results["inline"] == results["background"]
    assert [r.changed for r in results["inline"]] == [True, True]
    assert snapshot(urls["inline"]) == snapshot(urls["background"])


def test_checking_in_a_background_process_reports_every_problem_and_writes_nothing(fresh_url, snapshot, tmp_path):
    one = edited_small_source(tmp_path, "kind: contract", "kind: handshake", "one.yaml")
    two = edited_small_source(tmp_path, "{actor: taliban, role: counterparty}", "{actor: atlantis, role: counterparty}",
                              "two.yaml")
    before = snapshot(fresh_url)
    with pytest.raises(ValidationError) as caught:
        api.ingest(fresh_url, [SECOND, one, two], background=True)
    assert caught.value.problems == [
        f"{one}: agreements[0].kind: 'handshake' is not one of: contract, accord, diplomatic_exchange, "
        "guarantee, memorandum, treaty, other",
        f"{two}: agreements[0].parties[1].actor: unknown actor 'atlantis'",
    ]
    assert snapshot(fresh_url) == before


def test_a_crash_of_the_background_checker_is_raised_with_its_traceback():
    def broken(path, known):
        raise ZeroDivisionError("a bug in the checks")

    with load.checking([SECOND, SMALL], load.Known(), background=True, check=broken) as checked, \
            pytest.raises(RuntimeError, match="(?s)background process.*ZeroDivisionError: a bug in the checks"):
        next(checked)
    import multiprocessing

    assert not multiprocessing.active_children()


def _running(pid: int) -> bool:
    """Whether the process exists and has not exited (a zombie waiting to be reaped has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="files are checked in a second process on Linux only")
def test_the_checking_process_stops_when_the_loading_process_is_killed(tmp_path):
    """The checker runs ahead of the writer; if the loading process dies (here SIGKILL while it
    writes the first file), the checker, blocked on a full pipe, must not live on as an orphan."""
    url = f"sqlite:///{tmp_path / 'accords.db'}"
    api.upgrade(url)
    files = []
    for k in range(3):
        files.append(tmp_path / f"big-{k}.yaml")
        _big_source(files[-1], 1000, slug=f"big-test-source-{k}", prefix=f"b{k}-")
    script = f"""
import multiprocessing, time
from db import api, load

class Stuck(load.Writer):
    def write(self, conn, plan, progress=None):
        print(" ".join(str(c.pid) for c in multiprocessing.active_children()), flush=True)
        time.sleep(600)

api.ingest({url!r}, {[str(f) for f in files]!r}, background=True, writer=Stuck())
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    checker = int(proc.stdout.readline().split()[0])  # printed once the first file is being written
    time.sleep(1)  # the checker sends the next files' plans, fills the pipe and blocks
    assert _running(checker)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    deadline = time.monotonic() + 20
    while _running(checker) and time.monotonic() < deadline:
        time.sleep(0.05)
    orphaned = _running(checker)
    if orphaned:
        os.kill(checker, signal.SIGKILL)  # leave no process behind, then fail
    assert not orphaned, "the checking process outlived the loading process"


def test_postgresql_statistics_grow_with_a_load_inside_its_transaction(server_url, monkeypatch, snapshot, tmp_path):
    """Tables empty when a load began have no statistics, and PostgreSQL then plans the loader's
    lookups as sequential scans; the load ANALYZEs as it grows, inside its transaction. MariaDB's
    ANALYZE TABLE would commit the load half way: there it is sent once, after the load has
    committed, and never by a load that fails. Either way a load that fails after its first file
    was written leaves nothing behind."""
    monkeypatch.setattr(api, "ANALYZE_ROWS", 1)
    postgresql = server_url.startswith("postgresql")
    seen, statements = [], []

    class WriteAndLook(load.Writer):
        def __init__(self, fail_second: bool = False):
            self.fail_second, self.files = fail_second, 0

        def write(self, conn, plan, progress=None):
            self.files += 1
            if self.fail_second and self.files == 2:
                raise RuntimeError("disk full")
            if postgresql:
                seen.append(conn.exec_driver_sql("select reltuples from pg_class where relname = 'actors'").scalar())
            return super().write(conn, plan, progress)

    def record(_conn, _cursor, statement, *_):
        statements.append(" ".join(statement.split()[:2]).upper())

    def analyzes() -> list[str]:
        return [s for s in statements if s.startswith("ANALYZE")]

    event.listen(Engine, "before_cursor_execute", record)
    try:
        results = api.ingest(server_url, [SECOND, SMALL], writer=WriteAndLook())
        assert [r.changed for r in results] == [True, True]
        if postgresql:
            assert seen[0] < 1 <= seen[1], seen  # no statistics before the first file, the first file's after it
            assert analyzes(), statements
        else:  # one ANALYZE TABLE, in the transaction after the load's (the failed load below sends none)
            assert analyzes() == ["ANALYZE TABLE"], analyzes()
        two_more = [edited_small_source(tmp_path, "slug: test-oil-contract", f"slug: test-oil-contract-{n}",
                                        f"more-{n}.yaml") for n in (1, 2)]
        before, statements[:] = snapshot(server_url), []
        with pytest.raises(RuntimeError, match="disk full"):
            api.ingest(server_url, two_more, writer=WriteAndLook(fail_second=True))
        assert bool(analyzes()) == postgresql, analyzes()  # PostgreSQL analysed the first file, uncommitted
        assert snapshot(server_url) == before
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def test_a_source_longer_than_64_kb_loads_on_every_engine(fresh_url, tmp_path):
    """MariaDB's TEXT stops at 65,535 bytes; sources.content is LONGTEXT there (migration 0004)."""
    big = tmp_path / "long.yaml"
    _big_source(big, 20)
    doc = yaml.safe_load(big.read_text())
    doc["source"]["text"] += " A sentence that no fact cites." * 2500  # the text alone passes 64 KB
    big.write_text(yaml.safe_dump(doc), encoding="utf-8")
    text_length = len(doc["source"]["text"])
    assert text_length > 65_535
    assert api.ingest(fresh_url, [big])[0].changed
    engine = create_engine(fresh_url)
    with engine.connect() as conn:
        stored = conn.execute(text("select content from sources where slug = 'big-test-source'")).scalar_one()
    engine.dispose()
    assert len(stored) == text_length


def test_a_mistake_in_one_file_is_not_repeated_by_the_files_that_refer_to_it(fresh_url, tmp_path, snapshot):
    """The second file names the first file's actors and agreement; the first file has one mistake:
    that one line is reported, not a line for every reference of the second file."""
    first = edited_small_source(tmp_path, "kind: contract", "kind: handshake", "first.yaml")
    doc = yaml.safe_load(first.read_text())
    refers = {"format": 1,
              "source": {"slug": "refers-test-source", "title": "TEST DATA: refers", "kind": "other",
                         "text": "The contract was praised."},
              "statements": [{"slug": "refers-statement", "voice": "source", "kind": "claim",
                              "direct_quote": False, "content": "The contract was praised.",
                              "about": [{"agreement": doc["agreements"][0]["slug"], "role": "praised"},
                                        {"actor": doc["actors"][0]["slug"], "role": "mentioned"}]}]}
    second = tmp_path / "second.yaml"
    second.write_text(yaml.safe_dump(refers), encoding="utf-8")
    before = snapshot(fresh_url)
    with pytest.raises(ValidationError) as caught:
        api.ingest(fresh_url, [first, second])
    assert caught.value.problems == [
        f"{first}: agreements[0].kind: 'handshake' is not one of: contract, accord, diplomatic_exchange, "
        "guarantee, memorandum, treaty, other"]
    assert snapshot(fresh_url) == before
