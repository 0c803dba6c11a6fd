"""Exceptions that the CLI turns into one clear line (no traceback)."""

from __future__ import annotations


class AccordsError(Exception):
    """An expected failure: bad input, a refused query, a missing database."""


class UsageError(AccordsError):
    """The caller asked for something that does not exist or is ill-typed (exit 2)."""


class ValidationError(AccordsError):
    """A data file has one or more problems; ``problems`` holds one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class ConflictError(ValidationError):
    """``ingest --fail-on-conflict``: a file's claims conflict with another source's; nothing was loaded."""

    def __init__(self, conflicts: list[str]):
        super().__init__([*conflicts, f"{len(conflicts)} conflict(s) with other sources: nothing was loaded "
                                      "(--fail-on-conflict)"])


class Interrupted(AccordsError):
    """Ctrl-C: the query was cancelled (on the server too); the CLI prints ``interrupted``, exit 130."""

    def __init__(self) -> None:
        super().__init__("interrupted")
