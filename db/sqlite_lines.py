"""A report's CSV or TSV lines rendered by SQLite itself, on the guarded read connection.

Written row by row through Python, a large report spends most of its time
making a Python object of every value (fetching, normalising, handing it to
the csv module). Here the report's SQL is wrapped in one outer select that
turns each row into its finished line, so Python handles one string per
row::

    with q(c0, c1, ...) as (<the report's SQL>)
    select <c0 as a field> || ',' || <c1 as a field> || ... || char(13, 10) from q

Each field is the exact text the Python path writes (:mod:`db.output` on
:func:`db.reports.normalise_batch`'s values): SQLite renders the values of
the column's declared type in its usual form (text, integers, booleans as
``true``/``false``, dates as ``YYYY-MM-DD``, decimals already written with
two places, NULL as an empty field) and quotes a field exactly where this
Python's csv module quotes one (the characters are asked of the csv module,
not assumed). Any other value (a float in a decimal column, text in an
integer column, a date that is not in ISO form...) is passed to
``accords_field``, a function this module adds to the connection, which
converts it with the Python path's own code; a value that path cannot
convert fails here too.

Only a saved report's SQL is wrapped (never ad hoc SQL), with its
parameters bound, on the same connection :func:`db.sqlite_read.reading`
opened: read-only, ``query_only``, the authorizer and limits of
:mod:`db.guard`, and the watchdog (checked between batches). The row order
is the report's own: its ORDER BY is a total order (a test runs every
report both ways on the seed and on awkward data and compares the bytes).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from functools import cache
from typing import Any, BinaryIO, TextIO

#: lines fetched at a time (one string each)
BATCH = 2000

#: the dialects of db.output's csv and tsv writers, and of the lines pyarrow reads back for parquet
DIALECTS = {"csv": {"lineterminator": "\r\n"}, "tsv": {"delimiter": "\t", "lineterminator": "\n"},
            "parquet": {"lineterminator": "\n"}}


@cache
def quoted_characters(fmt: str) -> str:
    """The characters that make this Python's csv module quote a field, in the format's dialect."""
    candidates = "\t\n\r \"',;|\\"
    found = []
    for char in candidates:
        buffer = io.StringIO()
        csv.writer(buffer, **DIALECTS[fmt]).writerow([f"a{char}b", "x"])  # type: ignore[arg-type]
        if buffer.getvalue().startswith('"'):
            found.append(char)
    return "".join(found)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _glob_class(chars: str) -> str:
    """A GLOB pattern matching text that holds any of ``chars`` (``]`` and ``^`` never occur in them)."""
    return _literal("*[" + chars + "]*")


def _quoted(col: str, fmt: str) -> str:
    """The text column ``col`` as a field: quoted, its quotes doubled, where the csv module would quote it.

    For parquet, always (a quoted empty field is an empty string, an unquoted one NULL).
    """
    always = f"'\"' || replace({col}, '\"', '\"\"') || '\"'"
    if fmt == "parquet":
        return always
    return f"case when {col} glob {_glob_class(quoted_characters(fmt))} then {always} else {col} end"


def _decimal_is_canonical(col: str) -> str:
    """``col`` is text that Decimal.quantize(0.01) and str() give back unchanged: -?digits.dd, no leading zero."""
    return (f"(({col} glob '[0-9]*.[0-9][0-9]' and not {col} glob '0[0-9]*') "
            f"or ({col} glob '-[0-9]*.[0-9][0-9]' and not {col} glob '-0[0-9]*')) "
            f"and not substr({col}, 2, length({col}) - 4) glob '*[^0-9]*' "
            f"and length(ltrim({col}, '-')) <= 29")  # 28 digits: Decimal's default precision


def field(kind: str, col: str, fmt: str) -> str:
    """The SQL expression for one column's field (never NULL)."""
    other = f"accords_field({_literal(kind)}, {_literal(fmt)}, {col})"
    if kind == "integer":
        return f"case typeof({col}) when 'integer' then cast({col} as text) when 'null' then '' else {other} end"
    if kind == "boolean":
        return (f"case typeof({col}) when 'integer' then case {col} when 0 then 'false' else 'true' end "
                f"when 'null' then '' else {other} end")
    if kind == "date":
        return (f"case when {col} is null then '' when typeof({col}) = 'text' "
                f"and {col} glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' and {col} >= '0001' "
                f"and date({col}, '+0 days') is {col} then {col} else {other} end")  # '+0 days': 02-30 is 03-01
    if kind == "decimal":
        return (f"case typeof({col}) when 'null' then '' when 'integer' then cast({col} as text) || '.00' "
                f"when 'text' then case when {_decimal_is_canonical(col)} then {col} else {other} end "
                f"else {other} end")
    return f"case typeof({col}) when 'text' then {_quoted(col, fmt)} when 'null' then '' else {other} end"


def lines_sql(sql: str, types: Sequence[str], fmt: str) -> str:
    """The report's SQL wrapped so that each row comes back as its finished line."""
    names = [f"c{i}" for i in range(len(types))]
    delimiter = _literal(DIALECTS[fmt].get("delimiter", ","))
    fields = [field(kind, col, fmt) for kind, col in zip(types, names, strict=True)]
    line = f" || {delimiter} || ".join(fields)
    if len(fields) == 1 and fmt != "parquet":  # the csv module writes a row of one empty field as "" (a blank line is no row)
        line = f"case when ({line}) = '' then '\"\"' else {line} end"
    end = " || ".join(f"char({ord(c)})" for c in DIALECTS[fmt]["lineterminator"])
    # the report's SQL on lines of its own: a trailing -- comment cannot swallow the closing parenthesis
    return f"with q({', '.join(names)}) as (\n{sql}\n)\nselect {line} || {end} from q"


def python_field(kind: str, fmt: str, value: Any) -> str:
    """One value as the Python path writes it (the rare values SQLite does not render itself)."""
    from .output import _csv_rows
    from .reports import normalise_batch

    (normalised,) = normalise_batch([kind], [(value,)])
    if fmt == "parquet" and kind == "text":  # as db.parquet: only text fits a text column
        raise ValueError(f"a {type(value).__name__} in a text column does not fit Parquet type string")
    (row,) = _csv_rows([normalised], [kind])
    buffer = io.StringIO()
    csv.writer(buffer, **DIALECTS[fmt]).writerow([*row, "x"])  # type: ignore[arg-type]
    line = buffer.getvalue()
    return line[: -len(DIALECTS[fmt]["lineterminator"]) - 2]  # less the delimiter, "x" and the line's end


def add_functions(raw: Any) -> None:
    """Add ``accords_field`` to an sqlite3 connection."""
    raw.create_function("accords_field", 3, python_field, deterministic=True)


def write_lines(out: TextIO, cursor: Any, check: Any, limit: int | None) -> int:
    """Write the lines a cursor on :func:`lines_sql` returns; ``check()`` between batches; return the count."""
    n = 0
    while limit is None or n < limit:
        batch = cursor.fetchmany(BATCH if limit is None else min(BATCH, limit - n))
        check()
        if not batch:
            break
        out.write("".join([row[0] for row in batch]))
        n += len(batch)
    return n


def write_parquet(out: BinaryIO, names: Sequence[str], types: Sequence[str], cursor: Any, check: Any,
                  limit: int | None) -> int:
    """Write the lines of :func:`lines_sql` (for parquet) as Parquet, read back by pyarrow's CSV reader.

    The same row groups as :func:`db.parquet.write_parquet` (one per
    :data:`db.parquet.ROW_GROUP` rows) and the same schema, so the file is
    the same, byte for byte. A second thread reads and writes each row group
    while the next one is fetched (sqlite3 and pyarrow both let go of the
    GIL), one row group at most in flight, so memory stays bounded.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    from .parquet import ROW_GROUP, _pyarrow, _report_schema

    pa = _pyarrow()
    schema = _report_schema(pa, names, types)
    read = _csv_reader(pa, schema)
    n, pending = 0, None
    with pa.parquet.ParquetWriter(out, schema) as writer, ThreadPoolExecutor(1) as pool:

        def write(data: bytes) -> None:
            writer.write_table(read(data) if data else schema.empty_table())

        while True:
            size = ROW_GROUP if limit is None else min(ROW_GROUP, limit - n)
            batch = cursor.fetchmany(size) if size > 0 else []
            check()
            if pending is not None:
                pending.result()  # the worker's failure, if any, is raised here
                pending = None
            if batch or n == 0:
                future: Future[None] = pool.submit(write, "".join([row[0] for row in batch]).encode("utf-8"))
                pending = future
            n += len(batch)
            if not batch or len(batch) < size:
                break
        if pending is not None:
            pending.result()
    return n


def _csv_reader(pa: Any, schema: Any) -> Any:
    """A function from the bytes of parquet-flavoured lines to a table of ``schema``."""
    import pyarrow.csv as pacsv

    columns = [f"c{i}" for i in range(len(schema))]
    read = pacsv.ReadOptions(column_names=columns, block_size=1 << 24)
    parse = pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False)  # a NULL alone is a row
    convert = pacsv.ConvertOptions(column_types=dict(zip(columns, schema.types, strict=True)), null_values=[""],
                                   strings_can_be_null=True, quoted_strings_can_be_null=False,
                                   true_values=["true"], false_values=["false"])

    def table(data: bytes) -> Any:
        parsed = pacsv.read_csv(pa.py_buffer(data), read_options=read, parse_options=parse, convert_options=convert)
        return pa.Table.from_arrays([c.combine_chunks() for c in parsed.columns], schema=schema)

    return table
