"""The output formats of every command that prints rows (one list; imports nothing, so --help stays fast)."""

FORMATS = ("table", "csv", "json", "jsonl", "markdown")
