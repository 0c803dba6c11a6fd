"""Checking a document's words against its source text: quotes, dates, and the text split into sentences."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from calendar import monthrange
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .wording import short


def split_resources(value: str | list[str] | None) -> list[str]:
    """A project's resources as a list: a list as given; a single string ("copper, iron and lithium") split on
    commas and on the word " and ". Each part is trimmed of spaces; empty parts, and parts that repeat an
    earlier one (letter case ignored), are dropped; the words, their letter case and their order are kept.
    Revision 0007 splits the old projects.resource values the same way."""
    if value is None:
        return []
    parts = value.replace(" and ", ",").split(",") if isinstance(value, str) else value
    out: list[str] = []
    seen: set[str] = set()
    for part in parts:
        item = part.strip(" ") if isinstance(value, str) else part
        if item and item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return out


@dataclass
class Span:
    """A quote and where it is in the source text (characters ``start`` to ``end``)."""

    start: int
    end: int
    quote: str


class Checker:
    """Checks one document against its source text, collecting every problem as a line.

    ``path`` is how the problem lines name the document (its file, and its
    number in a file of several).
    """

    def __init__(self, path: Path | str, text: str):
        self.path = path
        self.text = text
        self.problems: list[str] = []
        self._contains: dict[str, bool] = {}

    def contains(self, words: str) -> bool:
        """Whether the words occur in the source text (memoised: files repeat date words)."""
        if words not in self._contains:
            self._contains[words] = words in self.text
        return self._contains[words]

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{self.path}: {where}: {message}")

    def span(self, where: str, item: Any) -> Span | None:
        """Where a quote (text, or a mapping with quote and occurrence or start) is; None, noted, if not found."""
        if isinstance(item, str):
            quote, occurrence, start = item, None, None
        else:
            quote, occurrence, start = item["quote"], item.get("occurrence"), item.get("start")
        short_quote = quote if len(quote) <= 60 else quote[:57] + "..."
        if start is not None:
            if self.text[start:start + len(quote)] != quote:
                self.fail(where, f"quote {short_quote!r} is not at offset {start} of the source text")
                return None
            return Span(start, start + len(quote), quote)
        positions = [mt.start() for mt in re.finditer(re.escape(quote), self.text)]
        if not positions:
            self.fail(where, f"quote not found in the source text: {short_quote!r}")
            return None
        if occurrence is not None:
            if occurrence > len(positions):
                self.fail(where, f"quote {short_quote!r} occurs {len(positions)} time(s), not {occurrence}")
                return None
            begin = positions[occurrence - 1]
        elif len(positions) > 1:
            self.fail(where, f"quote {short_quote!r} occurs {len(positions)} times; add occurrence or start")
            return None
        else:
            begin = positions[0]
        return Span(begin, begin + len(quote), quote)

    def evidence(self, where: str, items: list | None, default: list[Span] | None = None) -> list[Span]:
        """The spans of a list of quotes; ``default`` (the owner's evidence) when there is none."""
        if not items:
            return list(default or [])
        spans = [self.span(f"{where}[{i}]", item) for i, item in enumerate(items)]
        return [s for s in spans if s is not None]

    def day(self, where: str, value: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(where, f"{value!r} is not a valid date (YYYY-MM-DD)")
            return None

    def date(self, where: str, prefix: str, spec: dict | None) -> dict[str, Any]:
        """The four partial-date columns from a date spec."""
        out: dict[str, Any] = {f"{prefix}_earliest": None, f"{prefix}_latest": None,
                               f"{prefix}_precision": "unknown", f"{prefix}_text": None}
        if not spec:
            return out
        text = spec.get("text")
        if text and not self.contains(text):
            self.fail(f"{where}.text", f"date words {short(text)} do not occur in the source text")
        out[f"{prefix}_text"] = text
        bounds = self._bounds(where, spec)
        if bounds is None:
            return out
        earliest, latest, precision = bounds
        if earliest and latest and latest < earliest:
            self.fail(where, f"latest date {latest} is before earliest date {earliest}")
        if precision is None:
            self.fail(f"{where}.precision", "is required unless year, month or day is given")
            precision = "unknown"
        out.update({f"{prefix}_earliest": earliest, f"{prefix}_latest": latest, f"{prefix}_precision": precision})
        return out

    def _bounds(self, where: str, spec: dict) -> tuple[dt.date | None, dt.date | None, str | None] | None:
        """(earliest, latest, precision) of a date spec; None after an impossible month."""
        precision = spec.get("precision")
        shorthand = [key for key in ("year", "month", "day") if key in spec]
        if shorthand and (len(shorthand) > 1 or "earliest" in spec or "latest" in spec
                          or precision not in (None, shorthand[0])):
            given = ", ".join(key for key in ("year", "month", "day", "precision", "earliest", "latest")
                              if key in spec)
            self.fail(where, f"gives {given}, which may disagree: give one of year, month or day, "
                             "or precision with earliest/latest")
            return None
        if "year" in spec:
            year = spec["year"]
            return dt.date(year, 1, 1), dt.date(year, 12, 31), precision or "year"
        if "month" in spec:
            year, month = map(int, spec["month"].split("-"))
            if not (1 <= month <= 12 and dt.MINYEAR <= year <= dt.MAXYEAR):
                self.fail(f"{where}.month", f"{spec['month']!r} is not a valid month (YYYY-MM)")
                return None
            return (dt.date(year, month, 1), dt.date(year, month, monthrange(year, month)[1]),
                    precision or "month")
        if "day" in spec:
            day = self.day(f"{where}.day", spec["day"])
            return day, day, precision or "day"
        earliest = self.day(f"{where}.earliest", spec["earliest"]) if "earliest" in spec else None
        latest = self.day(f"{where}.latest", spec["latest"]) if "latest" in spec else None
        return earliest, latest, precision


# A sentence ends at . ! or ? after a non-capital (so "U.S." mid-sentence is
# not an end), optionally closed by a quote mark, and followed by a capital
# letter or an opening quote, with or without a space ("countries.This").
_SENTENCE_END = re.compile(r"(?<=[^A-Z.\s])[.!?][”\"’]?(?:\s+|(?=[A-Z]))(?=[A-Z“\"])")


def segments(check: Checker, spec: dict | None) -> list[dict[str, Any]]:
    """Split the text into headline, body sentences and excluded page furniture."""
    marked = _marked(check, spec or {})
    pieces: list[tuple[int, int, str]] = []
    cursor = 0
    for start, end, kind in marked + [(len(check.text), len(check.text), "")]:
        pieces += _sentences(check.text, cursor, start)
        if kind:
            pieces.append((start, end, kind))
        cursor = max(cursor, end)
    return [{"seq": i + 1, "kind": kind, "char_start": a, "char_end": b, "text": check.text[a:b]}
            for i, (a, b, kind) in enumerate(sorted(pieces))]


def _marked(check: Checker, spec: dict) -> list[tuple[int, int, str]]:
    """(start, end, kind) of the headline and the excluded parts, in order."""
    marked: list[tuple[int, int, str]] = []
    for i, item in enumerate(spec.get("excluded", [])):
        span = check.span(f"source.segments.excluded[{i}].quote", item["quote"])
        if span:
            marked.append((span.start, span.end, item["kind"]))
    if "headline" in spec:
        span = check.span("source.segments.headline", spec["headline"])
        if span:
            marked.append((span.start, span.end, "headline"))
    marked.sort()
    return marked


def _sentences(text: str, begin: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, "body") of each sentence of each paragraph between ``begin`` and ``end``."""
    pieces = []
    for para in re.finditer(r"[^\n]+", text[begin:end]):
        pstart = begin + para.start()
        bounds = [0] + [x.end() for x in _SENTENCE_END.finditer(para.group())]
        bounds.append(len(para.group()))
        for a, b in itertools.pairwise(bounds):
            piece = para.group()[a:b]
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece.rstrip())
            if piece.strip():
                pieces.append((pstart + a + lead, pstart + a + trail, "body"))
    return pieces
