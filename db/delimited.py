"""CSV and TSV of rows as sqlite3 returns them, a batch at a time, byte for byte what the csv module writes.

The reference path turns each value into its report type
(:func:`db.reports.normalise_batch`) and hands each row to ``csv.writer``,
which calls ``str()`` (``repr()`` for a float) on every value and looks at
every character of it: most of a large report's time in Python. Here a batch
is taken a column at a time and each column becomes a list of strings with
as little Python per value as possible (``map`` over a method, a dict lookup,
a cached conversion), then each row is one ``str.join``.

Every fast rule below gives exactly the text the reference path writes for
the values it accepts, and refuses (raises) any other value; a column it
refuses is converted by the reference path's own functions instead
(:func:`db.reports.normalise_column`, then the csv module's ``str``/``repr``),
so an odd value costs time, never a different byte. The values are those
sqlite3 returns (None, int, float, str, bytes); other drivers keep the
reference path. Quoting follows the csv module's rule for its dialect
(QUOTE_MINIMAL: a field holding one of a few characters is quoted, a quote
doubled), read from the csv module itself by :func:`quoting`; where it does
not behave as that rule says, every batch takes the csv module.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, TextIO

from .reports import CENTS, EXACT

#: each format's delimiter and line terminator (the csv module's dialects db.output has always written)
DIALECTS: dict[str, tuple[str, str]] = {"csv": (",", "\r\n"), "tsv": ("\t", "\n")}

_BOOLEAN_TEXT = {None: "", 0: "false", 1: "true"}  # 0.0 and 1.0 find the same entries: bool(int(v)) agrees
#: what a rule raises for a value it does not take (the column then takes the reference path)
_REFUSED = (TypeError, ValueError, KeyError, ArithmeticError)


def _csv_text(value: Any) -> str:
    """The text csv.writer writes for a value (before quoting): '' for None, repr() for a float, else str()."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


@cache
def quoting(delimiter: str, lineterminator: str) -> str | None:
    """The characters that make the csv module quote a field; None if it quotes otherwise.

    QUOTE_MINIMAL quotes a field that holds the delimiter, the quote
    character or a character of the line terminator (newer Pythons also
    ``\\r`` and ``\\n`` always), doubling each quote. Each candidate is tried
    on the csv module itself, so the rule is the running Python's.
    """
    triggers = []
    for ch in dict.fromkeys(delimiter + '"\r\n' + lineterminator + " \t\x00,;|"):
        buf = io.StringIO()
        csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator).writerow(["a" + ch, "b"])
        tail = delimiter + "b" + lineterminator
        if buf.getvalue() == '"' + ("a" + ch).replace('"', '""') + '"' + tail:
            triggers.append(ch)
        elif buf.getvalue() != "a" + ch + tail:
            return None  # neither plain nor quoted as the rule says: not a rule this module follows
    if not {'"', delimiter, *lineterminator} <= set(triggers) or len(triggers) > 4:
        return None
    return "".join(triggers)


def _quoted(texts: list[str], triggers: str) -> list[str]:
    """Each text as csv writes it: in quotes, each quote doubled, where it holds one of ``triggers``."""
    a, b, c, d = tuple((triggers * 4)[:4])  # four `in` tests (memchr) are faster than one regular expression
    return [('"' + t.replace('"', '""') + '"') if (a in t or b in t or c in t or d in t) else t for t in texts]


def _strings(values: Sequence[Any], triggers: str) -> list[str]:
    """A column of str and None: the strings, None as ''; quoted where csv would quote them."""
    try:
        joined = "".join(values)  # raises unless every value is a str
        texts = list(values)
    except TypeError:
        texts = ["" if v is None else v for v in values]
        joined = "".join(texts)
    return _quoted(texts, triggers) if any(ch in joined for ch in triggers) else texts


def _integers(values: Sequence[Any]) -> list[str]:
    """int -> its digits (int.__repr__ refuses anything but an int), None -> ''."""
    try:
        return list(map(int.__repr__, values))
    except TypeError:
        return ["" if v is None else int.__repr__(v) for v in values]


def _floats(values: Sequence[Any]) -> list[str]:
    """float -> repr, as csv.writer writes a float; None -> ''."""
    try:
        return list(map(float.__repr__, values))
    except TypeError:
        return ["" if v is None else float.__repr__(v) for v in values]


@lru_cache(maxsize=4096)
def _iso_date(value: str) -> str:
    if value.__class__ is not str:
        raise TypeError(value)  # normalise reads str(value): other types take the reference path
    return dt.date.fromisoformat(value).isoformat()


@lru_cache(maxsize=4096)
def _cents(value: str) -> str:
    if value.__class__ is not str:
        raise TypeError(value)  # a float's text depends on more than its value (-0.0 == 0.0): reference path
    return str(Decimal(value).quantize(CENTS, context=EXACT))  # every digit, as normalise_column keeps them


def _dates(values: Sequence[Any]) -> list[str]:
    return ["" if v is None else _iso_date(v) for v in values]


def _decimals(values: Sequence[Any]) -> list[str]:
    return ["" if v is None else _cents(v) for v in values]


def _booleans(values: Sequence[Any]) -> list[str]:
    return list(map(_BOOLEAN_TEXT.__getitem__, values))


_RULES: dict[str, Callable[[Sequence[Any]], list[str]]] = {
    "integer": _integers, "boolean": _booleans, "date": _dates, "decimal": _decimals}


def _reference(kind: str | None, values: Sequence[Any]) -> list[str]:
    """A column's texts as the reference path writes them (normalised to its report type, booleans spelled)."""
    if kind is None:  # ad hoc SQL: db.output's own spelling of what csv would not write as it should
        from .output import csv_value

        return [_csv_text(csv_value(v)) for v in values]
    from .reports import normalise_column

    normalised = normalise_column(kind, values)
    if kind == "boolean":
        return ["" if v is None else "true" if v else "false" for v in normalised]
    return [_csv_text(v) for v in normalised]


def _texts(kind: str | None, values: Sequence[Any], triggers: str) -> list[str]:
    """One column as the texts the reference path writes for it (quoted where needed)."""
    try:
        if kind in _RULES:
            return _RULES[kind](values)  # digits, dates, true/false: nothing csv would quote
        if kind is None:
            first = next((v for v in values if v is not None), "")
            if first.__class__ is int:
                return _integers(values)
            if first.__class__ is float:
                return _floats(values)
        return _strings(values, triggers)
    except _REFUSED:
        pass
    return _quoted(_reference(kind, values), triggers)


def write_batches(out: TextIO, fmt: str, columns: Sequence[str], batches: Iterable[Sequence[Sequence[Any]]],
                  types: Sequence[str] | None, headers: bool) -> int:
    """Write sqlite3's rows as csv or tsv, a batch at a time; return how many were written.

    ``types``: a report's column types (its values are not normalised yet);
    None for ad hoc SQL, whose values are written as :mod:`db.output` writes them.
    """
    delimiter, terminator = DIALECTS[fmt]
    writer = csv.writer(out, delimiter=delimiter, lineterminator=terminator)
    if headers:
        writer.writerow(columns)
    triggers = quoting(delimiter, terminator)
    kinds = list(types) if types is not None else [None] * len(columns)
    n = 0
    for batch in batches:
        n += len(batch)
        if not batch:
            continue
        columns_of_batch = zip(kinds, zip(*batch, strict=True), strict=True)
        if triggers is None:
            writer.writerows(zip(*(_reference(k, c) for k, c in columns_of_batch), strict=True))
            continue
        texts = [_texts(k, c, triggers) for k, c in columns_of_batch]
        if len(texts) == 1:  # csv writes a row whose only field is empty as ""
            texts[0] = [t or '""' for t in texts[0]]
        out.write(terminator.join(map(delimiter.join, zip(*texts, strict=True))) + terminator)
    return n
