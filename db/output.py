"""Writing result rows as table, csv, json, jsonl or markdown.

Every writer streams where its format allows (csv, json, jsonl): rows are
written as they come, never fetched into memory first.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, TextIO

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


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "x'" + bytes(value).hex() + "'"  # a blob as an SQL hex literal
    return str(value)


#: values the csv module already writes as _text would: None as an empty field, a date in ISO form
_CSV_AS_IS = frozenset({str, int, float, Decimal, dt.date, type(None)})


def _csv_rows(rows: Iterable[Sequence[Any]], types: Sequence[str] | None) -> Iterable[Sequence[Any]]:
    """Rows as the csv module should get them: only values it would not write as _text does are converted."""
    if types is None:  # ad hoc SQL: any value type can come back
        return ([v if v.__class__ in _CSV_AS_IS else _text(v) for v in row] for row in rows)
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


def write_rows(out: TextIO, fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
               styled: bool = False, types: Sequence[str] | None = None) -> int:
    """Write rows in the format; return how many were written.

    ``types`` (a report's column types, its values normalised) lets the CSV
    writer pass rows to the csv module untouched but for boolean columns.
    """
    n = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
        writer.writerow(columns)

        def counted(items: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
            nonlocal n
            for item in items:
                n += 1
                yield item

        writer.writerows(counted(_csv_rows(rows, types)))
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps({c: _json_value(v) for c, v in zip(columns, row, strict=True)}, ensure_ascii=False))
            out.write("\n")
            n += 1
    elif fmt == "json":
        out.write("[")
        for row in rows:
            out.write(",\n " if n else "\n ")
            out.write(json.dumps({c: _json_value(v) for c, v in zip(columns, row, strict=True)}, ensure_ascii=False))
            n += 1
        out.write("\n]\n" if n else "]\n")
    elif fmt in ("table", "markdown"):
        from tabulate import tabulate

        data = [[_text(v) for v in row] for row in rows]
        n = len(data)
        headers = list(columns)
        if fmt == "table" and styled:
            headers = [f"\x1b[1m{h}\x1b[0m" for h in headers]
        table = tabulate(data, headers=headers, tablefmt="github" if fmt == "markdown" else "simple",
                         disable_numparse=True)
        out.write(table + "\n")
    else:  # pragma: no cover - the CLI restricts the choice
        raise ValueError(f"unknown format {fmt!r}")
    return n
