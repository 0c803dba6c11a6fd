"""The library behind the ``accords`` command: one typed function per job.

The CLI (``db.cli``) only parses options and prints; tests call these
functions directly.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection, Engine, inspect, text

from . import catalog, fulltext, load, migrate, views
from .engine import (
    Database,
    NoDatabase,
    database_errors,
    open_database,
    opened,
    read_only,
    resolve_url,
    safe_url,
    sqlite_path,
)
from .errors import AccordsError, ConflictError, UsageError, ValidationError
from .query import run_report, run_sql  # noqa: F401 - part of the library API
from .reader import create_reader, drop_reader  # noqa: F401 - part of the library API


def database_exists(target: Database | str | None) -> bool:
    """Whether the database has accords' tables (a missing SQLite file has none)."""
    try:
        with opened(target) as db:
            return inspect(db.engine).has_table("sources")
    except NoDatabase:
        return False


def require_newest_schema(engine: Engine) -> None:
    """Refuse to write rows into a schema other than the one this accords writes (older or newer)."""
    revision, head = migrate.current_revision(engine), migrate.head_revision()  # unknown: one clear error
    if revision != head:
        raise AccordsError(f"the database is at revision {revision or 'base'}, older than this accords' schema "
                           f"({head}): run `accords db upgrade` first")


@contextmanager
def alembic_errors():
    """Alembic's CommandError (an unknown revision, a bad range) is wrong use: one line, exit 2."""
    from alembic.util import CommandError

    try:
        yield
    except CommandError as exc:
        raise UsageError(" ".join(str(exc).split())) from None


@dataclass
class UpgradeResult:
    before: str | None
    after: str | None
    backup: Path | None
    views: list[str]
    #: MariaDB: statements of an interrupted earlier run that were already done, skipped this time
    resumed: list[str] = field(default_factory=list)


def _mentions_found(conn: Connection) -> bool:
    """Whether the sources' mentions and quotations were found already (the upgrade to 0008 finds them).

    The table alone says so where DDL is transactional. On MariaDB a killed upgrade can leave the
    tables created but never filled: then sources without a single mention or quotation mean that
    the upgrade which created them did not finish, and the run that finishes it finds them.
    """
    if not inspect(conn).has_table("mentions"):
        return False
    if migrate.transactional_ddl(conn):
        return True
    return not conn.exec_driver_sql("select exists (select 1 from sources) and not exists (select 1 from mentions) "
                                    "and not exists (select 1 from quotations)").scalar()


def _migrate(url: str, step: Callable[[Connection], object], rebuild_views: bool) -> tuple[str | None, list[str]]:
    """Drop the report views, run ``step`` (the migrations), rebuild the views if asked and at head.

    On SQLite and PostgreSQL all of it is one transaction on one connection:
    killed or failing at any moment, it leaves the database as it was. On
    MariaDB each DDL statement commits by itself; every part is written so
    that running the command again finishes it (see db/migrate.py).
    Returns the revision reached and the views built.
    """
    with open_database(url, create=True, make=migrate.migration_engine) as db, db.engine.connect() as conn, \
            views.rebuild_lock(conn):
        views.drop_views(conn)
        had_mentions = _mentions_found(conn)
        if not migrate.transactional_ddl(conn):
            conn.commit()  # MariaDB: Alembic commits each step with its version stamp
        with alembic_errors():
            step(conn)
        after = migrate.current_revision(conn)
        if not had_mentions and rebuild_views and after == migrate.head_revision():
            load.backfill_mentions(conn)  # derived from the text by db.mentions' rules, not by a migration
        built = views.sync_views(conn) if rebuild_views and after == migrate.head_revision() else []
        migrate.check_foreign_keys(conn)
        conn.commit()
        return after, built


def upgrade(target: Database | str | None = None, revision: str = "head", sql: bool = False,
            stdout: TextIO | None = None) -> UpgradeResult:
    """Upgrade the schema to REVISION and rebuild the report views.

    On SQLite, an existing database file is first backed up beside itself
    when there is anything to apply. The upgrade itself is one transaction on
    SQLite and PostgreSQL (killed or failing, it changes nothing) and
    resumable on MariaDB (running it again finishes an interrupted step).
    With ``sql=True`` nothing is changed: the DDL is written to ``stdout``.
    """
    url = _url(target)
    if sql:
        with database_errors(url), alembic_errors():
            migrate.upgrade(url, revision, sql=True, stdout=stdout)
        return UpgradeResult(None, None, None, [])
    path = sqlite_path(url)
    created = path is not None and not path.exists()
    with opened(target, create=True) as db:
        before = migrate.current_revision(db.engine)  # a revision accords does not know stops here
        backup = migrate.backup_sqlite(url) if migrate.pending(db.engine) else None
    resumed: list[str] = []

    def step(conn: Connection) -> None:
        resumed.extend(migrate.upgrade(url, revision, connection=conn))

    try:
        after, built = _migrate(url, step, rebuild_views=True)
    except BaseException:
        if created and path is not None:
            path.unlink(missing_ok=True)  # leave no empty file behind
        raise
    return UpgradeResult(before, after, backup, built, resumed)


@dataclass
class DowngradeResult:
    backup: Path | None  # the SQLite backup written first
    after: str | None  # the revision reached (None: base)


def downgrade(target: Database | str | None = None, revision: str = "-1", sql: bool = False,
              stdout: TextIO | None = None, force: bool = False) -> DowngradeResult:
    """Downgrade the schema; the report views are dropped first (rebuilt by the next upgrade).

    On SQLite the file is first backed up beside itself, and that path is
    returned. Like an upgrade, one transaction on SQLite and PostgreSQL and
    resumable on MariaDB. With ``sql=True`` the SQL is printed for a FROM:TO range.
    A downgrade that would lose information (below 0006: disputed or
    superseded claims, source grades, amount periods; below 0007: a project
    resource no claim states, a list of resources too long for one value) raises AccordsError
    before anything changes, saying what and how much, unless ``force``.
    """
    url = _url(target)
    if sql:
        if ":" not in revision:
            raise UsageError("downgrade --sql needs a range FROM:TO, e.g. 0002:base")
        with database_errors(url), alembic_errors():
            migrate.downgrade(url, revision, sql=True, stdout=stdout, force=force)
        return DowngradeResult(None, None)
    with opened(target) as db:
        migrate.current_revision(db.engine)  # a revision accords does not know stops here
        if not force:
            with db.engine.connect() as conn:
                refusals = migrate.downgrade_refusals(conn, revision)
            if refusals:
                raise AccordsError("; ".join(refusals))
    backup = migrate.backup_sqlite(url)
    after, _ = _migrate(url, lambda conn: migrate.downgrade(url, revision, connection=conn, force=force),
                        rebuild_views=False)
    return DowngradeResult(backup, after)


def check(target: Database | str | None = None) -> list[str]:
    """Differences between the models, the migrations and the database (empty: all agree)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from .models import metadata

    problems = []
    with opened(target) as db, db.engine.connect() as conn:
        rev, head = migrate.current_revision(conn), migrate.head_revision()
        if rev != head:
            return [f"the database is at {rev or 'base'}, not at the newest revision {head}: "
                    "run `accords db upgrade`"]
        context = MigrationContext.configure(conn, opts={"compare_type": True, "target_metadata": metadata,
                                                         "include_object": fulltext.include_object(conn)})
        problems += [f"schema differs from the models: {diff}" for diff in compare_metadata(context, metadata)]
        problems += [f"view {p}: run `accords db upgrade` to rebuild it" for p in views.stale_views(conn)]
        problems += load.mention_span_problems(conn)
        problems += fulltext.problems(conn)
        problems += [f"{p}: run `accords db upgrade` to rewrite it" for p in catalog.stale_dictionary(conn)]
    return problems


def status(target: Database | str | None = None) -> migrate.Status:
    """The database's revision, the newest one, and what an upgrade would apply."""
    head = migrate.head_revision()
    try:
        with opened(target) as db:
            return migrate.Status(migrate.current_revision(db.engine), head, migrate.pending(db.engine))
    except NoDatabase as missing:
        return migrate.Status(None, head, migrate.all_revisions(), missing.path)


def current(target: Database | str | None = None) -> tuple[str | None, str | None]:
    """(the database's revision, the newest revision accords ships)."""
    found = status(target)
    return found.revision, found.head


def pending(target: Database | str | None = None) -> list[str]:
    """Revisions an upgrade would apply, oldest first ('rev: message')."""
    return status(target).pending


def seed_database(target: Database | str | None = None, path: Path | str | None = None) -> load.LoadResult:
    """Load one source file (default: the shipped seed) into an upgraded database."""
    return ingest(target, [path or load.seed_path()])[0]


def seed_sources(target: Database | str | None, paths: Sequence[Path | str] = ()) -> list[load.LoadResult]:
    """``accords db seed``: load the given source files, or the shipped seed when none are given."""
    return ingest(target, list(paths) or [load.seed_path()])


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a load builds millions of objects.

    Its passes grow with every object kept, and cost a load about 15% of its
    time; a plan holds no reference cycles, so nothing waits to be freed.
    Reference counting frees memory as usual, and the collector resumes after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: a load that writes this many rows or more ends with ANALYZE on PostgreSQL (MariaDB: any load that writes)
ANALYZE_ROWS = 10_000
#: from this many bytes of source files (and two files or more), ingest checks them in a second process
BACKGROUND_CHECK_BYTES = 8_000_000


#: the tables whose planner statistics a large load refreshes: those it writes, and the mentions it finds
STATISTICS_TABLES = (*load.WRITTEN_TABLES, "mentions", "mention_choices", "quotations")
#: statistics target of the ANALYZEs during a load: 3,000 rows sampled per table (the default 100: 30,000)
GROWING_STATISTICS_TARGET = 10


def _analyze(conn, target: int | None = None) -> None:
    """Fresh PostgreSQL planner statistics for every table a load writes to (``target``: another
    default_statistics_target than the server's, for this ANALYZE only)."""
    default = conn.exec_driver_sql("select current_setting('default_statistics_target')").scalar_one()
    set_target = text("select set_config('default_statistics_target', :v, true)")
    conn.execute(set_target, {"v": str(target or default)})
    conn.exec_driver_sql("ANALYZE " + ", ".join(STATISTICS_TABLES))
    conn.execute(set_target, {"v": default})


class _GrowingStatistics:
    """ANALYZE on PostgreSQL as a load grows, inside its transaction (which sees its own rows).

    The loader looks rows up by slug and key while it writes; on tables that
    were empty when the load began PostgreSQL has no statistics and plans
    those lookups as sequential scans, so every file scanned every actor (a
    load of 9 million rows slowed to a crawl). Statistics are refreshed each
    time the rows written have doubled since the last refresh (from
    ANALYZE_ROWS on): about twenty ANALYZEs for a billion rows. They sample
    3,000 rows per table (GROWING_STATISTICS_TARGET), enough to plan lookups
    by key; at the default 30,000 they took 11 of the 150 s of a load of 1.8
    million rows. The ANALYZE after the load samples as the server's default.
    """

    def __init__(self) -> None:
        self.rows, self.next = 0, ANALYZE_ROWS

    def written(self, conn, rows: int) -> None:
        self.rows += rows
        if conn.dialect.name == "postgresql" and self.rows >= self.next:
            _analyze(conn, GROWING_STATISTICS_TARGET)
            self.next = 2 * self.rows


class _Progress:
    """Calls ``callback(done, total)`` in bytes of source files, a file counting as its rows are written."""

    def __init__(self, callback: Callable[[int, int], None] | None, total: int):
        self.callback, self.total, self.done = callback, total, 0

    def file(self, size: int, rows: int) -> Callable[[int], None]:
        """The step function for writing one file of ``size`` bytes and ``rows`` rows."""
        written = 0

        def step(n: int) -> None:
            nonlocal written
            written += n
            if self.callback:
                self.callback(self.done + size * min(written, rows) // max(rows, 1), self.total)

        return step

    def finished(self, size: int) -> None:
        self.done += size
        if self.callback:
            self.callback(self.done, self.total)


def _size(path: Path | str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:  # a missing file is reported by the checks
        return 0


def ingest(target: Database | str | None, paths: Sequence[Path | str],
           progress: Callable[[int, int], None] | None = None,
           background: bool | None = None, writer: load.Writer | None = None,
           fail_on_conflict: bool = False) -> list[load.LoadResult]:
    """Check source files and load them all in one transaction, or none of them.

    Every file is checked (against the database too: actors it names by slug
    or alias) before anything is committed; any problem raises ValidationError
    listing them all, and leaves the database as it was (each file is written,
    uncommitted, once checked). ``progress(done, total)`` is called as rows
    are written, in bytes of the files: ``total`` is their size. ``background``:
    check the files in a second process while the plans already checked are
    written (default: for two files or more, from BACKGROUND_CHECK_BYTES).
    ``writer`` writes each checked plan (default ``load.Writer()``).
    ``fail_on_conflict``: raise ``ConflictError`` (and load nothing) if a file
    opens a conflict with another source.
    """
    url = _url(target)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        upgrade(url)  # zero set-up: a new SQLite file gets the schema first
    with opened(target) as db:
        engine = db.engine
        if not inspect(engine).has_table("sources"):
            raise AccordsError(f"{db.describe()} has no accords tables yet: run `accords db upgrade` first")
        require_newest_schema(engine)
        sizes = [_size(p) for p in paths]
        if background is None:
            background = len(paths) > 1 and sum(sizes) >= BACKGROUND_CHECK_BYTES
        with engine.connect() as conn:
            known = load.load_known(conn)
        engine.dispose()  # no pooled connection for a checking process to inherit
        results = _load_checked(engine, paths, sizes, known, background, writer or load.Writer(),
                                _Progress(progress, sum(sizes)), fail_on_conflict)
        with engine.begin() as conn:
            _after_load(conn, results)
        return results


def _load_checked(engine: Engine, paths: Sequence[Path | str], sizes: list[int], known: load.Known,
                  background: bool, writer: load.Writer, meter: _Progress,
                  fail_on_conflict: bool = False) -> list[load.LoadResult]:
    """Check every file and write each checked plan, all in one transaction committed only if all pass.

    Each file is written as soon as it is checked (a large load never holds
    every file in memory). After a problem nothing more is written; the checks
    go on so that every problem is reported, and raising rolls back what was
    written.
    """
    problems: list[str] = []
    results: list[load.LoadResult] = []
    conflicts: list[str] = []  # FILE: source: conflict ..., for fail_on_conflict
    statistics = _GrowingStatistics()
    written: dict[str, str] = {}  # slug -> file of each source written, whose mentions are found again
    with load.checking(paths, known, background) as checked, engine.begin() as conn, _no_cycle_collection():
        forms_before = load.mention_forms(conn)
        with load.foreign_keys_at_end(conn, sum(sizes)):  # PostgreSQL, a large load into small tables
            for size, item in zip(sizes, checked, strict=True):
                if isinstance(item, ValidationError):
                    problems += item.problems
                elif not problems:  # after a problem nothing more is written: it will all be rolled back
                    step = meter.file(size, sum(len(plan.rows) for plan in item))
                    loaded = [writer.write(conn, plan, step) for plan in item]
                    results += loaded
                    written.update({r.source_slug: str(plan.path) for plan, r in zip(item, loaded, strict=True)
                                    if r.changed})
                    conflicts += [f"{plan.path}: {r.source_slug}: conflict {c}"
                                  for plan, r in zip(item, loaded, strict=True) for c in r.conflicts]
                    statistics.written(conn, sum(n for r in loaded for n in r.counts.values()))
                meter.finished(size)
            if problems:
                raise ValidationError(problems)
            load.refresh_mentions(conn, forms_before, written)
        if fail_on_conflict and conflicts:
            raise ConflictError(conflicts)
    return results


def _after_load(conn: Connection, results: list[load.LoadResult]) -> None:
    """Rebuild stale report views (and data_dictionary); fresh planner statistics after a large load (servers)."""
    if views.has_registry(conn):
        with views.rebuild_lock(conn):  # loads finishing together take turns (MariaDB: DDL commits at once)
            if any(r.changed for r in results) or views.stale_views(conn) or catalog.stale_dictionary(conn):
                views.sync_views(conn)
    written = sum(n for r in results for n in r.counts.values())
    if conn.dialect.name == "postgresql" and written >= ANALYZE_ROWS:
        # without them (autovacuum comes later) PostgreSQL can choose plans that run reports a
        # hundred times slower
        _analyze(conn)
    elif conn.dialect.name in ("mysql", "mariadb") and written:
        # MariaDB after every load that wrote rows: its statistics lag even a small load (on a few
        # thousand synthetic rows the coverage report took more than 120 s instead of 2 s), and its
        # ANALYZE TABLE only samples pages. It commits, so it runs here, after the load has committed.
        conn.exec_driver_sql("ANALYZE TABLE " + ", ".join(STATISTICS_TABLES)).fetchall()


def ensure_database(target: Database | str | None = None) -> str | None:
    """Create, upgrade and seed the default SQLite database if it does not exist yet.

    Returns a one-line note when it did so. Only an SQLite file that does not
    exist is created; any other missing database is an error.
    """
    url = _url(target)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        upgrade(url)
        seed_database(url)
        return f"created {path} (schema upgraded and the seed article loaded)"
    if not database_exists(url):
        raise AccordsError(f"{safe_url(url)} has no accords tables: run `accords db upgrade` and `accords db seed`")
    return None


def export(target: Database | str | None, out: TextIO, source: str | None = None) -> int:
    """Write the database (or one source) as source files in YAML; return the number of sources."""
    from .export import export_documents, write_yaml

    with opened(target) as db:
        with read_only(db.engine, None) as conn:
            documents = export_documents(conn, source)
        if source is not None and not documents:
            raise UsageError(f"no source with slug {source!r}")
        write_yaml(documents, out)
        return len(documents)


def remove_source(target: Database | str | None, slug: str) -> load.RemoveResult:
    """Remove a source, its claims and evidence, and every fact only it supported, in one transaction.

    The record of the facts other sources support is worked out again from
    their claims: afterwards every report is what it would be had the source
    never been loaded.
    """
    with opened(target) as db:
        require_newest_schema(db.engine)
        with db.engine.begin() as conn:
            forms_before = load.mention_forms(conn)
            removed = load.remove_source(conn, slug)
            if removed is None:
                raise AccordsError(f"no source with slug {slug!r} (see `accords report run sources`)")
            load.refresh_mentions(conn, forms_before, {})
            _after_load(conn, [])
        return removed


def _url(target: Database | str | None) -> str:
    return target.url if isinstance(target, Database) else resolve_url(target)


def history(stdout: TextIO | None = None) -> None:
    """Write every schema revision accords ships, newest first."""
    migrate.history(stdout)


def schema_json() -> str:
    """The JSON Schema of the source file format."""
    return load.schema_json()
