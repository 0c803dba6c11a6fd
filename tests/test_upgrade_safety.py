"""Upgrades, downgrades, backups and loads killed at many moments, on every engine.

A kill is a real SIGKILL of a process running the `accords` command: either
a forked copy of this process that kills itself just before its Nth SQL
statement or commit (deterministic, and fast: nothing to import), or a new
`python -m db` process killed by the clock once it has begun writing.

What must hold after each kill:
- SQLite and PostgreSQL (transactional DDL): the database is exactly as
  before the command (revision, schema, views, row counts) or exactly as
  after it; never in between.
- MariaDB (each DDL statement commits by itself): running the same command
  again completes it.
- Everywhere: the rerun completes, `accords db check` passes, and no row is
  lost.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import new_database
from sqlalchemy import Engine, create_engine, event, inspect, text

from db import __version__, api, migrate
from db.cli import cli
from db.engine import sqlite_path

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the kill tests fork (POSIX only)")

HEAD = migrate.head_revision()
START = "0001"  # upgrades start here: every later migration runs over a populated database


# ----------------------------------------------------------------------------- helpers


def _big_source(path: Path, n: int, slug: str = "big-test-source") -> Path:
    sentences = [f"Actor {i}, or A{i}, said thing number {i}." for i in range(n)]
    doc = {
        "format": 1,
        "source": {"slug": slug, "title": "TEST DATA: generated", "kind": "other", "text": " ".join(sentences)},
        "actors": [{"slug": f"actor-{i}", "name": f"Actor {i}", "kind": "person",
                    "aliases": [f"A{i}"], "evidence": [sentences[i]]} for i in range(n)],
        "statements": [{"slug": f"statement-{i}", "voice": "actor", "speaker": f"actor-{i}", "kind": "claim",
                        "direct_quote": False, "content": f"said thing number {i}."} for i in range(n)],
    }
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def _counts(url: str) -> dict[str, int]:
    """Rows per table (the views' registry and alembic_version aside)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names()) - {"alembic_version", "report_views"}
            return {t: conn.execute(text(f"select count(*) from {t}")).scalar_one() for t in sorted(tables)}
    finally:
        engine.dispose()


def _state(url: str) -> dict:
    """Revision, schema (tables, columns, indexes, foreign keys, views) and row counts."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            tables = sorted(set(insp.get_table_names()) - {"alembic_version"})
            revision = None
            if insp.has_table("alembic_version"):
                revision = conn.execute(text("select max(version_num) from alembic_version")).scalar()
            schema = {t: ([(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(t)],
                          sorted((i["name"], tuple(i["column_names"])) for i in insp.get_indexes(t)),
                          sorted(tuple(f["constrained_columns"]) for f in insp.get_foreign_keys(t)))
                      for t in tables}
            return {"revision": revision, "schema": schema, "views": sorted(insp.get_view_names()),
                    "counts": {t: conn.execute(text(f"select count(*) from {t}")).scalar_one() for t in tables}}
    finally:
        engine.dispose()


def _others(url: str) -> int:
    """Other sessions on this server database (0 for SQLite)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                sql = "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
            elif conn.dialect.name == "mysql":
                sql = ("select count(*) from information_schema.processlist "
                       "where db = database() and id <> connection_id()")
            else:
                return 0
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


def _wait_until_alone(url: str) -> None:
    """After a kill, wait until the server has noticed and ended the killed process's session."""
    deadline = time.monotonic() + 20
    while _others(url) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _others(url), "the killed process's session lives on"


def _accords(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def _run_forked(args: list[str], kill_at: int | None = None, log: Path | None = None) -> bool:
    """Run `accords ARGS` in a forked child that SIGKILLs itself just before its statement or commit
    number ``kill_at`` (1-based); returns whether it was killed. ``log`` receives, for an
    uninterrupted run, the kind of each of its statements (its first words) as JSON."""
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            seen: list[str] = []

            def step(kind: str) -> None:
                seen.append(kind)
                if len(seen) == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)

            event.listen(Engine, "before_cursor_execute",
                         lambda _c, _cur, statement, *_: step(" ".join(statement.split()[:3]).upper()))
            event.listen(Engine, "commit", lambda _c: step("COMMIT"))
            cli.main(args, standalone_mode=False)
            if log is not None:
                log.write_text(json.dumps(seen))
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True
    assert os.WEXITSTATUS(status) == 0, f"accords {' '.join(args[2:])} failed in the child"
    return False


def _kill_points(kinds: list[str], budget: int) -> list[int]:
    """About ``budget`` statement numbers spread over the run, chosen among those that change the
    schema, the version stamp or the views, or commit (1-based)."""
    marks = ("CREATE", "ALTER", "DROP", "INSERT INTO ALEMBIC_VERSION", "UPDATE ALEMBIC_VERSION", "DELETE", "COMMIT")
    points = [i + 1 for i, kind in enumerate(kinds) if kind.startswith(marks)]
    if len(points) > budget:
        stride = len(points) / budget
        points = sorted({points[int(k * stride)] for k in range(budget)} | {points[-1]})
    return points


def _populated_at_start(url: str, tmp_path: Path) -> dict[str, int]:
    """The database at revision START holding the seed and a generated source (every later migration
    then runs over rows); returns its row counts."""
    api.upgrade(url)
    api.seed_database(url)
    api.ingest(url, [_big_source(tmp_path / "populate.yaml", 150)])
    api.downgrade(url, START)
    return _counts(url)


def _finish_and_check(url: str, command: list[str], counts: dict[str, int]) -> None:
    """Rerunning the command completes it, `db check` passes at head, and no row was lost."""
    _accords("--db", url, "db", *command)
    if command[0] == "upgrade":
        assert api.current(url)[0] == HEAD
        assert _accords("--db", url, "db", "check").output.startswith("database, migrations and models agree")
    else:
        assert api.current(url)[0] == command[1]
    assert {t: n for t, n in _counts(url).items() if t in counts} == counts  # later revisions add tables


# ----------------------------------------------------------------------------- upgrades and downgrades

SWEEP = {"sqlite": 8, "postgresql": 4, "mariadb": 3}  # kill points per command, by engine


def test_upgrade_and_downgrade_killed_at_many_statements(engine_name, scratch, tmp_path):
    """Kill `db upgrade` (from 0001, populated) and `db downgrade 0001` before the Nth statement or
    commit, for N spread over each run."""
    url = new_database(engine_name, scratch, tmp_path)
    counts = _populated_at_start(url, tmp_path)
    transactional = engine_name != "mariadb"
    args = {"upgrade": ["--db", url, "db", "upgrade"], "downgrade": ["--db", url, "db", "downgrade", START]}
    plans = {}
    for command in ("upgrade", "downgrade"):  # an uninterrupted run of each, to count its statements
        before = _state(url)
        log = tmp_path / f"{command}.json"
        assert not _run_forked(args[command], log=log)
        plans[command] = (_kill_points(json.loads(log.read_text()), SWEEP[engine_name]), before, _state(url))
    at_start, at_head = plans["upgrade"][1], plans["upgrade"][2]
    assert at_start["revision"] == START and at_head["revision"] == HEAD
    for command, other in (("upgrade", "downgrade"), ("downgrade", "upgrade")):
        points, before, after = plans[command]
        if command == "downgrade":
            _accords("--db", url, "db", "upgrade")
        for point in points:
            assert _run_forked(args[command], kill_at=point), f"{command} ran fewer than {point} statements"
            _wait_until_alone(url)
            if transactional:
                state = _state(url)
                assert state in (before, after), f"{command} killed at statement {point} left a state in between"
                if state == before:
                    continue  # nothing changed: the next kill starts from the same database
            _finish_and_check(url, args[command][3:], counts)  # MariaDB: the rerun completes the command
            assert _state(url) == after
            _accords(*args[other])  # back to where the command starts
        _finish_and_check(url, args[command][3:], counts)
        assert _state(url) == after
        _accords(*args[other])
    assert {t: n for t, n in _counts(url).items() if t in counts} == counts


def _wait_for_writing(url: str, proc: subprocess.Popen, path: Path | None) -> None:
    """Until the process has begun writing: SQLite's journal exists, or the server shows it in a
    transaction that wrote (PostgreSQL) or running a statement on the database (MariaDB)."""
    engine = create_engine(url) if path is None else None
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if path is not None:
                if Path(f"{path}-journal").exists() or Path(f"{path}-wal").exists():
                    return
            else:
                assert engine is not None
                with engine.connect() as conn:
                    if conn.dialect.name == "postgresql":
                        busy = conn.execute(text(
                            "select count(*) from pg_stat_activity where datname = current_database() "
                            "and pid <> pg_backend_pid() and backend_xid is not null")).scalar_one()
                    else:
                        busy = conn.execute(text(
                            "select count(*) from information_schema.processlist where db = database() "
                            "and id <> connection_id() and command = 'Query'")).scalar_one()
                if busy:
                    return
            time.sleep(0.003)
    finally:
        if engine is not None:
            engine.dispose()


def _kill_by_clock(url: str, args: list[str], delay: float) -> bool:
    """Start `python -m db ARGS`, SIGKILL it ``delay`` seconds after it began writing; whether it was killed."""
    proc = subprocess.Popen([sys.executable, "-m", "db", "--db", url, *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_writing(url, proc, sqlite_path(url))
        time.sleep(delay)
        killed = proc.poll() is None
        if killed:
            os.kill(proc.pid, signal.SIGKILL)
    finally:
        _, err = proc.communicate()
    assert killed or proc.returncode == 0, err.decode()
    _wait_until_alone(url)
    return killed


def test_upgrade_killed_by_the_clock(engine_name, scratch, tmp_path):
    """`python -m db db upgrade` from 0001 killed at moments after it began writing (mid-statement,
    mid-commit: wherever the clock falls), then run again."""
    url = new_database(engine_name, scratch, tmp_path)
    counts = _populated_at_start(url, tmp_path)
    before = _state(url)
    delays = (0.0, 0.05) if engine_name != "mariadb" else (0.1,)
    killed = 0
    for delay in delays:
        killed += _kill_by_clock(url, ["db", "upgrade"], delay)
        if engine_name != "mariadb":
            assert _state(url)["revision"] in (START, HEAD)
            if _state(url)["revision"] == START:
                assert _state(url) == before
        _finish_and_check(url, ["upgrade"], counts)
        _accords("--db", url, "db", "downgrade", START)
    assert killed, "every upgrade finished before it could be killed"


# ----------------------------------------------------------------------------- loads


N_BIG = 2000  # actors (and statements) in the file loaded: its writing lasts long enough to be killed


def test_ingest_killed_leaves_the_database_as_it_was(engine_name, scratch, tmp_path):
    """`python -m db ingest` of a large file killed while it writes: row counts as before; run again, it loads."""
    url = new_database(engine_name, scratch, tmp_path)
    api.upgrade(url)
    api.seed_database(url)
    big = _big_source(tmp_path / "big.yaml", N_BIG)
    before = _counts(url)
    killed = 0
    for delay in (0.0, 0.3):
        if _kill_by_clock(url, ["ingest", str(big)], delay):
            killed += 1
            assert _counts(url) == before, f"an ingest killed {delay} s into writing left rows behind"
    assert killed, "every ingest finished before it could be killed: make the file bigger"
    _accords("--db", url, "ingest", str(big))
    after = _counts(url)
    assert after["actors"] == before["actors"] + N_BIG
    assert _accords("--db", url, "db", "check").output.startswith("database, migrations and models agree")


def test_load_with_keys_checked_at_the_end_killed_at_many_statements(scratch, tmp_path, monkeypatch):
    """PostgreSQL, a load into empty tables that drops their foreign keys and adds them back in its
    transaction: killed before its first and last DROP, mid-load, before its first and last ADD, and
    before its COMMIT, it leaves the database as it was (rows, schema, every foreign key)."""
    from db.load import deferred

    monkeypatch.setattr(deferred, "BULK_BYTES", 1)  # the forked children inherit it
    logged, url = new_database("postgresql", scratch, tmp_path), new_database("postgresql", scratch, tmp_path)
    big = _big_source(tmp_path / "big.yaml", N_BIG)
    for target in (logged, url):
        api.upgrade(target)
    log = tmp_path / "ingest.json"
    assert not _run_forked(["--db", logged, "ingest", str(big)], log=log)
    kinds = json.loads(log.read_text())
    commit = kinds.index("COMMIT") + 1  # the load's (the report views are rebuilt after it)
    altered = [i + 1 for i, kind in enumerate(kinds[:commit]) if kind.startswith("ALTER TABLE")]
    assert len(altered) > 100, "the load did not drop and add back its foreign keys"
    half = len(altered) // 2  # the drops, then (after the rows) the same keys added back
    points = [altered[0], altered[half - 1], (altered[half - 1] + altered[half]) // 2, altered[half],
              altered[-1], commit]
    before = _state(url)
    for point in points:
        assert _run_forked(["--db", url, "ingest", str(big)], kill_at=point)
        _wait_until_alone(url)
        assert _state(url) == before, f"an ingest killed at statement {point} of {len(kinds)} left a change"
    assert not _run_forked(["--db", url, "ingest", str(big)])
    assert _state(url) == _state(logged)
    assert _accords("--db", url, "db", "check").output.startswith("database, migrations and models agree")


# ----------------------------------------------------------------------------- backups


def test_a_backup_killed_before_it_is_complete_leaves_no_bak_file(tmp_path, monkeypatch):
    """Killed after writing the copy but before renaming it into place: no .bak exists, only the
    temporary file, which the next backup removes."""
    url = f"sqlite:///{tmp_path / 'mine.db'}"
    api.upgrade(url, START)
    pid = os.fork()
    if pid == 0:
        try:
            os.replace = lambda *_: os.kill(os.getpid(), signal.SIGKILL)  # type: ignore[assignment]
            migrate.backup_sqlite(url)
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status)
    assert list(tmp_path.glob("mine.db.*.bak")) == []
    assert len(list(tmp_path.glob(".mine.db.*.partial"))) == 1
    backup = migrate.backup_sqlite(url)
    assert backup is not None and list(tmp_path.glob(".mine.db.*.partial")) == []
    assert _state(f"sqlite:///{backup}") == _state(url)


def test_a_backup_is_a_consistent_copy_while_another_process_writes(tmp_path):
    """SQLite's online backup: a WAL database with a writer holding an open transaction is copied as
    of its last commit (a file copy would also miss the rows still in the -wal file)."""
    path = tmp_path / "mine.db"
    url = f"sqlite:///{path}"
    api.upgrade(url)
    api.seed_database(url)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("pragma journal_mode = wal")
    writer.execute("pragma wal_autocheckpoint = 0")  # committed rows stay in the -wal file
    writer.execute("insert into actors (slug, name, name_key, is_named, kind) values ('x', 'X', 'x', 1, 'person')")
    committed = _counts(url)
    writer.execute("begin")
    writer.execute("delete from actor_aliases")
    try:
        backup = migrate.backup_sqlite(url)
    finally:
        writer.execute("rollback")
        writer.close()
    assert backup is not None
    with sqlite3.connect(backup) as copy:
        assert copy.execute("pragma integrity_check").fetchone() == ("ok",)
    assert _counts(f"sqlite:///{backup}") == committed


# ----------------------------------------------------------------------------- revisions accords does not know


def _stamp(url: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = :r"), {"r": revision})
    engine.dispose()


@pytest.mark.parametrize("revision", ["9999", "not a revision"])
def test_a_revision_accords_does_not_know_is_one_line_everywhere(sqlite_seeded, tmp_path, revision):
    _stamp(sqlite_seeded, revision)
    path = sqlite_path(sqlite_seeded)
    assert path is not None
    original = path.read_bytes()
    message = (f"Error: the database is at revision {revision!r}, which accords {__version__} does not know "
               "(written by a newer accords? then upgrade accords; otherwise its alembic_version table is damaged)\n")
    source = _big_source(tmp_path / "new.yaml", 3)
    for args in (["db", "upgrade"], ["db", "downgrade"], ["db", "current"], ["db", "check"], ["ingest", str(source)]):
        result = CliRunner().invoke(cli, ["--db", sqlite_seeded, *args])
        assert (result.exit_code, result.output) == (1, message), args
    assert path.read_bytes() == original
    assert list(path.parent.glob("*.bak")) == []


def test_several_revisions_in_alembic_version_are_one_line(sqlite_seeded):
    engine = create_engine(sqlite_seeded)
    with engine.begin() as conn:
        conn.execute(text("insert into alembic_version values ('0001')"))
    engine.dispose()
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "db", "current"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: the database's alembic_version table holds several revisions")
    assert len(result.output.splitlines()) == 1


def test_ingest_refuses_an_older_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    api.upgrade(url, START)
    result = CliRunner().invoke(cli, ["--db", url, "ingest", str(_big_source(tmp_path / "new.yaml", 3))])
    assert result.exit_code == 1
    assert result.output == (f"Error: the database is at revision {START}, older than this accords' schema ({HEAD}): "
                             "run `accords db upgrade` first\n")

