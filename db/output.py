"""Writing result rows as table, csv, tsv, json, jsonl, markdown or parquet.

Every writer streams where its format allows (csv, tsv, json, jsonl, and
parquet a row group at a time): rows are written as they come, never fetched
into memory first.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any, BinaryIO, TextIO, cast

from .formats import FORMATS  # noqa: F401 - the one list, re-exported


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # exact: no float rounding
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no infinity or NaN: "inf", "-inf", "nan"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$base64": True, "encoded": base64.b64encode(bytes(value)).decode("ascii")}  # as Datasette does
    return value


def text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "x'" + bytes(value).hex() + "'"  # a blob as an SQL hex literal
    return str(value)


#: values the csv module writes as text_value would: None as an empty field, a date in ISO form
_CSV_AS_IS = frozenset({str, int, float, Decimal, dt.date, type(None)})
#: rows turned into text at a time by the delimited writers
BATCH = 1000


def _field(value: Any) -> str:
    """A value as the csv module writes it, but booleans, blobs and times as text_value spells them."""
    if value is None:
        return ""
    return str(value) if value.__class__ in _CSV_AS_IS else text_value(value)


def _any_column(values: Sequence[Any]) -> list[str]:
    return [v if v.__class__ is str else _field(v) for v in values]


def _text_column(values: Sequence[Any]) -> Sequence[Any]:
    """A text column (str or None): as it is, None as an empty field (anything else: see db.delimited's fallback)."""
    return values if None not in values else ["" if v is None else v for v in values]


def _boolean_column(values: Sequence[Any]) -> list[str]:
    return ["" if v is None else "true" if v else "false" for v in values]


def _typed_column(values: Sequence[Any]) -> list[str]:
    """A normalised integer, decimal or date column (int, Decimal, date or None): str() of each, as the csv module
    writes any value of a report's column."""
    return ["" if v is None else str(v) for v in values]


def _renderers(n: int, types: Sequence[str] | None, given: Sequence[Any] | None) -> list[Any]:
    """For each column, the function that writes a batch of its values as text (see db.delimited)."""
    default: list[Any]
    if types is None:  # ad hoc SQL: any value type can come back
        default = [_any_column] * n
    else:
        default = [_boolean_column if t == "boolean" else _typed_column if t in ("integer", "decimal", "date")
                   else _text_column for t in types]
    return [g or d for g, d in zip(given or [None] * n, default, strict=True)]


class Batched:
    """Rows that come a batch at a time, each batch as columns (``(columns, n_rows)``), as a query normalises them.

    Iterating gives the rows; the CSV and TSV writers, which work a column at
    a time, take the columns as they are. ``render`` may give, per column, the
    function that writes a batch of its values as text (None: as its type says),
    for a reader that fetched a column already as the text it is written as.
    """

    def __init__(self, batches: Iterable[tuple[list[Sequence[Any]], int]],
                 render: Sequence[Callable[[list], list[str]] | None] | None = None):
        self.batches, self.render = batches, render

    def __iter__(self) -> Iterator[tuple]:
        for columns, n in self.batches:
            yield from zip(*columns, strict=True) if columns else ((),) * n


def _column_batches(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[list[Sequence[Any]], int]]:
    """Rows a batch at a time, as columns."""
    it = iter(rows)
    while batch := list(islice(it, BATCH)):
        yield list(zip(*batch, strict=True)), len(batch)


def write_rows(out: TextIO | BinaryIO, fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
               styled: bool = False, types: Sequence[str] | None = None, headers: bool = True) -> int:
    """Write rows in the format; return how many were written.

    ``types`` (a report's column types, its values normalised) lets the CSV
    writer pass rows to the csv module untouched but for boolean columns, and
    gives Parquet its column types. ``headers=False`` leaves out the header
    line of csv, tsv, table and markdown. ``out`` is binary for parquet, text
    for the others.
    """
    if fmt == "parquet":
        from .parquet import write_parquet  # pyarrow, only when asked for

        return write_parquet(cast(BinaryIO, out), columns, rows, types)
    return _write_text(cast(TextIO, out), fmt, columns, rows, styled, types, headers)


def _write_text(out: TextIO, fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                styled: bool, types: Sequence[str] | None, headers: bool) -> int:
    if fmt in ("csv", "tsv"):
        return _write_delimited(out, fmt, columns, rows, types, headers)
    if fmt in ("json", "jsonl"):
        return _write_json(out, fmt, columns, rows)
    if fmt in ("table", "markdown"):
        return _write_table(out, fmt, columns, rows, styled, headers)
    raise ValueError(f"unknown format {fmt!r}")  # pragma: no cover - the CLI restricts the choice


def _write_delimited(out: TextIO, fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                     types: Sequence[str] | None, headers: bool) -> int:
    """csv: RFC 4180 (CRLF); tsv: tab-separated lines ending in LF. Both as the csv module writes them
    (a field holding the delimiter, a quote or a line break quoted), a batch at a time: see db.delimited."""
    from .delimited import write_delimited

    delimiter, terminator = (",", "\r\n") if fmt == "csv" else ("\t", "\n")
    batched = rows if isinstance(rows, Batched) else Batched(_column_batches(rows))
    return write_delimited(out, delimiter, terminator, columns if headers else None, batched.batches,
                           _renderers(len(columns), types, batched.render),
                           _any_column if types is None else _typed_column)


def _write_json(out: TextIO, fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """jsonl: one object per line; json: an array of objects, an object per line."""
    n = 0
    if fmt == "json":
        out.write("[")
    for row in rows:
        if fmt == "json":
            out.write(",\n " if n else "\n ")
        out.write(json.dumps({c: _json_value(v) for c, v in zip(columns, row, strict=True)}, ensure_ascii=False))
        if fmt == "jsonl":
            out.write("\n")
        n += 1
    if fmt == "json":
        out.write("\n]\n" if n else "]\n")
    return n


def _write_table(out: TextIO, fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], styled: bool,
                 headers: bool) -> int:
    """An aligned table or a GitHub Markdown table (all rows first: the widths depend on every row)."""
    from tabulate import tabulate

    data = [[text_value(v) for v in row] for row in rows]
    names = list(columns) if headers else []
    if fmt == "table" and styled:
        names = [f"\x1b[1m{h}\x1b[0m" for h in names]
    table = tabulate(data, headers=names, tablefmt="github" if fmt == "markdown" else "simple",
                     disable_numparse=True)
    out.write(table + "\n" if table else "")
    return len(data)
