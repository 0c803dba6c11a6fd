"""accords on the web: Datasette with accords' own knowledge, the source reader, the charts.

Nothing here is imported by the rest of accords: Datasette loads only when
``accords serve`` runs (or a test asks), so ``accords --help`` stays fast.

The pieces, each a Datasette plugin module registered by :func:`make_datasette`:

- ``db.web.plugin``: the engine's refusal of every write on accords' databases,
  and the snapshot banner; the metadata and canned queries it serves are
  written by ``db.web.metadata``;
- ``db.web.pages``: the source reader, the charts and the schema page.

``db.web.serve`` checks the database, makes a server's snapshot
(``db.web.snapshot``) and runs the server.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AccordsError

if TYPE_CHECKING:  # pragma: no cover
    from datasette.app import Datasette

PLUGIN_MODULES = ("db.web.plugin", "db.web.pages")
#: the Datasette plugin that answers errors, replaced by db.web.plugin's handle_exception
DATASETTE_ERROR_HANDLER = "datasette.handle_exception"

#: what an SQLite URI (file:PATH?mode=ro, as Datasette opens a file) reads as other than a path:
#: a query, a fragment, an escape; Datasette does not encode them
URI_CHARACTERS = ("?", "#", "%")

#: Datasette's settings unless the caller gives others: a report may take longer than Datasette's
#: default second (accords' own default time limit is 30 s)
DEFAULT_SETTINGS: dict[str, Any] = {"sql_time_limit_ms": 30_000}


@dataclass(frozen=True)
class Snapshot:
    """A local SQLite copy of a server database: where it came from, when, and where it is."""

    origin: str  # the server's URL, its password masked
    taken_at: dt.datetime  # when the export that made it began (UTC)
    path: Path
    refresh_s: float | None = None  # remade every so many seconds, or only when the server restarts

    def words(self) -> str:
        """One line for the top of every page."""
        when = self.taken_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        rule = (f"remade every {self.refresh_s:g} s" if self.refresh_s
                else "restart `accords serve` for a newer one")
        return f"Snapshot of {self.origin} taken {when} ({rule})."


#: the snapshot each Datasette instance serves, if it serves one (updated when it is remade)
_SNAPSHOTS: weakref.WeakKeyDictionary[Datasette, Snapshot] = weakref.WeakKeyDictionary()


def snapshot_of(datasette: Datasette) -> Snapshot | None:
    """The snapshot a Datasette instance serves, or None for a live SQLite file."""
    return _SNAPSHOTS.get(datasette)


def set_snapshot(datasette: Datasette, snapshot: Snapshot) -> None:
    _SNAPSHOTS[datasette] = snapshot


def is_local(host: str) -> bool:
    """Whether ``host`` (a name or address to listen on) is this machine only: localhost or a loopback address."""
    import ipaddress

    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


#: for each Datasette instance listening on a loopback address, that address (see :func:`set_listen_host`)
_LOCAL_LISTEN: weakref.WeakKeyDictionary[Datasette, str] = weakref.WeakKeyDictionary()


def set_listen_host(datasette: Datasette, host: str) -> None:
    """Say where the server listens. On a loopback address (this machine only), :mod:`db.web.plugin` answers
    only requests whose Host header is a local name too: a web page the user visits can point its own name
    at 127.0.0.1 (DNS rebinding) and would otherwise read the whole database as its own origin."""
    if is_local(host):
        _LOCAL_LISTEN[datasette] = host
    else:
        _LOCAL_LISTEN.pop(datasette, None)


def local_listen_host(datasette: Datasette) -> str | None:
    """The loopback address this instance listens on, or None (any Host is answered)."""
    return _LOCAL_LISTEN.get(datasette)


def database_name(sqlite_path: Path | str) -> str:
    """The name (and URL path) Datasette gives the database of this file: its stem, ``accords`` for accords.db."""
    return Path(sqlite_path).stem


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra`` laid over it, dictionaries merged key by key (``extra`` wins)."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def make_datasette(sqlite_path: Path, *, metadata: dict[str, Any] | None = None,
                   settings: dict[str, Any] | None = None, snapshot: Snapshot | None = None) -> Datasette:
    """A Datasette instance over the SQLite file at ``sqlite_path``, opened read-only
    (Datasette reads a mutable file with ``mode=ro``; ``db.web.plugin`` makes the engine
    refuse every write on it), with accords' plugin modules registered once per process.

    It carries accords' metadata (``db.web.metadata``: descriptions, hidden tables, the
    reports as canned queries); ``metadata`` is laid over it and ``settings`` over
    :data:`DEFAULT_SETTINGS`. ``snapshot`` says the file is a server's snapshot, shown
    at the top of every page.
    """
    from datasette.app import Datasette
    from datasette.plugins import pm

    from .metadata import canned_queries, instance_metadata

    if any(c in str(sqlite_path) for c in URI_CHARACTERS):
        raise AccordsError(f"cannot serve {sqlite_path}: Datasette opens it as a URI, where ?, # and % in a path "
                           "mean something else: rename the file (or link it under a plain name)")
    for name in PLUGIN_MODULES:
        module = importlib.import_module(name)
        if not pm.is_registered(module):
            pm.register(module, name=name)
    # db.web.plugin answers errors in Datasette's place: Datasette's own handler, which every error
    # reaches whatever a plugin answers, prints the traceback and its local variables
    if not pm.is_blocked(DATASETTE_ERROR_HANDLER):
        pm.set_blocked(DATASETTE_ERROR_HANDLER)
    name = database_name(sqlite_path)
    ours = copy.deepcopy(instance_metadata([name]))  # each instance its own: Datasette may add to it
    ours["databases"][name]["queries"] = copy.deepcopy(canned_queries())
    datasette = Datasette([str(sqlite_path)], metadata=_merged(ours, metadata or {}),
                          settings={**DEFAULT_SETTINGS, **(settings or {})})
    if snapshot is not None:
        set_snapshot(datasette, snapshot)
    return datasette
