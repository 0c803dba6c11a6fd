"""Benchmark accords against plain SQLite on one machine, in one run, and print the figures.

    python benchmarks/run.py --scale small          # about a minute
    python benchmarks/run.py --scale medium
    python benchmarks/run.py --scale full           # the issue's example size
    python benchmarks/run.py --actors 20000 --statements 200000 --agreements 40000 --projects 40000 --sources 200

What it measures (benchmarks/README.md explains every line):

* bulk load: ``api.ingest`` (what ``accords ingest`` runs) of a synthetic data
  set (benchmarks/generate.py) into a fresh SQLite file, end to end (read +
  validate + write) and the writing's share of it (time inside
  ``db.load.write``, which writes each file once it is checked), against ``sqlite3`` executemany of the very same rows
  into the same schema (made by ``accords db upgrade``) in one transaction;
* every saved report, ``accords report run NAME -f csv -o /dev/null`` against
  the same SQL (parameters rendered as literals) run by the ``sqlite3`` shell;
* the query time (execute + fetch, inside Python) of the parameterised
  reports actor, evidence (fact) and statements (speaker);
* cold start of ``accords --help`` and ``accords report run agreements`` on
  the seeded article database, against a Python process that imports
  SQLAlchemy, connects and selects 1;
* cold start of ``accords sql`` and ``accords report run agreements`` (JSON)
  against ``sqlite-utils query`` on the same database, and one large query
  (every evidence row to CSV) against ``sqlite-utils query --csv``, when
  sqlite-utils is installed (it is a peer, never a dependency);
* peak RSS of ``accords sql`` streaming about 1,000,000 rows to CSV, and of
  ``accords report run statements`` when it has a million rows or more;
* optionally the load and the reports on PostgreSQL (ACCORDS_BENCH_POSTGRES_URL).

Everything generated goes under --work (default /tmp/accords-bench); the
results are printed and written as Markdown to --results (default
benchmarks/results.md). Timings use hyperfine when installed (medians),
otherwise time.perf_counter over repeated subprocess runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import re
import resource
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate as gen  # noqa: E402

SCALES = {
    "small": dict(actors=1_000, statements=10_000, agreements=2_000, projects=2_000, sources=20),
    "medium": dict(actors=10_000, statements=100_000, agreements=20_000, projects=20_000, sources=100),
    "full": dict(actors=100_000, statements=1_000_000, agreements=200_000, projects=200_000, sources=1_000),
}

# Targets from the issue "Scale".
LOAD_RATIO = 0.5          # accords ingest >= 0.5 x executemany rows/s
REPORT_RATIO = 1.1        # every report <= 1.1 x psql (PostgreSQL; issue #17)
PG_LOAD_ROWS_S = 5 * 17_294  # PostgreSQL load >= 5 x the batched INSERTs' 17,294 rows/s (issue #17)
SQLITE_REPORT_RATIO = 1.0  # every report as CSV <= 1.0 x the sqlite3 shell (issue #17)
PARAM_MS = 50.0           # parameterised reports: query time < 50 ms
HELP_MS = 100.0           # accords --help < 100 ms
COLD_RATIO = 1.15         # report run <= 1.15 x the SQLAlchemy connect-and-select floor
PEER_RATIO = 0.6          # accords sql / report run cold start <= 0.6 x sqlite-utils query (issue #17)
#: the query both tools run for the cold-start and large-query comparisons
PEER_QUERY = "select slug, name, kind from actors order by id"
STREAM_MB = 150.0         # peak RSS streaming ~1,000,000 rows < 150 MB, in every streaming format
STREAMING_FORMATS = ("csv", "tsv", "jsonl", "json", "parquet")
PARQUET_RATIO = 1.0       # evidence as parquet <= 1.0 x its csv output
STREAM_ROWS = 1_000_000

#: tables the loader writes (everything but the schema's bookkeeping)
DATA_TABLES = ("sources", "source_segments", "actors", "actor_aliases", "actor_relations", "agreements",
               "agreement_parties", "agreement_obligations", "projects", "project_participants", "amounts",
               "events", "event_participants", "statements", "statement_subjects", "evidence", "inferences",
               "claims", "labels")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def accords_exe() -> str:
    candidate = Path(sys.executable).parent / "accords"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("accords")
    if not found:
        raise SystemExit("the accords command is not installed in this Python environment (pip install -e .)")
    return found


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None, quiet: bool = True) -> None:
    result = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL if quiet else None,
                            stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise SystemExit(f"command failed ({result.returncode}): {shlex.join(cmd)}\n{result.stderr}")


# --- timing -----------------------------------------------------------------------


@dataclass
class Timing:
    median: float | None  # seconds; None when the command ran longer than the cap and was stopped
    runs: int
    tool: str
    times: list[float] = field(default_factory=list)

    def show(self) -> str:
        return ms(self.median) if self.median is not None else f"> {ms(self.times[0])} (stopped)"


def _probe(cmd: list[str], cwd: Path | None, cap_s: float | None = None) -> float | None:
    """Wall time of one run, or None when it ran longer than ``cap_s`` (then it is killed)."""
    started = time.perf_counter()
    try:
        result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                timeout=cap_s)
    except subprocess.TimeoutExpired:
        return None
    if result.returncode != 0:
        raise SystemExit(f"command failed ({result.returncode}): {shlex.join(cmd)}\n{result.stderr}")
    return time.perf_counter() - started


def time_commands(commands: dict[str, list[str]], cwd: Path | None = None, runs: int | None = None,
                  warmup: int = 1, budget_s: float = 10.0, max_runs: int = 10,
                  cap_s: float | None = None, rounds: int = 1) -> dict[str, Timing]:
    """Median wall time of each command (output discarded), by hyperfine when installed.

    Without ``runs``, each command is run once first (a warm-up that also
    checks it succeeds and how long it takes). A command slower than
    ``budget_s`` keeps that single run as its figure; a faster one is then run
    as many times as fit in ``budget_s`` (2 to ``max_runs``) and the median is
    taken. A command still running after ``cap_s`` is stopped and reported as
    such. With ``rounds`` > 1 (and ``runs`` given), the commands take turns,
    ``runs`` runs each per round, so that a slow spell of the machine hits
    all of them alike; the median is over every run of every round.
    """
    out: dict[str, Timing] = {}
    plan: dict[str, tuple[int, int]] = {}
    for label, cmd in commands.items():
        if runs is not None:
            plan[label] = (runs, warmup)
            continue
        probe = _probe(cmd, cwd, cap_s)
        if probe is None:
            out[label] = Timing(None, 1, "stopped", [float(cap_s or 0)])
        elif probe >= budget_s:
            out[label] = Timing(probe, 1, "single run", [probe])
        else:
            plan[label] = (max(2, min(max_runs, int(budget_s / max(probe, 1e-3)))), max(0, warmup - 1))
    times: dict[str, list[float]] = {label: [] for label in plan}
    hyperfine = shutil.which("hyperfine")
    for round_ in range(rounds if runs is not None else 1):
        for label, (n, w) in plan.items():
            cmd = commands[label]
            w = w if round_ == 0 else 0
            if hyperfine:
                with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
                    export = tmp.name
                hf = [hyperfine, "-N", "--style", "none", "--runs", str(n), "--export-json", export]
                if w:
                    hf += ["--warmup", str(w)]
                run(hf + [shlex.join(cmd)], cwd)
                times[label] += json.loads(Path(export).read_text())["results"][0]["times"]
                os.unlink(export)
            else:
                for _ in range(w):
                    _probe(cmd, cwd)
                times[label] += [t for t in (_probe(cmd, cwd) for _ in range(n)) if t is not None]
    for label, samples in times.items():
        out[label] = Timing(statistics.median(samples), len(samples), "hyperfine" if hyperfine else "perf_counter",
                            samples)
    return out


# --- results --------------------------------------------------------------------------


@dataclass
class Line:
    figure: str
    accords: str
    reference: str = ""
    ratio: str = ""
    target: str = ""
    result: str = ""


@dataclass
class Results:
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: str, accords: str, reference: str = "", ratio: str = "", target: str = "",
            ok: bool | None = None) -> None:
        self.lines.append(Line(figure, accords, reference, ratio, target,
                               "" if ok is None else ("PASS" if ok else "MISS")))
        line = self.lines[-1]
        log(f"  {figure}: {accords}" + (f" | {reference}" if reference else "") + (f" | {ratio}" if ratio else "")
            + (f" | {target} {line.result}" if target else ""))  # as it comes: an interrupted run keeps it

    def table(self, fmt: str) -> str:
        from tabulate import tabulate

        headers = ["figure", "accords", "reference", "ratio", "target", "result"]
        rows = [[ln.figure, ln.accords, ln.reference, ln.ratio, ln.target, ln.result] for ln in self.lines]
        return tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


# --- data set and load ----------------------------------------------------------------------


def count_rows(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in DATA_TABLES}


def internal_ingest(url: str, list_file: str, out_file: str, profile: str | None) -> None:
    """(child process) api.ingest of the files listed, timing the writer's work inside it."""
    from db import api, load

    paths = [p for p in Path(list_file).read_text().splitlines() if p]
    marks: dict[str, float] = {"write_s": 0.0}

    class TimedWriter(load.Writer):
        def write(self, conn, plan, progress=None):
            started = time.perf_counter()
            try:
                return super().write(conn, plan, progress)
            finally:
                marks["written"] = time.perf_counter()
                marks["write_s"] += marks["written"] - started

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    results = api.ingest(url, paths, writer=TimedWriter())
    ended = time.perf_counter()
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    Path(out_file).write_text(json.dumps({
        "total_s": ended - started,
        "write_s": marks["write_s"],
        "after_s": ended - marks["written"],
        "sources": len(results),
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "checker_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }))


def accords_load(url: str, files: list[Path], work: Path, profile: bool) -> dict:
    """Upgrade a fresh database and ingest the files in a child process; return its timings."""
    run([accords_exe(), "--db", url, "db", "upgrade"])
    list_file, out_file = work / "files.txt", work / f"ingest-{uuid.uuid4().hex[:6]}.json"
    list_file.write_text("\n".join(map(str, files)))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--internal-ingest", url, str(list_file), str(out_file)]
    if profile:
        cmd.append(str(work / "ingest.prof"))
    run(cmd, quiet=False)
    data = json.loads(out_file.read_text())
    out_file.unlink()
    return data


def executemany_load(source_db: Path, target_db: Path) -> tuple[float, int]:
    """Copy every row of ``source_db`` into a fresh upgraded ``target_db`` with executemany, in one transaction.

    Only the inserts and the commit are timed (rows are read from the source
    database in chunks between the timed calls).
    """
    from db.models import metadata

    target_db.unlink(missing_ok=True)
    run([accords_exe(), "--db", f"sqlite:///{target_db}", "db", "upgrade"])
    src = sqlite3.connect(source_db)
    dst = sqlite3.connect(target_db, isolation_level=None)
    dst.execute("PRAGMA foreign_keys = ON")  # as accords' engine does
    dst.execute("PRAGMA defer_foreign_keys = ON")  # checked at commit, whatever the row order
    spent, rows = 0.0, 0
    dst.execute("BEGIN")
    for table in metadata.sorted_tables:
        if table.name not in DATA_TABLES:
            continue
        columns = [c.name for c in table.columns]
        insert = f"insert into {table.name} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
        cursor = src.execute(f"select {', '.join(columns)} from {table.name} order by id")
        while batch := cursor.fetchmany(50_000):
            started = time.perf_counter()
            dst.executemany(insert, batch)
            spent += time.perf_counter() - started
            rows += len(batch)
    started = time.perf_counter()
    dst.execute("COMMIT")
    spent += time.perf_counter() - started
    src.close()
    dst.close()
    return spent, rows


# --- reports ----------------------------------------------------------------------------------


def render_sql(report, params: list[tuple[str, str]], dialect) -> str:
    """The report's SQL with its parameters (given, else defaults/NULL) as literals, as db.views renders views."""
    from sqlalchemy import text

    from db.reports import bind_parameters, binds, sql_for

    values = bind_parameters(report, params)
    sql = text(sql_for(report, dialect.name)).bindparams(*binds(report))  # as accords sends it to this engine
    compiled = sql.bindparams(**values).compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    return str(compiled)


@dataclass
class Examples:
    actor_alias: str
    actor_slug: str
    fact: str


def examples(sizes: dict) -> Examples:
    """Example parameter values: a typical (not hub) actor in the middle of the data set, a mid agreement."""
    middle = sizes["actors"] // 2
    return Examples(gen.actor_alias(middle), gen.actor_slug(middle), gen.agreement_slug(sizes["agreements"] // 2))


def report_params(name: str, ex: Examples) -> list[tuple[str, str]]:
    """Parameters for running every report: required ones get an example value, the rest their defaults."""
    if name == "actor":
        return [("actor", ex.actor_alias)]
    return [("fact", ex.fact)] if name == "claims" else []


def _sql_literal(value) -> str:
    """A bound value as an SQLite literal, for the sqlite3 shell's .parameter set."""
    if '"' in str(value):
        raise ValueError(f"cannot pass {value!r} to the sqlite3 shell's .parameter set")
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def bench_reports(res: Results, db: Path, sql_dir: Path, ex: Examples, budget_s: float,
                  cap_s: float) -> None:
    """Each report: accords, the sqlite3 shell and plain Python, on the same SQL text with the same bound values."""
    from db.reports import all_reports, bind_names, bind_parameters

    sql_dir.mkdir(parents=True, exist_ok=True)
    sqlite_shell = shutil.which("sqlite3")
    if not sqlite_shell:
        res.notes.append("the sqlite3 shell is not installed: report comparisons skipped (apt-get install sqlite3)")
        return
    for name, report in all_reports().items():
        params = report_params(name, ex)
        values = bind_parameters(report, params)
        bound = {n: values.get(n) for n in bind_names(report.sql)}
        bound = {n: (v.isoformat() if hasattr(v, "isoformat") else v) for n, v in bound.items()}
        sql_file, script = sql_dir / f"{name}.sql", sql_dir / f"{name}.sqlite3"
        sql_file.write_text(report.sql + ";\n")
        script.write_text(".parameter init\n"
                          + "".join(f'.parameter set :{n} "{_sql_literal(v)}"\n' for n, v in bound.items())
                          + f".read {sql_file}\n")
        cli = [accords_exe(), "--db", f"sqlite:///{db}", "report", "run", name, "-f", "csv", "-o", "/dev/null",
               "--timeout", "86400"]
        for p, v in params:
            cli += ["-p", p, v]
        shell = [sqlite_shell, "-readonly", "-csv", "-header", str(db), f".read {script}"]
        plain = [sys.executable, str(HERE / "plain_python.py"), str(db), str(sql_file), json.dumps(bound, default=str)]
        log(f"report {name}")
        t = time_commands({"accords": cli, "sqlite3": shell, "plain": plain}, budget_s=budget_s, cap_s=cap_s)
        a, b, c = t["accords"], t["sqlite3"], t["plain"]
        label = f"report {name}" + "".join(f" -p {p} {v}" for p, v in params)
        short = any(p.required for p in report.parameters)
        runs = f"{a.runs} run{'s' if a.runs > 1 else ''}" + (f" / {b.runs}" if b.runs != a.runs else "")
        plain_text = f"; plain Python {c.show()}" if c.median is not None else ""
        if a.median is not None and c.median is not None:
            plain_text += f" (accords {a.median / c.median:.2f}x)"
        if a.median is not None and b.median is not None and short:
            # a report that needs a parameter returns a few rows: the process start dominates, and issue #17
            # judges these by query time (bench_parameterised); the whole-process ratio is shown, not judged
            res.add(f"{label} (csv to /dev/null; median of {runs})", a.show(),
                    f"{b.show()} sqlite3 shell{plain_text}", f"{a.median / b.median:.2f}x", "query time, below")
        elif a.median is not None and b.median is not None:
            ratio = a.median / b.median
            res.add(f"{label} (csv to /dev/null; median of {runs})", a.show(),
                    f"{b.show()} sqlite3 shell{plain_text}", f"{ratio:.2f}x", f"<= {SQLITE_REPORT_RATIO}x",
                    ratio <= SQLITE_REPORT_RATIO)
        else:
            ok = None if a.median is None and b.median is None else (False if a.median is None else None)
            res.add(f"{label} (csv to /dev/null)", a.show(), f"{b.show()} sqlite3 shell{plain_text}", "n/a",
                    f"<= {SQLITE_REPORT_RATIO}x", ok)


def bench_parquet(res: Results, db: Path, budget_s: float, cap_s: float) -> None:
    """The evidence report (the largest) written as Parquet against the same report as CSV."""
    if importlib.util.find_spec("pyarrow") is None:
        res.notes.append("pyarrow is not installed: parquet output not measured (pip install 'accords[parquet]')")
        return
    base = [accords_exe(), "--db", f"sqlite:///{db}", "report", "run", "evidence", "--timeout", "86400"]
    with tempfile.TemporaryDirectory() as tmp:
        t = time_commands({"parquet": [*base, "-o", f"{tmp}/evidence.parquet"],
                           "csv": [*base, "-o", f"{tmp}/evidence.csv"]}, budget_s=budget_s, cap_s=cap_s)
    a, b = t["parquet"], t["csv"]
    if a.median is not None and b.median is not None:
        ratio = a.median / b.median
        res.add(f"report evidence as parquet (median of {a.runs})", a.show(), f"{b.show()} as csv",
                f"{ratio:.2f}x", f"<= {PARQUET_RATIO}x", ratio <= PARQUET_RATIO)


#: the parameterised reports and the example each takes: (report, parameter, Examples field)
PARAM_REPORTS = (("actor", "actor", "actor_alias"), ("evidence", "fact", "fact"), ("statements", "speaker", "actor_slug"),
                 ("claims", "fact", "fact"))


def bench_parameterised(res: Results, url: str, ex: Examples, budget_s: float, runs: int = 15,
                        engine_label: str = "") -> None:
    """Query time (execute + fetch) of the parameterised reports, inside Python, read-only.

    The first run warms the page cache and is not counted, unless it alone
    took longer than ``budget_s`` (then it is the only sample).
    """
    from db import reports
    from db.engine import make_engine, read_only

    cases = [(name, [(param, getattr(ex, field))]) for name, param, field in PARAM_REPORTS]
    engine = make_engine(url)
    try:
        for name, params in cases:
            report = reports.get_report(name)
            values = reports.bind_parameters(report, params)
            times: list[float] = []
            n = 0
            for i in range(runs + 1):
                with read_only(engine, None) as conn:
                    started = time.perf_counter()
                    n = len(list(reports.run_report(conn, report, values).rows))
                    spent = time.perf_counter() - started
                if i == 0 and spent < budget_s:
                    continue  # a warm-up
                times.append(spent)
                if sum(times) >= budget_s:
                    break
            median = statistics.median(times)
            label = f"{engine_label}query time: report {name} " + " ".join(f"-p {p} {v}" for p, v in params)
            res.add(f"{label} ({n} rows; execute + fetch, median of {len(times)})", ms(median), "", "",
                    f"< {PARAM_MS:.0f} ms", median * 1000 < PARAM_MS)
    finally:
        engine.dispose()


# --- cold start and memory --------------------------------------------------------------------------


def sqlite_utils_exe() -> str | None:
    """sqlite-utils, the peer for cold start: beside this Python's accords, else on PATH (never a dependency)."""
    candidate = Path(sys.executable).parent / "sqlite-utils"
    return str(candidate) if candidate.exists() else shutil.which("sqlite-utils")


def bench_cold_start(res: Results, work: Path) -> None:
    seeded = work / "seeded"
    if not (seeded / "accords.db").exists():
        seeded.mkdir(parents=True, exist_ok=True)
        run([accords_exe(), "db", "upgrade"], cwd=seeded)
        run([accords_exe(), "db", "seed"], cwd=seeded)
    floor = [sys.executable, "-c",
             "import sqlalchemy; e = sqlalchemy.create_engine('sqlite:///accords.db'); "
             "c = e.connect(); c.exec_driver_sql('select 1').all(); c.close()"]
    commands = {"help": [accords_exe(), "--help"],
                "report": [accords_exe(), "report", "run", "agreements"],
                "floor": floor}
    peer = sqlite_utils_exe()
    if peer:  # the same query, JSON from both (sqlite-utils' default output)
        commands |= {"sql": [accords_exe(), "sql", PEER_QUERY, "-f", "json"],
                     "report-json": [accords_exe(), "report", "run", "agreements", "-f", "json"],
                     "peer": [peer, "query", "accords.db", PEER_QUERY],
                     "peer-report": [peer, "query", "accords.db", "select * from report_agreements"]}
    t = time_commands(commands, cwd=seeded, runs=5, warmup=3, rounds=8)
    res.add(f"cold start: accords --help (median of {t['help'].runs})", ms(t["help"].median), "", "",
            f"< {HELP_MS:.0f} ms", t["help"].median * 1000 < HELP_MS)
    ratio = t["report"].median / t["floor"].median
    res.add(f"cold start: accords report run agreements, seeded article (median of {t['report'].runs})",
            ms(t["report"].median), f"{ms(t['floor'].median)} python: import sqlalchemy, connect, select 1",
            f"{ratio:.2f}x", f"<= {COLD_RATIO}x", ratio <= COLD_RATIO)
    if not peer:
        res.notes.append("sqlite-utils is not installed: the cold-start peer was not measured "
                         "(pip install sqlite-utils, into any environment on PATH)")
        return
    for label, mine, theirs, what in (
            ("sql", "sql", "peer", f"accords sql -f json {PEER_QUERY!r}"),
            ("report", "report-json", "peer-report", "accords report run agreements -f json")):
        ratio = t[mine].median / t[theirs].median
        reference = "sqlite-utils query, the same query" if label == "sql" else \
            "sqlite-utils query 'select * from report_agreements' (the report's view)"
        res.add(f"cold start: {what}, seeded article (median of {t[mine].runs})", ms(t[mine].median),
                f"{ms(t[theirs].median)} {reference}", f"{ratio:.2f}x", f"<= {PEER_RATIO}x", ratio <= PEER_RATIO)


def bench_large_query(res: Results, db: Path, budget_s: float, cap_s: float) -> None:
    """One large query: accords sql against sqlite-utils query, both writing CSV to /dev/null."""
    peer = sqlite_utils_exe()
    if not peer:
        res.notes.append("sqlite-utils is not installed: the large-query peer was not measured")
        return
    sql = ("select e.id, s.slug as source, e.char_start, e.char_end, e.quote from evidence as e "
           "join sources as s on s.id = e.source_id order by e.id")
    t = time_commands({"accords": [accords_exe(), "--db", f"sqlite:///{db}", "sql", sql, "-f", "csv", "-o",
                                   "/dev/null", "--timeout", "86400"],
                       "peer": ["sh", "-c", f"exec {shlex.quote(peer)} query --csv {shlex.quote(str(db))} "
                                            f"{shlex.quote(sql)} > /dev/null"]},
                      budget_s=budget_s, cap_s=cap_s)
    if t["accords"].median is None or t["peer"].median is None:
        res.add("large query: accords sql, every evidence row to CSV", t["accords"].show(), t["peer"].show())
        return
    ratio = t["accords"].median / t["peer"].median
    res.add(f"large query: accords sql, every evidence row to CSV (median of {t['accords'].runs})",
            t["accords"].show(), f"{t['peer'].show()} sqlite-utils query --csv", f"{ratio:.2f}x")


def peak_rss(cmd: list[str]) -> tuple[float, float]:
    """(max RSS in MB, wall seconds) of a command, measured by a fresh parent process."""
    probe = ("import resource, subprocess, sys, time\n"
             "t = time.perf_counter()\n"
             "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
             "t = time.perf_counter() - t\n"
             "if r.returncode: sys.exit(r.returncode)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, t)\n")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"command failed: {shlex.join(cmd)}\n{out.stderr}")
    kb, seconds = out.stdout.split()
    return int(kb) / 1024, float(seconds)


def bench_memory(res: Results, db: Path, rows: dict[str, int]) -> None:
    if rows.get("evidence", 0) >= STREAM_ROWS:
        query = ("select e.id, s.slug as source, e.char_start, e.char_end, e.quote from evidence as e "
                 f"join sources as s on s.id = e.source_id order by e.id limit {STREAM_ROWS}")
        what = f"{STREAM_ROWS:,} evidence rows"
    else:  # too little data: generate the rows
        query = (f"with recursive n(i) as (select 1 union all select i + 1 from n where i < {STREAM_ROWS}) "
                 "select i, 'synthetic row ' || i as label, i * 0.5 as half from n")
        what = f"{STREAM_ROWS:,} generated rows (the data set has fewer than {STREAM_ROWS:,} evidence rows)"
    for fmt in STREAMING_FORMATS:
        if fmt == "parquet" and importlib.util.find_spec("pyarrow") is None:
            res.notes.append("pyarrow is not installed: parquet memory not measured (pip install 'accords[parquet]')")
            continue
        cmd = [accords_exe(), "--db", f"sqlite:///{db}", "sql", query, "-f", fmt, "-o", "/dev/null",
               "--timeout", "86400"]
        mb, seconds = peak_rss(cmd)
        res.add(f"peak RSS: accords sql streaming {what} to {fmt} ({seconds:.1f} s)", f"{mb:,.0f} MB", "", "",
                f"< {STREAM_MB:.0f} MB", mb < STREAM_MB)
    with sqlite3.connect(db) as conn:  # the statements report has a row per statement and subject
        n = conn.execute("select count(*) from statements as st "
                         "left join statement_subjects as su on su.statement_id = st.id").fetchone()[0]
    if n >= STREAM_ROWS:
        cmd = [accords_exe(), "--db", f"sqlite:///{db}", "report", "run", "statements", "-f", "csv", "-o", "/dev/null",
               "--timeout", "86400"]
        mb, seconds = peak_rss(cmd)
        res.add(f"peak RSS: accords report run statements, {n:,} rows to csv ({seconds:.1f} s)", f"{mb:,.0f} MB",
                "", "", f"< {STREAM_MB:.0f} MB", mb < STREAM_MB)


# --- PostgreSQL (optional) ------------------------------------------------------------------------------


def bench_postgres(res: Results, admin_url: str, files: list[Path], work: Path, ex: Examples,
                   budget_s: float, cap_s: float) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.dialects import postgresql as pg_dialect
    from sqlalchemy.engine import make_url

    from db.reports import all_reports

    name = f"accords_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        log(f"PostgreSQL: loading into scratch database {name}")
        load = accords_load(url, files, work, profile=False)
        rows = 0
        eng = create_engine(url)
        with eng.connect() as conn:
            for t in DATA_TABLES:
                rows += conn.execute(text(f"select count(*) from {t}")).scalar_one()
        eng.dispose()
        rate = rows / load["total_s"]
        res.add(f"PostgreSQL load: api.ingest end to end ({rows:,} rows in {load['total_s']:.0f} s)",
                f"{rate:,.0f} rows/s", "17,294 rows/s batched INSERTs (issue #17)", f"{rate / 17_294:.2f}x",
                f">= {PG_LOAD_ROWS_S:,} rows/s", rate >= PG_LOAD_ROWS_S)
        res.add(f"PostgreSQL load: writing only (load.write, {load['write_s']:.0f} s)",
                f"{rows / load['write_s']:,.0f} rows/s")
        bench_parameterised(res, url, ex, budget_s, engine_label="PostgreSQL ")
        bench_postgres_plans(res, url, ex)
        psql = shutil.which("psql")
        if not psql:
            res.notes.append("psql is not installed: PostgreSQL report comparisons skipped")
            return
        libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        sql_dir = work / "sql-postgres"
        sql_dir.mkdir(parents=True, exist_ok=True)
        for rname, report in all_reports().items():
            params = report_params(rname, ex)
            sql_file = sql_dir / f"{rname}.sql"
            sql_file.write_text(render_sql(report, params, pg_dialect.dialect()).replace("%%", "%") + ";\n")
            cli = [accords_exe(), "--db", url, "report", "run", rname, "-f", "csv", "-o", "/dev/null",
                   "--timeout", "86400"]
            for p, v in params:
                cli += ["-p", p, v]
            shell = [psql, "-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-d", libpq, "-f", str(sql_file),
                     "-o", "/dev/null"]
            log(f"PostgreSQL report {rname}")
            t = time_commands({"accords": cli, "psql": shell}, budget_s=budget_s, cap_s=cap_s)
            a, b = t["accords"], t["psql"]
            if a.median is not None and b.median is not None and any(p.required for p in report.parameters):
                # a few rows: judged by query time (above), as on SQLite; the whole-process ratio is shown
                res.add(f"PostgreSQL report {rname} (median of {a.runs} / {b.runs} runs)", a.show(),
                        f"{b.show()} psql", f"{a.median / b.median:.2f}x", "query time, above")
            elif a.median is not None and b.median is not None:
                ratio = a.median / b.median
                res.add(f"PostgreSQL report {rname} (median of {a.runs} / {b.runs} runs)", a.show(),
                        f"{b.show()} psql", f"{ratio:.2f}x", f"<= {REPORT_RATIO}x", ratio <= REPORT_RATIO)
            else:
                res.add(f"PostgreSQL report {rname}", a.show(), f"{b.show()} psql", "n/a", f"<= {REPORT_RATIO}x",
                        False if a.median is None and b.median is not None else None)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
        log(f"PostgreSQL: dropped {name}")


def bench_postgres_plans(res: Results, url: str, ex: Examples) -> None:
    """EXPLAIN of the parameterised reports on the loaded PostgreSQL database: no Seq Scan of a large table."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.dialects import postgresql as pg_dialect

    from db.reports import get_report

    large = ("statements", "evidence", "statement_subjects", "actors", "agreement_parties", "project_participants",
             "source_segments", "actor_aliases")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for name, param, field in PARAM_REPORTS:
                sql = render_sql(get_report(name), [(param, getattr(ex, field))], pg_dialect.dialect())
                plan = "\n".join(row[0] for row in conn.execute(text("EXPLAIN " + sql.replace("%%", "%"))))
                scanned = sorted({t for t in large if re.search(rf"Seq Scan on {t}\b", plan)})
                res.add(f"PostgreSQL plan: report {name} -p {param} (EXPLAIN: sequential scans of large tables)",
                        ", ".join(scanned) or "none", "", "", "none", not scanned)
    finally:
        engine.dispose()


# --- machine and report ------------------------------------------------------------------------------------


def code_version() -> str:
    """Where the measured accords code is, and its git commit when it is a checkout."""
    import db

    folder = Path(db.__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "-C", str(folder), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(folder), "diff", "--quiet", "HEAD", "--", "db", "reports",
                                "migrations"]).returncode != 0
    except (OSError, subprocess.CalledProcessError):
        # an installed package (pip install .), as the README installs it: name its version, and the
        # commit of the checkout the benchmark runs from (the package is expected to be built from it)
        try:
            here = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                  text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            here = "unknown"
        return f"accords {db.__version__} installed in {folder} (benchmark run from commit {here})"
    return f"{folder} at commit {commit}" + (" with uncommitted changes in db/, reports/ or migrations/" if dirty else "")


def machine() -> list[tuple[str, str]]:
    import sqlalchemy

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    shell = shutil.which("sqlite3")
    shell_version = subprocess.run([shell, "--version"], capture_output=True, text=True).stdout.split()[0] if shell else "-"
    hf = shutil.which("hyperfine")
    hf_version = subprocess.run([hf, "--version"], capture_output=True, text=True).stdout.strip() if hf else "not installed"
    return [("accords code", code_version()), ("CPU", cpu), ("cores (nproc)", str(os.cpu_count())), ("memory", mem),
            ("OS", platform.platform()), ("Python", platform.python_version()),
            ("SQLite (Python module)", sqlite3.sqlite_version), ("SQLite (shell)", shell_version),
            ("SQLAlchemy", sqlalchemy.__version__), ("timing", hf_version)]


def write_markdown(path: Path, res: Results, command: str, sizes: dict, rows: dict[str, int] | None,
                   started: dt.datetime, elapsed: float) -> None:
    lines = [
        "# accords benchmark results",
        "",
        f"Run on {started:%Y-%m-%d %H:%M} UTC in {elapsed / 60:.1f} min with:",
        "",
        "```bash",
        command,
        "```",
        "",
        "Synthetic data set (benchmarks/generate.py): "
        + ", ".join(f"{k} {v:,}" for k, v in sizes.items()) + ".",
    ]
    if rows:
        lines += ["", "Rows loaded: " + ", ".join(f"{t} {n:,}" for t, n in rows.items() if n)
                  + f"; {sum(rows.values()):,} in all."]
    lines += ["", "## Figures", "", res.table("github"), ""]
    if res.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in res.notes] + [""]
    lines += ["## Machine", "", "| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in machine()] + [""]
    lines += ["What each figure means: benchmarks/README.md.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


# --- main ----------------------------------------------------------------------------------------------------


SECTIONS = ("load", "reports", "params", "cold", "memory", "postgres", "serve")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--internal-ingest"]:
        internal_ingest(argv[1], argv[2], argv[3], argv[4] if len(argv) > 4 else None)
        return
    parser = argparse.ArgumentParser(description="Benchmark accords against plain SQLite (see benchmarks/README.md).")
    parser.add_argument("--scale", choices=SCALES, default="small")
    for size in ("actors", "statements", "agreements", "projects", "sources", "events", "relations"):
        parser.add_argument(f"--{size}", type=int, help=f"override the scale's number of {size}")
    parser.add_argument("--work", type=Path, default=Path("/tmp/accords-bench"),
                        help="where generated files and databases go (default /tmp/accords-bench)")
    parser.add_argument("--results", type=Path, default=HERE / "results.md", help="Markdown results file")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run (default all): {','.join(SECTIONS)}; "
                             "without load, the data set and database of an earlier run in --work are reused")
    parser.add_argument("--budget", type=float, default=10.0,
                        help="seconds of repeated runs per timed command (default 10); a command slower than "
                             "this is run once")
    parser.add_argument("--cap", type=float, default=1800.0,
                        help="stop a report still running after this many seconds (default 1800) and say so")
    parser.add_argument("--analyze", action="store_true",
                        help="run ANALYZE on the loaded database before the queries (accords does not; this "
                             "measures what optimizer statistics would change)")
    parser.add_argument("--profile-load", action="store_true", help="cProfile the ingest (slower; WORK/.../ingest.prof)")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    if not only <= set(SECTIONS):
        parser.error(f"--only takes: {', '.join(SECTIONS)}")

    sizes = dict(SCALES[args.scale])
    for size in ("actors", "statements", "agreements", "projects", "sources", "events", "relations"):
        if getattr(args, size) is not None:
            sizes[size] = getattr(args, size)
    sizes.setdefault("events", sizes["agreements"] // 40)
    sizes.setdefault("relations", sizes["actors"] // 10)
    label = "-".join(f"{sizes[k]}" for k in ("actors", "statements", "agreements", "projects", "sources"))
    work = args.work / label
    if REPO == work.resolve() or REPO in work.resolve().parents:
        raise SystemExit("--work must be outside the repository")
    work.mkdir(parents=True, exist_ok=True)
    files_dir, db = work / "files", work / "accords.db"
    url = f"sqlite:///{db}"
    command = "python benchmarks/run.py " + shlex.join(argv)
    started_at, started = dt.datetime.now(dt.UTC), time.perf_counter()
    res = Results()
    ex = examples(sizes)
    rows: dict[str, int] | None = None

    if "load" in only:
        log(f"generating {label} into {files_dir}")
        t = time.perf_counter()
        files = gen.generate(files_dir, sizes["actors"], sizes["statements"], sizes["agreements"], sizes["projects"],
                             sizes["sources"], sizes["events"], sizes["relations"], progress=False)
        size_mb = sum(p.stat().st_size for p in files) / 1e6
        res.notes.append(f"generated {len(files)} source files ({size_mb:,.0f} MB of JSON) in "
                         f"{time.perf_counter() - t:.0f} s")
        db.unlink(missing_ok=True)
        log(f"accords ingest of {len(files)} files into {db}")
        load = accords_load(url, files, work, args.profile_load)
        rows = count_rows(db)
        total_rows = sum(rows.values())
        log("executemany baseline")
        base_s, base_rows = executemany_load(db, work / "baseline.db")
        assert base_rows == total_rows, (base_rows, total_rows)
        base_rate = total_rows / base_s
        (work / "baseline.db").unlink()
        e2e_rate, write_rate = total_rows / load["total_s"], total_rows / load["write_s"]
        res.add(f"load: accords ingest end to end: read + validate + write ({total_rows:,} rows in "
                f"{load['total_s']:,.0f} s, of which writing {load['write_s']:,.0f} s)",
                f"{e2e_rate:,.0f} rows/s", f"{base_rate:,.0f} rows/s sqlite3 executemany ({base_s:,.1f} s)",
                f"{e2e_rate / base_rate:.2f}x", f">= {LOAD_RATIO}x", e2e_rate / base_rate >= LOAD_RATIO)
        res.add(f"load: writing only: load.write on the checked plans ({load['write_s']:,.0f} s)",
                f"{write_rate:,.0f} rows/s", f"{base_rate:,.0f} rows/s sqlite3 executemany",
                f"{write_rate / base_rate:.2f}x", f">= {LOAD_RATIO}x", write_rate / base_rate >= LOAD_RATIO)
        checker = (f"the checking process: {load['checker_maxrss_kb'] / 1024:,.0f} MB" if load["checker_maxrss_kb"]
                   else "files checked inline")
        res.notes.append(f"ingest peak RSS {load['maxrss_kb'] / 1024:,.0f} MB ({checker}); "
                         f"{load['after_s']:.1f} s after the last write (commit, report views, engine disposal)")
        if args.profile_load:
            res.notes.append(f"ingest profile: {work / 'ingest.prof'} (python -m pstats)")
        (work / "stamp.json").write_text(json.dumps(sizes))
    else:
        if not db.exists() or not (work / "stamp.json").exists():
            raise SystemExit(f"no loaded database in {work}: run with the load section first")
        files = sorted(files_dir.glob("synthetic-*.json"))
        rows = count_rows(db)

    if args.analyze:
        with sqlite3.connect(db) as conn:
            conn.execute("analyze")
        res.notes.append("ANALYZE was run on the loaded database before the queries (--analyze); "
                         "accords itself does not run it")
    if "reports" in only:
        log("reports: accords vs sqlite3 shell")
        bench_reports(res, db, work / "sql", ex, args.budget, args.cap)
        log("report evidence: parquet vs csv")
        bench_parquet(res, db, args.budget, args.cap)
    if "params" in only:
        log("parameterised reports, query time")
        bench_parameterised(res, url, ex, args.budget)
    if "cold" in only:
        log("cold start")
        bench_cold_start(res, work)
        log("one large query: accords sql vs sqlite-utils")
        bench_large_query(res, db, args.budget, args.cap)
    if "memory" in only:
        log("streaming peak RSS")
        bench_memory(res, db, rows)
    if "serve" in only:
        log("accords serve: the actor canned query and a source reader page over HTTP (benchmarks/serve.py)")
        import serve as bench_serve

        bench_serve.bench(res.add, res.notes.append, db, args.budget)
    if "postgres" in only:
        pg = os.environ.get("ACCORDS_BENCH_POSTGRES_URL")
        if pg:
            bench_postgres(res, pg, files, work, ex, args.budget, args.cap)
        else:
            res.notes.append("PostgreSQL not measured: set ACCORDS_BENCH_POSTGRES_URL (an admin URL; a scratch "
                             "database accords_bench_* is created and dropped)")

    elapsed = time.perf_counter() - started
    print()
    print(f"accords benchmark: {', '.join(f'{k} {v:,}' for k, v in sizes.items())}"
          + (f"; {sum(rows.values()):,} rows" if rows else ""))
    print(res.table("simple"))
    for note in res.notes:
        print(f"- {note}")
    print(f"({elapsed / 60:.1f} min)")
    args.results.parent.mkdir(parents=True, exist_ok=True)
    write_markdown(args.results, res, command, sizes, rows, started_at, elapsed)
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
