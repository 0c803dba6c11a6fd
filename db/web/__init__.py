"""accords on the web: Datasette with accords' own knowledge, the source reader, the charts.

Nothing here is imported by the rest of accords: Datasette loads only when
``accords serve`` runs (or a test asks), so ``accords --help`` stays fast.

The pieces, each a Datasette plugin module registered by :func:`make_datasette`:

- ``db.web.plugin``: metadata from the data dictionary and the report headers,
  the reports as canned queries, hidden internal tables, the snapshot banner;
- ``db.web.pages``: the source reader, the charts and the schema page.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from datasette.app import Datasette

PLUGIN_MODULES = ("db.web.plugin", "db.web.pages")


def make_datasette(sqlite_path: Path, *, metadata: dict[str, Any] | None = None,
                   settings: dict[str, Any] | None = None) -> Datasette:
    """A Datasette instance over the SQLite file at ``sqlite_path``, opened read-only
    (Datasette reads a mutable file with ``mode=ro``; accords never exposes a write),
    with accords' plugin modules registered once per process."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    for name in PLUGIN_MODULES:
        module = importlib.import_module(name)
        if not pm.is_registered(module):
            pm.register(module, name=name)
    return Datasette([str(sqlite_path)], metadata=metadata or {}, settings=settings or {})
