"""Reports written by PostgreSQL itself: ``COPY (query) TO STDOUT`` lines that are accords' CSV, byte for byte.

The psycopg read path (:mod:`db.pg_read`) fetches a report's rows and writes
them in Python: for a large report, most of the client's time. Where the
server can write the very lines accords writes, it does: the report's query is
wrapped in ``COPY (...) TO STDOUT (FORMAT csv)`` with each column spelled as
accords spells its type (``_COPY_RULES``), and the client only passes the
lines on (CRLF for csv). The statement is still first declared as a cursor
(one query, read-only, as every query of the path), and runs in the same
read-only snapshot under the same time limit.

COPY takes no bound values and accords never pastes a value into SQL, so only
a report run whose parameters are unset (NULL) or set to one of the report's
own choice words goes this way (see :func:`literals_for`); any other run
fetches rows with its values bound.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from .pg_read import BOOLEAN_OID, CASTS, DATE_OID, INTEGER_OIDS, NUMERIC_OID

# PostgreSQL's own functions, operators and types, named in full in every rule: a role whose search_path puts
# a schema before pg_catalog (`set search_path = evil, pg_catalog`) would otherwise have that schema's `round`,
# `=`, `||` or `text` chosen (the report's own query, run alike on the rows path, is left as it is written)
_EQ, _NE, _LT, _GE, _LE, _ADD, _SUB, _MUL, _CAT, _MATCH, _LIKE = (
    f"OPERATOR(pg_catalog.{op})" for op in ("=", "<>", "<", ">=", "<=", "+", "-", "*", "||", "~", "~~"))
_TEXT, _NUMERIC_TYPE, _DATE_TYPE = "pg_catalog.text", "pg_catalog.numeric", "pg_catalog.date"
_EMPTY_IS_NULL = f"case when {{c}} {_EQ} '' then null else {{c}} end"  # nullif's `=` would be looked up

#: per column type OID, how a report column of each type is written as accords writes it, in SQL on the
#: column's value (``{c}``); a type or pair missing here is not copied (the rows are fetched instead)
_COPY_RULES: dict[str, dict[int, str]] = {
    # text: NULL and '' are both an empty field (COPY quotes '' to tell it from NULL); an integer's digits
    "text": {25: _EMPTY_IS_NULL, 1043: _EMPTY_IS_NULL, **{oid: "{c}" for oid in INTEGER_OIDS}},
    "integer": {oid: "{c}" for oid in INTEGER_OIDS},
    "boolean": {BOOLEAN_OID: "case when {c} then 'true' when not {c} then 'false' end",
                **{oid: f"case when {{c}} {_EQ} 0 then 'false' when {{c}} is not null then 'true' end"
                   for oid in INTEGER_OIDS}},
    # a numeric(p, 2) as it is; other numerics and decimal text rounded as Python does (see _copy_rule)
    "decimal": {NUMERIC_OID: "{c}", **{oid: f"(({{c}})::{_TEXT} {_CAT} '.00')" for oid in INTEGER_OIDS}},
    # DateStyle ISO only (see copy_statement); a date Python cannot hold fails, as loading it into one does
    "date": {DATE_OID: f"case when {{c}} {_GE} '0001-01-01'::{_DATE_TYPE} and {{c}} {_LE} '9999-12-31'::{_DATE_TYPE} "
                    f"then ({{c}})::{_TEXT} else cast(('date out of Python''s range (years 1 to 9999): ' {_CAT} "
                    f"({{c}})::{_TEXT}) as {_DATE_TYPE})::{_TEXT} end"},
}
#: Decimal(str(v)).quantize(Decimal("0.01")) in SQL: to cents, a half to the even cent, and a negative
#: value that rounds to zero written "-0.00", as Decimal keeps the sign ({x}: the value as numeric;
#: {negative}: whether it is negative, or for text, written with a minus)
_CENTS_SQL = f"case when ({{negative}}) and {{r}} {_EQ} 0 then '-0.00' else ({{r}})::{_TEXT} end"
_ROUND_SQL = (f"(pg_catalog.round({{x}}, 2) {_SUB} case when pg_catalog.abs(pg_catalog.mod(({{x}} {_MUL} 100), 1)) "
              f"{_EQ} 0.5 and pg_catalog.mod(pg_catalog.trunc(({{x}} {_MUL} 100)), 2) {_EQ} 0 "
              f"then (pg_catalog.sign({{x}}) {_MUL} 0.01) else 0 end)")
_TEXTS = frozenset({25, 1043})  # text, varchar
#: decimal text that Decimal() and numeric read as the same number: ASCII digits, a sign, a point, an
#: exponent, the ASCII blanks both strip (as an E'' pattern: standard_conforming_strings cannot change it)
_BLANKS = r"[ \\t\\n\\r\\v\\f]*"  # in E'': the pattern's own escapes
_DECIMAL_TEXT = f"^{_BLANKS}[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?{_BLANKS}$"
_CENTS_TEXT = "^-?(0|[1-9][0-9]*)[.][0-9][0-9]$"  # no brace for str.format, no backslash to quote
_NEGATIVE_TEXT = rf"(pg_catalog.ltrim({{c}}, E' \t\n\r\013\f') {_LIKE} '-%')"  # E'' has no \v: VT in octal


def _cents(x: str, negative: str) -> str:
    return _CENTS_SQL.format(negative=negative, r=_ROUND_SQL.format(x=x))


def _guarded(x: str, negative: str) -> str:
    """:func:`_cents`, but an infinite value (PostgreSQL 14 and up) fails, as on the rows path, not written.

    Infinity and NaN are the numerics one more leaves unchanged; NaN is written
    ``NaN``, as Python writes it. The error's words are the rows path's
    (:data:`db.reports.NOT_CENTS`).
    """
    from .reports import NOT_CENTS

    words = NOT_CENTS.replace("'", "''")
    return (f"case when {x} {_NE} 'NaN' and {x} {_EQ} ({x} {_ADD} 1) "
            f"then cast(('{words}' {_CAT} ({x})::{_TEXT}) as {_NUMERIC_TYPE})::{_TEXT} else {_cents(x, negative)} end")


def _copy_rule(column: Any, kind: str) -> str | None:
    """How COPY writes one column as accords writes its ``kind`` (``{c}`` the column), or None: fetch its values."""
    oid = column.type_code
    if kind == "decimal" and oid == NUMERIC_OID and column.scale != 2:
        return _guarded("{c}", f"{{c}} {_LT} 0")
    if kind == "decimal" and oid in _TEXTS:
        # Python's Decimal and PostgreSQL's numeric read the same decimal text only in plain ASCII forms
        # (not '1_000', '５', a no-break space, 'Infinity'); any other text fails, never written otherwise
        # cents already (`12.30`, `-0.00`, no leading zero or blank) are the text as it is
        return (f"case when {{c}} {_MATCH} '{_CENTS_TEXT}' then {{c}} when {{c}} {_MATCH} E'{_DECIMAL_TEXT}' then "
                f"{_guarded(f'({{c}})::{_NUMERIC_TYPE}', _NEGATIVE_TEXT)} when {{c}} is not null then "
                f"cast(('decimal text not read alike by Python and PostgreSQL: ' {_CAT} {{c}}) as {_NUMERIC_TYPE})"
                f"::{_TEXT} end")
    return _COPY_RULES.get(kind, {}).get(oid)


_CHOICE = re.compile(r"[A-Za-z0-9_-]+")


def literals_for(params: Mapping[str, Any], kinds: Mapping[str, str], choices: Mapping[str, Sequence[str]]
              ) -> dict[str, str] | None:
    """Each parameter as the SQL constant COPY may hold for it, or None if one has none.

    COPY takes no bound values, and accords never pastes a value into SQL.
    Only two kinds of value become constants: an unset one (NULL, cast to
    the type it is bound as, which is what binding None sends) and a choice
    parameter's value that is one of the choices its report declares, made
    of letters, digits, ``-`` and ``_`` (a word of the report's own, never the
    user's text). Any other value keeps the rows fetched with it bound.
    """
    literals = {}
    for name, value in params.items():
        cast = CASTS.get(kinds.get(name, ""))
        if value is None:
            literals[name] = f"NULL::{cast}" if cast else "NULL"
        elif kinds.get(name) == "choice" and value in choices.get(name, ()) and _CHOICE.fullmatch(value):
            # spelled without a quote (chr() codes): a constant dropped into a literal the pattern of text()
            # misreads (E'\\' :name ') cannot end that literal and change what the rest of the SQL is
            literals[name] = f"({' || '.join(f'pg_catalog.chr({ord(ch)})' for ch in value)})::{cast}"
        else:
            return None
    return literals


def copy_statement(conn: Any, sql: str, literals: Mapping[str, str], description: Sequence[Any],
                   types: Mapping[str, str], fmt: str) -> str | None:
    """A ``COPY (...) TO STDOUT`` whose lines are, byte for byte, the rows accords writes as ``fmt``; else None.

    Each ``:name`` becomes its constant from :func:`literals_for` (NULL, or a
    report's own choice word): no value is ever pasted into SQL, and a
    report run with any other value is fetched as rows, bound. The report's
    query is wrapped, its columns renamed by position, and each column is
    spelled as accords writes its type (``_COPY_RULES``); a column whose
    type has no rule, a single column (COPY quotes a lone ``\\.``; csv
    quotes an empty field), a connection whose encoding is not UTF-8 (accords
    asks for UTF-8: :data:`db.failures.PG_SESSION`; COPY's bytes are decoded as it), a
    DateStyle other than ISO with a date column, or a csv module that quotes
    otherwise than COPY (a field holding the delimiter, a quote, CR or LF)
    means None. COPY ends each line with LF: :func:`write_copied` writes
    csv's CRLF.
    """
    from .delimited import DIALECTS, quoting

    delimiter, terminator = DIALECTS[fmt]
    if len(description) < 2 or set(quoting(delimiter, terminator) or "") != {delimiter, '"', "\r", "\n"}:
        return None
    if conn.info.encoding != "utf-8":
        return None
    rules = [_copy_rule(column, types.get(column.name, "text")) for column in description]
    if None in rules:
        return None
    if any(c.type_code == DATE_OID for c in description) and \
            not (conn.info.parameter_status("DateStyle") or "").startswith("ISO"):
        return None
    if literals and ("\\" in sql or "$" in sql):
        # an E'\'' literal or a $$ one: the pattern of text() may take a ``:name`` in it for a parameter
        # (the rows path then binds it there), and its constant would be other text: fetched as rows
        return None
    from .sqltext import replace_binds

    query = sql_without_end(replace_binds(sql, literals.__getitem__))
    if query is None:
        return None
    names = [f"c{i}" for i in range(1, len(description) + 1)]
    spelled = ", ".join(rule.format(c=f"q.{name}") for rule, name in zip(rules, names, strict=True))  # type: ignore[union-attr]
    options = "format csv" if fmt == "csv" else "format csv, delimiter E'\\t'"
    # the query on lines of its own: a line comment at its end cannot swallow the closing parenthesis
    return (f"copy (select {spelled} from (\n{query}\n) as q({', '.join(names)}))"
            f" to stdout ({options})")


def sql_without_end(sql: str) -> str | None:
    """The query without a final semicolon (and the blanks around it), which a subquery cannot hold.

    None if a semicolon is left in its code (``select 1; -- the end``, which the
    server takes as one query but a subquery cannot hold): its rows are fetched.
    """
    from .sqltext import code_only

    text = sql.rstrip()
    text = text[:-1].rstrip() if text.endswith(";") else text
    return None if ";" in code_only(text) else text


def copied(cursor: Any, statement: str) -> Iterator[Any]:
    """The lines of a COPY TO STDOUT, one per row; leaving early cancels the rest (psycopg's Copy)."""
    try:
        with cursor.copy(statement) as copy:
            yield from copy
    finally:
        cursor.close()


def write_copied(out: Any, fmt: str, names: Sequence[str], batches: Iterable[Sequence[Any]],
                 headers: bool) -> int:
    """Write COPY's lines (UTF-8, each ending in LF) as csv or tsv lines; return how many were written."""
    import csv

    from .delimited import DIALECTS

    delimiter, terminator = DIALECTS[fmt]
    if headers:
        csv.writer(out, delimiter=delimiter, lineterminator=terminator).writerow(names)
    n = 0
    for batch in batches:
        n += len(batch)
        if terminator == "\n":
            out.write(b"".join(batch).decode("utf-8"))
        elif batch:  # csv's CRLF: each line ends in one LF (an LF inside a quoted field stays as it is)
            out.write(b"\r\n".join([line[:-1] for line in batch]).decode("utf-8") + "\r\n")
    return n
