"""Schema migrations: typed wrappers over Alembic's commands.

These work from any folder and from an installed wheel: the Alembic
configuration is built from the package (``db.migrations``), not read from
``alembic.ini``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import TextIO

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from .engine import resolve_url, sqlite_path
from .resources import migrations_dir


def alembic_config(url: str | None = None, stdout: TextIO | None = None) -> Config:
    """An Alembic Config for accords' migrations and the given database."""
    config = Config(stdout=stdout) if stdout is not None else Config()
    config.set_main_option("script_location", migrations_dir())
    config.set_main_option("sqlalchemy.url", resolve_url(url).replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_sqlite(url: str) -> Path | None:
    """Copy an existing SQLite file to a timestamped backup beside it; return its path."""
    path = sqlite_path(resolve_url(url))
    if path is None or not path.exists() or path.stat().st_size == 0:
        return None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    backup = path.with_name(f"{path.name}.{stamp}.bak")
    shutil.copy2(path, backup)
    return backup


def upgrade(url: str | None = None, revision: str = "head", sql: bool = False,
            stdout: TextIO | None = None) -> None:
    """Upgrade the database (or print the DDL with ``sql=True``)."""
    command.upgrade(alembic_config(url, stdout), revision, sql=sql)


def downgrade(url: str | None = None, revision: str = "-1", sql: bool = False,
              stdout: TextIO | None = None) -> None:
    command.downgrade(alembic_config(url, stdout), revision, sql=sql)


def history(stdout: TextIO | None = None) -> None:
    command.history(alembic_config(None, stdout), verbose=False)


def all_revisions() -> list[str]:
    """Every revision accords ships, oldest first, as 'rev: message'."""
    script = ScriptDirectory.from_config(alembic_config())
    return [f"{r.revision}: {r.doc}" for r in reversed(list(script.walk_revisions()))]


def pending(engine: Engine) -> list[str]:
    """Revisions an upgrade to head would apply, oldest first, as 'rev: message'."""
    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    revisions = list(script.iterate_revisions("heads", current or "base"))
    return [f"{r.revision}: {r.doc}" for r in reversed(revisions) if r.revision != current]
