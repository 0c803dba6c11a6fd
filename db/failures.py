"""One-line database errors and the SQLite file rules, with the standard library only.

:mod:`db.engine` (SQLAlchemy) and :mod:`db.sqlite_read` (sqlite3 alone) both
word failures here, so that a refusal, a time limit or a missing file reads
the same whichever path ran the query.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from .errors import AccordsError

ENV_URL = "ACCORDS_DATABASE_URL"
ENV_READ_URL = "ACCORDS_READ_URL"
DEFAULT_URL = "sqlite:///accords.db"
DEFAULT_TIMEOUT_S = 30.0
#: libpq connection settings of every PostgreSQL session accords opens (db.engine's and db.pg_read's), over
#: the URL's own and the role's: text travels as UTF-8 whatever the role's client_encoding (SQL_ASCII, LATIN1
#: could not carry the SQL's or the rows' characters); accords' output is UTF-8 text made in Python anyway
PG_SESSION = {"client_encoding": "UTF8"}

REFUSED = "refused: `accords sql` and reports only read"
TIME_LIMIT = "the query ran longer than the time limit and was stopped ({detail}); --timeout SECONDS allows more"


#: query-string keys whose values are secrets (masked in every message)
SECRET_KEY = re.compile(r"pass|pwd|secret|token|key", re.I)


def url_secrets(url: str, password: str | None, query: Mapping[str, str | Iterable[str]]) -> list[str]:
    """The secrets in a URL, longest first, raw and URL-encoded: ``password`` and the secret-looking
    values of ``query`` (the URL as parsed), and what a parser could not take apart: ``user:password@``
    and ``key=value`` pairs in the text itself."""
    found: list[str] = [password] if password else []
    for key, value in query.items():
        if SECRET_KEY.search(key):
            found += [value] if isinstance(value, str) else list(value)
    m = re.match(r"^[^:/]+://[^:/@]*:([^@/]*)@", url)
    if m:
        found.append(m.group(1))
    found += [v for k, v in re.findall(r"[?&]([^=&#]+)=([^&#]*)", url) if SECRET_KEY.search(k)]
    out: set[str] = set()
    for secret in found:
        if secret:
            out |= {secret, quote(secret, safe=""), quote(secret), unquote(secret)}
    return sorted(out, key=len, reverse=True)


def _mask(text: str, secret: str) -> str:
    """``text`` with ``secret`` masked where it stands as a value: after ``:``, ``=`` or a quote, before ``@``...

    A long secret is masked wherever it appears; a short one only where it
    stands as a value, so that masking a password such as ``1`` does not
    turn ``127.0.0.1`` into ``***27.0.0.***`` (which would give it away).
    """
    if len(secret) >= 8:
        return text.replace(secret, "***")
    return re.sub(r"(?<=[:=/'\"\s])" + re.escape(secret) + r"(?=[@&'\";,/\s)]|$)", "***", text)


def mask_secrets(message: str, secrets: Iterable[str]) -> str:
    """``message`` with each of ``secrets`` (see :func:`url_secrets`) masked."""
    for secret in secrets:
        message = _mask(message, secret)
    return message


class NoDatabase(AccordsError):
    """An SQLite URL names a file that does not exist (and the caller does not create one)."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(f"no database at {path}: run `accords db upgrade` (or any report) to create it")


def check_sqlite_path(path: Path) -> None:
    """An SQLite database must be a regular file (or not exist yet): never a FIFO, device or folder.

    Opening a FIFO would block until something writes to it; a device or a
    folder is not a database. One line names the path and what it is.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise AccordsError(f"cannot open the database {path}: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "not a regular file")
        raise AccordsError(f"the database {path} is {kind}, not an SQLite file")


# Kinds of failure, by driver error code (SQLite primary result codes, PostgreSQL SQLSTATEs,
# MariaDB error numbers): never by the text of the message.
_SQLITE_KINDS = {8: "readonly", 23: "denied", 9: "cancelled", 18: "toobig", 7: "toobig", 14: "cantopen", 5: "busy"}
_PG_KINDS = {"28P01": "login", "28000": "login", "42601": "syntax", "25006": "readonly", "42501": "denied",
             "57014": "cancelled", "42P01": "notable", "54000": "toobig", "53200": "toobig", "55P03": "busy",
             "40P01": "busy"}
_MYSQL_KINDS = {1792: "readonly", 1290: "readonly", 1036: "readonly", 1142: "denied", 1143: "denied",
                1044: "denied", 1045: "login", 1227: "denied", 1370: "denied", 1410: "denied",
                1969: "cancelled", 1317: "cancelled", 3024: "cancelled", 1146: "notable",
                1301: "toobig", 1205: "busy"}


def error_code(exc: BaseException) -> tuple[str, Any]:
    """(backend, code) of a driver error: SQLite's primary result code, a SQLSTATE or a MariaDB number."""
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        return "sqlite", None if code is None else code & 0xFF
    module = type(orig).__module__
    args = tuple(getattr(orig, "args", ()))
    if module.startswith(("pymysql", "MySQLdb", "mariadb")) and args and isinstance(args[0], int):
        return "mysql", args[0]
    if module.startswith("psycopg"):
        return "postgresql", getattr(orig, "sqlstate", None)
    return "", None


def error_kind(exc: BaseException) -> str | None:
    backend_name, code = error_code(exc)
    tables: dict[str, dict[Any, str]] = {"sqlite": _SQLITE_KINDS, "postgresql": _PG_KINDS, "mysql": _MYSQL_KINDS}
    return tables.get(backend_name, {}).get(code)


def driver_message(exc: BaseException) -> str:
    """The driver's own message, on one line, without the SQL SQLAlchemy adds."""
    orig = getattr(exc, "orig", None)
    args: tuple = tuple(getattr(orig, "args", ()))
    if len(args) == 2 and isinstance(args[0], int):  # PyMySQL: (code, message)
        text = f"{args[1]} (MariaDB error {args[0]})"
    else:
        text = str(orig if orig is not None else exc).strip()
    return " ".join(text.splitlines()[0].split()) if text else type(exc).__name__


def describe(exc: BaseException, reading: bool, where: Callable[[], tuple[Path | None, str]]) -> str:
    """One line for a database error (secrets not yet removed): the driver's message and what it means.

    ``where`` gives the SQLite file (or None) and how to name the database,
    asked only for the failures that name it.
    """
    message = driver_message(exc)
    kind = error_kind(exc)
    if kind == "login":
        message = f"cannot log in: check the URL's user name and password ({message})"
    elif kind in ("readonly", "denied") and reading:
        message = f"{REFUSED} ({message})"
    elif kind == "readonly":
        message = f"cannot write to {where()[1]}: the database is read-only for this user or file ({message})"
    elif kind == "denied":
        message = f"permission denied ({message})"
    elif kind == "cancelled":
        message = TIME_LIMIT.format(detail=message)
    elif kind == "toobig":
        message = f"the query needs more memory or a longer value than accords allows ({message})"
    elif kind == "cantopen":
        path = where()[0]
        message = f"{message}: {path}" if path is not None else message
    elif kind == "busy":
        message = f"the database is locked by another connection; try again ({message})"
    elif kind == "syntax" and reading:
        message = f"{message} (on PostgreSQL `accords sql` runs one query: SELECT, VALUES or WITH ... SELECT)"
    elif kind == "notable":
        message = f"{message} (if accords' tables are missing, run `accords db upgrade` and `accords db seed`)"
    return message
