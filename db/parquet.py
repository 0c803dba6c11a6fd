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


def _array(pa: Any, values: Sequence[Any], field: Any, count: int, first: int) -> Any:
    """One column of a row group of ``count`` rows; ``first``: how many rows came before it (for the error line)."""
    try:
        return pa.array(values, type=field.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
        where = f"rows {first + 1:,}-{first + count:,}" if first else f"the first {count:,} rows"
        raise AccordsError(f"column {field.name}: {where} do not fit Parquet type {field.type} "
                           f"({str(exc).splitlines()[0]}); cast the column in the SQL") from None


def _table(pa: Any, schema: Any, rows: Sequence[Sequence[Any]], as_text: Sequence[int], first: int) -> Any:
    """One row group; ``first``: how many rows came before it (for the error line)."""
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in schema.names]
    for i in as_text:
        columns[i] = [_text(v) for v in columns[i]]
    arrays = [_array(pa, values, field, len(rows), first) for values, field in zip(columns, schema, strict=True)]
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


# --- a report's rows as sqlite3 returns them ----------------------------------------------------------


_DECIMAL_TEXT = r"^-?[0-9]{1,24}(\.[0-9]{1,2})?$"  # what Arrow reads as the very value Decimal(text).quantize gives


def _fast_array(pa: Any, kind: str, values: Sequence[Any], arrow_type: Any) -> Any:
    """A report column from sqlite3's values, converted by Arrow, or None where that might differ from normalising.

    Text is converted as the normalised path converts it. For the other
    types Arrow infers the values' type first (a column of ints becomes
    int64, of str and None a string column) and only then casts, only where
    the cast gives what :func:`db.reports.normalise_column` would: integers
    as they are, booleans as ``int != 0`` (``bool(int(v))``), dates that are
    already ``YYYY-MM-DD`` of a real day from year 1 on, decimals written
    with at most two places (or integers). Anything else (a float amount, a
    date to parse, text in an integer column) returns None.
    """
    import pyarrow.compute as pc

    if kind == "text":
        return pa.array(values, type=arrow_type)
    array = pa.array(values)
    inferred = array.type
    if inferred == pa.null():
        return pa.nulls(len(values), arrow_type)
    if inferred == pa.int64():
        if kind == "integer":
            return array
        if kind == "boolean":
            return pc.not_equal(array, 0)
        return array.cast(arrow_type) if kind == "decimal" else None
    if inferred != pa.string():
        return None
    if kind == "date":
        dates = array.cast(arrow_type)  # raises for a string that is not a day
        plain = pc.all(pc.equal(dates.cast(pa.string()), array)).as_py() is not False
        return dates if plain and pc.any(pc.less(array, "0001-01-01")).as_py() is not True else None
    if kind == "decimal" and pc.all(pc.match_substring_regex(array, _DECIMAL_TEXT)).as_py() is not False:
        return array.cast(arrow_type)
    return None


def _fast_column(pa: Any, kind: str, chunks: Sequence[Sequence[Any]], arrow_type: Any) -> Any:
    """One column of a row group from its chunks (one per fetched batch), or None (see _fast_array)."""
    arrays = []
    for values in chunks:
        try:
            array = _fast_array(pa, kind, values, arrow_type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
            return None
        if array is None:
            return None
        arrays.append(array)
    return pa.chunked_array(arrays, type=arrow_type)


def _report_table(pa: Any, schema: Any, types: Sequence[str], group: Sequence[Sequence[Sequence[Any]]],
                  first: int) -> Any:
    """One row group of a report from sqlite3's batches: Arrow converts each column, normalising only where needed.

    A column Arrow does not take is normalised over the whole group, as
    :func:`write_parquet` does it, so that its error line names the same rows.
    """
    from .reports import normalise_column

    by_batch = [list(zip(*batch, strict=True)) for batch in group if batch]
    count = sum(map(len, group))
    columns = []
    for i, (field, kind) in enumerate(zip(schema, types, strict=True)):
        column = _fast_column(pa, kind, [b[i] for b in by_batch], field.type)
        if column is None:
            values = [v for b in by_batch for v in b[i]]
            column = _array(pa, list(normalise_column(kind, values)), field, count, first)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def _row_groups(batches: Iterable[Sequence[Sequence[Any]]]) -> Iterable[list]:
    """The batches in groups of ROW_GROUP rows (the last one shorter; one empty group when there are no rows)."""
    group: list = []
    size, sent = 0, False
    for batch in batches:
        while size + len(batch) >= ROW_GROUP:
            cut = ROW_GROUP - size
            group.append(batch[:cut])
            yield group
            group, size, sent, batch = [], 0, True, batch[cut:]
        if batch:
            group.append(batch)
            size += len(batch)
    if group or not sent:
        yield group


def write_parquet_batches(out: BinaryIO, columns: Sequence[str], batches: Iterable[Sequence[Sequence[Any]]],
                          types: Sequence[str] | None) -> int:
    """Write sqlite3's rows, given a batch at a time, as :func:`write_parquet` writes them normalised."""
    if types is None:
        return write_parquet(out, columns, (row for batch in batches for row in batch), None)
    from concurrent.futures import ThreadPoolExecutor

    pa = _pyarrow()
    schema = _report_schema(pa, columns, types)
    n = 0
    # Arrow encodes and compresses a row group without the GIL: one thread does it while this one
    # fetches and converts the next group (at most one group waits, so memory stays two groups)
    with pa.parquet.ParquetWriter(out, schema) as writer, ThreadPoolExecutor(1) as pool:
        pending = None
        for group in _row_groups(batches):
            table = _report_table(pa, schema, types, group, n)
            if pending is not None:
                pending.result()
            pending = pool.submit(writer.write_table, table)
            n += sum(map(len, group))
        if pending is not None:
            pending.result()
    return n
