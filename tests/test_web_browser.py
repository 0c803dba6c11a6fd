"""accords' pages in a real headless Chromium: they load offline with no console error, the charts
draw, the reader marks every evidence row and shows a span's facts when it is chosen (issue #16).

Needs Debian's chromium (``apt-get install -y chromium``) and the test extra's playwright; without
them the tests skip, unless ACCORDS_REQUIRE_BROWSER=1 (as in .ci/run), which makes them fail.
ACCORDS_UPDATE_SCREENSHOTS=1 also writes docs/screenshot-*.png, which the README shows.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from db import api

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("ACCORDS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
MANY_SOURCES = sorted((ROOT / "tests" / "data" / "many-sources").glob("*.yaml"))
HOSTILE_FILE = ROOT / "tests" / "data" / "web" / "hostile-page.yaml"
SEED, HOSTILE = "beijing-and-taliban-build-an-alliance", "test-hostile-page"
SCREENSHOTS = ROOT / "docs"


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -e '.[test]'"
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        return f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set ACCORDS_CHROMIUM)"
    return None


_MISSING = _browser_missing()
if _MISSING and os.environ.get("ACCORDS_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"ACCORDS_REQUIRE_BROWSER=1 but the browser tests cannot run: {_MISSING}")
pytestmark = pytest.mark.skipif(_MISSING is not None,
                                reason=f"browser tests need Chromium and playwright ({_MISSING}); "
                                       "ACCORDS_REQUIRE_BROWSER=1 makes this a failure")


@pytest.fixture(scope="module")
def database(templates, tmp_path_factory) -> Path:
    """The seed article, the many-sources files (a dispute between two of them) and a source whose text
    tries to inject markup (with crossing evidence spans and an uncited sentence), in one SQLite file."""
    url = templates.copy("sqlite", "seeded", tmp_path_factory.mktemp("web"), "accords.db")
    api.ingest(url, [*MANY_SOURCES, HOSTILE_FILE])
    return Path(url.removeprefix("sqlite:///"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(database: Path) -> Iterator[str]:
    """Datasette with accords' plugins on a free 127.0.0.1 port, in a background thread."""
    import uvicorn

    from db.web import make_datasette

    ds = make_datasette(database)
    config = uvicorn.Config(ds.app(), host="127.0.0.1", port=_free_port(), log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "Datasette did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{config.port}"
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class Visit:
    """A page opened in a fresh context, recording console errors, page errors and any request that
    would leave 127.0.0.1 (aborted: the pages must work offline)."""

    def __init__(self, browser, base: str) -> None:
        self.base, self.errors, self.outside = base, [], []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.route("**/*", self._route)

    def _route(self, route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def open(self, path: str):
        response = self.page.goto(self.base + path, wait_until="networkidle")
        assert response is not None and response.status == 200, (path, response and response.status)
        return self.page

    def check_clean(self) -> None:
        assert self.errors == [] and self.outside == [], (self.errors, self.outside)


@pytest.fixture
def visit(browser, server) -> Iterator:
    opened: list[Visit] = []

    def open_(path: str) -> tuple[Visit, object]:
        v = Visit(browser, server)
        opened.append(v)
        return v, v.open(path)

    yield open_
    for v in opened:
        v.context.close()


def _screenshot(page, name: str, full_page: bool = False) -> None:
    if os.environ.get("ACCORDS_UPDATE_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOTS / f"screenshot-{name}.png"), full_page=full_page)


def _evidence_ids(database: Path, slug: str) -> list[int]:
    with sqlite3.connect(database) as conn:
        return [r[0] for r in conn.execute(
            "select ev.id from evidence as ev join sources as s on s.id = ev.source_id where s.slug = ? "
            "order by ev.id", (slug,))]


@pytest.mark.parametrize("path", ["/", "/-/accords/sources", f"/-/accords/sources/{SEED}",
                                  "/-/accords/sources/test-contrary-report", "/-/accords/charts",
                                  "/-/accords/schema"])
def test_each_page_loads_offline_with_no_console_error(visit, path):
    v, page = visit(path)
    page.wait_for_timeout(200)
    v.check_clean()
    assert page.locator("footer").count() == 1  # Datasette's base.html: the page looks like the rest


def test_front_page_and_menu_link_the_pages(visit):
    v, page = visit("/")
    links = page.eval_on_selector_all("nav a", "els => els.map(e => e.getAttribute('href'))")
    assert {"/-/accords/sources", "/-/accords/charts", "/-/accords/schema"} <= set(links)
    _screenshot(page, "front")
    v.check_clean()


def test_sources_page_links_every_source(visit, database):
    v, page = visit("/-/accords/sources")
    with sqlite3.connect(database) as conn:
        slugs = [r[0] for r in conn.execute("select slug from sources order by slug")]
    hrefs = page.eval_on_selector_all("a.source-link", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs == [f"/-/accords/sources/{slug}" for slug in slugs]
    v.check_clean()


@pytest.mark.parametrize("slug", [SEED, "test-contrary-report", "test-regional-digest", HOSTILE])
def test_reader_marks_every_evidence_row(visit, database, slug):
    v, page = visit(f"/-/accords/sources/{slug}")
    referenced = page.eval_on_selector_all(
        "#source-text mark[data-facts]", "els => els.flatMap(e => JSON.parse(e.dataset.facts).map(f => f.evidence))")
    assert sorted(referenced) == _evidence_ids(database, slug)
    # every mark, first piece or continuation, belongs to a span whose first piece carries the facts
    spans = set(page.eval_on_selector_all("#source-text mark.ev", "els => els.map(e => e.dataset.span)"))
    firsts = set(page.eval_on_selector_all("#source-text mark[data-facts]", "els => els.map(e => e.dataset.span)"))
    assert spans == firsts
    v.check_clean()


@pytest.mark.parametrize("slug", [SEED, HOSTILE])
def test_reader_shows_the_coverage_report(visit, database, slug):
    """Sentences no evidence cites, and page furniture, are marked as the coverage report lists them."""
    v, page = visit(f"/-/accords/sources/{slug}")
    with sqlite3.connect(database) as conn:
        expected = dict(conn.execute(
            "select case when is_excluded then 'excluded' when is_covered then 'covered' else 'uncited' end, "
            "count(*) from report_coverage where source = ? group by 1", (slug,)).fetchall())
    shown = {state: page.locator(f"#source-text .seg-{state}").count() for state in ("covered", "uncited", "excluded")}
    assert shown == {state: expected.get(state, 0) for state in shown}
    if shown["uncited"]:
        style = page.eval_on_selector("#source-text .seg-uncited", "e => getComputedStyle(e).textDecorationLine")
        assert style == "underline"
    v.check_clean()


def test_hostile_text_is_shown_not_run(visit, database):
    v, page = visit(f"/-/accords/sources/{HOSTILE}")
    with sqlite3.connect(database) as conn:
        content, title = conn.execute("select content, title from sources where slug = ?", (HOSTILE,)).fetchone()
    assert page.eval_on_selector("#source-text", "e => e.textContent") == content
    assert page.locator("h1").text_content() == title
    assert page.evaluate("() => window.injected") is None
    assert page.locator("#source-text script, #source-text b, img, mark[onclick], a[href^='javascript']").count() == 0
    # the crossing spans ("Envoys of ... met in Geneva" and "met in Geneva on 3 March 2024") are both marked
    page.locator("#source-text mark", has_text="3 March").first.click()
    assert "test-geneva-envoys-meeting" in page.locator("#facts-list").text_content()
    v.check_clean()


def test_choosing_a_span_shows_its_facts_linked_to_their_rows(visit, database):
    v, page = visit(f"/-/accords/sources/{SEED}")
    mark = page.locator("#source-text mark[data-facts]").nth(5)
    facts = json.loads(mark.get_attribute("data-facts"))
    mark.click()
    shown = page.locator("#facts-list section").first
    items = shown.locator("li.fact")
    assert items.count() == len(facts)
    assert [int(x) for x in items.evaluate_all("els => els.map(e => e.dataset.evidence)")] == \
        [f["evidence"] for f in facts]
    hrefs = shown.locator("a.fact-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs == [f"/accords/{f['table']}/{f['id']}" for f in facts]
    _screenshot(page, "reader")
    # the first fact's row page exists and is that row
    response = page.goto(v.base + hrefs[0], wait_until="domcontentloaded")
    assert response is not None and response.status == 200
    assert page.title() == f"accords: {facts[0]['table']}"
    v.check_clean()


def test_a_disputed_claim_links_the_other_side(visit):
    v, page = visit("/-/accords/sources/test-contrary-report")
    disputed = page.locator("#source-text mark.ev-disputed")
    assert disputed.count() >= 1
    disputed.first.click()
    other = page.locator("#facts-list a.other-side", has_text="test-regional-digest")
    assert other.count() == 1
    other.click()
    page.wait_for_load_state("networkidle")
    assert "/-/accords/sources/test-regional-digest#ev-" in page.url
    # the other side's reader opens its quote with the same dispute, linking back
    assert page.locator("#facts-list a.other-side", has_text="test-contrary-report").count() >= 1
    v.check_clean()


def test_charts_draw_their_marks(visit):
    """Every row of each chart's data is a mark: a bar per date range and a point per day or open-ended
    date, a bar per actor's total, a circle per actor and a line per tie."""
    v, page = visit("/-/accords/charts")
    for name in ("timeline", "money", "network"):
        page.wait_for_selector(f"#chart-{name}[data-drawn='yes']", timeout=15000)
    data = {name: json.loads(page.locator(f"#spec-{name}").text_content())["data"]
            for name in ("timeline", "money", "network")}
    timeline = [value["marker"] for value in data["timeline"]["values"]]
    nodes, links = (data["network"][i]["values"] for i in (0, 1))

    def marks(chart: str, kind: str) -> int:
        return page.locator(f"#chart-{chart} svg g.mark-{kind}.role-mark > path").count()

    drawn = {"ranges": marks("timeline", "rect"), "points": marks("timeline", "symbol"),
             "money": marks("money", "rect"), "actors": marks("network", "symbol"), "ties": marks("network", "path")}
    assert drawn == {"ranges": timeline.count("range"), "points": len(timeline) - timeline.count("range"),
                     "money": len(data["money"]["values"]), "actors": len(nodes), "ties": len(links)}
    assert all(n > 0 for n in drawn.values()), drawn
    _screenshot(page, "charts", full_page=True)
    v.check_clean()


def test_schema_page_draws_every_table(visit):
    from db.models import metadata

    v, page = visit("/-/accords/schema")
    page.wait_for_selector("#schema-diagram[data-drawn='yes']", timeout=30000)
    labels = set(page.locator("#schema-diagram svg g.node g.label.name").all_text_contents())
    assert {label.strip() for label in labels} == set(metadata.tables)
    _screenshot(page, "schema")
    fitted = page.locator("#schema-diagram svg").bounding_box()["width"]
    page.check("#schema-actual-size")
    actual = page.locator("#schema-diagram svg").bounding_box()["width"]
    assert actual > 2 * fitted, (fitted, actual)
    v.check_clean()


def test_a_canned_query_form_gives_the_reports_rows(visit, database):
    """The conflicts report as Datasette's canned query: its form, filled in and sent, lists the rows
    `accords report run conflicts -p fact ...` gives."""
    from db.reports import get_report
    from db.web.charts import report_query
    from db.web.metadata import query_name

    fact = "afghan-oil-extraction-contract"
    sql, values = report_query("conflicts", {"fact": fact})
    with sqlite3.connect(database) as conn:
        expected = [(row[9], row[4]) for row in conn.execute(sql, values)]  # (source, value)
    v, page = visit(f"/accords/{query_name(get_report('conflicts'))}")
    page.fill("form input[name='fact']", fact)
    page.locator("form input[type='submit']").first.click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("table.rows-and-columns tbody tr")
    shown = [(rows.nth(i).locator("td.col-source").text_content().strip(),
              rows.nth(i).locator("td.col-value").text_content().strip()) for i in range(rows.count())]
    assert shown == expected and len(expected) >= 2
    v.check_clean()


def test_charts_with_nothing_to_draw_say_so(visit):
    """No actor of that name: money and network have no rows and say so (the timeline takes no actor)."""
    v, page = visit("/-/accords/charts?actor=no-such-actor")
    assert page.locator(".chart-empty").evaluate_all("els => els.map(e => e.id)") == ["chart-money", "chart-network"]
    page.wait_for_selector("#chart-timeline[data-drawn='yes']", timeout=15000)
    v.check_clean()

