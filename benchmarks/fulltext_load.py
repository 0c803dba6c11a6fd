"""What full-text search costs a load on SQLite (issue #16).

Loads the same synthetic sources into a new SQLite database three ways and
prints the seconds each took (medians of --runs):

- staged: as accords loads, tables with triggers filled a batch per statement;
- row by row: the same triggers, fired by one INSERT per row (the cost the
  staging avoids: FTS5 flushes its pending words at every statement);
- no triggers: the search triggers dropped first (the load without search).

    python benchmarks/fulltext_load.py --sources 20 --statements 20000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import generate  # noqa: E402

from db import api, fulltext  # noqa: E402
from db.load import bulk  # noqa: E402


def load_once(folder: Path, files: list[Path], how: str) -> float:
    name = how.replace(" ", "-")
    url = f"sqlite:///{folder / name}.db"
    Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    api.upgrade(url)
    if how == "no triggers":
        from sqlalchemy import create_engine

        engine = create_engine(url)
        with engine.begin() as conn:
            for table in fulltext.SEARCHED:
                for suffix in fulltext.TRIGGERS:
                    conn.exec_driver_sql(f"drop trigger {table}_{suffix}")
        engine.dispose()
    patch = mock.patch.object(bulk, "_has_triggers", return_value=False) if how == "row by row" else mock.MagicMock()
    with patch:
        started = time.perf_counter()
        api.ingest(url, files)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--statements", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = generate.generate(folder / "corpus", actors=args.statements // 10, statements=args.statements,
                                  agreements=args.statements // 50, projects=args.statements // 100,
                                  sources=args.sources)
        times: dict[str, list[float]] = {"staged": [], "row by row": [], "no triggers": []}
        for _ in range(args.runs):
            for how in times:
                times[how].append(load_once(folder, files, how))
        for how, seconds in times.items():
            print(f"{how}: {statistics.median(seconds):.1f} s (median of {len(seconds)})")


if __name__ == "__main__":
    main()
