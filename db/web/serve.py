"""``accords serve``: check the database, make a server's snapshot, and run Datasette under uvicorn.

An SQLite file is served live and read-only: Datasette opens it ``mode=ro``
and :mod:`db.web.plugin` makes the engine refuse any write, so ``accords
ingest`` may load into it while it is served (each page shows what was
committed when it was read). A PostgreSQL or MariaDB database is served as a
local snapshot (:mod:`db.web.snapshot`). Either must be at the newest schema
revision; a missing or older database is one line, before anything listens.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AccordsError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from datasette.app import Datasette

Echo = Callable[[str], None]


def check_database(url: str) -> None:
    """The database exists and is at the newest revision, else one line (accords' own checks and words)."""
    from ..api import require_newest_schema
    from ..engine import open_database

    with open_database(url, reading=True) as db:
        require_newest_schema(db.engine)


def check_listen(host: str, port: int) -> None:
    """Fail in one line, before any work, if ``host``:``port`` cannot be listened on (in use, no such address)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise AccordsError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def build(url: str | None, work: Path, refresh_s: float | None = None, timeout_s: float = 30.0,
          echo: Echo | None = None) -> Datasette:
    """The Datasette instance ``accords serve`` runs: the SQLite file itself, or a server's snapshot in ``work``."""
    from ..engine import resolve_url, sqlite_path
    from . import make_datasette
    from .snapshot import make_snapshot

    url = resolve_url(url)
    settings = {"sql_time_limit_ms": int(timeout_s * 1000)}
    path = sqlite_path(url)
    if path is not None and refresh_s is not None:
        raise UsageError("--refresh: an SQLite file is served live, not as a snapshot; "
                         "--refresh applies to PostgreSQL and MariaDB")
    check_database(url)
    if path is not None:
        return make_datasette(path, settings=settings)
    if echo:
        echo("making a local snapshot of the database (accords export, then ingest into SQLite)...")
    snapshot = make_snapshot(url, work / "0", refresh_s)
    if echo:
        echo(snapshot.words())
    return make_datasette(snapshot.path, settings=settings, snapshot=snapshot)


def serve(url: str | None, host: str = "127.0.0.1", port: int = 8001, refresh_s: float | None = None,
          timeout_s: float = 30.0, echo: Echo | None = None) -> None:
    """Serve the database read-only with Datasette at http://host:port/ until interrupted."""
    import uvicorn

    from ..engine import resolve_url
    from . import snapshot_of
    from .snapshot import Refresher

    url = resolve_url(url)
    check_listen(host, port)
    work = Path(tempfile.mkdtemp(prefix="accords-serve-"))
    refresher = None
    try:
        datasette = build(url, work, refresh_s, timeout_s, echo)
        if refresh_s is not None and snapshot_of(datasette) is not None:
            refresher = Refresher(datasette, url, work, refresh_s, echo or (lambda line: None))
            refresher.start()
        if echo:
            echo(f"serving at http://{host}:{port}/ (read-only; Ctrl-C stops)")
        uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1)
    finally:
        if refresher is not None:
            refresher.stop()
        shutil.rmtree(work, ignore_errors=True)

