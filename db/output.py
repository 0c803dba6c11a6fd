"""Writing result rows as table, csv, tsv, json, jsonl, markdown or parquet.

Every writer streams where its format allows (csv, tsv, json, jsonl, and
parquet a row group at a time): rows are written as they come, never fetched
into memory first.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any, BinaryIO, TextIO, cast

from .formats import FORMATS  # noqa: F401 - the one list, re-exported


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # exact: no float rounding
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no infinity or NaN: "inf", "-inf", "nan"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$base64": True, "encoded": base64.b64encode(bytes(value)).decode("ascii")}  # as Datasette does
    return value


def text_value(value: Any) -> str:
    """A value as one line of text (csv, tsv, table, markdown; JSON for what JSON has no type for)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "x'" + bytes(value).hex() + "'"  # a blob as an SQL hex literal
    if isinstance(value, (dict, list, tuple)):  # PostgreSQL's json and arrays: JSON text, not Python's repr
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return str(value)  # a number; a server's interval (timedelta), inet, uuid, range: their str()


def _json_default(value: Any) -> Any:
    """What JSON has no type for (a server's interval, time, inet, uuid, ...), inside a document or not."""
    converted = _json_value(value)
    return converted if converted is not value else text_value(value)


#: values the csv module already writes as _text would: None as an empty field, a date in ISO form
_CSV_AS_IS = frozenset({str, int, float, Decimal, dt.date, type(None)})


def csv_value(value: Any) -> Any:
    """An ad hoc value as the csv module should get it: converted only where it would not write it as text_value."""
    return value if value.__class__ in _CSV_AS_IS else text_value(value)


def _csv_rows(rows: Iterable[Sequence[Any]], types: Sequence[str] | None) -> Iterable[Sequence[Any]]:
    """Rows as the csv module should get them: only values it would not write as _text does are converted."""
    if types is None:  # ad hoc SQL: any value type can come back
        return ([csv_value(v) for v in row] for row in rows)
    booleans = [i for i, t in enumerate(types) if t == "boolean"]
    if not booleans:  # a report's normalised values: text, integer, decimal, date, None
        return rows

    def spelled(row: Sequence[Any]) -> list[Any]:
        out = list(row)
        for i in booleans:
            if out[i] is not None:
                out[i] = "true" if out[i] else "false"
        return out

    return map(spelled, rows)


#: formats written from sqlite3's batches as they come (see write_batches)
BATCH_FORMATS = frozenset({"csv", "tsv"})


def write_batches(out: TextIO, fmt: str, columns: Sequence[str],
                  batches: Iterable[Sequence[Sequence[Any]]], types: Sequence[str] | None = None,
                  headers: bool = True) -> int:
    """Write sqlite3's rows, a batch at a time and not normalised yet, as csv or tsv.

    The same bytes as :func:`write_rows` on the normalised rows, with less
    Python per value (see :mod:`db.delimited`).
    """
    from .delimited import write_batches as write_delimited

    return write_delimited(out, fmt, columns, batches, types, headers)


def write_parquet(out: BinaryIO, columns: Sequence[str], batches: Iterable[Sequence[Sequence[Any]]],
                  types: Sequence[str] | None = None, normalised: bool = False) -> int:
    """Write batches of rows as Parquet (see :mod:`db.parquet`); a report's values need not be normalised yet."""
    from .parquet import write_parquet as write  # pyarrow, only when asked for

    return write(out, columns, batches, types, normalised)


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
        from .sqlite_read import BATCH  # the rows a batch holds on every read path

        stream = iter(rows)
        return write_parquet(cast(BinaryIO, out), columns, iter(lambda: list(islice(stream, BATCH)), []), types,
                             normalised=True)
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
    """csv: RFC 4180; tsv: tab-separated lines, a field holding a tab, newline or quote quoted as in csv."""
    n = 0
    writer = csv.writer(out, lineterminator="\r\n") if fmt == "csv" else \
        csv.writer(out, delimiter="\t", lineterminator="\n")
    if headers:
        writer.writerow(columns)

    def counted(items: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
        nonlocal n
        for item in items:
            n += 1
            yield item

    writer.writerows(counted(_csv_rows(rows, types)))
    return n


def _write_json(out: TextIO, fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """jsonl: one object per line; json: an array of objects, an object per line."""
    n = 0
    if fmt == "json":
        out.write("[")
    for row in rows:
        if fmt == "json":
            out.write(",\n " if n else "\n ")
        out.write(json.dumps({c: _json_value(v) for c, v in zip(columns, row, strict=True)}, ensure_ascii=False,
                             default=_json_default))
        if fmt == "jsonl":
            out.write("\n")
        n += 1
    if fmt == "json":
        out.write("\n]\n" if n else "]\n")
    return n


#: control characters a terminal would act on (an escape sequence can retitle the window, move the cursor or
#: hide text): shown in table and markdown output as visible symbols, newline and tab as they are
_CONTROLS = {c: 0x2400 + c for c in range(0x20) if chr(c) not in "\n\t"} | {0x7F: 0x2421} | \
    {c: 0xFFFD for c in range(0x80, 0xA0)}


def _shown(text: str) -> str:
    """``text`` with its control characters as Unicode's control pictures (ESC as U+241B), C1 as U+FFFD."""
    return text.translate(_CONTROLS) if not text.isprintable() else text


def _write_table(out: TextIO, fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], styled: bool,
                 headers: bool) -> int:
    """An aligned table or a GitHub Markdown table (all rows first: the widths depend on every row)."""
    from tabulate import tabulate

    data = [[_shown(text_value(v)) for v in row] for row in rows]
    names = [_shown(c) for c in columns] if headers else []
    if fmt == "table" and styled:
        names = [f"\x1b[1m{h}\x1b[0m" for h in names]
    table = tabulate(data, headers=names, tablefmt="github" if fmt == "markdown" else "simple",
                     disable_numparse=True)
    out.write(table + "\n" if table else "")
    return len(data)
