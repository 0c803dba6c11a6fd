"""The read path of `accords sql` and `accords report run` on an SQLite file, with sqlite3 alone.

A query's SQL is plain text, so on an SQLite file accords need not import
SQLAlchemy (about a third of a second, most of a short query's start-up) to
run it. This module opens the file with the standard library and keeps every
promise the SQLAlchemy path (:func:`db.engine.read_only`) makes, in the same
words: the file opened read-only (``mode=ro``) with ``query_only``, the
authorizer and the limits of :mod:`db.guard`, one statement only (sqlite3's
own rule), the watchdog that interrupts at the deadline or on Ctrl-C, and
one-line errors from :mod:`db.failures`.

Values are bound and returned exactly as SQLAlchemy's SQLite dialect does it:
``:name`` parameters found by the same pattern as ``text()``'s and sent as
``?`` in order; a decimal bound as a float (``Numeric`` on SQLite), a date
as ``YYYY-MM-DD`` text (``Date``); rows as sqlite3 returns them; and the two
functions that dialect adds to every connection (``regexp``, which the
guard installs with a time limit, and ``floor``).
A test compares both paths on every report and on hostile SQL.

Only plain file URLs take this path (a bare path, or ``sqlite:///PATH``
without ``?``, ``%`` or ``&``, whose file :func:`sqlite_file` reads the way
SQLAlchemy's URL parser does); anything else, and servers, go through
:mod:`db.engine`.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .errors import AccordsError, Interrupted
from .failures import DEFAULT_URL, ENV_URL, REFUSED, TIME_LIMIT, NoDatabase, check_sqlite_path, describe

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
#: a URL SQLAlchemy reads as exactly this file (no query string, no %-escapes, no newline)
_PLAIN_FILE = re.compile(r"sqlite(?:\+pysqlite)?:///([^?%&\x00\r\n]+)")

#: fetched at a time, as SQLAlchemy's streamed results buffer them
BATCH = 1000


def sqlite_file(url: str | None) -> Path | None:
    """The SQLite file a plain URL or bare path names (as :func:`db.engine.sqlite_path` would), else None.

    None means "not for this path": servers, memory databases, URLs with
    options or escapes, and anything :func:`db.engine.resolve_url` would
    refuse, which then says why in its own words.
    """
    chosen = url or os.environ.get(ENV_URL) or DEFAULT_URL
    try:
        chosen.encode("utf-8")
    except UnicodeEncodeError:
        return None
    if not _SCHEME.match(chosen):
        chosen = "sqlite:///" + chosen
    m = _PLAIN_FILE.fullmatch(chosen)
    if m is None or m.group(1) == ":memory:":
        return None
    return Path(m.group(1))


def compile_text(sql: str) -> tuple[str, list[str]]:
    """The SQL as SQLAlchemy's ``text()`` sends it to sqlite3: ``?`` for each ``:name``, and the names in order."""
    from .sqltext import replace_binds

    names: list[str] = []

    def placeholder(name: str) -> str:
        names.append(name)
        return "?"

    return replace_binds(sql, placeholder), names


def _bound(value: Any, kind: str | None) -> Any:
    """A value as SQLAlchemy's SQLite types bind it: Numeric as a float, Date as YYYY-MM-DD text."""
    if value is None:
        return None
    if kind == "decimal":
        return float(value)
    if kind == "date":
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return value


def bind_values(names: Sequence[str], values: Mapping[str, Any], kinds: Mapping[str, str]) -> tuple[Any, ...]:
    """The positional values for ``names``; a name without a value fails as SQLAlchemy words it."""
    out = []
    for name in names:
        if name not in values:
            raise AccordsError("StatementError: (sqlalchemy.exc.InvalidRequestError) "
                               f"A value is required for bind parameter {name!r}")
        out.append(_bound(values[name], kinds.get(name)))
    return tuple(out)


class Rows:
    """A cursor's result, as the query path reads it (the names SQLAlchemy's results use)."""

    def __init__(self, cursor: sqlite3.Cursor):
        self.cursor = cursor
        self.returns_rows = cursor.description is not None

    def keys(self) -> list[str]:
        return [d[0] for d in self.cursor.description or ()]

    def fetchmany(self, size: int) -> list[Any]:
        return self.cursor.fetchmany(size)

    def fetchall(self) -> list[Any]:
        return self.cursor.fetchall()


class Reader:
    """One read-only connection to an SQLite file, guarded, with its watchdog."""

    db_errors: tuple[type[BaseException], ...] = (sqlite3.Error,)

    def __init__(self, raw: sqlite3.Connection, watchdog: Any):
        self.raw, self.watchdog = raw, watchdog

    def execute(self, sql: str, values: Mapping[str, Any], kinds: Mapping[str, str] | None = None) -> Rows:
        """Run one statement with ``values`` bound (typed by ``kinds``: a parameter's report type)."""
        text, names = compile_text(sql)
        return Rows(self.raw.execute(text, bind_values(names, values, kinds or {})))

    def check(self) -> None:
        """Raise if the watchdog fired (the time limit passed, or Ctrl-C) though the query went on."""
        self.watchdog.check()


def _connect(path: Path) -> sqlite3.Connection:
    """The file opened read-only, set up as SQLAlchemy's engine would set it up (see db.engine.make_engine)."""
    raw = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=ro", uri=True, check_same_thread=False)
    try:
        raw.create_function("floor", 1, math.floor, deterministic=True)
        raw.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        raw.close()
        raise
    return raw


def _translate(failure: BaseException, guard: Any, watchdog: Any, path: Path) -> BaseException:
    """The exception to raise for a failure, worded as :mod:`db.engine` words it."""
    is_db_error = isinstance(failure, sqlite3.Error)
    if watchdog is not None and watchdog.reason == "interrupt" or isinstance(failure, KeyboardInterrupt):
        return Interrupted()
    if guard is not None and guard.authorizer.denied and is_db_error:
        return AccordsError(f"{REFUSED} (SQLite refused {guard.authorizer.denied})")
    if watchdog is not None and watchdog.reason == "timeout" and is_db_error:
        from .failures import driver_message

        return AccordsError(TIME_LIMIT.format(detail=driver_message(failure)))
    if is_db_error:
        return AccordsError(describe(failure, True, lambda: (path, str(path))))
    return failure


@contextmanager
def reading(path: Path, timeout_s: float | None) -> Iterator[Reader]:
    """A guarded read-only connection to the SQLite file at ``path``; closed when the block ends.

    A missing file raises :class:`NoDatabase` (the caller creates one first
    when it may); a folder, FIFO or device is refused before it is opened.
    """
    from .guard import SqliteGuard, Watchdog

    if not path.exists():
        raise NoDatabase(path)
    check_sqlite_path(path)
    guard = watchdog = raw = None
    try:
        raw = _connect(path)
        guard = SqliteGuard(raw)
        watchdog = guard.watchdog = Watchdog(raw.interrupt, timeout_s)
        with watchdog:
            yield Reader(raw, watchdog)
    except GeneratorExit:  # pragma: no cover - the block was abandoned, not failed
        raise
    except BaseException as failure:
        raised = _translate(failure, guard, watchdog, path)
        if raised is failure:
            raise
        raise raised from None
    finally:
        if raw is not None:
            raw.close()
