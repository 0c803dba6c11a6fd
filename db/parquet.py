"""Writing result rows as Parquet, with typed columns (pyarrow, an optional dependency).

A report's declared column types become Parquet types: ``date`` a date,
``decimal`` an exact decimal with two places (as every report rounds them),
``integer`` a 64-bit integer, ``boolean`` a boolean, ``text`` a string; a NULL
stays a null. The rows are written a row group at a time, so a large result is
never held in memory whole.

Ad hoc SQL declares no types: each column's type is the one its values have
in the first row group (text where they mix types, or where every value is
NULL); a later value that does not fit fails in one line that says to cast
the column in the SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any, BinaryIO

from .errors import AccordsError

#: rows per Parquet row group (and per Arrow batch built from Python values): peak memory stays near
#: 110 MB, pyarrow itself about 75 MB of it, however many rows (measured on a million rows and two million)
ROW_GROUP = 16_384


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401 - the writer lives in the submodule
    except ImportError:
        raise AccordsError("parquet output needs pyarrow: pip install 'accords[parquet]'") from None
    return pyarrow


def _report_schema(pa: Any, columns: Sequence[str], types: Sequence[str]) -> Any:
    arrow = {"text": pa.string(), "integer": pa.int64(), "decimal": pa.decimal128(38, 2), "date": pa.date32(),
             "boolean": pa.bool_()}
    return pa.schema([pa.field(name, arrow[kind]) for name, kind in zip(columns, types, strict=True)])


_PYTHON_TYPES: dict[type, str] = {bool: "boolean", int: "integer", float: "float", Decimal: "decimal",
                                  dt.date: "date", dt.datetime: "timestamp", str: "text", bytes: "binary"}


def _inferred_schema(pa: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[Any, list[int]]:
    """The schema of ad hoc rows, and the columns whose mixed values are written as text."""
    fields, as_text = [], []
    for i, name in enumerate(columns):
        kinds = {_PYTHON_TYPES.get(row[i].__class__, "other") for row in rows if row[i] is not None}
        if kinds == {"integer", "float"}:
            kinds = {"float"}
        kind = kinds.pop() if len(kinds) == 1 else "text"
        if kind == "decimal":
            scale = max(max(0, -v.as_tuple().exponent) for row in rows if (v := row[i]) is not None)
            arrow = pa.decimal128(38, min(scale, 18))
        else:
            arrow = {"boolean": pa.bool_(), "integer": pa.int64(), "float": pa.float64(), "date": pa.date32(),
                     "timestamp": pa.timestamp("us"), "binary": pa.binary()}.get(kind, pa.string())
        if arrow == pa.string():
            as_text.append(i)
        fields.append(pa.field(name, arrow))
    return pa.schema(fields), as_text


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    from .output import text_value

    return text_value(value)


def _table(pa: Any, schema: Any, rows: Sequence[Sequence[Any]], as_text: Sequence[int], first: int) -> Any:
    """One row group; ``first``: how many rows came before it (for the error line)."""
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in schema.names]
    for i in as_text:
        columns[i] = [_text(v) for v in columns[i]]
    arrays = []
    for values, field in zip(columns, schema, strict=True):
        try:
            arrays.append(pa.array(values, type=field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
            where = f"rows {first + 1:,}-{first + len(rows):,}" if first else f"the first {len(rows):,} rows"
            raise AccordsError(f"column {field.name}: {where} do not fit Parquet type {field.type} "
                               f"({str(exc).splitlines()[0]}); cast the column in the SQL") from None
    return pa.Table.from_arrays(arrays, schema=schema)


def write_parquet(out: BinaryIO, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                  types: Sequence[str] | None) -> int:
    """Write rows as one Parquet file, a row group at a time; return how many were written."""
    pa = _pyarrow()
    stream = iter(rows)
    batch = list(islice(stream, ROW_GROUP))
    as_text: Sequence[int] = ()
    if types is None:
        schema, as_text = _inferred_schema(pa, columns, batch)
    else:
        schema = _report_schema(pa, columns, types)
    n = 0
    with pa.parquet.ParquetWriter(out, schema) as writer:
        writer.write_table(_table(pa, schema, batch, as_text, n))
        while batch:
            n += len(batch)
            batch = list(islice(stream, ROW_GROUP))
            if batch:
                writer.write_table(_table(pa, schema, batch, as_text, n))
    return n
