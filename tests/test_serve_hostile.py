"""`accords serve` against a hostile request: what it sends never forges the terminal's lines, and a
query past the time limit is answered in accords' words on Datasette's pages too."""

from __future__ import annotations

from db.web.serve import EscapedText


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
