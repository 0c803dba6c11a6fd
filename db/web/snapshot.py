"""A server's database served as a local SQLite snapshot, made with accords' own export and ingest.

Datasette reads SQLite only. For PostgreSQL and MariaDB, ``accords serve``
writes the database out as source files (``accords export``: every source
with its text, facts, evidence, claims, mentions and inferences) and loads
them into a new SQLite file (``accords db upgrade`` then ``accords ingest``),
the round trip whose reports the tests find identical. The snapshot is made
when the server starts; with ``--refresh SECONDS`` a new one is made in the
background every SECONDS and replaces the old one between queries (a failed
refresh keeps the old one and says why on standard error).
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from . import Snapshot, set_snapshot, snapshot_of

if TYPE_CHECKING:  # pragma: no cover
    from datasette.app import Datasette

#: the snapshot's file name: Datasette names the database by its stem, so every snapshot is served at /accords
SNAPSHOT_FILE = "accords.db"


def make_snapshot(url: str, folder: Path, refresh_s: float | None = None) -> Snapshot:
    """Copy the database at ``url`` into ``folder``/accords.db through export and ingest; return what was made.

    ``folder`` must not exist, its parent must; on any failure it is removed,
    and the error (one line) is raised.
    """
    from .. import api
    from ..engine import safe_url

    folder.mkdir(mode=0o700)  # never its parent: gone once the server stopped, it must stay gone
    try:
        taken_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        exported = folder / "export.yaml"
        with exported.open("w", encoding="utf-8") as out:
            count = api.export(url, out)
        target = folder / SNAPSHOT_FILE
        api.upgrade(f"sqlite:///{target}")
        if count:
            api.ingest(f"sqlite:///{target}", [exported])
        exported.unlink()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Snapshot(safe_url(url), taken_at, target, refresh_s)


def swap(datasette: Datasette, snapshot: Snapshot) -> Path:
    """Serve ``snapshot`` instead of the current one; return the old file's folder, to remove.

    Datasette keeps one connection per query thread and database name, so
    the database keeps its name and path in URLs, its file changes, and the
    query threads are replaced by new ones, which open the new file;
    queries already running finish on the old file.
    """
    old = snapshot_of(datasette)
    assert old is not None, "swap: this Datasette serves no snapshot"
    database = next(db for name, db in datasette.databases.items() if db.path == str(old.path))
    database.path = str(snapshot.path)
    threads, datasette.executor = datasette.executor, ThreadPoolExecutor(
        max_workers=datasette.setting("num_sql_threads"))
    set_snapshot(datasette, snapshot)
    if threads is not None:
        threads.shutdown(wait=False)
    return old.path.parent


class Refresher(threading.Thread):
    """Makes a new snapshot every ``every`` seconds and swaps it in, until stopped."""

    def __init__(self, datasette: Datasette, url: str, base: Path, every: float,
                 warn: Callable[[str], None]) -> None:
        super().__init__(name="accords-snapshot", daemon=True)
        self.datasette, self.url, self.base, self.every, self.warn = datasette, url, base, every, warn
        self.stopped = threading.Event()
        self.made = 0

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            self.refresh()

    def refresh(self) -> None:
        """One new snapshot, swapped in; on failure the old one stays and ``warn`` gets one line."""
        from ..cli_support import one_line
        from ..errors import AccordsError

        self.made += 1
        try:
            snapshot = make_snapshot(self.url, self.base / str(self.made), self.every)
        except Exception as exc:  # noqa: BLE001 - whatever failed, the thread goes on and the old snapshot stays
            why = str(exc) if isinstance(exc, AccordsError | OSError) else f"{type(exc).__name__}: {exc}"
            self.warn(one_line(f"the snapshot was not remade, the one served is kept: {why}"))
            return
        # the old file stays readable to queries that still hold it open (POSIX); its name goes now
        shutil.rmtree(swap(self.datasette, snapshot), ignore_errors=True)

    def stop(self) -> None:
        self.stopped.set()
