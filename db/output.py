"""Writing result rows as table, csv, json, jsonl or markdown.

Every writer streams where its format allows (csv, json, jsonl): rows are
written as they come, never fetched into memory first.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, TextIO

FORMATS = ("table", "csv", "json", "jsonl", "markdown")


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # exact: no float rounding
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def write_rows(out: TextIO, fmt: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
               styled: bool = False) -> int:
    """Write rows in the format; return how many were written."""
    n = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_text(v) for v in row])
            n += 1
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
