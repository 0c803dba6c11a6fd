"""What keeps `accords sql` and `accords report run` from changing anything.

Nothing here reads the SQL to decide whether it writes: the engine refuses.

* **SQLite**: the file is opened read-only (``mode=ro``), ``PRAGMA
  query_only`` is on, and an authorizer allows only reading (``SELECT``,
  reading columns, functions other than ``load_extension``, recursive CTEs
  and introspection pragmas; so full-text search reads: ``MATCH``, ``bm25()``,
  ``snippet()``, ``highlight()``, while an FTS5 command such as ``'rebuild'``
  is an INSERT and refused); ``ATTACH``, ``DETACH``, ``VACUUM INTO``,
  writing pragmas, temporary tables and transactions are refused. Strings
  and blobs are capped at :data:`SQLITE_MAX_LENGTH` bytes and the heap at
  :data:`SQLITE_HEAP_LIMIT`.
* **PostgreSQL**: every statement is sent as a prepared statement (the
  extended query protocol), which the server refuses to hold more than one
  command, inside a ``READ ONLY`` transaction.
* **MariaDB**: the query is run with ``PREPARE`` (one statement, refused
  otherwise) and ``EXECUTE ... USING``: parameter values travel as user
  variables set from hex literals, never inside the query text.
* **Time limit**: the server's own limit (``statement_timeout``,
  ``max_statement_time``) and, because a statement can override those, a
  watchdog thread that cancels the query at the deadline (SQLite
  ``interrupt()``, PostgreSQL's cancel request, MariaDB ``KILL QUERY``).
  Ctrl-C cancels the query the same way.

Least privilege on servers is the other half: see :mod:`db.reader`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import select
import signal
import sqlite3
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

#: longest string or blob an SQLite query may build (bytes)
SQLITE_MAX_LENGTH = 32 * 1024 * 1024
#: most memory SQLite may hold while a read-only query runs (bytes)
SQLITE_HEAP_LIMIT = 1024 * 1024 * 1024
#: longest LIKE/GLOB pattern (SQLite's default is 50,000)
SQLITE_MAX_PATTERN = 1000

# Pragmas that only describe the schema or the file; they may name a table or index.
_INTROSPECTION_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "foreign_key_check", "collation_list", "function_list", "module_list",
    "pragma_list", "database_list", "compile_options", "integrity_check", "quick_check",
})
# Pragmas that are read-only when asked without a value (with a value they set something).
_READ_PRAGMAS = frozenset({
    "application_id", "auto_vacuum", "cache_size", "data_version", "encoding", "foreign_keys",
    "freelist_count", "journal_mode", "max_page_count", "page_count", "page_size", "query_only",
    "schema_version", "user_version", "busy_timeout", "synchronous", "temp_store",
})
_DENIED_FUNCTIONS = frozenset({"load_extension", "fts3_tokenizer"})


_ACTION_NAMES = {getattr(sqlite3, n): n.removeprefix("SQLITE_").replace("_", " ") for n in (
    "SQLITE_CREATE_INDEX", "SQLITE_CREATE_TABLE", "SQLITE_CREATE_TEMP_INDEX", "SQLITE_CREATE_TEMP_TABLE",
    "SQLITE_CREATE_TEMP_TRIGGER", "SQLITE_CREATE_TEMP_VIEW", "SQLITE_CREATE_TRIGGER", "SQLITE_CREATE_VIEW",
    "SQLITE_DELETE", "SQLITE_DROP_INDEX", "SQLITE_DROP_TABLE", "SQLITE_DROP_TEMP_INDEX", "SQLITE_DROP_TEMP_TABLE",
    "SQLITE_DROP_TEMP_TRIGGER", "SQLITE_DROP_TEMP_VIEW", "SQLITE_DROP_TRIGGER", "SQLITE_DROP_VIEW", "SQLITE_INSERT",
    "SQLITE_PRAGMA", "SQLITE_TRANSACTION", "SQLITE_UPDATE", "SQLITE_ATTACH", "SQLITE_DETACH", "SQLITE_ALTER_TABLE",
    "SQLITE_REINDEX", "SQLITE_ANALYZE", "SQLITE_CREATE_VTABLE", "SQLITE_DROP_VTABLE", "SQLITE_FUNCTION",
    "SQLITE_SAVEPOINT")}


class SqliteAuthorizer:
    """Allows reading only; every other action (writes, ATTACH, writing pragmas...) is denied.

    ``denied`` holds the last refusal in words (``"PRAGMA journal_mode"``),
    so that the error can say what was refused.
    """

    def __init__(self) -> None:
        self.denied: str | None = None

    def __call__(self, action: int, arg1: str | None, arg2: str | None, _db: str | None, _source: str | None) -> int:
        if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_UPDATE and arg1 in ("sqlite_master", "sqlite_temp_master"):
            # SQLite asks this while it reads the schema for a table-valued pragma
            # (pragma_table_info('x')); a real change to the schema is refused by the
            # statement's own action (ALTER, CREATE, ...), by mode=ro and by query_only
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION:
            if (arg2 or "").lower() not in _DENIED_FUNCTIONS:
                return sqlite3.SQLITE_OK
            self.denied = self.denied or f"the function {arg2}"
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if name in _INTROSPECTION_PRAGMAS or (arg2 is None and name in _READ_PRAGMAS):
                return sqlite3.SQLITE_OK
            self.denied = self.denied or f"PRAGMA {name}" + ("" if arg2 is None else " with a value")
            return sqlite3.SQLITE_DENY
        what = _ACTION_NAMES.get(action, f"action {action}")
        self.denied = self.denied or (f"{what} {arg1}" if arg1 and action != sqlite3.SQLITE_ATTACH else what)
        return sqlite3.SQLITE_DENY


_LIMITS = (
    (sqlite3.SQLITE_LIMIT_LENGTH, SQLITE_MAX_LENGTH),
    (sqlite3.SQLITE_LIMIT_ATTACHED, 0),  # also stops VACUUM INTO, which attaches its target
    (sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, SQLITE_MAX_PATTERN),
)


#: one conversion of SQLite's printf: flags, width (digits or *), precision (. then digits or *), length, type
_PRINTF_SPEC = re.compile(r"%[-+ 0#!,]*(\*|\d*)(?:\.(\*|\d*))?(?:ll|l)?(.)", re.S)


_LEADING_INT = re.compile(r"\s*[-+]?\d+")


def _count(value: Any) -> int:
    """A ``*`` argument as a number of characters, at least as many as SQLite may read from it.

    SQLite reads text and blobs by their leading integer (``'300abc'`` and ``x'333030'`` are 300);
    the larger of that and the value as a real number is taken, so no reading is missed.
    """
    if isinstance(value, (int, float)):
        return int(value) if abs(value) < 2**63 else 2**63
    if not isinstance(value, (str, bytes)):
        return 0
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    m = _LEADING_INT.match(text)
    digits = m.group().strip().lstrip("+-") if m else ""
    best = (int(digits) if len(digits) < 19 else 2**63) if digits else 0
    try:
        best = max(best, abs(int(float(text.strip()))))
    except (ValueError, OverflowError):
        pass
    return min(best, 2**63)


#: most conversions (``%``) one printf format may hold (SQLite's own formats hold a handful)
_MAX_CONVERSIONS = 100_000


class _GuardedPrintf:
    """SQLite's ``printf`` and ``format``, but refusing widths and precisions that add up past the length limit.

    SQLite checks the time limit between the steps of a query, and one call
    of ``printf('%.*c', 2000000000, 'x')`` is one step that loops two billion
    times before its too-long result is thrown away: it ran 12 s past a
    0.5 s limit. Such a call now fails at once with SQLite's own "string or
    blob too big" (OverflowError is how a Python function says so); any
    other call is SQLite's printf itself, on a connection of its own.
    """

    def __init__(self) -> None:
        self.local = threading.local()

    def __call__(self, *values: Any) -> Any:
        fmt, args = (values[0], values[1:]) if values else (None, ())
        if isinstance(fmt, bytes):  # SQLite reads a blob format as text
            fmt = fmt.decode("latin-1")
        if isinstance(fmt, str) and "%" in fmt:
            if fmt.count("%") > _MAX_CONVERSIONS:
                raise OverflowError  # counting them would itself take seconds past the limit
            total, taken = 0, 0
            for m in _PRINTF_SPEC.finditer(fmt):
                for part in m.group(1, 2):
                    if part == "*":
                        total += abs(_count(args[taken])) if taken < len(args) else 0
                        taken += 1
                    elif part:
                        total += int(part) if len(part) < 19 else 2**63
                if m.group(3) not in "%n":  # %% and %n take no value (a * of theirs does)
                    taken += 1
            if total > SQLITE_MAX_LENGTH:
                raise OverflowError
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = sqlite3.connect(":memory:")
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, SQLITE_MAX_LENGTH)
            conn.text_factory = bytes  # '%.1s' can cut a character in two: kept as bytes, not an error
        out = conn.execute(f"select printf({', '.join('?' * len(values))})", values).fetchone()[0]
        try:
            return out.decode("utf-8") if isinstance(out, bytes) else out
        except UnicodeDecodeError:
            return out


_PRINTF = _GuardedPrintf()


class _GuardedRegexp:
    """``b REGEXP a`` as SQLAlchemy defines it on SQLite (a search for ``a`` in ``b``), within the time limit.

    SQLite can only stop a query between steps, and Python's ``re`` cannot
    be stopped at all: ``'aaa...!' REGEXP '^(a+)+$'`` ran on past any limit.
    The ``regex`` library (``re``'s syntax and meaning, and a ``timeout``) is
    given the time the query has left; when it runs out, the query fails as
    a query past its time limit does.
    """

    def __init__(self, guard: SqliteGuard):
        self.guard = guard

    def __call__(self, pattern: Any, text: Any) -> bool | None:
        import regex

        if text is None:
            return None
        watchdog = self.guard.watchdog
        deadline = watchdog.deadline if watchdog is not None else None
        left = self.guard.time_limit_s if deadline is None else max(deadline - _now(), 0.001)
        try:
            return regex.search(pattern, text, timeout=left) is not None
        except TimeoutError:
            if watchdog is not None:
                watchdog.overdue()  # the deadline has passed: the error is the time limit's
            raise


class SqliteGuard:
    """Query-only, limits and the authorizer on one sqlite3 connection; ``undo()`` puts it back."""

    def __init__(self, raw: sqlite3.Connection, time_limit_s: float | None = None):
        """``time_limit_s``: how long one REGEXP may run where no :class:`Watchdog` is set on ``watchdog``."""
        self.raw, self.time_limit_s = raw, time_limit_s
        self.watchdog: Watchdog | None = None  # the query's, once it has one: REGEXP stops at its deadline
        raw.execute("PRAGMA query_only = ON")
        self.heap = int(raw.execute("PRAGMA hard_heap_limit").fetchone()[0])
        raw.execute(f"PRAGMA hard_heap_limit = {int(SQLITE_HEAP_LIMIT)}")
        self.limits = [(limit, raw.setlimit(limit, value)) for limit, value in _LIMITS]
        self.authorizer = SqliteAuthorizer()
        raw.set_authorizer(self.authorizer)
        for name in ("printf", "format"):  # kept after undo(): the same function, its widths bounded
            raw.create_function(name, -1, _PRINTF, deterministic=True)
        raw.create_function("regexp", 2, _GuardedRegexp(self), deterministic=True)

    def undo(self) -> None:
        raw = self.raw
        raw.set_authorizer(None)
        for limit, value in self.limits:
            raw.setlimit(limit, value)
        raw.execute(f"PRAGMA hard_heap_limit = {self.heap}")
        raw.execute("PRAGMA query_only = OFF")


# --- the watchdog ------------------------------------------------------------------


class Watchdog:
    """Cancels a running query at its deadline or on Ctrl-C, from a second thread.

    ``cancel`` must be safe to call from another thread while the query runs
    (sqlite3's ``interrupt``, psycopg's ``cancel``, a MariaDB ``KILL QUERY``
    sent on a second connection). ``reason`` says what fired: None,
    ``"timeout"`` or ``"interrupt"``. Ctrl-C is noticed through
    :func:`signal.set_wakeup_fd`, so it is seen even while the main thread
    waits inside a C call; Python still raises KeyboardInterrupt there once
    the call returns.
    """

    def __init__(self, cancel: Callable[[], None], timeout_s: float | None):
        self.cancel, self.timeout_s = cancel, timeout_s
        self.reason: str | None = None
        #: set when the watchdog is entered, not when its thread first runs (which a busy machine delays)
        self.deadline: float | None = None
        self._lock = threading.Lock()
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)
        self._old_wakeup: int | None = None
        self._thread = threading.Thread(target=self._run, name="accords-watchdog", daemon=True)

    @property
    def fired(self) -> bool:
        return self.reason is not None

    def overdue(self) -> bool:
        """Whether the deadline has passed, by the clock: then ``reason`` is ``"timeout"`` from now on.

        A query can return at or after its deadline before the thread has fired (a busy machine
        schedules it late), and a server that stops a query at its own limit does not always say
        so (MariaDB's ``sleep()`` and ``benchmark()`` return a value): the time limit is a fact
        of the clock, so a caller checking for it asks here. Nothing is cancelled (the query has
        returned), and the thread will not cancel later either.
        """
        with self._lock:
            if self.reason is None and self.deadline is not None and _now() >= self.deadline:
                self.reason = "timeout"
        return self.reason is not None

    def check(self) -> None:
        """Raise if the watchdog fired or its deadline has passed (the time limit, or Ctrl-C), though the query went on."""
        from .errors import AccordsError, Interrupted
        from .failures import TIME_LIMIT

        self.overdue()  # the deadline passed though the query returned: the time limit all the same
        if self.reason == "interrupt":
            raise Interrupted()
        if self.reason == "timeout":
            raise AccordsError(TIME_LIMIT.format(detail="stopped by accords"))

    def __enter__(self) -> Watchdog:
        self.deadline = None if not self.timeout_s else _now() + self.timeout_s
        if threading.current_thread() is threading.main_thread() \
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            try:
                self._old_wakeup = signal.set_wakeup_fd(self._write, warn_on_full_buffer=False)
            except ValueError:  # pragma: no cover - not the main thread after all
                self._old_wakeup = None
        self._thread.start()
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if self._old_wakeup is not None:
            signal.set_wakeup_fd(self._old_wakeup)
        if exc_type is not None and issubclass(exc_type, KeyboardInterrupt) and self.reason is None:
            self._fire("interrupt")  # Ctrl-C reached Python before the thread saw it: cancel now, not never
        try:
            os.write(self._write, b"\xff")  # stop
        except OSError:  # pragma: no cover
            pass
        self._thread.join()
        os.close(self._read)
        os.close(self._write)

    def _run(self) -> None:
        deadline = self.deadline
        while True:
            wait = None if deadline is None else max(0.0, deadline - _now())
            ready, _, _ = select.select([self._read], [], [], wait)
            if not ready:
                with self._lock:
                    late = self.reason is not None  # the caller saw the deadline pass: its query had returned
                if not late:
                    self._fire("timeout")
                deadline = None
                continue
            try:
                data = os.read(self._read, 64)
            except BlockingIOError:  # pragma: no cover
                continue
            if bytes([signal.SIGINT]) in data:  # before the stop mark: both may come in one read
                self._fire("interrupt")
            if b"\xff" in data:
                return

    def _fire(self, reason: str) -> None:
        with self._lock:
            if self.reason is None:
                self.reason = reason
        try:
            self.cancel()
        except Exception:  # noqa: BLE001 - a failed cancel leaves the server's own limit in force
            pass


def _now() -> float:
    import time

    return time.monotonic()


# --- MariaDB: PREPARE / EXECUTE with values as hex literals ---------------------------


def mysql_literal(value: Any) -> str:
    """A MariaDB literal for a bound value, built without any escaping.

    Text travels as a hex literal converted to utf8mb4, so no sql_mode
    (NO_BACKSLASH_ESCAPES, ANSI_QUOTES) can make it anything but a string.
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("not a finite number")
        return f"CAST({_hex_text(format(value, 'f'))} AS DECIMAL(65, 30))"
    if isinstance(value, dt.datetime):
        return f"CAST({_hex_text(value.isoformat(sep=' '))} AS DATETIME(6))"
    if isinstance(value, dt.date):
        return f"CAST({_hex_text(value.isoformat())} AS DATE)"
    return _hex_text(str(value))


def _hex_text(text: str) -> str:
    data = text.encode("utf-8")
    return f"CONVERT(X'{data.hex()}' USING utf8mb4)" if data else "''"


def mysql_prepared(conn: Any, sql: str, values: dict[str, Any], limit: int | None = None):
    """Run one statement on MariaDB through PREPARE and EXECUTE; return SQLAlchemy's result.

    ``limit``: the server sends at most that many rows of the statement's
    outer SELECT (``sql_select_limit``, set for the session until
    :func:`db.engine.finish` resets it), so a ``--limit`` leaves no rows that
    the driver would have to read and throw away.

    ``:name`` parameters become ``?`` placeholders (SQLAlchemy's own
    compiler finds them); the server parses the statement and refuses more
    than one. Values are set as user variables from literals built by
    :func:`mysql_literal`, then passed with ``EXECUTE ... USING``.
    """
    from sqlalchemy import text
    from sqlalchemy.dialects.mysql.pymysql import MySQLDialect_pymysql

    compiled = text(sql).compile(dialect=MySQLDialect_pymysql(paramstyle="qmark"))
    names = list(compiled.positiontup or [])
    statement = compiled.string
    conn.exec_driver_sql(f"SET @accords_query = {_hex_text(statement)}")
    conn.exec_driver_sql("PREPARE accords_query FROM @accords_query")
    variables = []
    for i, name in enumerate(names):
        conn.exec_driver_sql(f"SET @accords_p{i} = {mysql_literal(values.get(name))}")
        variables.append(f"@accords_p{i}")
    using = f" USING {', '.join(variables)}" if variables else ""
    if limit is not None:
        conn.exec_driver_sql(f"SET SESSION sql_select_limit = {int(limit)}")
    return conn.exec_driver_sql(f"EXECUTE accords_query{using}",
                                execution_options={"stream_results": True, "max_row_buffer": 1000})
