"""The output formats of every command that prints rows (one list; imports nothing, so --help stays fast)."""

FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown", "parquet")

#: the format ``-o FILE`` implies by its extension, unless ``--format`` says otherwise
EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".jsonl": "jsonl", ".md": "markdown",
              ".parquet": "parquet"}

#: formats written as bytes, not text
BINARY = frozenset({"parquet"})

#: formats that have a header line ``--no-headers`` can leave out
WITH_HEADERS = frozenset({"table", "csv", "tsv", "markdown"})


def format_for(fmt: str | None, output: str | None) -> str:
    """The format to write: the one asked for, else the one ``-o FILE``'s extension names, else a table."""
    if fmt:
        return fmt
    if output:
        dot = output.rfind(".")
        if dot > output.rfind("/"):
            return EXTENSIONS.get(output[dot:].lower(), "table")
    return "table"
