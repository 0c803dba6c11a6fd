"""CSV and TSV are written a batch at a time (db/delimited.py), byte for byte as the csv module writes them.

The reference below is how accords wrote them before (issue #17): each row
through ``csv.writer``, booleans, blobs and times spelled by
``output.text_value``. Random rows, with every character the csv module
might quote for, must come out the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db import output

#: what the csv module writes as it is (anything else is spelled by output.text_value first)
AS_IS = (str, int, float, Decimal, dt.date, type(None))


def reference(fmt: str, columns: list[str], rows: list[tuple], types: list[str] | None, headers: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n") if fmt == "csv" else \
        csv.writer(out, delimiter="\t", lineterminator="\n")
    if headers:
        writer.writerow(columns)
    for row in rows:
        if types is None:
            writer.writerow([v if v.__class__ in AS_IS else output.text_value(v) for v in row])
        else:
            writer.writerow([("true" if v else "false") if t == "boolean" and v is not None else v
                             for v, t in zip(row, types, strict=True)])
    return out.getvalue()


def written(fmt: str, columns: list[str], rows: list[tuple], types: list[str] | None, headers: bool = True) -> str:
    out = io.StringIO()
    assert output.write_rows(out, fmt, columns, iter(rows), types=types, headers=headers) == len(rows)
    return out.getvalue()


TEXT = st.text(alphabet=st.sampled_from(list(",\t\"\r\n ;'\\|x\u2028\x0b\x00é")), max_size=6)
ANY = st.one_of(st.none(), TEXT, st.integers(), st.floats(), st.booleans(), st.decimals(allow_nan=False),
                st.dates(), st.datetimes(), st.binary(max_size=3))
TYPED = {"text": st.one_of(st.none(), TEXT), "integer": st.one_of(st.none(), st.integers()),
         "decimal": st.one_of(st.none(), st.decimals(allow_nan=False, places=2)),
         "date": st.one_of(st.none(), st.dates()), "boolean": st.one_of(st.none(), st.booleans())}


@settings(max_examples=300, deadline=None)
@given(fmt=st.sampled_from(["csv", "tsv"]), width=st.integers(0, 4), data=st.data())
def test_ad_hoc_rows_are_written_as_the_csv_module_writes_them(fmt, width, data):
    columns = data.draw(st.lists(TEXT, min_size=width, max_size=width))
    rows = data.draw(st.lists(st.tuples(*[ANY] * width), max_size=2500))
    assert written(fmt, columns, rows, None) == reference(fmt, columns, rows, None)


@settings(max_examples=300, deadline=None)
@given(fmt=st.sampled_from(["csv", "tsv"]), headers=st.booleans(), data=st.data())
def test_report_rows_are_written_as_the_csv_module_writes_them(fmt, headers, data):
    types = data.draw(st.lists(st.sampled_from(sorted(TYPED)), min_size=1, max_size=4))
    columns = [f"c{i}" for i in range(len(types))]
    rows = data.draw(st.lists(st.tuples(*[TYPED[t] for t in types]), max_size=2500))
    assert written(fmt, columns, rows, types, headers) == reference(fmt, columns, rows, types, headers)


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@pytest.mark.parametrize("rows", [[], [("",)], [(None,)], [("a",), ("",)], [()], [(), ()], [("a\r\nb", 'say "hi"')]])
def test_edge_rows(fmt, rows):
    columns = [f"c{i}" for i in range(len(rows[0]))] if rows else ["only"]
    assert written(fmt, columns, rows, None) == reference(fmt, columns, rows, None)


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_a_text_column_holding_other_values_is_written_as_they_are(fmt):
    rows = [(1, "a"), (None, "b"), ("a,b", "c"), (2.5, None), (True, "d")]
    assert written(fmt, ["x", "y"], rows, ["text", "text"]) == reference(fmt, ["x", "y"], rows, ["text", "text"])
