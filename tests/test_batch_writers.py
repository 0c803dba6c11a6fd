"""The batch writer (db/delimited.py) writes what the normalising path writes.

Each case runs both on the same batches of values as sqlite3 returns them:
the reference path (db.reports.normalise_batch, then db.output.write_rows)
and the batch path (db.output.write_batches). They must give the same
bytes, or fail with the same error. Every report's output on both read
paths is compared by tests/test_sqlite_read.py; here the values are the odd
ones a report rarely meets.
"""

from __future__ import annotations

import csv
import io
from itertools import chain

import pytest

from db import delimited, output
from db.reports import COLUMN_TYPES, normalise_batch

#: values of each report type, as sqlite3 could return them: usual ones, and ones each fast rule refuses
VALUES = {
    "text": [None, "", "plain", 'a "quote"', '"', '""', "a,b", "line\nbreak", "cr\rx", "crlf\r\n", "tab\tx",
             " lead", "trail ", "ünïcødé ✓ 😀", "nul\x00byte", "\x1f\x1e", "x" * 5000, "-", "NULL", 12, -7, 1.5,
             -0.0, 1e300, b"\x00\xff", b""],
    "integer": [None, 0, -1, 7, 2**62, -(2**63), 1.0, 2.5, -2.5, -0.0, "12", " 12 ", b"7"],
    "decimal": [None, "1" * 40, "-1e30", 1e30, "1234.50", "0.00", "-0.50", "1234.5", "7", "1.005", "1.015", "2.675", "1e3", "007.5",
                "-0", "12345678901234567890.12", 5, -5, 0, 0.1 + 0.2, 2.675, 1e15, -0.0, 0.0, 0.125, 1e-7],
    "date": [None, "2020-02-29", "0001-01-01", "9999-12-31", "1999-12-31", "20200101", "2020-01-01T00:00:00",
             20200101.5, 20200101],
    "boolean": [None, 0, 1, 2, -1, 0.0, 1.0, 0.5, -0.0, 1.5, "1", " 0 "],
}
#: values the normalising path refuses (it raises; so must the batch path, with the same error)
REFUSED = {
    "integer": ["x", "1.5", "1e3"],
    "decimal": ["abc", "Infinity", b"1.00"],
    "date": ["2021-02-29", "0000-01-01", "2020-1-1", "", "x"],
    "boolean": ["true", "", b"\x01"],
}
#: ad hoc SQL's values (no report type): what sqlite3 returns, in columns of one type and mixed
AD_HOC = [None, "", "plain", "a,b", 'q"', "line\nbreak", 0, -12, 2**63 - 1, 1.5, -0.0, 1e300, 1e-300, 0.1,
          float("inf"), b"", b"\x00\xff\n"]


def _reference(fmt, columns, batches, types, headers=True) -> tuple[bytes, str]:
    out = io.StringIO(newline="")
    try:
        rows = (row for batch in batches for row in (batch if types is None else normalise_batch(types, batch)))
        output.write_rows(out, fmt, columns, rows, types=types, headers=headers)
    except Exception as exc:  # noqa: BLE001 - the error is what is compared
        return b"", f"{type(exc).__name__}: {exc}"
    value = out.getvalue()
    return value.encode("utf-8"), ""


def _batched(fmt, columns, batches, types, headers=True) -> tuple[bytes, str]:
    out = io.StringIO(newline="")
    try:
        output.write_batches(out, fmt, columns, batches, types, headers)
    except Exception as exc:  # noqa: BLE001
        return b"", f"{type(exc).__name__}: {exc}"
    value = out.getvalue()
    return value.encode("utf-8"), ""


def _same(fmt, columns, batches, types, headers=True) -> None:
    expected = _reference(fmt, columns, batches, types, headers)
    assert _batched(fmt, columns, batches, types, headers) == expected


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@pytest.mark.parametrize("kind", COLUMN_TYPES)
def test_each_value_of_each_type_is_written_as_the_normalising_path_writes_it(fmt, kind):
    values = VALUES[kind]
    # one value a batch, in a column beside a plain one; then all of them in one batch, in both orders
    for value in values:
        _same(fmt, ["v", "n"], [[(value, 1)]], [kind, "integer"])
    _same(fmt, ["v", "n"], [[(v, i) for i, v in enumerate(values)]], [kind, "integer"])
    _same(fmt, ["n", "v"], [[(i, v) for i, v in enumerate(reversed(values))]], ["integer", kind])


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_a_value_normalising_refuses_fails_alike(fmt, kind):
    for value in REFUSED[kind]:
        usual = next(v for v in VALUES[kind] if v is not None)
        expected = _reference(fmt, ["v"], [[(usual,)], [(usual,), (value,)]], [kind])
        assert expected[1], f"{value!r} is not refused by normalising"
        assert _batched(fmt, ["v"], [[(usual,)], [(usual,), (value,)]], [kind]) == expected


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_ad_hoc_values_are_written_as_before(fmt):
    for value in AD_HOC:
        _same(fmt, ["a", "b"], [[(value, "x")]], None)
    _same(fmt, ["a", "b"], [[(v, w) for v in AD_HOC for w in (AD_HOC[0], AD_HOC[6])]], None)
    _same(fmt, ["only"], [[(v,) for v in AD_HOC]], None)  # one column: an empty field is written ""


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_one_column_rows_with_an_empty_field_are_quoted_as_csv_quotes_them(fmt):
    _same(fmt, ["t"], [[("",), (None,), ("a",), ("a,b",)]], ["text"])
    _same(fmt, ["t"], [[("",), (None,)]], None, headers=False)


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_every_character_is_quoted_exactly_where_the_csv_module_quotes_it(fmt):
    """Each code point (every one of the BMP, some beyond), alone, between others, and beside a quote."""
    points = chain(range(0x10000), range(0x10000, 0x110000, 0x1001))
    chars = [chr(c) for c in points if not 0xD800 <= c <= 0xDFFF]
    rows = [(ch, "x" + ch + "y", ch + '"', "z") for ch in chars]
    _same(fmt, ["a", "b", "c", "d"], [rows[i:i + 1000] for i in range(0, len(rows), 1000)], None)


def test_the_quoting_rule_read_from_the_csv_module():
    for delimiter, terminator in (",", "\r\n"), ("\t", "\n"):
        triggers = delimited.quoting(delimiter, terminator)
        assert set(triggers) >= {delimiter, '"', *terminator}
        for ch in "\r\n\t ,;\x00":
            assert (ch in triggers) == _csv_line(["a" + ch, "b"], delimiter, terminator).startswith('"')


def _csv_line(row, delimiter, terminator) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=terminator).writerow(row)
    return buf.getvalue()


def test_a_csv_module_that_quotes_otherwise_leaves_every_batch_to_it(monkeypatch):
    """If the running csv module did not quote as QUOTE_MINIMAL says, the csv module writes every batch."""
    monkeypatch.setattr(delimited, "quoting", lambda *_: None)
    _same("csv", ["v", "n"], [[(v, 1) for v in VALUES["text"]]], ["text", "integer"])


def test_many_batches_and_the_row_count():
    batches = [[(f"r{b}-{i}", i, "2020-01-01", "1.50", i % 2) for i in range(1000)] for b in range(5)] + [[]]
    types = ["text", "integer", "date", "decimal", "boolean"]
    _same("csv", list("abcde"), batches, types)
    assert output.write_batches(io.StringIO(), "csv", list("abcde"), batches, types) == 5000
