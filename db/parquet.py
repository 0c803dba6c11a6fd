"""Writing result rows as Parquet, with typed columns (pyarrow, an optional dependency).

A report's declared column types become Parquet types: ``date`` a date,
``decimal`` an exact decimal with two places (as every report rounds them),
``integer`` a 64-bit integer, ``boolean`` a boolean, ``text`` a string; a NULL
stays a null. The rows are written a row group at a time, so a large result is
never held in memory whole.

The rows come in the batches they are fetched in. For each row group the
main thread makes an Arrow table: pyarrow converts the rows whole where no
column needs converting in Python (a report of text and integer columns, see
:data:`_AS_PYARROW_DOES`; ad hoc SQL without text columns), and where it
refuses a value, or some column does need it, the rows are taken a column at a
time, each report column converted to its type
(:func:`db.reports.normalise_column`, the same values as every other format).
A single worker thread encodes, compresses and writes the previous row group
meanwhile (pyarrow releases the GIL for that, so it overlaps the fetching);
there is never more than one group in flight, and a failure there (a full
disk) is raised in the main thread when it hands over the next group or
finishes. Dictionary encoding is chosen per column from the first row group:
on where its values repeat (at most :data:`DICTIONARY_RATIO` distinct values
per value), off where they are nearly all different (offsets, quotes), where a
dictionary is built only to be abandoned.

Ad hoc SQL declares no types: each column's type is the one its values have
in the first row group (text where they mix types, or where every value is
NULL); a later value that does not fit fails in one line that says to cast
the column in the SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from functools import partial
from typing import Any, BinaryIO

from .errors import AccordsError

#: rows per Parquet row group (and per Arrow table built from Python values). Larger groups were no faster
#: and cost memory: `accords sql` of a million evidence rows (quotes of 88 characters on average) to parquet
#: peaked at 121 MB with 16,384, 148 MB with 32,768 and 173 MB with 65,536 (the medium data set, #17)
ROW_GROUP = 16_384
#: bytes per data page: with pyarrow's default (1 MB) the same run peaked some 17 MB higher
PAGE_BYTES = 65_536
#: bytes of output pyarrow gathers before it calls ``out.write`` from the writing thread (taking the GIL)
SINK_BYTES = 1 << 20
#: a column is dictionary-encoded when its first row group has at most this many distinct values per value
DICTIONARY_RATIO = 0.1


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


def _inferred_schema(pa: Any, names: Sequence[str], columns: Sequence[Sequence[Any]]) -> tuple[Any, list[int]]:
    """The schema of ad hoc columns, and the columns whose mixed values are written as text."""
    fields, as_text = [], []
    for i, (name, values) in enumerate(zip(names, columns, strict=True)):
        kinds = {_PYTHON_TYPES.get(v.__class__, "other") for v in values if v is not None}
        if kinds == {"integer", "float"}:
            kinds = {"float"}
        kind = kinds.pop() if len(kinds) == 1 else "text"
        if kind == "decimal":
            scale = max(max(0, -v.as_tuple().exponent) for v in values if v is not None)
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


def _texts(values: Sequence[Any]) -> list[str | None]:
    return [_text(v) for v in values]


def _groups(batches: Iterable[Sequence[Sequence[Any]]], size: int) -> Iterator[list[Sequence[Any]]]:
    """The rows of the batches in groups of ``size`` (the last one shorter); one empty group for no rows."""
    group: list[Sequence[Any]] = []
    given = False
    for batch in batches:
        group.extend(batch)
        while len(group) >= size:
            given = True
            yield group[:size]
            del group[:size]
    if group or not given:
        yield group


def _table(pa: Any, schema: Any, columns: list[Sequence[Any]], convert: Sequence[Callable[[Sequence[Any]], Any] | None],
           first: int, count: int) -> Any:
    """One row group from its columns; ``first``: how many rows came before it (for the error line)."""
    arrays = []
    for values, field, change in zip(columns, schema, convert, strict=True):
        try:
            arrays.append(pa.array(values if change is None else change(values), type=field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
            where = f"rows {first + 1:,}-{first + count:,}" if first else f"the first {count:,} rows"
            raise AccordsError(f"column {field.name}: {where} do not fit Parquet type {field.type} "
                               f"({str(exc).splitlines()[0]}); cast the column in the SQL") from None
    return pa.Table.from_arrays(arrays, schema=schema)


def _columns(rows: Sequence[Sequence[Any]], names: Sequence[str]) -> list[Sequence[Any]]:
    """Rows as columns."""
    return list(zip(*rows, strict=True)) if rows else [() for _ in names]


#: report types whose normalised value is the value pyarrow makes of the driver's, wherever pyarrow takes it:
#: text is not converted, and pyarrow takes for int64 only what int() turns into the same integer (an int, a
#: float or a Decimal, truncated as int() truncates; never a bool or a str, which the column path converts)
_AS_PYARROW_DOES = frozenset({"text", "integer"})


def _from_rows(pa: Any, schema: Any, rows: Sequence[Sequence[Any]]) -> Any | None:
    """A row group made from the rows by pyarrow alone (no transposing in Python); None where it cannot.

    Only for columns whose values need no conversion in Python (see
    :data:`_AS_PYARROW_DOES`). None (the caller then goes a column at a
    time) where pyarrow refuses a value, or rows are not tuples (SQLAlchemy's).
    """
    try:
        struct = pa.array(rows, type=pa.struct(schema))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return None
    if not isinstance(struct, pa.StructArray):  # pragma: no cover - over 2 GB in a group: pyarrow splits it
        return None
    return pa.Table.from_batches([pa.RecordBatch.from_struct_array(struct)], schema=schema)


def _dictionary_columns(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """The columns worth a dictionary, judged on the first row group: few distinct values for their number.

    Counted on the values as fetched, in Python (pyarrow's compute module would
    cost 9 MB and 50 ms to import): a rough count is enough to tell a column of
    a few kinds or slugs from one of offsets or quotes.
    """
    chosen = []
    for name, values in zip(names, _columns(rows, names), strict=True):
        try:
            distinct = set(values)
        except TypeError:  # unhashable values (psycopg's lists and dicts for arrays and json): written as text, plain
            continue
        distinct.discard(None)
        present = len(values) - values.count(None)
        if len(distinct) <= DICTIONARY_RATIO * present or present == 0:
            chosen.append(name)
    return chosen


class _Worker:
    """One thread writing row groups, one at a time, while the caller builds the next; its errors raised in the caller."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="accords-parquet")
        self._pending: Future[None] | None = None

    def submit(self, write: Callable[[Any], None], table: Any) -> None:
        """Write ``table`` in the thread, once the group before it is written (its error raised here)."""
        self.wait()
        self._pending = self._pool.submit(write, table)

    def wait(self) -> None:
        """Wait for the group in flight to be written; raise what writing it raised."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def stop(self) -> None:
        """End the thread, after the group it is writing (if any): no thread is left behind.

        A Ctrl-C while waiting (Python raises it where it lands, also after the
        watchdog has stopped the query) does not cut the wait short: the group
        in flight is one row group, and the writer may not be closed under it.
        """
        while True:
            try:
                self._pool.shutdown(wait=True, cancel_futures=True)
                return
            except KeyboardInterrupt:
                continue


class _Target:
    """``out`` as pyarrow's buffered sink writes to it: closing the sink leaves ``out`` open."""

    def __init__(self, out: BinaryIO):
        self.out, self.failed, self.closed = out, False, False

    def write(self, data: Any) -> int:
        return len(data) if self.failed else self.out.write(data)

    def flush(self) -> None:
        if not self.failed:
            self.out.flush()

    def close(self) -> None:
        self.closed = True


def _write_group(pa: Any, writer: Any) -> Callable[[Any], None]:
    def write(table: Any) -> None:
        try:
            writer.write_table(table)
        except pa.ArrowException as exc:
            if isinstance(exc, OSError):
                raise  # a full disk, a closed pipe: the CLI's one line for a failed write
            raise AccordsError(f"cannot write the parquet output: {str(exc).splitlines()[0]}") from None

    return write


def write_parquet(out: BinaryIO, names: Sequence[str], batches: Iterable[Sequence[Sequence[Any]]],
                  types: Sequence[str] | None, normalised: bool = False) -> int:
    """Write batches of rows as one Parquet file, a row group at a time; return how many rows were written.

    ``types``: a report's column types; its values are converted to them here
    (:func:`db.reports.normalise_column`) unless ``normalised`` says they were.
    ``None``: ad hoc SQL, each column's type taken from its values.
    """
    pa = _pyarrow()
    from .reports import normalise_column

    schema: Any = None
    convert: list[Callable[[Sequence[Any]], Any] | None] = []
    whole = False
    writer: Any = None
    # pyarrow's own buffer: the thread calls ``out.write`` (taking the GIL) once a MB, not once a page
    target = _Target(out)
    sink = pa.BufferedOutputStream(pa.PythonFile(target, mode="w"), buffer_size=SINK_BYTES)
    worker = _Worker()
    n = 0
    try:
        for group in _groups(batches, ROW_GROUP):
            count = len(group)
            if schema is None:
                if types is None:
                    schema, as_text = _inferred_schema(pa, names, _columns(group, names))
                    convert = [_texts if i in as_text else None for i in range(len(names))]
                    whole = not as_text
                else:
                    schema = _report_schema(pa, names, types)
                    convert = [None if normalised or kind == "text" else partial(normalise_column, kind)
                               for kind in types]
                    whole = all(normalised or kind in _AS_PYARROW_DOES for kind in types)
            table = _from_rows(pa, schema, group) if whole and group[:1] and group[0].__class__ is tuple else None
            if table is None:
                table = _table(pa, schema, _columns(group, names), convert, n, count)
            if writer is None:
                writer = pa.parquet.ParquetWriter(sink, schema, use_dictionary=_dictionary_columns(names, group),
                                                  data_page_size=PAGE_BYTES)
                write = _write_group(pa, writer)
            del group  # the rows are in the table now
            worker.submit(write, table)
            del table
            n += count
        worker.wait()
    except BaseException:
        target.failed = True  # the output is abandoned: nothing more reaches ``out``, now or when the sink is freed
        worker.stop()
        try:
            if writer is not None:
                writer.close()
            sink.close()
        except Exception:  # noqa: BLE001 - the first failure is the one to report
            pass
        raise
    worker.stop()
    writer.close()  # the footer; the sink is left open (ParquetWriter closes only a file it opened)
    sink.close()  # the rest of the buffer written to ``out``, which stays open
    return n
