"""CSV and TSV lines exactly as Python's csv module writes them, a batch of rows at a time.

The csv module is the reference: RFC 4180 minimal quoting (a field is quoted
when it holds the delimiter, a double quote or a line break, its quotes
doubled), ``None`` as an empty field, a row of one empty field as ``""``,
every other value as ``str()`` gives it. It is written in C, but it looks at
every character of every field one at a time, which at a million rows was
most of what a report costs once its rows are fetched. Here a batch is turned
into text a column at a time: which characters force quotes is asked of the
csv module itself (it differs between Python versions: 3.13 quotes a carriage
return in TSV, 3.11 does not), a column none of whose values holds one is
written as it is, and the lines are joined by ``str.join``. A test compares
the bytes with the csv module's on every report and on random rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, TextIO

#: characters the csv module might quote a field for: asked of it once per dialect
_CANDIDATES = ",\t\"\r\n \\;|'"


@cache
def _quoted_by_csv(delimiter: str, terminator: str) -> str:
    """The characters for which the csv module quotes a field, in this dialect and this Python."""
    found = ""
    for c in _CANDIDATES + delimiter + terminator:
        line = _csv_line([f"a{c}b", "x"], delimiter, terminator)
        if line.startswith('"') and c not in found:
            found += c
    return found


def _csv_line(row: Sequence[Any], delimiter: str, terminator: str) -> str:
    import io

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=terminator).writerow(row)
    return buffer.getvalue()


def _quoter(special: str) -> Callable[[Sequence[str]], list[str]]:
    """A function that quotes, in a column of text, the values that hold one of ``special`` (quotes doubled)."""
    if len(special) > 4:  # pragma: no cover - no csv dialect accords writes has more
        needs = re.compile("[" + re.escape(special) + "]").search
        return lambda column: ['"' + v.replace('"', '""') + '"' if needs(v) else v for v in column]
    a, b, c, d = list((special * 4)[:4])  # four `in` tests in C are several times faster than a regular expression
    return lambda column: ['"' + v.replace('"', '""') + '"' if a in v or b in v or c in v or d in v else v
                           for v in column]


class DelimitedWriter:
    """Writes batches of text columns as the csv module's ``writerows`` would write their rows.

    ``fallback`` renders a column again when it holds a value that is not
    text after all (a column declared text that a driver gave otherwise).
    """

    def __init__(self, out: TextIO, delimiter: str, terminator: str,
                 fallback: Callable[[Sequence[Any]], list[str]]):
        self.out, self.delimiter, self.terminator, self.fallback = out, delimiter, terminator, fallback
        self.special = _quoted_by_csv(delimiter, terminator)
        self.quote = _quoter(self.special)

    def write_columns(self, columns: list[Sequence[str]], n_rows: int) -> None:
        """Write ``n_rows`` rows given as columns of text (each value already what ``str()`` would give)."""
        if not columns:  # rows of no columns: the csv module writes an empty line for each
            self.out.write(self.terminator * n_rows)
            return
        for i, column in enumerate(columns):
            try:
                text = "".join(column)
            except TypeError:  # not all text: render it value by value
                columns[i] = column = self.fallback(column)
                text = "".join(column)
            if any(c in text for c in self.special):  # one pass in C for each character
                columns[i] = self.quote(column)
        if len(columns) == 1 and "" in columns[0]:  # a row of one empty field is written as ""
            columns[0] = [v or '""' for v in columns[0]]
        lines = map(self.delimiter.join, zip(*columns, strict=True)) if len(columns) > 1 else columns[0]
        self.out.write(self.terminator.join(lines))
        self.out.write(self.terminator)


def write_delimited(out: TextIO, delimiter: str, terminator: str, names: Sequence[str] | None,
                    batches: Iterable[tuple[Sequence[Sequence[Any]], int]],
                    render: Sequence[Callable[[Sequence[Any]], Sequence[str]]],
                    fallback: Callable[[Sequence[Any]], list[str]]) -> int:
    """Write the header (unless ``names`` is None) and every batch of columns; return the number of rows.

    ``render`` gives, per column, the function that turns a batch of its
    values into their text (what ``str()`` gives, None as an empty field);
    ``fallback`` one for any value, for a column whose values were not all
    as its renderer expected.
    """
    writer = DelimitedWriter(out, delimiter, terminator, fallback)
    if names is not None:
        writer.write_columns([[str(n)] for n in names], 1)
    total = 0
    for columns, n in batches:
        writer.write_columns([r(c) for r, c in zip(render, columns, strict=True)], n)
        total += n
    return total
