"""accords' pages on the server side (issue #16): the reader's marking of overlapping spans (every
character kept, every span whole, every evidence row referenced once), escaping, and the pages'
answers to good and bad requests, through Datasette's own test client (no browser; see
tests/test_web_browser.py for the pages in Chromium)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db import api
from db.models.evidence import FACT_TARGETS
from db.web import charts, reader

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_FILE = ROOT / "tests" / "data" / "web" / "hostile-page.yaml"
MANY_SOURCES = sorted((ROOT / "tests" / "data" / "many-sources").glob("*.yaml"))


class Marks(HTMLParser):
    """The text of rendered reader HTML, and for each character the spans (data-span) whose marks hold it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text, self.owners, self.stack, self.facts = [], [], [], []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "mark":
            self.stack.append(int(attrs["data-span"]))
            if "data-facts" in attrs:
                self.facts.append((int(attrs["data-span"]), json.loads(attrs["data-facts"])))

    def handle_endtag(self, tag):
        assert self.tags.pop() == tag
        if tag == "mark":
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        self.owners.extend([frozenset(self.stack)] * len(data))


def _parse(html: str) -> Marks:
    parser = Marks()
    parser.feed(html)
    parser.close()
    assert parser.tags == []
    return parser


def _spans(ranges: list[tuple[int, int]]) -> list[reader.Span]:
    rows = [{"char_start": s, "char_end": e, "fact": {"evidence": n, "kind": "event", "claims": []}}
            for n, (s, e) in enumerate(sorted(ranges, key=lambda r: (r[0], -r[1])))]
    return reader.group_spans(rows)


@st.composite
def texts_and_spans(draw):
    text = draw(st.text(alphabet="ab <>&\"'\n.", min_size=1, max_size=60))
    n = len(text)
    ranges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, n)).map(
        lambda r: (min(r), max(r)) if r[0] != r[1] else (r[0], r[0] + 1)).filter(lambda r: r[1] <= n),
        max_size=25))
    cuts = sorted(set(draw(st.lists(st.integers(0, n), max_size=6))) | {0, n})
    segments = [{"seq": i + 1, "kind": "body", "char_start": a, "char_end": b}
                for i, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False)) if a < b and i % 3 != 2]
    return text, ranges, segments


@given(texts_and_spans())
@settings(max_examples=300, deadline=None)
def test_every_character_and_every_span_survives_the_marking(case):
    """However spans nest or cross (and cross segment ends), the text comes back exactly, each span
    covers exactly its own characters, and each evidence row is referenced by exactly one mark."""
    text, ranges, segments = case
    spans = _spans(ranges)
    reading = reader.render(text, segments, spans)
    parsed = _parse(str(reading.html))
    assert "".join(parsed.text) == text
    for span in spans:
        held = [i for i, owners in enumerate(parsed.owners) if span.number in owners]
        assert held == list(range(span.start, span.end))
    assert sorted(f["evidence"] for _, facts in parsed.facts for f in facts) == list(range(len(ranges)))
    assert reading.n_evidence == len(ranges) and reading.n_spans == len({*ranges})


def test_markup_in_the_text_is_escaped():
    text = '<script>alert(1)</script> & "x" \'</mark><mark onclick=alert(1)>'
    spans = _spans([(0, 8), (3, 30)])
    html = str(reader.render(text, [{"seq": 1, "kind": "body", "char_start": 0, "char_end": len(text)}], spans).html)
    assert "<script>" not in html and "onclick=alert" not in html.replace("onclick=alert(1)&gt;", "")
    assert "".join(_parse(html).text) == text


def test_fact_kinds_are_the_models_fact_targets():
    assert {column: table for column, table in reader.FACT_KINDS.values()} == FACT_TARGETS


@pytest.fixture(scope="module")
def database(templates, tmp_path_factory) -> Path:
    url = templates.copy("sqlite", "seeded", tmp_path_factory.mktemp("web-pages"), "accords.db")
    api.ingest(url, [*MANY_SOURCES, HOSTILE_FILE])
    return Path(url.removeprefix("sqlite:///"))


@pytest.fixture(scope="module")
def get(database):
    """get(path) -> (status, text) from Datasette with accords' plugins, in this process."""
    from db.web import make_datasette

    ds = make_datasette(database)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(ds.invoke_startup())

    def fetch(path: str) -> tuple[int, str]:
        response = loop.run_until_complete(ds.client.get(path))
        return response.status_code, response.text

    yield fetch
    loop.close()


def test_reader_references_every_evidence_row_of_the_source(get, database):
    with sqlite3.connect(database) as conn:
        for (slug,) in conn.execute("select slug from sources order by slug").fetchall():
            status, html = get(f"/-/accords/sources/{slug}")
            expected = sorted(r[0] for r in conn.execute(
                "select ev.id from evidence as ev join sources as s on s.id = ev.source_id where s.slug = ?", (slug,)))
            article = html.split('<article class="source-text" id="source-text" lang=""', 1)[1].split(">", 1)[1].split("</article>")[0]
            parsed = _parse(article)
            assert status == 200
            assert sorted(f["evidence"] for _, facts in parsed.facts for f in facts) == expected
            content = conn.execute("select content from sources where slug = ?", (slug,)).fetchone()[0]
            assert "".join(parsed.text) == content


def test_a_disputed_claim_carries_the_other_sides(get, database):
    status, html = get("/-/accords/sources/test-contrary-report")
    article = html.split('id="source-text" lang=""', 1)[1].split(">", 1)[1].split("</article>")[0]
    claims = [c for _, facts in _parse(article).facts for f in facts for c in f["claims"] if c["disputed"]]
    assert status == 200 and claims
    sides = {o["source"] for c in claims for o in c["others"]}
    assert "test-regional-digest" in sides and "test-contrary-report" not in sides
    with sqlite3.connect(database) as conn:  # each other side's evidence row is of that source
        for o in (o for c in claims for o in c["others"]):
            assert conn.execute("select s.slug from evidence as ev join sources as s on s.id = ev.source_id "
                                "where ev.id = ?", (o["evidence"],)).fetchone() == (o["source"],)


@pytest.mark.parametrize("path, status, words", [
    ("/-/accords/sources/no-such-source", 404, "No source &#39;no-such-source&#39;"),
    ("/-/accords/sources/" + "x" * 121, 404, "at most 120 characters"),
    ("/-/accords/static/pages.py", 404, "File not found"),
    ("/-/accords/static/vega.min.js", 200, "vega"),
])
def test_page_answers(get, path, status, words):
    got_status, text = get(path)
    assert got_status == status and words in text


@pytest.mark.parametrize("path", ["/-/accords/static/..%2Fpages.py", "/-/accords/static/../pages.py",
                                  "/-/accords/static/%2e%2e/pages.py"])
def test_static_files_stay_in_their_folder(get, path):
    status, text = get(path)
    assert status != 200 and "hookimpl" not in text


def test_charts_page_holds_the_reports_rows(get, database):
    status, html = get("/-/accords/charts")
    specs = {name: json.loads(html.split(f'<script type="application/json" id="spec-{name}">', 1)[1]
                              .split("</script>", 1)[0]) for name in ("timeline", "money", "network")}
    with sqlite3.connect(database) as conn:
        n_links = conn.execute("select count(*) from report_network").fetchone()[0]
        n_dated = conn.execute("select count(*) from report_timeline where coalesce(date_earliest, date_latest, "
                               "inferred_earliest, inferred_latest) is not null").fetchone()[0]
    assert status == 200
    assert len(specs["network"]["data"][1]["values"]) == min(n_links, charts.LIMIT)
    assert len(specs["timeline"]["data"]["values"]) == n_dated
    markers = {v["marker"] for v in specs["timeline"]["data"]["values"]}
    assert markers == {"range", "day", "on or after", "on or before"}
    for v in specs["timeline"]["data"]["values"]:
        if v["marker"] == "range":  # drawn to the end of its last day
            assert v["first"] < v["end"] and v["end"] > v["last"]
        else:
            assert v["at"] == (v["first"] or v["last"]) and v["end"] is None


def test_charts_form_narrows_and_refuses_a_bad_date(get):
    status, html = get("/-/accords/charts?from=2024-01-01&to=2024-12-31")
    values = json.loads(html.split('id="spec-timeline">', 1)[1].split("</script>", 1)[0])["data"]["values"]
    assert status == 200 and values and all(
        (v["last"] or "9999") >= "2024-01-01" and (v["first"] or "0000") <= "2024-12-31" for v in values)
    status, html = get("/-/accords/charts?from=2024-13-01")
    assert status == 200 and "parameter &#39;from&#39;: &#39;2024-13-01&#39; is not a date YYYY-MM-DD" in html


def test_a_source_past_the_time_limit_is_one_clear_page(database):
    """Datasette's time limit holds for the reader's queries too: past it, a 503 page says why."""
    from db.web import make_datasette

    ds = make_datasette(database, settings={"sql_time_limit_ms": 1})
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(ds.invoke_startup())
        response = loop.run_until_complete(ds.client.get("/-/accords/sources/beijing-and-taliban-build-an-alliance"))
    finally:
        loop.close()
    assert response.status_code == 503
    assert ("Source &#39;beijing-and-taliban-build-an-alliance&#39; cannot be shown: reading it took longer than "
            "the time limit.") in response.text


@pytest.mark.parametrize("markers, marks", [(["range"], ["bar"]), (["day", "on or after"], ["point"]),
                                            (["range", "on or before"], ["bar", "point"])])
def test_timeline_draws_only_the_layers_it_has_rows_for(markers, marks):
    """A layer with no rows would leave Vega-Lite an empty scale to warn about in the console."""
    values = [{"marker": marker} for marker in markers]
    assert [layer["mark"]["type"] for layer in charts.timeline_spec(values)["layer"]] == marks


def test_a_source_url_is_a_link_only_when_it_is_a_web_address(get):
    """A source's URL is whatever its file says: `javascript:` there would run in the reader's origin."""
    status, html = get("/-/accords/sources/test-hostile-page")
    assert status == 200 and "javascript:" not in html.split("<footer")[0].replace(
        '<span class="source-url">javascript:window.injected = 2</span>', "")
    assert '<span class="source-url">javascript:window.injected = 2</span>' in html


@pytest.fixture(scope="module")
def odd_slug_get(templates, tmp_path_factory):
    """A database written by another tool (a server's, say), whose source slug holds what a URL must encode."""
    from db.web import make_datasette

    url = templates.copy("sqlite", "seeded", tmp_path_factory.mktemp("odd-slug"), "accords.db")
    path = Path(url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as conn:
        conn.execute("update sources set slug = ?, url = ?", (ODD_SLUG, ODD_URL))
    ds = make_datasette(path)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(ds.invoke_startup())
    yield lambda p: loop.run_until_complete(ds.client.get(p))
    loop.close()


ODD_SLUG = "a b?c#d&e/f%g'h"
ODD_URL = "HTTPS://example.org/a?b=1&c='2'"


def test_a_slug_in_a_link_is_encoded(odd_slug_get):
    from urllib.parse import quote

    page = odd_slug_get("/-/accords/sources")
    encoded = quote(ODD_SLUG, safe="")
    assert f'href="/-/accords/sources/{encoded}"' in page.text
    assert f'href="/accords/sources?slug={encoded}"' in page.text
    reader_page = odd_slug_get(f"/-/accords/sources/{encoded}")
    assert reader_page.status_code == 200 and "a b?c#d&amp;e/f%g&#39;h</code>" in reader_page.text
    assert '<a href="HTTPS://example.org/a?b=1&amp;c=&#39;2&#39;" rel="noopener noreferrer nofollow">published at</a>' \
        in reader_page.text


def test_markup_in_chart_data_stays_data(get, database):
    """A title holding </script> cannot end the JSON the charts are drawn from (nor any other script)."""
    with sqlite3.connect(database) as conn:
        (title,) = conn.execute("select title from events where slug = 'test-geneva-envoys-second-meeting'").fetchone()
    assert "</script><script>" in title
    status, html = get("/-/accords/charts")
    spec = json.loads(html.split('<script type="application/json" id="spec-timeline">', 1)[1].split("</script>", 1)[0])
    assert status == 200 and title in [v["what"] for v in spec["data"]["values"]]
    assert "<script>window.injected" not in html and "<img src=x" not in html
