"""SQL text as accords reads it before any engine does: literals and comments told from code, ``:name`` parameters.

SQLAlchemy's ``text()`` takes every ``:name`` for a parameter, even inside a
literal; accords' own read paths bind as it does (:mod:`db.sqlite_read`,
:mod:`db.pg_read`). These helpers say which names a query uses, escape the
colons ``text()`` would wrongly take, and tell one statement from several.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_STRIP = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.S)
#: a ``:name`` in the SQL's code (literals and comments blanked), as :func:`bind_names` reports them
_USED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
#: SQLAlchemy's text(): its bind parameter pattern, and its escaped colon (see sqlalchemy.sql.compiler)
BIND = re.compile(r"(?<![:\w\x5c]):(\w+)(?![:\w])")
BIND_ESC = re.compile(r"\x5c(:\w*)(?![:\w])")


def code_only(sql: str) -> str:
    """The SQL with string literals, quoted names and comments blanked out."""
    return _STRIP.sub(lambda m: " " * len(m.group()), sql)


#: a colon that text() would take for a parameter's (as BIND): only those are escaped, since
#: an escaped colon that text() does not take (`\\:b::int`) is left escaped, backslash and all
_TAKEN = re.compile(r"(?<![:\w\\]):(?=\w+(?![:\w]))")


def protect_colons(sql: str) -> str:
    """The SQL with each ``:name`` inside a string literal, quoted name or comment escaped as ``\\:name``.

    SQLAlchemy's ``text()`` takes every ``:name`` for a parameter, even in
    ``select ':x'``; escaped, it stays text, as :func:`bind_names` sees it.
    """
    return _STRIP.sub(lambda m: _TAKEN.sub(r"\\:", m.group()), sql)


def replace_binds(sql: str, replace: Callable[[str], str]) -> str:
    """The SQL as ``text()`` sends it, each ``:name`` replaced by ``replace(name)``.

    Colons in literals, quoted names and comments are escaped first
    (:func:`protect_colons`), and every escaped colon is then written as a
    plain colon, as ``text()`` compiles it. The read paths replace names with
    their drivers' placeholders (:mod:`db.sqlite_read`, :mod:`db.pg_read`),
    COPY with constants (:mod:`db.pg_copy`).
    """
    return BIND_ESC.sub(lambda m: m.group(1), BIND.sub(lambda m: replace(m.group(1)), protect_colons(sql)))


_CAST_BIND = re.compile(r"(?<![:\w\\]):([A-Za-z_]\w*)::")


def cast_parameter(sql: str) -> str | None:
    """The name of the first ``:name::type`` in the SQL's code (a parameter with PostgreSQL's cast), if any."""
    m = _CAST_BIND.search(code_only(sql))
    return m.group(1) if m else None


def bind_names(sql: str) -> list[str]:
    """The ``:name`` bind parameters used in the SQL, in order of first use."""
    seen: dict[str, None] = {}
    for m in _USED.finditer(code_only(sql)):
        seen.setdefault(m.group(1))
    return list(seen)


def is_single_statement(sql: str) -> bool:
    code = code_only(sql).strip().rstrip(";").strip()
    return ";" not in code and bool(code)
