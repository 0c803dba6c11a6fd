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


# --- a hostile user ---------------------------------------------------------------------


@pytest.mark.parametrize("method, path", [
    ("POST", "/~61ccords/report-sources"),  # the database's name tilde-encoded, as Datasette decodes it
    ("POST", "/accords/report~2Dsources"),
    ("POST", "/-/messages"),
    ("PUT", "/accords/actors"),
    ("DELETE", "/accords/actors/1"),
    ("PATCH", "/"),
])
def test_no_request_but_a_read_reaches_datasette(client, seeded_file, method, path):
    before = rows_of(seeded_file)
    answer = client.run(client.datasette.client.request(method, path, data={"message": "x"}))
    assert (answer.status_code, answer.text) == (405, "405: accords serves its databases read-only\n")
    assert answer.headers["allow"] == "GET, HEAD, OPTIONS"
    assert rows_of(seeded_file) == before


@pytest.mark.parametrize("path, words", [
    ("/accords/report-timeline.json?from=abc", "parameter 'from': 'abc' is not a date YYYY-MM-DD"),
    ("/accords/report~2Dtimeline.json?from=2024-13-01", "parameter 'from': '2024-13-01' is not a date YYYY-MM-DD"),
    ("/accords/report-timeline.json?from=2024-02-01&to=2024-01-01",
     "parameter 'from' (2024-02-01) is after parameter 'to' (2024-01-01)"),
    ("/accords/report-timeline.json?from=2024-01-01&from=2025-01-01", "parameter 'from' given more than once"),
    ("/accords/report-network.json?tie=nonsense", "parameter 'tie': 'nonsense' is not one of: "),
])
def test_a_canned_query_refuses_what_report_run_refuses(client, path, words):
    """Datasette binds any text a form sends; accords checks it first, as `accords report run -p` does."""
    answer = client.get(path)
    assert answer.status_code == 400
    assert answer.json()["ok"] is False and words in answer.json()["error"]
    page = client.get(path.replace(".json", ""))
    assert page.status_code == 400 and words.replace("'", "&#39;") in page.text


def test_a_canned_query_parameter_of_a_megabyte_is_refused():
    """(No HTTP client sends a URL that long: uvicorn closes the connection first; a check refuses it anyway.)"""
    from db.errors import UsageError
    from db.web.plugin import check_parameters

    with pytest.raises(UsageError, match="parameter 'actor': longer than 100,000 characters"):
        check_parameters(reports.get_report("actor"), "actor=" + "x" * 1_000_000)


def test_a_canned_query_takes_empty_fields_and_its_own_options(client):
    answer = client.get("/accords/report-timeline.json?from=&to=2030-01-01&_shape=objects&_size=5")
    assert answer.status_code == 200 and answer.json()["ok"]


def test_a_query_past_the_time_limit_is_one_clear_line(seeded_file, monkeypatch, capfd):
    """On accords' own pages as on Datasette's: what stopped, in words, not an exception's repr."""
    from db.web import reader

    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select i as slug from n"
    monkeypatch.setattr(reader, "SOURCES_SQL", f"select * from ({endless}) where slug < 0")
    c = Client(make_datasette(seeded_file, settings={"sql_time_limit_ms": 50}))
    try:
        page = c.get("/-/accords/sources")
    finally:
        c.close()
    assert page.status_code == 503
    assert "the query ran longer than the time limit and was stopped (0.05 s); --timeout SECONDS allows more" \
        in page.text
    assert "OperationalError" not in page.text and "select" not in page.text
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err


@pytest.mark.parametrize("path, status", [("/accords/no-such-table", 404), ("/accords/actors?_timelimit=abc", 500)])
def test_an_error_prints_no_traceback(client, capfd, path, status):
    """Datasette prints every error's traceback, locals and all (with rich installed, on standard output):
    accords serve prints one line for an unexpected error, nothing for an expected one."""
    capfd.readouterr()
    page = client.get(path)
    out, err = capfd.readouterr()
    assert page.status_code == status
    assert "Traceback" not in out + err and "locals" not in out + err
    if status == 500:
        assert err.count("\n") == 1 and err.startswith(f"accords: error 500 on GET {path.split('?')[0]}: ")
        assert "invalid literal for int()" in page.text
    else:
        assert out + err == ""


@pytest.mark.parametrize("host, answered", [
    ("localhost", True), ("localhost:8001", True), ("127.0.0.1:8001", True), ("[::1]:8001", True),
    ("LOCALHOST", True), ("evil.example", False), ("evil.example:8001", False), ("127.0.0.1.evil.example", False),
    ("localhost.evil.example", False),
])
def test_a_local_server_answers_only_local_host_names(seeded_file, host, answered):
    """A web page the user visits can rebind its own name to 127.0.0.1 and read the server as its
    own origin (DNS rebinding): bound to a loopback address, accords answers only local names."""
    from db.web import set_listen_host

    c = Client(make_datasette(seeded_file))
    set_listen_host(c.datasette, "127.0.0.1")
    try:
        page = c.get("/accords/actors.json", headers={"host": host})
    finally:
        c.close()
    if answered:
        assert page.status_code == 200
    else:
        assert (page.status_code, page.text) == (
            403, "403: this server answers only requests for localhost (it listens on 127.0.0.1)\n")


def test_a_server_on_every_address_answers_any_host_name(seeded_file):
    from db.web import set_listen_host

    c = Client(make_datasette(seeded_file))
    set_listen_host(c.datasette, "0.0.0.0")
    try:
        assert c.get("/accords/actors.json", headers={"host": "accords.example:8001"}).status_code == 200
    finally:
        c.close()


@pytest.mark.parametrize("path", ["/\\example.com/", "//example.com/", "/\\/example.com/"])
def test_no_redirect_leaves_the_server(client, path):
    answer = client.get(path)
    location = answer.headers.get("location", "/")
    assert location.startswith("/") and location[1:2] not in ("/", "\\"), location


@pytest.mark.parametrize("host, warned", [("0.0.0.0", True), ("::", True), ("192.0.2.1", True),
                                          ("127.0.0.1", False), ("localhost", False), ("::1", False)])
def test_serve_warns_when_other_machines_can_reach_it(seeded_file, monkeypatch, host, warned):
    import uvicorn

    from db.web import serve as web_serve

    ran: list[dict] = []
    monkeypatch.setattr(web_serve, "check_listen", lambda host, port: None)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: ran.append(kwargs))
    result = CliRunner().invoke(cli, ["--db", str(seeded_file), "serve", "--host", host])
    assert result.exit_code == 0 and ran[0]["host"] == host
    warning = (f"accords: warning: listening on {host}, not only on this machine: anyone who can reach it can "
               "read the whole database and run queries on it (there is no login)\n")
    assert (warning in result.stderr) is warned
    address = f"[{host}]" if ":" in host else host
    assert f"accords: serving at http://{address}:8001/ (read-only; Ctrl-C stops)\n" in result.stderr


def test_serving_an_sqlite_file_leaves_no_folder(seeded_file, monkeypatch, tmp_path):
    import uvicorn

    from db.web import serve as web_serve

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(web_serve.tempfile, "tempdir", None)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: list(tmp_path.iterdir()) == [] or
                        pytest.fail(f"made {list(tmp_path.iterdir())}"))
    web_serve.serve(f"sqlite:///{seeded_file}", port=_free_port())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_stopped_server_removes_its_snapshot(shared_seeded_url, tmp_path, signal_name):
    """uvicorn stops on SIGTERM and then raises it again, which would end the process before any cleanup."""
    import signal

    port = _free_port()
    env = {**__import__("os").environ, "TMPDIR": str(tmp_path)}
    server = subprocess.Popen([sys.executable, "-m", "db", "--db", shared_seeded_url, "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json"):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        server.send_signal(getattr(signal, signal_name))
        _, err = server.communicate(timeout=30)
    finally:
        server.kill() if server.poll() is None else None
    assert list(tmp_path.iterdir()) == [], err
    assert "Traceback" not in err


def test_a_refresh_after_the_server_stopped_writes_nothing(seeded_file, tmp_path):
    """The refresher's folder is gone once the server stopped: a snapshot still being made must not make it again
    (with the permissions of a new folder, readable by every user) and leave a copy of the database behind."""
    from db.web.snapshot import Refresher

    served = Snapshot("sqlite:///x.db", dt.datetime(2024, 5, 1, tzinfo=dt.UTC), seeded_file, 60)
    said: list[str] = []
    refresher = Refresher(make_datasette(seeded_file, snapshot=served), f"sqlite:///{seeded_file}",
                          tmp_path / "gone", 60, said.append)
    refresher.refresh()
    assert not (tmp_path / "gone").exists()
    assert len(said) == 1 and said[0].startswith("the snapshot was not remade, the one served is kept: ")


def test_an_unexpected_refresh_failure_is_one_line_and_the_refresher_goes_on(seeded_file, tmp_path, monkeypatch):
    from db.web import snapshot as web_snapshot

    served = Snapshot("sqlite:///x.db", dt.datetime(2024, 5, 1, tzinfo=dt.UTC), seeded_file, 60)
    said: list[str] = []
    refresher = web_snapshot.Refresher(make_datasette(seeded_file, snapshot=served), f"sqlite:///{seeded_file}",
                                       tmp_path, 60, said.append)

    def broken(*args, **kwargs):
        raise ValueError("a\nb")

    monkeypatch.setattr(web_snapshot, "make_snapshot", broken)
    refresher.refresh()
    assert said == ["the snapshot was not remade, the one served is kept: ValueError: a\\nb"]


def test_served_connections_have_every_limit_of_the_read_path(client):
    """What `accords sql` sets on its connection (db.guard.SqliteGuard), the server's connections have too:
    query_only, the authorizer, the length and ATTACH limits and the heap limit (SQLite's, for the process)."""
    from db.guard import SQLITE_HEAP_LIMIT, SQLITE_MAX_LENGTH

    def limits(conn):
        with sqlite3.connect(":memory:") as other:  # the heap limit is the process's: any connection reads it
            heap = other.execute("pragma hard_heap_limit").fetchone()[0]
        return heap, conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH), conn.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED)

    database = client.datasette.get_database("accords")
    assert client.run(database.execute_fn(limits)) == (SQLITE_HEAP_LIMIT, SQLITE_MAX_LENGTH, 0)


def test_what_a_request_sends_reaches_the_terminal_escaped(seeded_file, monkeypatch, capfd):
    """Datasette writes each failed query's SQLite message to standard error, and SQLite quotes the
    query's names: a request must not be able to send escape sequences to the operator's terminal."""
    import httpx
    import uvicorn

    from db.web import serve as web_serve

    def run(app, **kwargs):
        async def ask():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
                return await http.get("/accords.json", params={"sql": "select [\x1b[31m\x07owned] from actors"})

        assert asyncio.run(ask()).status_code == 400

    monkeypatch.setattr(uvicorn, "run", run)
    web_serve.serve(f"sqlite:///{seeded_file}", port=_free_port())
    err = capfd.readouterr().err
    assert "no such column: \\x1b[31m\\x07owned" in err and "\x1b" not in err and "\x07" not in err


def test_a_file_whose_name_a_uri_would_misread_is_refused(seeded_file, tmp_path, monkeypatch):
    """Datasette opens file:PATH?mode=ro as a URI: in x#y.db the # ends the path, so it opened (and
    created, read-write) x, and served that."""
    import httpx
    import uvicorn

    def run(app, **kwargs):  # the first request, as a browser would send it
        async def ask():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
                return await http.get("/-/databases.json")

        asyncio.run(ask())

    monkeypatch.setattr(uvicorn, "run", run)
    odd = tmp_path / "x#y.db"
    odd.write_bytes(seeded_file.read_bytes())
    result = CliRunner().invoke(cli, ["--db", str(odd), "serve", "--port", str(_free_port())])
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot serve {odd}: Datasette opens it as a URI, where ?, # and % in a path "
                             "mean something else: rename the file (or link it under a plain name)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x#y.db"]
