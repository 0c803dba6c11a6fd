"""`accords serve` against a hostile request: what it sends never forges the terminal's lines, and a
query past the time limit is answered in accords' words on Datasette's pages too."""

from __future__ import annotations

import pytest
from test_serve import Client, seeded_file  # noqa: F401 - seeded_file is a fixture

from db.web import make_datasette
from db.web.serve import EscapedText

ENDLESS = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"


class Lines:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_a_newline_a_request_sent_starts_no_line_of_its_own():
    """Datasette writes each failed query's SQLite message as one write ending in a newline; SQLite's
    message quotes the query's names, so `select [a<newline>INFO: ...]` wrote a line of the request's
    own making to the operator's terminal."""
    out = Lines()
    stream = EscapedText(out)  # type: ignore[arg-type]
    stream.write("ERROR: no such column: a\nINFO:     forged\r\n")
    stream.write("\n")
    assert out.text == "ERROR: no such column: a\\nINFO:     forged\\r\n\n"


@pytest.fixture(scope="module")
def quick(seeded_file):  # noqa: F811 - the fixture imported above
    c = Client(make_datasette(seeded_file, settings={"sql_time_limit_ms": 50}))
    yield c
    c.close()


@pytest.mark.parametrize("path", ["/accords", "/accords.json"])
def test_an_sql_query_past_the_time_limit_is_accords_one_line(quick, path):
    """Datasette's query and table pages answered a 400 whose HTML named its own setting
    (sql_time_limit_ms, linked to its documentation), not --timeout."""
    page = quick.get(path, params={"sql": ENDLESS})
    assert page.status_code == 503
    line = "the query ran longer than the time limit and was stopped (0.05 s); --timeout SECONDS allows more"
    if path.endswith(".json"):
        assert page.json()["error"] == line
    else:
        assert line in page.text
    assert "sql_time_limit_ms" not in page.text and "https://docs.datasette.io" not in page.text
