"""How fast `accords serve` answers: the actor report as a canned query, and a source reader page.

Starts a real `accords serve` (Datasette under uvicorn) on a loaded SQLite
database and times HTTP requests to it from this process with the standard
library (`urllib`), on 127.0.0.1: the time from sending the request to the
last byte of the answer, which is the server's time plus a loopback round
trip. Median of repeated requests after one warm-up request. Datasette's
own figure for the SQL alone (`query_ms` of the JSON answer) is given too.

    python benchmarks/serve.py --db /tmp/accords-bench/<label>/accords.db

(the database `benchmarks/run.py` loads, or any loaded accords database;
`benchmarks/generate.py` makes a synthetic one). `benchmarks/run.py --only
serve` runs the same figures into its table.

Targets (issue #16): the actor canned query under 300 ms, a source reader
page (`/-/accords/sources/<slug>`) under 500 ms, at full scale. A route that
does not exist yet (404) is reported as not measured.
"""

from __future__ import annotations

import argparse
import json
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode

ACTOR_MS = 300.0
READER_MS = 500.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def accords_command() -> list[str]:
    """`accords`, as installed beside this Python (else the module)."""
    exe = Path(sys.executable).with_name("accords")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "db"]


class Server:
    """`accords serve` on a free port, stopped at the end of the with block."""

    def __init__(self, db: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([*accords_command(), "--db", str(db), "serve", "--port", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.base + "/-/versions.json") as answer:
                    answer.read()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"accords serve did not start: {self.process.stderr.read()}") from None
                time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.communicate(timeout=30)

    def fetch(self, path: str) -> tuple[int, bytes, float]:
        """Status, body and seconds from sending the request to the last byte."""
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(self.base + path) as answer:
                body, status = answer.read(), answer.status
        except urllib.error.HTTPError as exc:
            body, status = exc.read(), exc.code
        return status, body, time.perf_counter() - started


def timed(server: Server, path: str, budget_s: float, runs: int = 15) -> tuple[int, float, int, bytes]:
    """(status, median seconds, samples, last body) of ``path``, after one warm-up request."""
    status, body, _ = server.fetch(path)
    if status != 200:
        return status, 0.0, 0, body
    times: list[float] = []
    while len(times) < runs and sum(times) < budget_s:
        status, body, spent = server.fetch(path)
        times.append(spent)
    return status, statistics.median(times), len(times), body


def examples(db: Path) -> tuple[str, str]:
    """A typical actor (the middle one by id, by its alias when it has one) and the largest source's slug."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        actor = conn.execute("select a.id, a.slug from actors as a order by a.id limit 1 offset "
                             "(select count(*) / 2 from actors)").fetchone()
        alias = conn.execute("select alias from actor_aliases where actor_id = ? order by alias limit 1",
                             (actor[0],)).fetchone()
        source = conn.execute("select slug from sources order by length(content) desc, slug limit 1").fetchone()
    return (alias[0] if alias else actor[1]), source[0]


Add = Callable[..., None]


def bench(add: Add, note: Callable[[str], None], db: Path, budget_s: float = 10.0) -> None:
    """Measure and report each figure with ``add(figure, accords, reference, ratio, target, ok)``."""
    actor, source = examples(db)
    ms = lambda s: f"{s * 1000:,.1f} ms"  # noqa: E731
    with Server(db) as server:
        for label, suffix in (("HTML page", ""), ("JSON", ".json")):
            path = f"/accords/report-actor{suffix}?" + urlencode({"actor": actor, "subunits": ""})
            status, median, n, body = timed(server, path, budget_s)
            if status != 200:
                raise SystemExit(f"GET {path}: HTTP {status}")
            sql = f"; SQL {json.loads(body)['query_ms']:,.1f} ms" if suffix else ""
            add(f"serve: report-actor canned query, {label} (GET {path}; median of {n}{sql})", ms(median), "", "",
                f"< {ACTOR_MS:.0f} ms", median * 1000 < ACTOR_MS)
        path = f"/-/accords/sources/{quote(source)}"
        status, median, n, _ = timed(server, path, budget_s)
        if status == 404:
            note(f"serve: the source reader page ({path}) is not measured: the route does not exist in this code")
        elif status != 200:
            raise SystemExit(f"GET {path}: HTTP {status}")
        else:
            add(f"serve: source reader page (GET {path}; median of {n})", ms(median), "", "",
                f"< {READER_MS:.0f} ms", median * 1000 < READER_MS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time `accords serve` (see the module's docstring).")
    parser.add_argument("--db", type=Path, required=True, help="a loaded accords SQLite database")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds of repeated requests per figure")
    args = parser.parse_args(argv)
    if not args.db.is_file():
        raise SystemExit(f"no database at {args.db}")

    def add(figure: str, accords: str, reference: str = "", ratio: str = "", target: str = "",
            ok: bool | None = None) -> None:
        print(f"{figure}: {accords}" + (f" (target {target}: {'PASS' if ok else 'MISS'})" if target else ""))

    bench(add, print, args.db, args.budget)


if __name__ == "__main__":
    main()
