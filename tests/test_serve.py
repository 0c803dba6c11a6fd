"""`accords serve`: Datasette in-process over a seeded database (no browser; see the browser tests for pages).

What it shows is accords' own knowledge (the data dictionary, the report
headers), every report is a canned query giving the rows `accords report run`
gives, nothing can write, and a server's database is served as a snapshot
made by export and ingest whose time every page shows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from test_golden import CASES

from db import api
from db.catalog import entries
from db.cli import cli
from db.query import output, reports, run_report, shipped_revisions
from db.web import Snapshot, make_datasette, snapshot_of
from db.web.metadata import INTERNAL_TABLES, PAGES, query_name
from db.web.snapshot import make_snapshot, swap

DATA = Path(__file__).parent / "data"


class Client:
    """Datasette's in-process client on one event loop: ``get(path)`` returns the httpx response."""

    def __init__(self, datasette) -> None:
        self.datasette = datasette
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(datasette.invoke_startup())

    def get(self, path: str, **kwargs):
        return self.loop.run_until_complete(self.datasette.client.get(path, **kwargs))

    def post(self, path: str, **kwargs):
        return self.loop.run_until_complete(self.datasette.client.post(path, **kwargs))

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def close(self) -> None:
        self.loop.close()


@pytest.fixture(scope="module")
def seeded_file(templates, tmp_path_factory) -> Path:
    """A seeded SQLite file named accords.db (served at /accords); never written by these tests."""
    url = templates.copy("sqlite", "seeded", tmp_path_factory.mktemp("serve"), "accords.db")
    return Path(url.removeprefix("sqlite:///"))


@pytest.fixture(scope="module")
def client(seeded_file):
    c = Client(make_datasette(seeded_file))
    yield c
    c.close()


def rows_of(seeded_file: Path) -> list[tuple]:
    with sqlite3.connect(f"file:{seeded_file}?mode=ro", uri=True) as conn:
        return conn.execute("select * from actors order by id").fetchall()


# --- what is shown ---------------------------------------------------------------


def test_every_table_view_and_column_carries_its_data_dictionary_description(client):
    served = client.get("/-/metadata.json").json()["databases"]["accords"]["tables"]
    expected: dict[str, dict] = {}
    for e in entries():
        table = expected.setdefault(e.object_name, {"columns": {}})
        if e.column_name is None:
            table["description"] = e.description
        else:
            table["columns"][e.column_name] = e.description
    assert set(expected) <= set(served)
    for name, table in expected.items():
        assert served[name]["description"] == table["description"] and table["description"], name
        assert set(served[name]["columns"]) == set(table["columns"]), name
        for column, words in table["columns"].items():
            assert served[name]["columns"][column].startswith(words), (name, column)


def test_enumerated_columns_list_their_values_and_meanings(client):
    served = client.get("/-/metadata.json").json()["databases"]["accords"]["tables"]
    assert "Values: state: A country as an actor in international affairs (its government by default); de_facto_government" in served["actors"]["columns"]["kind"]


def test_a_table_page_shows_its_description_and_the_database_lists_every_table_the_file_has(client, seeded_file):
    page = client.get("/accords/actors")
    assert page.status_code == 200
    assert '<div class="metadata-description">' in page.text
    assert "Who acts: states, governments, bodies, companies, people, groups." in page.text
    assert "<dt>is_named</dt><dd>False when the sources describe the actor without naming it.</dd>" in page.text
    listed = client.get("/accords.json").json()
    with sqlite3.connect(f"file:{seeded_file}?mode=ro", uri=True) as conn:
        in_file = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table' "
                                              "and name not like 'sqlite_%'")}
        views = {r[0] for r in conn.execute("select name from sqlite_master where type = 'view'")}
        # the search tables (revision 0010) and their storage: Datasette hides them itself, searching
        # from each content table's page (its search box, ?_search=)
        search = {r[1] for r in conn.execute("pragma table_list") if r[2] in ("virtual", "shadow")}
    hidden = {t["name"] for t in listed["tables"] if t["hidden"]}
    shown = {t["name"] for t in listed["tables"] if not t["hidden"]}
    assert set(INTERNAL_TABLES) == {"alembic_version", "report_views"}
    assert {"evidence_fts", "evidence_fts_data", "statements_fts", "source_segments_fts"} <= search
    assert hidden == set(INTERNAL_TABLES) | search
    assert shown == in_file - hidden and "data_dictionary" in shown
    assert {v["name"] for v in listed["views"]} == views


def test_the_front_page_describes_accords_and_links_its_pages(client):
    page = client.get("/")
    assert page.status_code == 200
    for href in PAGES.values():
        assert f'href="{href}"' in page.text
    assert "Who does what in geopolitics, with the evidence behind every fact." in page.text
    data = client.get("/-/metadata.json").json()
    assert data["title"] == "accords" and data["source_url"] == "/-/accords/sources" and data["license"]


def test_every_report_is_a_canned_query_with_its_title_description_and_parameters(client):
    queries = {q["name"]: q for q in client.get("/accords.json").json()["queries"]}
    assert set(queries) == {query_name(r) for r in reports.all_reports().values()}
    for report in reports.all_reports().values():
        query = queries[query_name(report)]
        assert query["title"] == report.title and query["sql"] == report.sql
        assert query["params"] == [p.name for p in report.parameters]
        assert not query.get("write")
        for param in report.parameters:
            assert f"<code>{param.name}</code> ({param.accepts()};" in query["description_html"]
    page = client.get("/accords/report-timeline")
    assert "Timeline" in page.text and "a date YYYY-MM-DD" in page.text and 'name="from"' in page.text


def test_canned_queries_never_hide_a_table_of_the_same_name(client):
    """Datasette serves a canned query in place of a table named like it: the queries are report-<name>."""
    assert client.get("/accords/sources.json").json()["columns"][:2] == ["id", "slug"]


# --- the canned queries give what `accords report run` gives --------------------------


def _accords_rows(url: str, name: str, params) -> list[dict]:
    out = io.StringIO()
    run_report(url, name, params, "json", out)
    return json.loads(out.getvalue())


def _datasette_rows(client: Client, name: str, given: dict[str, str]) -> list[dict]:
    """The canned query's rows, typed as accords types a report's columns and written by the same JSON writer."""
    report = reports.get_report(name)
    form = {p.name: given.get(p.name, "") for p in report.parameters}  # what an empty form field sends
    data = client.get(f"/accords/{query_name(report)}.json?" + urlencode({**form, "_size": "max"})).json()
    assert data["ok"], data.get("error")
    assert not data["truncated"]
    declared = {c.name: c.type for c in report.columns}
    types = [declared[c] for c in data["columns"]]
    out = io.StringIO()
    output.write_rows(out, "json", data["columns"], reports.normalise_batch(types, data["rows"]), types=types)
    return json.loads(out.getvalue())


#: every golden case (given parameters, the other optional ones left empty as a form leaves them), and conflicts
COMPARED = CASES + [("conflicts", "conflicts", ())]


@pytest.mark.parametrize(("case", "name", "params"), COMPARED, ids=[c[0] for c in COMPARED])
def test_a_canned_query_gives_the_rows_of_report_run(client, seeded_file, case, name, params):
    expected = _accords_rows(f"sqlite:///{seeded_file}", name, params)
    assert _datasette_rows(client, name, dict(params)) == expected
    assert expected or name == "conflicts", f"{case}: the seed should give rows"


# --- nothing writes ------------------------------------------------------------------


@pytest.mark.parametrize("sql", [
    "delete from actors",
    "with x as (select 1) delete from actors",  # passes Datasette's own text check: the engine refuses it
    "with x as (select 1) insert into actors (slug) select 'x' from x",
    "select 1; delete from actors",
])
def test_a_write_through_arbitrary_sql_is_refused(client, seeded_file, sql):
    before = rows_of(seeded_file)
    answer = client.get("/accords.json?" + urlencode({"sql": sql}))
    assert answer.status_code == 400 and not answer.json()["ok"]
    assert rows_of(seeded_file) == before


def test_a_writable_canned_query_is_refused_by_the_engine(seeded_file):
    """Even a canned query someone declares writable cannot write: its write connection is guarded too."""
    wipe = {"databases": {"accords": {"queries": {"wipe": {"sql": "delete from actors", "write": True}}}}}
    c = Client(make_datasette(seeded_file, metadata=wipe))
    before = rows_of(seeded_file)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="not authorized|readonly|read-only"):
            c.run(c.datasette.get_database("accords").execute_write("delete from actors"))
        page = c.get("/accords/wipe")
        token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
        assert token, "the form of a writable query"
        posted = c.post("/accords/wipe", data={"csrftoken": token.group(1)},
                        cookies={"ds_csrftoken": page.cookies["ds_csrftoken"]})
        assert posted.status_code == 405
    finally:
        c.close()
    assert rows_of(seeded_file) == before


def test_no_accords_path_takes_a_post(client):
    for path in ("/accords/report-sources", "/accords", "/accords/actors", "/accords/actors/1"):
        assert client.post(path, data={}).status_code == 405, path


def test_the_served_file_is_opened_read_only(client):
    database = client.datasette.get_database("accords")
    assert database.is_mutable  # mode=ro, so that a load while serving is seen
    assert client.run(database.execute("pragma query_only")).first()[0] == 1


# --- the snapshot of a server ----------------------------------------------------------


def _reports_without_required_parameters(url: str) -> dict[str, list[dict]]:
    return {name: _accords_rows(url, name, ()) for name, r in reports.all_reports().items()
            if not any(p.required for p in r.parameters)}


def test_a_snapshot_gives_every_report_of_the_database_it_copies(shared_seeded_url, tmp_path):
    snapshot = make_snapshot(shared_seeded_url, tmp_path / "snap")
    assert snapshot.path == tmp_path / "snap" / "accords.db" and sorted(p.name for p in snapshot.path.parent.iterdir()) \
        == ["accords.db"]
    copy = f"sqlite:///{snapshot.path}"
    assert _reports_without_required_parameters(copy) == _reports_without_required_parameters(shared_seeded_url)
    for case, name, params in CASES:
        assert _accords_rows(copy, name, params) == _accords_rows(shared_seeded_url, name, params), case


def test_every_page_of_a_snapshot_shows_when_it_was_taken(tmp_path, seeded_file):
    taken = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)
    snapshot = Snapshot("postgresql+psycopg://reader:***@db.example/accords", taken, seeded_file, 600)
    c = Client(make_datasette(seeded_file, snapshot=snapshot))
    words = "Snapshot of postgresql+psycopg://reader:***@db.example/accords taken 2024-05-01 12:00:00 UTC " \
            "(remade every 600 s)."
    try:
        for path in ("/", "/accords", "/accords/actors", "/accords/actors/1", "/accords/report-actor?actor=china",
                     "/accords?sql=select+1", "/accords/report_timeline", "/-/plugins", "/accords/no-such-table"):
            page = c.get(path)
            assert f'<p class="message-info" id="accords-snapshot">{words}</p>' in page.text, path
    finally:
        c.close()


def test_a_live_file_shows_no_snapshot_line(client):
    assert snapshot_of(client.datasette) is None
    assert "accords-snapshot" not in client.get("/accords/actors").text


def test_a_new_snapshot_replaces_the_old_one_between_queries(engine_name, seeded_url, tmp_path):
    first = make_snapshot(seeded_url, tmp_path / "0", 60)
    c = Client(make_datasette(first.path, snapshot=first))
    sources = "/accords.json?sql=select+slug+from+sources+order+by+slug&_shape=arrayfirst"
    try:
        assert c.get(sources).json() == ["beijing-and-taliban-build-an-alliance"]
        api.ingest(seeded_url, [DATA / "second-source.yaml"])
        time.sleep(1.1)  # the banner shows seconds
        second = make_snapshot(seeded_url, tmp_path / "1", 60)
        old_folder = swap(c.datasette, second)
        assert old_folder == tmp_path / "0" and snapshot_of(c.datasette) == second
        assert c.get(sources).json() == ["beijing-and-taliban-build-an-alliance", "test-second-source"]
        assert second.words() in c.get("/accords").text and first.words() not in c.get("/accords").text
    finally:
        c.close()


# --- the command -----------------------------------------------------------------------


def test_serve_refuses_a_missing_database_in_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "serve"])
    assert result.exit_code == 1
    assert result.output == f"Error: no database at {tmp_path / 'none.db'}: run `accords db upgrade` (or any report) " \
                            "to create it\n"
    assert not (tmp_path / "none.db").exists()


def test_serve_refuses_a_database_at_an_older_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    api.upgrade(url, "0008")
    result = CliRunner().invoke(cli, ["--db", url, "serve"])
    assert result.exit_code == 1
    assert result.output == "Error: the database is at revision 0008, older than this accords' schema " \
                            f"({shipped_revisions()[-1]}): run `accords db upgrade` first\n"


def test_serve_refuses_refresh_for_an_sqlite_file(seeded_file):
    result = CliRunner().invoke(cli, ["--db", str(seeded_file), "serve", "--refresh", "60"])
    assert result.exit_code == 2
    assert result.output.endswith("Error: --refresh: an SQLite file is served live, not as a snapshot; "
                                  "--refresh applies to PostgreSQL and MariaDB\n")


def test_serve_refuses_a_port_in_use(seeded_file):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["--db", str(seeded_file), "serve", "--port", str(port)])
    assert result.exit_code == 1
    assert result.output == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_accords_serve_answers_over_http_until_stopped(seeded_file):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "db", "--db", str(seeded_file), "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accords/report-sources.json?_shape=array") as r:
                    body = json.loads(r.read())
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read() if server.stderr else ""
                time.sleep(0.2)
        assert [row["source"] for row in body] == ["beijing-and-taliban-build-an-alliance"]
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert f"accords: serving at http://127.0.0.1:{port}/ (read-only; Ctrl-C stops)" in err


def test_accords_help_does_not_import_datasette():
    code = "import sys; from db.cli import cli; print(any(m.split('.')[0] in ('datasette', 'uvicorn') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_every_report_parameter_binds_in_datasette_as_accords_binds_it():
    """Datasette binds every form field as text. accords binds text and choices as text and, on SQLite, a date
    as YYYY-MM-DD text (db.sqlite_read), so the canned queries get the same values; an integer or decimal
    parameter would be bound as a number by accords, and needs a cast before a report may declare one."""
    kinds = {p.type for r in reports.all_reports().values() for p in r.parameters}
    assert kinds <= {"text", "choice", "date"}


def test_a_failed_refresh_keeps_the_snapshot_served_and_says_why(seeded_file, tmp_path):
    from db.web.snapshot import Refresher

    served = Snapshot("sqlite:///gone.db", dt.datetime(2024, 5, 1, tzinfo=dt.UTC), seeded_file, 60)
    datasette = make_datasette(seeded_file, snapshot=served)
    said: list[str] = []
    refresher = Refresher(datasette, f"sqlite:///{tmp_path / 'gone.db'}", tmp_path, 60, said.append)
    refresher.refresh()
    assert said == [f"the snapshot was not remade, the one served is kept: no database at {tmp_path / 'gone.db'}: "
                    "run `accords db upgrade` (or any report) to create it"]
    assert snapshot_of(datasette) == served and not (tmp_path / "1").exists()
