"""Schema migrations: typed wrappers over Alembic's commands.

These work from any folder and from an installed wheel: the Alembic
configuration is built from the package (``db.migrations``), not read from
``alembic.ini``.

What a kill (power loss, SIGKILL, Ctrl-C) in the middle of an upgrade or a
downgrade leaves behind, per engine:

- SQLite and PostgreSQL: nothing. DDL is transactional there, and accords runs
  the whole command (dropping the report views, every migration step, the
  version stamp, rebuilding the views) in one transaction on one connection
  (``migration_engine``: on SQLite pysqlite's own transaction handling, which
  would run DDL in autocommit mode, is switched off and accords emits BEGIN).
- MariaDB commits every DDL statement implicitly and cannot roll one back.
  Each step is stamped in alembic_version as soon as it is done, and
  migrations/env.py runs every step resumably: a statement that fails only
  because an earlier, interrupted run already did it (the table, column,
  index or key exists; or, dropping, it is already gone) is skipped, so
  running the same command again finishes the step.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event

from . import __version__
from .engine import make_engine, resolve_url, sqlite_path
from .errors import AccordsError
from .resources import migrations_dir


def alembic_config(url: str | None = None, stdout: TextIO | None = None,
                   connection: Connection | None = None) -> Config:
    """An Alembic Config for accords' migrations and the given database (or open connection)."""
    config = Config(stdout=stdout) if stdout is not None else Config()
    config.set_main_option("script_location", migrations_dir())
    config.set_main_option("sqlalchemy.url", resolve_url(url).replace("%", "%%"))
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str | None:
    return _script().get_current_head()


def _sqlite_without_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite (before Python 3.12's autocommit attribute) opens a transaction only before
    # INSERT, UPDATE and DELETE, so CREATE, ALTER and DROP outside one commit on their own.
    # With isolation_level None it never begins or commits by itself: accords emits BEGIN.
    dbapi_connection.isolation_level = None
    # Batch migrations rebuild a table by copying it and dropping the old one; with foreign
    # keys enforced the DROP would cascade. Enforcement can only change outside a transaction,
    # so it is off on this engine's connections; check_foreign_keys runs before each commit.
    dbapi_connection.execute("PRAGMA foreign_keys = OFF")


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock now: a concurrent writer waits, not fails later


def migration_engine(url: str | None = None) -> Engine:
    """An engine for changing the schema: on SQLite every statement, DDL included, runs in a real transaction."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_without_implicit_transactions)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def transactional_ddl(conn: Connection) -> bool:
    """Whether schema changes on this connection can be rolled back (not on MariaDB)."""
    return conn.dialect.name in ("sqlite", "postgresql")


def check_foreign_keys(conn: Connection) -> None:
    """On SQLite, fail (so that the transaction rolls back) if any foreign key is broken."""
    if conn.dialect.name != "sqlite":
        return
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise AccordsError(f"the migration left {len(broken)} broken foreign keys, e.g. {tuple(broken[0])}: "
                           "nothing was changed")


def current_revision(bind: Engine | Connection) -> str | None:
    """The database's revision (None: base); one clear error if accords does not know it."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return current_revision(conn)
    heads = MigrationContext.configure(bind).get_current_heads()
    if len(heads) > 1:
        raise AccordsError(f"the database's alembic_version table holds several revisions ({', '.join(heads)}); "
                           "accords keeps one: it was changed by something other than accords")
    revision = heads[0] if heads else None
    if revision is not None and revision not in known_revisions():
        raise AccordsError(f"the database is at revision {revision!r}, which accords {__version__} does not know "
                           "(written by a newer accords? then upgrade accords; otherwise its alembic_version "
                           "table is damaged)")
    return revision


def known_revisions() -> set[str]:
    return {r.revision for r in _script().walk_revisions()}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_abandoned_partials(path: Path) -> None:
    """Delete partial backups left by a backup that was killed (its process is gone)."""
    for partial in path.parent.glob(f".{path.name}.*.partial"):
        try:
            pid = int(partial.name.rsplit(".", 2)[-2])
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            partial.unlink(missing_ok=True)
        except PermissionError:  # a process of another user: leave its file alone
            pass


def backup_sqlite(url: str) -> Path | None:
    """Back up an existing SQLite file to a timestamped copy beside it; return its path.

    SQLite's own online backup copies a consistent snapshot (safe with WAL and
    a concurrent writer; a hot journal left by a killed writer is rolled back
    first). The copy is written under a temporary name, flushed to disk, and
    renamed into place only when complete: a ``.bak`` file is never partial.
    """
    path = sqlite_path(resolve_url(url))
    if path is None or not path.exists() or path.stat().st_size == 0:
        return None
    _remove_abandoned_partials(path)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    backup = path.with_name(f"{path.name}.{stamp}.bak")
    partial = path.with_name(f".{backup.name}.{os.getpid()}.partial")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)) as source, \
                closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
        _fsync(partial)
        os.replace(partial, backup)
        _fsync(path.parent)  # the rename itself survives a power loss
    finally:
        partial.unlink(missing_ok=True)
    return backup


def upgrade(url: str | None = None, revision: str = "head", sql: bool = False,
            stdout: TextIO | None = None, connection: Connection | None = None) -> list[str]:
    """Upgrade the database (or print the DDL with ``sql=True``); on ``connection``, inside its transaction.

    Returns the statements of an interrupted earlier run found already done
    and skipped (MariaDB only; see migrations/env.py).
    """
    config = alembic_config(url, stdout, connection)
    command.upgrade(config, revision, sql=sql)
    return list(config.attributes.get("skipped", []))


def downgrade(url: str | None = None, revision: str = "-1", sql: bool = False,
              stdout: TextIO | None = None, connection: Connection | None = None, force: bool = False) -> list[str]:
    """Downgrade the database (see ``upgrade``); ``force``: even where a step would lose information.

    A migration whose downgrade can lose information refuses unless
    ``config.attributes["force"]`` is true (see ``downgrade_refusals``).
    """
    config = alembic_config(url, stdout, connection)
    config.attributes["force"] = force
    command.downgrade(config, revision, sql=sql)
    return list(config.attributes.get("skipped", []))


def downgrade_refusals(conn: Connection, revision: str) -> list[str]:
    """Why downgrading to ``revision`` would lose information: one line per step that would.

    Each migration that can lose information on the way down defines
    ``downgrade_refusal(bind) -> str | None``; it is asked here, before
    anything changes. A target alembic cannot resolve gives no refusal:
    the downgrade itself then says what is wrong with it.
    """
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    current = current_revision(conn)
    try:
        steps = list(_script().iterate_revisions(current, revision, select_for_downgrade=True))
    except (RevisionError, CommandError):
        return []
    refusals = []
    for script in steps:
        check = getattr(script.module, "downgrade_refusal", None)
        if check is not None and (refusal := check(conn)):
            refusals.append(refusal)
    return refusals


def history(stdout: TextIO | None = None) -> None:
    command.history(alembic_config(None, stdout), verbose=False)


def all_revisions() -> list[str]:
    """Every revision accords ships, oldest first, as 'rev: message'."""
    return [f"{r.revision}: {r.doc}" for r in reversed(list(_script().walk_revisions()))]


def pending(bind: Engine | Connection) -> list[str]:
    """Revisions an upgrade to head would apply, oldest first, as 'rev: message'."""
    current = current_revision(bind)
    revisions = list(_script().iterate_revisions("heads", current or "base"))
    return [f"{r.revision}: {r.doc}" for r in reversed(revisions) if r.revision != current]


@dataclass
class Status:
    revision: str | None  # None: base (empty, or no file yet)
    head: str | None  # the newest revision accords ships
    pending: list[str]  # what an upgrade would apply, oldest first ('rev: message')
    missing: Path | None = None  # an SQLite file that does not exist yet

    def heading(self) -> str:
        """The line above ``pending`` (AccordsError for a file whose folder is missing too)."""
        if self.missing is None:
            return f"{self.revision or 'base (empty)'}; `accords db upgrade` would apply:"
        if not self.missing.parent.is_dir():
            raise AccordsError(f"no database at {self.missing}, and no folder {self.missing.parent} to create "
                               "it in")
        return f"no database at {self.missing} yet; `accords db upgrade` would create it and apply:"
