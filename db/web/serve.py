"""``accords serve``: check the database, make a server's snapshot, and run Datasette under uvicorn.

An SQLite file is served live and read-only: Datasette opens it ``mode=ro``
and :mod:`db.web.plugin` makes the engine refuse any write, so ``accords
ingest`` may load into it while it is served (each page shows what was
committed when it was read). A PostgreSQL or MariaDB database is served as a
local snapshot (:mod:`db.web.snapshot`). Either must be at the newest schema
revision; a missing or older database is one line, before anything listens.
"""

from __future__ import annotations

import io
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

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


def build(url: str | None, work: Callable[[], Path], refresh_s: float | None = None, timeout_s: float = 30.0,
          echo: Echo | None = None) -> Datasette:
    """The Datasette instance ``accords serve`` runs: the SQLite file itself, or a server's snapshot in the
    folder ``work()`` makes (only a server's database asks for one)."""
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
    snapshot = make_snapshot(url, work() / "0", refresh_s)
    if echo:
        echo(snapshot.words())
    return make_datasette(snapshot.path, settings=settings, snapshot=snapshot)


def listen_warning(host: str) -> str | None:
    """What to tell the user who listens on an address other machines can reach (nobody logs in)."""
    from . import is_local

    if is_local(host):
        return None
    return (f"warning: listening on {host}, not only on this machine: anyone who can reach it can read the "
            "whole database and run queries on it (there is no login)")


def _address(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


class Stopped(SystemExit):
    """SIGTERM or SIGHUP: uvicorn stops serving, then raises the signal again, which by default ends the
    process at once, leaving the snapshot (a copy of the whole database) in the temporary folder."""


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """While serving, SIGTERM ends the process through Python (exit 143), so that the snapshot's folder
    is removed, and SIGHUP (the terminal closed) is taken as SIGTERM, which uvicorn stops on gracefully;
    the handlers before are put back after."""
    def stop(signum: int, _frame: Any) -> None:
        raise Stopped(128 + signum)

    def hang_up(_signum: int, _frame: Any) -> None:
        signal.raise_signal(signal.SIGTERM)

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    kept = {signal.SIGTERM: signal.signal(signal.SIGTERM, stop), signal.SIGHUP: signal.signal(signal.SIGHUP, hang_up)}
    try:
        yield
    finally:
        for sig, handler in kept.items():
            signal.signal(sig, handler)


#: the control characters a line written to the terminal may not carry raw (tabs may; a newline may end it)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


class EscapedText(io.TextIOBase):
    """A text stream that writes control characters escaped (``\x1b``, ``\n``): while serving, standard
    error carries what requests sent (Datasette logs each failed query with SQLite's message, which quotes
    the query's names), and a raw escape sequence there would work the operator's terminal, a raw newline
    start a line of the request's own making. Each write is one line: only a newline that ends it is kept."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        body, end = (text[:-1], "\n") if text.endswith("\n") else (text, "")
        self.stream.write(_CONTROL.sub(lambda m: repr(m.group())[1:-1], body) + end)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def writable(self) -> bool:
        return True


@contextmanager
def _escaped_stderr() -> Iterator[None]:
    kept = sys.stderr
    sys.stderr = EscapedText(kept)
    try:
        yield
    finally:
        sys.stderr = kept


def serve(url: str | None, host: str = "127.0.0.1", port: int = 8001, refresh_s: float | None = None,
          timeout_s: float = 30.0, echo: Echo | None = None) -> None:
    """Serve the database read-only with Datasette at http://host:port/ until interrupted."""
    import uvicorn

    from ..engine import resolve_url
    from . import set_listen_host, snapshot_of
    from .snapshot import Refresher

    url = resolve_url(url)
    check_listen(host, port)
    folders: list[Path] = []

    def work() -> Path:  # private to this user (mkdtemp: mode 0700, a name no one can guess)
        folders.append(Path(tempfile.mkdtemp(prefix="accords-serve-")))
        return folders[-1]

    refresher = None
    with _stopped_by_signals(), _escaped_stderr():
        try:
            datasette = build(url, work, refresh_s, timeout_s, echo)
            set_listen_host(datasette, host)
            if refresh_s is not None and snapshot_of(datasette) is not None:
                refresher = Refresher(datasette, url, folders[0], refresh_s, echo or (lambda line: None))
                refresher.start()
            warning = listen_warning(host)
            if echo and warning:
                echo(warning)
            if echo:
                echo(f"serving at {_address(host, port)} (read-only; Ctrl-C stops)")
            uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1)
        finally:
            if refresher is not None:
                refresher.stop()
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)
