"""The Parquet writer (db/parquet.py): row groups written in a worker thread, its failures and interruptions (#17).

The rows of each group are converted in the main thread and the group is
written by one worker thread while the next is built: never more than one
group in flight, a failure there raised in the main thread as one line, and
no thread left behind however the writing ends.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
import random
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import parquet
from db.cli import cli
from db.errors import AccordsError
from db.reports import normalise_batch

pa = pytest.importorskip("pyarrow", reason="parquet output needs pyarrow: pip install '.[test]'")
pq = pytest.importorskip("pyarrow.parquet")

GROUP = 100  # rows per row group in these tests


@pytest.fixture(autouse=True)
def small_groups(monkeypatch):
    monkeypatch.setattr(parquet, "ROW_GROUP", GROUP)


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("accords-parquet")]


class Fed:
    """Batches of (i, text) rows, counting the rows handed out; ``stop_at``: raise KeyboardInterrupt there."""

    def __init__(self, rows: int, batch: int = GROUP // 2, stop_at: int | None = None, wide: bool = False):
        self.rows, self.batch, self.stop_at, self.given, self.wide = rows, batch, stop_at, 0, wide

    def __iter__(self):
        for start in range(0, self.rows, self.batch):
            if self.stop_at is not None and start >= self.stop_at:
                raise KeyboardInterrupt
            batch = [(i, random.Random(i).randbytes(500).hex() if self.wide else f"row {i % 7}")
                     for i in range(start, min(start + self.batch, self.rows))]
            self.given += len(batch)
            yield batch


class Disk(io.RawIOBase):
    """A file with room for ``room`` bytes, then 'No space left on device'."""

    def __init__(self, room: int):
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return len(data)


@pytest.fixture
def slow_writes(monkeypatch):
    """Each row group takes 50 ms to write; yields the rows handed out when each write began."""
    started: list[int] = []
    feeds: list[Fed] = []
    original = pq.ParquetWriter.write_table

    def write_table(self, table, *args, **kwargs):
        started.append(feeds[0].given if feeds else -1)
        time.sleep(0.05)
        return original(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", write_table)
    return started, feeds


def test_at_most_one_row_group_is_in_flight(slow_writes):
    started, feeds = slow_writes
    feeds.append(fed := Fed(GROUP * 8))
    out = io.BytesIO()
    assert parquet.write_parquet(out, ["i", "t"], fed, ["integer", "text"]) == GROUP * 8
    # when group k is handed to the thread, the main thread has read at most group k+1 more (k from 0)
    assert len(started) == 8
    assert all(given <= (k + 2) * GROUP for k, given in enumerate(started)), started
    assert pq.read_table(io.BytesIO(out.getvalue())).column("i").to_pylist() == list(range(GROUP * 8))
    assert not _writer_threads()


def test_a_full_disk_while_writing_a_row_group_is_raised_in_the_main_thread_and_stops_the_fetching():
    fed = Fed(GROUP * 200, wide=True)  # 100 kB a group: pyarrow's 1 MB buffer is written out every ten or so
    with pytest.raises(OSError) as failure:
        parquet.write_parquet(Disk(room=3000), ["i", "t"], fed, ["integer", "text"])
    assert failure.value.errno == errno.ENOSPC
    assert fed.given < GROUP * 30  # raised when the next group was handed over, not at the end
    assert not _writer_threads()


def test_a_failure_of_pyarrow_while_writing_is_one_line_and_leaves_no_file(sqlite_seeded, tmp_path, monkeypatch):
    original = pq.ParquetWriter.write_table
    calls = []

    def write_table(self, table, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise pa.ArrowInvalid("a bad value\nin detail")
        return original(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", write_table)
    folder = tmp_path / "out"
    folder.mkdir()
    query = "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000) select i from n"
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "sql", query, "-o", str(folder / "n.parquet")])
    assert result.exit_code == 1
    assert result.output == "Error: cannot write the parquet output: a bad value\n"
    assert list(folder.iterdir()) == []
    assert not _writer_threads()


def test_a_full_disk_is_the_one_line_error_of_every_format(sqlite_seeded):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "report", "run", "evidence", "-f", "parquet",
                                      "-o", "/dev/full"])
    assert result.exit_code == 1
    assert result.output == "Error: No space left on device\n"
    assert not _writer_threads()


def test_ctrl_c_between_batches_stops_the_writer_after_the_group_in_flight(slow_writes):
    started, feeds = slow_writes
    feeds.append(fed := Fed(GROUP * 50, stop_at=GROUP * 3))
    with pytest.raises(KeyboardInterrupt):
        parquet.write_parquet(io.BytesIO(), ["i", "t"], fed, ["integer", "text"])
    assert fed.given == GROUP * 3
    assert len(started) <= 3  # no group handed over after the interruption
    assert not _writer_threads()


def test_an_error_fetching_stops_the_writer_and_is_raised_as_it_was(slow_writes):
    def batches():
        yield [(1, "a")] * GROUP
        yield [(2, "b")] * GROUP
        raise AccordsError("the query ran longer than the time limit")

    with pytest.raises(AccordsError, match="time limit"):
        parquet.write_parquet(io.BytesIO(), ["i", "t"], batches(), ["integer", "text"])
    assert not _writer_threads()


def test_the_time_limit_stops_a_parquet_output_and_leaves_no_file(sqlite_seeded, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select i, 'row ' || i as t from n"
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "sql", endless, "--timeout", "1",
                                      "-o", str(folder / "n.parquet")])
    assert result.exit_code == 1
    assert "longer than the time limit" in result.output and result.output.count("\n") == 1
    assert list(folder.iterdir()) == []
    assert not _writer_threads()


def test_ctrl_c_stops_a_parquet_output(sqlite_seeded, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select i, 'row ' || i as t from n"
    env = {k: v for k, v in os.environ.items() if k not in ("ACCORDS_DATABASE_URL", "ACCORDS_READ_URL")}
    proc = subprocess.Popen([sys.executable, "-c", "from db.cli import main; main()", "--db", sqlite_seeded, "sql",
                             endless, "--timeout", "120", "-o", str(folder / "n.parquet")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 30
    while not list(folder.iterdir()) and time.monotonic() < deadline:  # the partial file: rows are being written
        time.sleep(0.1)
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err.decode().strip().splitlines()[-1] == "interrupted", err
    assert list(folder.iterdir()) == []


def test_dictionary_encoding_is_chosen_per_column_from_the_first_row_group():
    rows = [(i, ["treaty", "loan", "port"][i % 3], f"quote {i}", i // 50) for i in range(GROUP * 3)]
    out = io.BytesIO()
    parquet.write_parquet(out, ["id", "kind", "quote", "seq"], [rows], ["integer", "text", "text", "integer"])
    meta = pq.ParquetFile(io.BytesIO(out.getvalue())).metadata
    assert meta.num_row_groups == 3
    for g in range(3):
        encodings = {meta.row_group(g).column(c).path_in_schema: meta.row_group(g).column(c).encodings
                     for c in range(4)}
        assert "RLE_DICTIONARY" in encodings["kind"] and "RLE_DICTIONARY" in encodings["seq"]
        assert "RLE_DICTIONARY" not in encodings["id"] and "RLE_DICTIONARY" not in encodings["quote"]
    assert pq.read_table(io.BytesIO(out.getvalue())).to_pylist()[4] == {"id": 4, "kind": "loan", "quote": "quote 4",
                                                                         "seq": 0}


#: values as drivers return them for each report type: sqlite3's (text dates, floats, 0/1) and others'
RAW = [
    ("a", 1, 2.5, "2020-02-29", 1),
    (None, 2.7, Decimal("1.005"), dt.date(2021, 1, 2), 0),
    ("c", -1.5, 3, dt.datetime(2022, 3, 4, 5, 6), True),
    ("d", "3", None, None, None),
    ("e", True, 0.1, "2023-01-01", False),
    ("f", Decimal("4.9"), 7.0, dt.date(2024, 5, 6), 1.0),
    ("g", None, -2.675, "2025-12-31", 0),
]
TYPES = ["text", "integer", "decimal", "date", "boolean"]


@pytest.mark.parametrize("rows", [RAW, [r for r in RAW if type(r[1]) in (int, float, Decimal)]],
                         ids=["odd values", "values pyarrow takes"])
def test_a_reports_values_are_those_of_normalise_column_and_read_back_typed(rows):
    names = ["t", "i", "d", "day", "b"]
    raw, normalised = io.BytesIO(), io.BytesIO()
    parquet.write_parquet(raw, names, [rows[:3], rows[3:]], TYPES)
    parquet.write_parquet(normalised, names, [list(normalise_batch(TYPES, rows))], TYPES, normalised=True)
    table = pq.read_table(io.BytesIO(raw.getvalue()))
    assert [f.type for f in table.schema] == [pa.string(), pa.int64(), pa.decimal128(38, 2), pa.date32(), pa.bool_()]
    assert table.to_pylist() == pq.read_table(io.BytesIO(normalised.getvalue())).to_pylist()
    assert table.to_pylist() == [dict(zip(names, row, strict=True)) for row in normalise_batch(TYPES, rows)]


def test_integer_and_text_columns_take_pyarrows_path_only_with_values_it_converts_as_int_does():
    names, types = ["t", "i"], ["text", "integer"]
    rows = [("a", 1), ("b", 2.9), ("c", -2.9), ("d", Decimal("-7.5")), (None, None), ("e", "12"), ("f", False)]
    out = io.BytesIO()
    parquet.write_parquet(out, names, [rows], types)
    assert pq.read_table(io.BytesIO(out.getvalue())).column("i").to_pylist() == [1, 2, -2, -7, None, 12, 0]


def test_ad_hoc_values_python_cannot_hash_are_text():
    """psycopg gives a list for an array and a dict for json: counting distinct values must not fail on them."""
    rows = [([1, 2], {"k": 1}, 1), ([3], {"k": 2}, 2)]
    out = io.BytesIO()
    assert parquet.write_parquet(out, ["a", "j", "i"], [rows], None) == 2
    assert pq.read_table(io.BytesIO(out.getvalue())).to_pylist() == [
        {"a": "[1, 2]", "j": '{"k": 1}', "i": 1}, {"a": "[3]", "j": '{"k": 2}', "i": 2}]  # JSON, not repr
