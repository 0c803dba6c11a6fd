"""Load an accords source file (YAML or JSON) into the database.

The work is done in two steps:

1. ``plan_documents`` reads and checks a whole file without touching the
   database: structure (JSON Schema), references between facts, every
   evidence quote against the source text, dates, amounts. Every problem is
   collected; if there is any, ``ValidationError`` lists them all, one line
   each: ``FILE: PATH: what is wrong``.
2. ``write`` writes a checked plan on a connection, inside the caller's
   transaction: ``accords ingest`` writes each file as soon as it is checked
   and commits only once every file has passed (all or nothing), so that a
   large load never holds every file's plan in memory. Loading the same file
   again changes nothing; loading a changed file replaces the facts that
   only this source supports.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import stat
import sys
import traceback
from calendar import monthrange
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.resources import files
from pathlib import Path, PureWindowsPath
from typing import Any

import jsonschema_rs
import yaml
from jsonschema import Draft202012Validator
from sqlalchemy import Connection, Engine, and_, bindparam, delete, exists, func, insert, not_, select, update

from . import models as m
from .errors import ValidationError
from .fileformat import source_file_schema

SEED_FILE = "seed.yaml"


def seed_path() -> Path:
    """The shipped seed file (the article and its facts)."""
    return Path(str(files("db.data") / SEED_FILE))


# --- reading ------------------------------------------------------------------

# Limits on every input. A real corpus stays far below them (the shipped seed
# is 30 KB with a 9 KB text; a benchmark source 0.7 MB); a file beyond one is
# refused with one line naming it, before anything is written.

#: the largest source file (YAML or JSON) read, in bytes
MAX_FILE_BYTES = 64 * 1024 * 1024
#: the largest text a source's ``text_file`` may name, in bytes
MAX_TEXT_BYTES = 16 * 1024 * 1024
#: the deepest nesting of mappings and lists in a document (the format itself needs 6)
MAX_DEPTH = 32
#: the longest text value other than the source's text, in UTF-8 bytes (a TEXT column on MariaDB)
MAX_STRING_BYTES = 65_535
#: the most digits an integer may have
MAX_INT_DIGITS = 30
#: how much YAML aliases may add to a document, counted in values plus characters, beyond
#: twice the file's size (what its own bytes could hold written out): reusing a list of
#: evidence or a date a few times is fine; a "billion laughs" file is refused
MAX_ALIAS_GROWTH = 1024 * 1024
#: the most characters of quotes the evidence of one document may write (facts inherit
#: their owner's evidence, so a small file could otherwise write gigabytes)
MAX_EVIDENCE_CHARS = 64 * 1024 * 1024

_INT_LIMIT = 10 ** MAX_INT_DIGITS
_FILE_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISSOCK, "a socket"))


def _mib(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB"


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ``OSError``/``ValueError`` say why not.

    Never blocks: the kind of file is checked before it is opened, and it is
    opened without waiting (a FIFO swapped in meanwhile is refused, not read).
    """
    def refuse_kind(mode: int) -> None:
        for test, kind in _FILE_KINDS:
            if test(mode):
                raise ValueError(f"not a regular file but {kind}")
        if not stat.S_ISREG(mode):
            raise ValueError("not a regular file")

    refuse_kind(os.stat(path).st_mode)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                 | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        refuse_kind(info.st_mode)
        if info.st_size > limit:
            raise ValueError(f"the file is {info.st_size:,} bytes, more than the limit of {_mib(limit)}")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"the file has grown to more than the limit of {_mib(limit)}")
    return data


def _decode(data: bytes) -> str:
    """UTF-8 text without NUL characters, or ``ValueError`` saying where it is not."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValueError(f"line {line}: not UTF-8 text (byte {exc.start})") from None
    nul = text.find("\x00")
    if nul >= 0:
        raise ValueError(f"line {text.count(chr(10), 0, nul) + 1}: a NUL character (text files have none)")
    return text


_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader (libyaml's when available) for the JSON data model only.

    Dates stay strings (the schema and the loader parse them); explicit tags
    that build other types (timestamp, binary, set, omap, pairs) and merge
    keys (``<<``, which can multiply a mapping's keys) are refused; keys must
    be text. A duplicate key is recorded in ``duplicates`` (mapping id ->
    (key, line)), so that the caller can name its path.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: dict[int, tuple[str, int]] = {}

    def construct_yaml_map(self, node: yaml.MappingNode) -> Iterator[dict]:
        data: dict[str, Any] = {}
        yield data
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                raise yaml.constructor.ConstructorError(None, None, "merge keys ('<<') are not supported",
                                                        key_node.start_mark)
            key = self.construct_object(key_node)
            if type(key) is not str:
                raise yaml.constructor.ConstructorError(None, None, f"a key must be text, not {_kind(key)}",
                                                        key_node.start_mark)
            if key in data and id(data) not in self.duplicates:
                self.duplicates[id(data)] = (key, key_node.start_mark.line + 1)
            data[key] = self.construct_object(value_node)


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.yaml_constructors = {
    tag: constructor for tag, constructor in yaml.SafeLoader.yaml_constructors.items()
    if tag is None or tag.rpartition(":")[2] in ("null", "bool", "int", "float", "str", "seq")
}
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)


class _DuplicateKeys(dict):
    """A JSON object that repeats a key (json keeps the last silently)."""

    duplicate = ""


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _DuplicateKeys(obj)
    seen: set[str] = set()
    marked.duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return marked


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "a boolean", type(None): "null",
            int: "an integer", float: "a number"}.get(type(value), type(value).__name__)


def _short(value: Any, width: int = 60) -> str:
    """repr of a value, cut to ``width`` characters (a hostile file's values can be megabytes)."""
    if isinstance(value, str):
        return repr(value if len(value) <= width else value[:width - 3] + "...")
    if isinstance(value, (dict, list)):
        return _kind(value)
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def _path_str(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _tree_problem(doc: Any, duplicates: dict[int, tuple[str, int]], surrogates: bool,
                  keys_in_file: int | None = None) -> tuple[str, str] | None:
    """(path, reason) of the first value of a parsed document beyond a limit, or None.

    One pass over every value, without paths (fast); only when it finds a
    problem is the walk repeated with paths, to name where. The walk counts a
    value shared through YAML aliases each time it is reached: that is the
    document's expanded size, and the walk stops once it passes the limit.
    """
    if not duplicates and not surrogates:
        suspect = _suspect(doc, keys_in_file)
        if suspect == "keys":
            return ("", "keys")
        if suspect is not True:
            return ("", "floats") if suspect == "floats" else None
    return _walk(doc, duplicates, surrogates, [])


def _suspect(doc: Any, keys_in_file: int | None) -> bool | str:
    """Whether a document may break a limit (True), holds floats ("floats"), or neither (False).

    ``keys_in_file``: for JSON, how many keys the text may hold at most; when the
    document has fewer, json kept only the last of some repeated key ("keys").

    The fast pass of ``_tree_problem``: one level of the document at a time,
    sorting its values by type in one loop and checking each group at once;
    the depth is the level's number.
    """
    text = doc.get("source", {}).get("text") if type(doc) is dict and type(doc.get("source")) is dict else None
    floats = False
    level, depth, keys = [doc], 0, 0
    while level:
        depth += 1
        containers: list[Any] = []
        strings: list[str] = []
        ints: list[int] = []
        for value in level:
            kind = type(value)
            if kind is str:
                strings.append(value)
            elif kind is dict or kind is list:
                containers.append(value)
            elif kind is int:
                ints.append(value)
            elif kind is float:
                floats = True
            elif kind is not bool and value is not None:
                return True  # a duplicate key, or a type the format has not
        if containers and depth > MAX_DEPTH:
            return True
        if strings and (max(map(len, strings)) > MAX_STRING_BYTES // 4 and
                        any(len(x) > MAX_STRING_BYTES // 4 for x in strings if x is not text)
                        or "\x00" in "".join(strings)):
            return True
        if ints and (max(ints) >= _INT_LIMIT or min(ints) <= -_INT_LIMIT):
            return True
        level = []
        for value in containers:
            if type(value) is dict:
                keys += len(value)
                level.extend(value.values())
            else:
                level.extend(value)
    if keys_in_file is not None and keys != keys_in_file:
        return "keys"
    return "floats" if floats else False


def _expanded_size(doc: Any, limit: int) -> tuple[str, str] | None:
    """(path, reason) if YAML aliases make ``doc`` larger than ``limit`` values plus characters, else None.

    Sizes are computed once per distinct list or mapping (a value reached
    through an alias is counted each time, without walking it again), so a
    "billion laughs" document is measured in the time its file takes to read.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(doc, False)]
    while stack:
        value, done = stack.pop()
        if id(value) in sizes:
            continue
        children = list(value.values()) if isinstance(value, dict) else value
        if done:
            sizes[id(value)] = 1 + sum(map(len, value)) if isinstance(value, dict) else 1
            sizes[id(value)] += sum(sizes[id(c)] if isinstance(c, (dict, list)) else
                                    1 + (len(c) if isinstance(c, str) else 0) for c in children)
            continue
        stack.append((value, True))
        stack.extend((c, False) for c in children if isinstance(c, (dict, list)) and id(c) not in sizes)
    if sizes.get(id(doc), 0) <= limit:
        return None
    path: list[Any] = []
    node = doc
    while True:  # down to the smallest part that is too large by itself
        items = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        big = [(k, v) for k, v in items if isinstance(v, (dict, list)) and sizes[id(v)] > limit]
        if not big:
            break
        path.append(big[0][0])
        node = big[0][1]
    return (_path_str(path), f"YAML aliases expand this to {sizes[id(node)]:,} values and characters, "
                             f"more than the limit of {limit:,} for this file")


def _float_problem(doc: Any) -> tuple[str, str] | None:
    """(path, reason) of the first float in a document that the schema passed (it takes 2.0 as an integer)."""
    return _walk(doc, {}, False, [], find_float=True)


def _walk(doc: Any, duplicates: dict[int, tuple[str, int]], surrogates: bool,
          path: list[Any] | None, find_float: bool = False) -> tuple[str, str] | None:
    text = doc.get("source", {}).get("text") if type(doc) is dict and type(doc.get("source")) is dict else None
    floats = False
    # (value, depth, key) triples; with paths, a None marks leaving a container
    stack: list[Any] = [(doc, 1, None)]
    while stack:
        item = stack.pop()
        if item is None:
            path.pop()  # type: ignore[union-attr]
            continue
        value, depth, key = item
        if path is not None and key is not None:
            path.append(key)
            stack.append(None)
        kind = type(value)
        if kind is str:
            if len(value) > MAX_STRING_BYTES // 4 and value is not text:
                try:
                    encoded = len(value.encode("utf-8"))
                except UnicodeEncodeError:
                    encoded = 0
                if encoded > MAX_STRING_BYTES:
                    return _where(path, f"text of {encoded:,} bytes, more than the limit of {MAX_STRING_BYTES:,}")
            if "\x00" in value:
                return _where(path, "a NUL character (text holds none)")
            if surrogates:
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return _where(path, "an unpaired surrogate escape (\\ud800-\\udfff): not Unicode text")
        elif kind is dict or kind is list or kind is _DuplicateKeys:
            if depth > MAX_DEPTH:
                return _where(path, f"nested more than {MAX_DEPTH} levels deep")
            if kind is list:
                stack.extend([(v, depth + 1, i) for i, v in reversed(list(enumerate(value)))] if path is not None
                             else [(v, depth + 1, None) for v in value])
            else:
                if kind is _DuplicateKeys:
                    return _where(path, f"duplicate key {_short(value.duplicate)}")
                if duplicates and id(value) in duplicates:
                    key_, line = duplicates[id(value)]
                    return _where(path, f"duplicate key {_short(key_)} (line {line})")
                stack.extend([(v, depth + 1, k) for k, v in reversed(value.items())] if path is not None
                             else [(v, depth + 1, None) for v in value.values()])
        elif kind is int:
            if not -_INT_LIMIT < value < _INT_LIMIT:
                return _where(path, f"a number of more than {MAX_INT_DIGITS} digits")
        elif kind is float:
            floats = True
            if find_float and path is not None:
                return _where(path, f"must be an integer, not a number ({_short(value)})")
        elif kind is not bool and value is not None:
            return _where(path, f"unsupported value {_short(value)}")
    return ("", "floats") if floats and not find_float else None


def _where(path: list[Any] | None, reason: str) -> tuple[str, str]:
    return (_path_str(path) if path is not None else "", reason)


def _big_number(text: str) -> str:
    """Where the first integer too long for Python to read is (line, column)."""
    found = re.search(r"\d{%d,}" % sys.get_int_max_str_digits(), text)  # noqa: UP031
    if not found:
        return "a number too long to read"
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - text.rfind("\n", 0, found.start())
    return f"line {line}, column {column}: a number of {len(found.group()):,} digits (the limit is {MAX_INT_DIGITS})"


def _read(path: Path) -> tuple[list[Any], bytes, set[int]]:
    """Parse a YAML/JSON file of one or more documents (and which hold floats); one line on any problem.

    The file must be a regular file of at most MAX_FILE_BYTES, UTF-8 text
    without NUL characters; each document is checked against the limits
    above (nesting, text length, integer digits, alias expansion) and for
    duplicate keys.
    """
    try:
        raw = read_limited(path, MAX_FILE_BYTES)
        text = _decode(raw)
    except OSError as exc:
        raise ValidationError([f"{path}: cannot read the file: {exc.strerror}"]) from None
    except ValueError as exc:
        raise ValidationError([f"{path}: {exc}"]) from None
    duplicates: list[dict[int, tuple[str, int]]] = []
    try:
        if path.suffix.lower() == ".json":
            docs = [json.loads(text)]
            duplicates.append({})
        else:
            docs = []
            loader = _Loader(text)
            try:
                while loader.check_data():
                    docs.append(loader.get_data())
                    duplicates.append(loader.duplicates)
                    loader.duplicates = {}
            finally:
                loader.dispose()
    except json.JSONDecodeError as exc:
        raise ValidationError([f"{path}: line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise ValidationError([f"{path}: {where}: invalid YAML: {' '.join(str(exc.problem).split())}"]) from None
    except yaml.YAMLError as exc:
        raise ValidationError([f"{path}: invalid YAML: {' '.join(str(exc).split())}"]) from None
    except RecursionError:
        raise ValidationError([f"{path}: nested more than {MAX_DEPTH} levels deep"]) from None
    except ValueError:  # an integer of more digits than Python reads (sys.get_int_max_str_digits)
        raise ValidationError([f"{path}: {_big_number(text)}"]) from None
    kept = [(doc, dups) for doc, dups in zip(docs, duplicates, strict=True) if doc is not None]
    if not kept:
        raise ValidationError([f"{path}: the file holds no source"])
    # JSON escapes can make lone surrogates, which no database stores: looked for only if such an escape occurs
    surrogates = re.search(rb"\\u[dD][89abcdefABCDEF]", raw) is not None
    problems, with_floats = [], set()
    aliases = b"*" in raw and not path.suffix.lower() == ".json"  # an alias starts with *
    # JSON keeps the last of a repeated key silently: a key ends with '"' and ':', so when the document
    # holds another number of keys than the text has such pairs, it is read again, noting repeats
    keys_in_file = None
    if path.suffix.lower() == ".json":
        keys_in_file = raw.translate(None, b" \t\r\n").count(b'":')  # JSON allows blanks before the colon
    for i, (doc, dups) in enumerate(kept):
        if keys_in_file is not None and surrogates:  # the slow walk counts no keys: read repeats now
            doc = json.loads(text, object_pairs_hook=_json_object)
        found = aliases and _expanded_size(doc, 2 * len(raw) + MAX_ALIAS_GROWTH) or \
            _tree_problem(doc, dups, surrogates, keys_in_file)
        if found == ("", "keys"):
            doc = json.loads(text, object_pairs_hook=_json_object)
            found = _tree_problem(doc, dups, surrogates)
        if found == ("", "floats"):
            with_floats.add(i)
        elif found:
            label = f"{path}: document {i + 1}" if len(kept) > 1 else str(path)
            problems.append(f"{label}: {found[0]}: {found[1]}")
    if problems:
        raise ValidationError(problems)
    return [doc for doc, _ in kept], raw, with_floats


def read_documents(path: Path) -> tuple[list[Any], bytes]:
    """Parse a YAML/JSON file of one or more documents; one line on any problem (see ``_read``)."""
    docs, raw, _ = _read(path)
    return docs, raw


_VALIDATOR = Draft202012Validator(source_file_schema())


#: jsonschema-rs (compiled Rust) checks a valid file (nearly all are) about 30 times faster than the
#: pure-Python validators; jsonschema then words the problems of a file that does not pass
_FAST_CHECK = jsonschema_rs.validator_for(source_file_schema())


def _schema_problems(doc: Any) -> list[tuple[str, str]]:
    try:
        if _FAST_CHECK.is_valid(doc):
            return []
    except Exception:  # noqa: BLE001, S110 - odd input it cannot take (a huge integer): jsonschema decides
        pass
    problems = []
    for error in sorted(_VALIDATOR.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        where = _path_str(error.absolute_path)
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            message = f"unknown field(s): {', '.join(map(_short, extra[:10]))}{', ...' if len(extra) > 10 else ''}"
        elif error.validator == "required":
            message = error.message.replace("is a required property", "is required")
        elif error.validator == "type":
            expected = error.validator_value if isinstance(error.validator_value, str) else " or ".join(error.validator_value)
            got = {dict: "an object", list: "a list", str: "text", bool: "a boolean", type(None): "null",
                   int: "an integer", float: "a number"}.get(type(error.instance), type(error.instance).__name__)
            message = f"must be {expected}, not {got}"
        elif error.validator == "enum":
            message = f"{_short(error.instance)} is not one of: {', '.join(error.validator_value)}"
        elif error.validator == "oneOf" and error.schema.get("description"):
            message = f"{_short(error.instance)} is not valid: expected {error.schema['description'][0].lower()}{error.schema['description'][1:]}"
        elif isinstance(error.instance, (str, int)) and len(error.message) > 200:
            # jsonschema's own words quote the whole value: a hostile file's can be megabytes long
            message = error.message.replace(repr(error.instance), _short(error.instance))
        else:
            message = error.message
        problems.append((where, message if len(message) <= 300 else message[:297] + "..."))
    return problems


# --- the plan -------------------------------------------------------------------


@dataclass
class Span:
    start: int
    end: int
    quote: str


@dataclass
class Row:
    """One row to write: its table, natural key, values and references to resolve."""

    table: str
    values: dict[str, Any]
    evidence: list[Span]
    key: tuple = ()
    refs: dict[str, tuple[str, Any]] = field(default_factory=dict)  # column -> (table, key)


@dataclass
class Plan:
    path: Path
    digest: str
    source: dict[str, Any]
    segments: list[dict[str, Any]]
    rows: list[Row]
    inferences: list[Row]


class _Checker:
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
        if isinstance(item, str):
            quote, occurrence, start = item, None, None
        else:
            quote, occurrence, start = item["quote"], item.get("occurrence"), item.get("start")
        short = quote if len(quote) <= 60 else quote[:57] + "..."
        if start is not None:
            if self.text[start:start + len(quote)] != quote:
                self.fail(where, f"quote {short!r} is not at offset {start} of the source text")
                return None
            return Span(start, start + len(quote), quote)
        positions = [mt.start() for mt in re.finditer(re.escape(quote), self.text)]
        if not positions:
            self.fail(where, f"quote not found in the source text: {short!r}")
            return None
        if occurrence is not None:
            if occurrence > len(positions):
                self.fail(where, f"quote {short!r} occurs {len(positions)} time(s), not {occurrence}")
                return None
            begin = positions[occurrence - 1]
        elif len(positions) > 1:
            self.fail(where, f"quote {short!r} occurs {len(positions)} times; add occurrence or start")
            return None
        else:
            begin = positions[0]
        return Span(begin, begin + len(quote), quote)

    def evidence(self, where: str, items: list | None, default: list[Span] | None = None) -> list[Span]:
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
            self.fail(f"{where}.text", f"date words {_short(text)} do not occur in the source text")
        out[f"{prefix}_text"] = text
        earliest = latest = None
        precision = spec.get("precision")
        if "year" in spec:
            year = spec["year"]
            earliest, latest, precision = dt.date(year, 1, 1), dt.date(year, 12, 31), precision or "year"
        elif "month" in spec:
            year, month = map(int, spec["month"].split("-"))
            if not (1 <= month <= 12 and dt.MINYEAR <= year <= dt.MAXYEAR):
                self.fail(f"{where}.month", f"{spec['month']!r} is not a valid month (YYYY-MM)")
                return out
            earliest = dt.date(year, month, 1)
            latest = dt.date(year, month, monthrange(year, month)[1])
            precision = precision or "month"
        elif "day" in spec:
            earliest = latest = self.day(f"{where}.day", spec["day"])
            precision = precision or "day"
        else:
            if "earliest" in spec:
                earliest = self.day(f"{where}.earliest", spec["earliest"])
            if "latest" in spec:
                latest = self.day(f"{where}.latest", spec["latest"])
        if earliest and latest and latest < earliest:
            self.fail(where, f"latest date {latest} is before earliest date {earliest}")
        if precision is None:
            self.fail(f"{where}.precision", "is required unless year, month or day is given")
            precision = "unknown"
        out.update({f"{prefix}_earliest": earliest, f"{prefix}_latest": latest, f"{prefix}_precision": precision})
        return out


# A sentence ends at . ! or ? after a non-capital (so "U.S." mid-sentence is
# not an end), optionally closed by a quote mark, and followed by a capital
# letter or an opening quote, with or without a space ("countries.This").
_SENTENCE_END = re.compile(r"(?<=[^A-Z.\s])[.!?][”\"’]?(?:\s+|(?=[A-Z]))(?=[A-Z“\"])")


def _segments(check: _Checker, spec: dict | None) -> list[dict[str, Any]]:
    """Split the text into headline, body sentences and excluded page furniture."""
    spec = spec or {}
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
    pieces: list[tuple[int, int, str]] = []
    cursor = 0
    for start, end, kind in marked + [(len(check.text), len(check.text), "")]:
        for para in re.finditer(r"[^\n]+", check.text[cursor:start]):
            pstart = cursor + para.start()
            bounds = [0] + [x.end() for x in _SENTENCE_END.finditer(para.group())]
            bounds.append(len(para.group()))
            for a, b in itertools.pairwise(bounds):
                piece = para.group()[a:b]
                lead = len(piece) - len(piece.lstrip())
                trail = len(piece.rstrip())
                if piece.strip():
                    pieces.append((pstart + a + lead, pstart + a + trail, "body"))
        if kind:
            pieces.append((start, end, kind))
        cursor = max(cursor, end)
    return [{"seq": i + 1, "kind": kind, "char_start": a, "char_end": b, "text": check.text[a:b]}
            for i, (a, b, kind) in enumerate(sorted(pieces))]


@dataclass
class Known:
    """What the database already holds, so a new source can refer to it."""

    slugs: dict[str, set[str]] = field(default_factory=dict)  # table -> slugs
    actor_names: dict[str, set[str]] = field(default_factory=dict)  # alias or display name -> actor slugs


def load_known(conn: Connection) -> Known:
    known = Known()
    for table in ("actors", "agreements", "projects", "events", "statements"):
        known.slugs[table] = set(conn.execute(select(_table(table).c.slug)).scalars())
    actors, aliases = _table("actors"), _table("actor_aliases")
    pairs = list(conn.execute(select(actors.c.name, actors.c.slug)))
    pairs += list(conn.execute(select(aliases.c.alias, actors.c.slug).join(actors, actors.c.id == aliases.c.actor_id)))
    for name, slug in pairs:
        known.actor_names.setdefault(name, set()).add(slug)
    return known


def remember(known: Known, plan: Plan) -> None:
    """Add what a plan will write to ``known``, so later files of the same run can refer to it."""
    for row in plan.rows:
        if "slug" in row.values and row.table in ("actors", "agreements", "projects", "events", "statements"):
            known.slugs.setdefault(row.table, set()).add(row.values["slug"])
        if row.table == "actors":
            known.actor_names.setdefault(row.values["name"], set()).add(row.values["slug"])
        if row.table == "actor_aliases":
            known.actor_names.setdefault(row.values["alias"], set()).add(row.refs["actor_id"][1])


#: where a document names actors by slug: (section, field) pairs, nested lists included
_ACTOR_FIELDS = (("actors", "parent"), ("relations", "subject"), ("relations", "object"),
                 ("agreements.parties", "actor"), ("agreements.obligations", "obligor"),
                 ("agreements.obligations", "beneficiary"), ("projects.participants", "actor"),
                 ("events.participants", "actor"), ("statements", "speaker"), ("statements.about", "actor"))


def _rename_actors(doc: dict, mapping: dict[str, str]) -> None:
    """Replace a document's actor slugs by the slugs of the same actors in the database."""
    def items(path: str) -> list[dict]:
        section, _, child = path.partition(".")
        found = doc.get(section, [])
        return [c for item in found for c in item.get(child, [])] if child else found

    for path, key in _ACTOR_FIELDS:
        for item in items(path):
            if item.get(key) in mapping:
                item[key] = mapping[item[key]]
    for item in doc.get("actors", []):
        item["slug"] = mapping.get(item["slug"], item["slug"])
    for item in doc.get("inferences", []):
        if item["about"].get("actor") in mapping:
            item["about"]["actor"] = mapping[item["about"]["actor"]]


def _match_actors(doc: dict, known: Known, fail) -> dict[str, str]:
    """File actor slug -> existing actor slug, for actors the database already knows.

    An actor is the existing one when its slug exists, or else when its name or
    one of its aliases is the name or an alias of exactly one existing actor.
    """
    mapping: dict[str, str] = {}
    for i, a in enumerate(doc.get("actors", [])):
        if a["slug"] in known.slugs.get("actors", set()):
            continue
        names = [a["name"]] + [x if isinstance(x, str) else x["alias"] for x in a.get("aliases", [])]
        owners = sorted({slug for n in names for slug in known.actor_names.get(n, set())})
        if len(owners) == 1:
            mapping[a["slug"]] = owners[0]
        elif len(owners) > 1:
            fail(f"actors[{i}]", f"names or aliases match several existing actors ({', '.join(owners)}): "
                                 "use the slug of the one meant")
    return mapping


def plan_file(path: Path | str, known: Known | None = None) -> Plan:
    """Read and check a source file; raise ValidationError listing every problem."""
    plans = plan_documents(path, known)
    if len(plans) != 1:
        raise ValidationError([f"{path}: holds {len(plans)} sources; load it with plan_documents"])
    return plans[0]


def _remember_declared(known: Known, doc: Any) -> None:
    """Add the slugs a document declares to ``known``, although it failed its checks.

    Nothing of a run with a problem is written, but without this every later
    file that refers to the failed document's facts would report each such
    reference as unknown: one mistake would bury itself under hundreds of lines.
    """
    if not isinstance(doc, dict):
        return
    for section in ("actors", "agreements", "projects", "events", "statements"):
        items = doc.get(section)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and isinstance(item.get("slug"), str):
                known.slugs.setdefault(section, set()).add(item["slug"])


def plan_documents(path: Path | str, known: Known | None = None) -> list[Plan]:
    """Read and check a file of one or more sources (YAML documents separated by ---)."""
    path = Path(path)
    known = known if known is not None else Known()
    docs, _raw, with_floats = _read(path)
    plans, problems = [], []
    for i, doc in enumerate(docs):
        label = f"{path}: document {i + 1}" if len(docs) > 1 else str(path)
        try:
            plans.append(_plan_document(path, label, doc, known, i in with_floats))
            remember(known, plans[-1])
        except ValidationError as exc:
            problems += exc.problems
            _remember_declared(known, doc)
    slugs = [p.source["slug"] for p in plans]
    problems += [f"{path}: source {s!r} appears more than once" for s in sorted({s for s in slugs if slugs.count(s) > 1})]
    if problems:
        raise ValidationError(problems)
    return plans


def _check_files(paths: Sequence[str], known: Known, receiver: Any, sender: Any, parent: int) -> None:
    """(child process) Check the files in order, sending each one's plans or problems down the pipe."""
    receiver.close()  # the parent's end: once the parent closes its own (or dies), sending fails at once
    try:
        for path in paths:
            if os.getppid() != parent:
                return  # the loading process has died: nobody will read the rest
            try:
                sender.send(("plans", plan_documents(path, known)))
            except ValidationError as exc:
                sender.send(("problems", exc.problems))
        sender.send(("done", None))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the loading process has stopped (an error, Ctrl-C, killed): nothing is waiting for more
    except BaseException:  # noqa: BLE001 - a bug: the loading process raises it with this traceback
        with contextlib.suppress(OSError):
            sender.send(("error", traceback.format_exc()))
    finally:
        sender.close()


def _checked_inline(paths: Sequence[Path | str], known: Known) -> Iterator[list[Plan] | ValidationError]:
    for path in paths:
        try:
            yield plan_documents(path, known)
        except ValidationError as exc:
            yield exc


def _checked_by(child: Any, receiver: Any) -> Iterator[list[Plan] | ValidationError]:
    while True:
        try:
            kind, payload = receiver.recv()
        except EOFError:
            child.join(timeout=5)
            raise RuntimeError(f"the process checking the files stopped (exit code {child.exitcode})") from None
        if kind == "done":
            return
        if kind == "error":
            raise RuntimeError(f"checking the files failed in the background process:\n{payload}")
        yield payload if kind == "plans" else ValidationError(payload)


@contextlib.contextmanager
def checking(paths: Sequence[Path | str], known: Known,
             background: bool = False) -> Iterator[Iterator[list[Plan] | ValidationError]]:
    """Each file's plans (or its ValidationError), in order; later files can refer to earlier ones.

    With ``background`` (on Linux), the files are read and checked in a forked
    second process, which runs ahead while the caller writes the plans it has
    already been given: on two cores a large load is checked and written at
    the same time (Python threads would not do: checking holds the GIL). The
    plans arrive pickled; ``known`` is then the child's copy. Enter this
    before opening the connection that writes, so that the child inherits
    none (fork, not spawn: spawn would re-import the caller's main module,
    which a script calling api.ingest need not guard). Leaving the block
    stops the child at once if it is still checking; the child also stops
    by itself when the caller dies. Elsewhere, or if the child cannot be
    started, the files are checked inline.
    """
    if not background or not sys.platform.startswith("linux"):
        yield _checked_inline(paths, known)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_check_files, args=([str(p) for p in paths], known, receiver, sender, os.getpid()),
                            name="accords-check", daemon=True)
    try:
        child.start()
    except (OSError, AssertionError):  # out of memory or processes, or the caller is itself a daemon process
        receiver.close()
        sender.close()
        yield _checked_inline(paths, known)
        return
    sender.close()
    try:
        yield _checked_by(child, receiver)
    finally:
        receiver.close()  # a child still sending gets a broken pipe; one still checking is stopped here
        if child.is_alive():
            child.terminate()
        child.join()


def read_text_file(path: Path, name: str) -> str:
    """The text a source file's ``text_file`` names: a regular file in the same folder (or below it).

    ``ValueError`` (or ``OSError``) says why not: an absolute path, a path
    that leaves the folder (``..``, or a symbolic link pointing outside), not
    a regular file, larger than MAX_TEXT_BYTES, not UTF-8, a NUL character.
    """
    if Path(name).is_absolute() or PureWindowsPath(name).is_absolute() or PureWindowsPath(name).drive:
        raise ValueError("must be a path relative to this file's folder, not an absolute path")
    folder = path.absolute().parent.resolve()
    target = (folder / name).resolve()
    if not target.is_relative_to(folder):
        raise ValueError("leads outside this file's folder (text files must be in it or below it)")
    return _decode(read_limited(target, MAX_TEXT_BYTES))


def _plan_document(path: Path, label: str, doc: Any, known: Known, has_floats: bool = False) -> Plan:
    schema_problems = _schema_problems(doc)
    if schema_problems:
        raise ValidationError([f"{label}: {where}: {message}" for where, message in schema_problems])
    found = _float_problem(doc) if has_floats else None
    if found:
        raise ValidationError([f"{label}: {found[0]}: {found[1]}"])

    src = doc["source"]
    if "text" in src and "text_file" in src:
        raise ValidationError([f"{label}: source: give either text or text_file, not both"])
    if "text" in src:
        text = src["text"]
        if len(text) > MAX_TEXT_BYTES // 4 and len(text.encode("utf-8")) > MAX_TEXT_BYTES:
            raise ValidationError([f"{label}: source.text: more than the limit of {_mib(MAX_TEXT_BYTES)}"])
    elif "text_file" in src:
        try:
            text = read_text_file(path, src["text_file"])
        except OSError as exc:
            raise ValidationError([f"{label}: source.text_file: cannot read {_short(src['text_file'])}: "
                                   f"{exc.strerror}"]) from None
        except ValueError as exc:
            raise ValidationError([f"{label}: source.text_file: {_short(src['text_file'])}: {exc}"]) from None
    else:
        raise ValidationError([f"{label}: source: text or text_file is required"])
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode("utf-8") + text.encode("utf-8")).hexdigest()

    check = _Checker(label, text)
    _rename_actors(doc, _match_actors(doc, known, check.fail))
    source = {
        "slug": src["slug"], "title": src["title"], "kind": src["kind"],
        "author": src.get("author"), "publisher": src.get("publisher"), "url": src.get("url"),
        **check.date("source.published", "published", src.get("published")),
        "content": text, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }
    segments = _segments(check, src.get("segments"))
    for seg in segments:  # each is stored as TEXT (at most MAX_STRING_BYTES on MariaDB)
        if len(seg["text"]) > MAX_STRING_BYTES // 4 and len(seg["text"].encode("utf-8")) > MAX_STRING_BYTES:
            check.fail("source.text", f"the sentence at character {seg['char_start']:,} is longer than "
                                      f"{MAX_STRING_BYTES:,} bytes: split it, or mark it excluded")
            break
    rows: list[Row] = []
    in_file: dict[str, set[str]] = {t: set() for t in ("actors", "agreements", "projects", "events", "statements")}

    def unique(table: str, slug: str, where: str) -> None:
        if slug in in_file[table]:
            check.fail(where, f"duplicate slug {slug!r}")
        in_file[table].add(slug)

    for kind_key, table in (("actors", "actors"), ("agreements", "agreements"), ("projects", "projects"),
                            ("events", "events"), ("statements", "statements")):
        for i, item in enumerate(doc.get(kind_key, [])):
            unique(table, item["slug"], f"{kind_key}[{i}].slug")

    def need(table: str, slug: str | None, where: str) -> None:
        if slug is not None and slug not in in_file[table] and slug not in known.slugs.get(table, set()):
            check.fail(where, f"unknown {table[:-1]} {slug!r}")

    def fits(table: str, column: str, value: str | None, where: str) -> None:
        """A value for a column of limited length (VARCHAR on the servers) must fit it."""
        length = _table(table).c[column].type.length
        if value is not None and max(len(value), len(value.lower())) > length:  # names are also stored lowered
            check.fail(where, f"longer than {length} characters ({_short(value)})")

    # actors and their aliases
    for i, a in enumerate(doc.get("actors", [])):
        at = f"actors[{i}]"
        fits("actors", "name_key", a["name"], f"{at}.name")
        ev = check.evidence(f"{at}.evidence", a["evidence"])
        need("actors", a.get("parent"), f"{at}.parent")
        if a.get("parent") == a["slug"]:
            check.fail(f"{at}.parent", "an actor cannot be its own parent")
        rows.append(Row("actors", {
            "slug": a["slug"], "name": a["name"], "name_key": a["name"].lower(),
            "is_named": a.get("is_named", True), "kind": a["kind"],
            "country": a.get("country"), "description": a.get("description"),
        }, ev, key=(a["slug"],), refs={"parent_id": ("actors", a.get("parent"))} if a.get("parent") else {}))
        seen_alias: set[str] = set()
        for j, alias in enumerate(a.get("aliases", [])):
            aw = f"{at}.aliases[{j}]"
            name = alias if isinstance(alias, str) else alias["alias"]
            fits("actor_aliases", "alias_key", name, aw)
            if name in seen_alias:
                check.fail(aw, f"duplicate alias {_short(name)}")
            seen_alias.add(name)
            if isinstance(alias, dict) and alias.get("evidence"):
                aev = check.evidence(f"{aw}.evidence", alias["evidence"])
            else:
                aev = [s for s in ev if name in s.quote]
                if ev and not aev:
                    check.fail(aw, f"alias {_short(name)} does not occur in the actor's evidence; give it evidence")
            for k, s in enumerate(aev):
                if name not in s.quote:
                    check.fail(f"{aw}.evidence[{k}]", f"alias {_short(name)} does not occur in the quote")
            rows.append(Row("actor_aliases", {"alias": name, "alias_key": name.lower()}, aev, key=(a["slug"], name),
                            refs={"actor_id": ("actors", a["slug"])}))
    # parent cycles
    parents = {a["slug"]: a.get("parent") for a in doc.get("actors", [])}
    for i, a in enumerate(doc.get("actors", [])):
        seen, cur = {a["slug"]}, parents.get(a["slug"])
        while cur:
            if cur in seen:
                check.fail(f"actors[{i}].parent", f"parent chain of {a['slug']!r} loops")
                break
            seen.add(cur)
            cur = parents.get(cur)

    for i, r in enumerate(doc.get("relations", [])):
        at = f"relations[{i}]"
        need("actors", r["subject"], f"{at}.subject")
        need("actors", r["object"], f"{at}.object")
        if r["subject"] == r["object"]:
            check.fail(at, "subject and object are the same actor")
        rows.append(Row("actor_relations", {
            "kind": r["kind"], "description": r.get("description"),
            **check.date(f"{at}.since", "since", r.get("since")),
        }, check.evidence(f"{at}.evidence", r["evidence"]), key=(r["subject"], r["object"], r["kind"]),
            refs={"subject_actor_id": ("actors", r["subject"]), "object_actor_id": ("actors", r["object"])}))

    def amounts(owner_table: str, owner: str, at: str, items: list, default: list[Span]) -> None:
        column = "agreement_id" if owner_table == "agreements" else "project_id"
        for j, am in enumerate(items):
            aw = f"{at}.amounts[{j}]"
            ev = check.evidence(f"{aw}.evidence", am.get("evidence"), default)
            if ev and not any(am["text"] in s.quote for s in ev):
                check.fail(f"{aw}.text", f"{_short(am['text'])} does not occur in the amount's evidence")
            rows.append(Row("amounts", {
                "amount": Decimal(str(am["amount"])), "currency": am["currency"],
                "qualifier": am["qualifier"], "stage": am["stage"], "amount_text": am["text"],
            }, ev, key=(owner, am["text"], am["stage"]), refs={column: (owner_table, owner)}))

    def members(table: str, owner_table: str, owner_col: str, owner: str, at: str, items: list,
                default: list[Span]) -> None:
        for j, p in enumerate(items):
            need("actors", p["actor"], f"{at}[{j}].actor")
            rows.append(Row(table, {"role": p["role"]}, check.evidence(f"{at}[{j}].evidence", p.get("evidence"), default),
                            key=(owner, p["actor"], p["role"]),
                            refs={owner_col: (owner_table, owner), "actor_id": ("actors", p["actor"])}))

    for i, ag in enumerate(doc.get("agreements", [])):
        at = f"agreements[{i}]"
        ev = check.evidence(f"{at}.evidence", ag["evidence"])
        rows.append(Row("agreements", {
            "slug": ag["slug"], "title": ag["title"], "kind": ag["kind"], "status": ag["status"],
            "description": ag.get("description"), **check.date(f"{at}.signed", "signed", ag.get("signed")),
        }, ev, key=(ag["slug"],)))
        members("agreement_parties", "agreements", "agreement_id", ag["slug"], f"{at}.parties", ag.get("parties", []), ev)
        for j, ob in enumerate(ag.get("obligations", [])):
            ow = f"{at}.obligations[{j}]"
            need("actors", ob["obligor"], f"{ow}.obligor")
            need("actors", ob.get("beneficiary"), f"{ow}.beneficiary")
            refs = {"agreement_id": ("agreements", ag["slug"]), "obligor_actor_id": ("actors", ob["obligor"])}
            if ob.get("beneficiary"):
                refs["beneficiary_actor_id"] = ("actors", ob["beneficiary"])
            rows.append(Row("agreement_obligations", {"description": ob["description"]},
                            check.evidence(f"{ow}.evidence", ob.get("evidence"), ev),
                            key=(ag["slug"], ob["obligor"], ob["description"]), refs=refs))
        amounts("agreements", ag["slug"], at, ag.get("amounts", []), ev)

    for i, pr in enumerate(doc.get("projects", [])):
        at = f"projects[{i}]"
        ev = check.evidence(f"{at}.evidence", pr["evidence"])
        need("agreements", pr.get("agreement"), f"{at}.agreement")
        fits("projects", "sector", pr.get("sector"), f"{at}.sector")
        fits("projects", "resource", pr.get("resource"), f"{at}.resource")
        location = pr.get("location")
        if location and not check.contains(location):
            check.fail(f"{at}.location", f"location words {_short(location)} do not occur in the source text")
        rows.append(Row("projects", {
            "slug": pr["slug"], "title": pr["title"], "sector": pr.get("sector"), "resource": pr.get("resource"),
            "location_text": location, "status": pr["status"], "description": pr.get("description"),
            **check.date(f"{at}.started", "started", pr.get("started")),
        }, ev, key=(pr["slug"],), refs={"agreement_id": ("agreements", pr["agreement"])} if pr.get("agreement") else {}))
        members("project_participants", "projects", "project_id", pr["slug"], f"{at}.participants",
                pr.get("participants", []), ev)
        amounts("projects", pr["slug"], at, pr.get("amounts", []), ev)

    for i, evn in enumerate(doc.get("events", [])):
        at = f"events[{i}]"
        ev = check.evidence(f"{at}.evidence", evn["evidence"])
        location = evn.get("location")
        if location and not check.contains(location):
            check.fail(f"{at}.location", f"location words {_short(location)} do not occur in the source text")
        rows.append(Row("events", {
            "slug": evn["slug"], "title": evn["title"], "kind": evn["kind"], "location_text": location,
            "description": evn.get("description"), **check.date(f"{at}.occurred", "occurred", evn.get("occurred")),
        }, ev, key=(evn["slug"],)))
        members("event_participants", "events", "event_id", evn["slug"], f"{at}.participants",
                evn.get("participants", []), ev)

    for i, st in enumerate(doc.get("statements", [])):
        at = f"statements[{i}]"
        voice, speaker = st["voice"], st.get("speaker")
        if voice == "actor" and not speaker:
            check.fail(f"{at}.speaker", "is required when voice is 'actor'")
        if voice == "source" and speaker:
            check.fail(f"{at}.speaker", "must be empty when voice is 'source' (the source's own assertion)")
        if voice == "source" and st["direct_quote"]:
            check.fail(f"{at}.direct_quote", "must be false when voice is 'source'")
        need("actors", speaker, f"{at}.speaker")
        content = st["content"] if isinstance(st["content"], str) else st["content"]["quote"]
        content_span = check.span(f"{at}.content", st["content"])
        ev = check.evidence(f"{at}.evidence", st.get("evidence"), [content_span] if content_span else [])
        rows.append(Row("statements", {
            "slug": st["slug"], "voice": voice, "kind": st["kind"], "is_direct_quote": st["direct_quote"],
            "content": content, **check.date(f"{at}.said", "said", st.get("said")),
        }, ev, key=(st["slug"],), refs={"speaker_actor_id": ("actors", speaker)} if speaker else {}))
        for j, ab in enumerate(st.get("about", [])):
            aw = f"{at}.about[{j}]"
            targets = [k for k in ("actor", "agreement", "project", "event") if k in ab]
            if len(targets) != 1:
                check.fail(aw, "give exactly one of actor, agreement, project or event")
                continue
            target = targets[0]
            need(f"{target}s", ab[target], f"{aw}.{target}")
            rows.append(Row("statement_subjects", {"role": ab["role"]},
                            check.evidence(f"{aw}.evidence", ab.get("evidence"), ev),
                            key=(st["slug"], target, ab[target], ab["role"]),
                            refs={"statement_id": ("statements", st["slug"]),
                                  f"{target}_id": (f"{target}s", ab[target])}))

    inferences: list[Row] = []
    for i, inf in enumerate(doc.get("inferences", [])):
        at = f"inferences[{i}]"
        about = inf["about"]
        if len(about) != 1:
            check.fail(f"{at}.about", "give exactly one of source, agreement, project, event, statement or actor")
            continue
        (target, slug), = about.items()
        if target == "source":
            if slug != src["slug"]:
                check.fail(f"{at}.about.source", f"unknown source {slug!r}")
        else:
            need(f"{target}s", slug, f"{at}.about.{target}")
        earliest = check.day(f"{at}.earliest", inf["earliest"]) if "earliest" in inf else None
        latest = check.day(f"{at}.latest", inf["latest"]) if "latest" in inf else None
        if earliest and latest and latest < earliest:
            check.fail(at, f"latest date {latest} is before earliest date {earliest}")
        inferences.append(Row("inferences", {
            "field": inf["field"], "earliest": earliest, "latest": latest,
            "date_precision": inf.get("precision", "unknown"), "value_text": inf.get("value"),
            "reasoning": inf["reasoning"],
        }, [], key=(target, slug, inf["field"]),
            refs={} if target == "source" else {f"{target}_id": (f"{target}s", slug)}))

    quoted = sum([s.end - s.start for row in rows for s in row.evidence])
    if quoted > MAX_EVIDENCE_CHARS:
        check.fail("(top level)", f"its evidence would write {quoted:,} characters of quotes, more than the limit "
                                  f"of {MAX_EVIDENCE_CHARS:,} (facts repeat the evidence of the fact they belong to)")
    if check.problems:
        raise ValidationError(check.problems)
    return Plan(path, digest, source, segments, rows, inferences)


# --- writing --------------------------------------------------------------------

#: Fact tables in the order rows can be written (referenced tables first).
WRITE_ORDER = ("actors", "actor_aliases", "actor_relations", "agreements", "agreement_parties",
               "agreement_obligations", "projects", "project_participants", "amounts", "events",
               "event_participants", "statements", "statement_subjects")
#: every table a load writes to
WRITTEN_TABLES = ("sources", "source_segments", *WRITE_ORDER, "evidence", "inferences")
#: evidence column for each fact table
EVIDENCE_COLUMN = {table: column for column, table in m.FACT_TARGETS.items()}
#: natural-key columns used to find an existing row (besides resolved references)
NATURAL_KEY = {
    "actors": ("slug",), "agreements": ("slug",), "projects": ("slug",), "events": ("slug",),
    "statements": ("slug",), "actor_aliases": ("actor_id", "alias"),
    "actor_relations": ("subject_actor_id", "object_actor_id", "kind"),
    "agreement_parties": ("agreement_id", "actor_id", "role"),
    "agreement_obligations": ("agreement_id", "obligor_actor_id", "description"),
    "project_participants": ("project_id", "actor_id", "role"),
    "event_participants": ("event_id", "actor_id", "role"),
    "amounts": ("agreement_id", "project_id", "amount_text", "stage"),
    "statement_subjects": ("statement_id", "role", "actor_id", "agreement_id", "project_id", "event_id"),
}


@dataclass
class SeedResult:
    source_slug: str
    changed: bool
    counts: dict[str, int]


def _table(name: str):
    return m.metadata.tables[name]


def _delete_source_facts(conn: Connection, source_id: int) -> None:
    """Remove the facts only this source supports, then the source's evidence."""
    ev = _table("evidence")
    for table_name in reversed(WRITE_ORDER):
        table, column = _table(table_name), EVIDENCE_COLUMN[table_name]
        own = select(ev.c[column]).where(ev.c.source_id == source_id, ev.c[column].is_not(None))
        other = exists().where(ev.c[column] == table.c.id, ev.c.source_id != source_id)
        condition = and_(table.c.id.in_(own), not_(other))
        if table_name == "actors":
            # an actor still referenced by another source's facts stays
            for ref_table in m.metadata.sorted_tables:
                for fk in ref_table.foreign_keys:
                    if fk.column.table.name == "actors" and ref_table.name not in ("evidence", "inferences"):
                        condition = and_(condition, not_(exists().where(fk.parent == table.c.id)))
            conn.execute(update(table).where(table.c.parent_id.in_(
                select(table.c.id).where(condition))).values(parent_id=None))
        conn.execute(delete(table).where(condition))
    conn.execute(delete(ev).where(ev.c.source_id == source_id))
    conn.execute(delete(_table("inferences")).where(_table("inferences").c.source_id == source_id))
    conn.execute(delete(_table("source_segments")).where(_table("source_segments").c.source_id == source_id))


def write_plan(engine: Engine, plan: Plan) -> SeedResult:
    """Write one checked plan in one transaction; unchanged input changes nothing."""
    return write_plans(engine, [plan])[0]


def write_plans(engine: Engine, plans: list[Plan], progress: Callable[[int], None] | None = None) -> list[SeedResult]:
    """Write checked plans in ONE transaction: all of them, or (on any error) none."""
    with engine.begin() as conn:
        return [write(conn, plan, progress) for plan in plans]


BATCH = 5000  # rows per executemany


def _insert_many(conn: Connection, table_name: str, columns: list[str], rows: list[tuple],
                 progress: Callable[[int], None] | None = None) -> None:
    """INSERT rows (tuples in ``columns`` order), BATCH rows per executemany.

    On SQLite the INSERT is compiled once by SQLAlchemy and each value goes
    through its column type's bind processor, as ``conn.execute(insert(table),
    dicts)`` would do, but without a parameter dict built and checked per row:
    that per-row work had cost as much as the inserts themselves. Other
    engines take the dicts, which SQLAlchemy sends as multi-row INSERTs.
    """
    table = _table(table_name)
    compiled = None
    if conn.dialect.name == "sqlite":
        compiled = insert(table).values({c: bindparam(c) for c in columns}).compile(dialect=conn.dialect)
        if set(compiled.positiontup or ()) != set(columns):
            compiled = None  # the INSERT would fill a column left out (a Python-side default): tuples cannot
    if compiled is None:
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            conn.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in batch])
            if progress:
                progress(len(batch))
        return
    sql, order = str(compiled), [columns.index(name) for name in compiled.positiontup or ()]
    # each column type's bind processor as this dialect implements it (SQLite's DATE writes ISO text)
    processors = [(i, proc) for i, c in enumerate(columns)
                  if (proc := table.c[c].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)) is not None]
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        if processors:
            converted = []
            for r in batch:
                values = list(r)
                for i, proc in processors:
                    values[i] = proc(values[i])
                converted.append(tuple(values))
            batch = converted
        if order != list(range(len(columns))):
            batch = [tuple(r[i] for i in order) for r in batch]
        conn.exec_driver_sql(sql, batch)
        if progress:
            progress(len(batch))


def _ids_by_slug(conn: Connection, table_name: str, slugs: list[str]) -> list[tuple[str, int]]:
    """(slug, id) of the rows of a slugged table that the database holds, looked up 500 slugs at a time."""
    table = _table(table_name)
    out: list[tuple[str, int]] = []
    for start in range(0, len(slugs), 500):
        chunk = slugs[start:start + 500]
        out += [(slug, row_id) for slug, row_id in
                conn.execute(select(table.c.slug, table.c.id).where(table.c.slug.in_(chunk)))]
    return out


def _existing_ids(conn: Connection, table_name: str, prepared: list[dict[str, Any]],
                  preexisting: dict[str, set[int]]) -> dict[tuple, int]:
    """Natural key -> id of the rows among ``prepared`` that the database already holds.

    Slugged rows are looked up by slug. A child row can only exist already if
    a row it references existed before this load, so only those are fetched.
    """
    table = _table(table_name)
    keycols = NATURAL_KEY[table_name]
    found: dict[tuple, int] = {}
    if keycols == ("slug",):
        return {(slug,): row_id for slug, row_id in _ids_by_slug(conn, table_name, [v["slug"] for v in prepared])}
    for column in keycols:
        fks = list(table.c[column].foreign_keys)
        if not fks:
            continue
        old_parents = preexisting.get(fks[0].column.table.name, set())
        wanted = sorted({v[column] for v in prepared if v.get(column) in old_parents})
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            query = select(table.c.id, *[table.c[c] for c in keycols]).where(table.c[column].in_(chunk))
            for row_id, *key in conn.execute(query):
                found[tuple(key)] = row_id
    return found


def write(conn: Connection, plan: Plan, progress: Callable[[int], None] | None = None) -> SeedResult:
    """Write one checked plan on ``conn``, inside the caller's transaction (which commits or rolls back)."""
    sources = _table("sources")
    counts: dict[str, int] = {}
    existing = conn.execute(
        select(sources.c.id, sources.c.loaded_digest).where(sources.c.slug == plan.source["slug"])
    ).first()
    if existing is not None and existing.loaded_digest == plan.digest:
        if progress:
            progress(len(plan.rows))
        return SeedResult(plan.source["slug"], False, counts)
    values = {**plan.source, "loaded_digest": plan.digest}
    if existing is None:
        source_id = conn.execute(insert(sources).values(values)).inserted_primary_key[0]  # type: ignore[index]
    else:
        source_id = existing.id
        _delete_source_facts(conn, source_id)
        conn.execute(update(sources).where(sources.c.id == source_id).values(values))
    segment_columns = ["source_id", "seq", "kind", "char_start", "char_end", "text"]
    _insert_many(conn, "source_segments", segment_columns,
                 [(source_id, *(seg[c] for c in segment_columns[1:])) for seg in plan.segments])

    ids: dict[tuple[str, Any], int] = {}

    def resolve(table_name: str, slug: str) -> int:
        """The id of a row this plan wrote, or of one already in the database."""
        key = (table_name, (slug,))
        if key not in ids:
            table = _table(table_name)
            ids[key] = conn.execute(select(table.c.id).where(table.c.slug == slug)).scalar_one()
        return ids[key]

    # Fetch in bulk the ids of every row the plan refers to by slug and the database already holds
    # (actors of earlier sources, mostly), instead of one SELECT per slug in resolve().
    wanted: dict[str, set[str]] = {}
    for row in itertools.chain(plan.rows, plan.inferences):
        for ref_table, ref_key in row.refs.values():
            wanted.setdefault(ref_table, set()).add(ref_key)
    for ref_table, slugs in wanted.items():
        for slug, row_id in _ids_by_slug(conn, ref_table, sorted(slugs)):
            ids[(ref_table, (slug,))] = row_id

    parents: list[tuple[int, str]] = []  # (actor id, parent slug): set once all actors exist
    evidence_rows: list[tuple[str, int, Span]] = []  # (evidence column, fact id, span)
    preexisting: dict[str, set[int]] = {}  # table -> ids of rows found in the database, not written now
    by_table: dict[str, list[Row]] = {}
    for row in plan.rows:
        by_table.setdefault(row.table, []).append(row)
    for table_name in WRITE_ORDER:
        table = _table(table_name)
        rows = by_table.get(table_name, [])
        prepared = []
        for row in rows:
            values = dict(row.values)
            for column, (ref_table, ref_key) in row.refs.items():
                if column != "parent_id":
                    values[column] = resolve(ref_table, ref_key)
            prepared.append(values)
        keycols = NATURAL_KEY[table_name]
        found = _existing_ids(conn, table_name, prepared, preexisting)
        preexisting[table_name] = set(found.values())
        keys = [tuple([values.get(c) for c in keycols]) for values in prepared]  # a list is faster than a generator
        new: dict[tuple, dict[str, Any]] = {}
        for key, values in zip(keys, prepared, strict=True):
            if key not in found and key not in new:
                new[key] = values
        present = {c for v in new.values() for c in v}
        columns = [c.name for c in table.c if c.name in present]  # table order: no reordering per row
        if conn.dialect.name == "sqlite" and new:
            # SQLite has one writer and this transaction holds the write lock: give the rows their ids
            # here and insert them with executemany; RETURNING in parameter order would make
            # SQLAlchemy send one INSERT per row (SQLite has no insertmanyvalues sentinel).
            next_id = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
            for row_id, key in enumerate(new, start=next_id):
                found[key] = row_id
            _insert_many(conn, table_name, ["id", *columns],
                         [tuple([row_id] + [v.get(c) for c in columns]) for row_id, v in enumerate(new.values(), next_id)],
                         progress)
        else:
            new_rows = [{c: v.get(c) for c in columns} for v in new.values()]
            for start in range(0, len(new_rows), BATCH):
                batch = new_rows[start:start + BATCH]
                inserted = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), batch)
                for values, new_id in zip(batch, inserted.scalars(), strict=True):
                    found[tuple([values.get(c) for c in keycols])] = new_id
                if progress:
                    progress(len(batch))
        if new:
            counts[table_name] = len(new)
        if progress and len(rows) > len(new):
            progress(len(rows) - len(new))
        column = EVIDENCE_COLUMN[table_name]
        for row, key in zip(rows, keys, strict=True):
            row_id = found[key]
            ids[(table_name, row.key)] = row_id
            if "parent_id" in row.refs:
                parents.append((row_id, row.refs["parent_id"][1]))
            evidence_rows.extend((column, row_id, s) for s in row.evidence)
    actors = _table("actors")
    for actor_id, parent_slug in parents:
        conn.execute(update(actors).where(actors.c.id == actor_id, actors.c.parent_id.is_(None))
                     .values(parent_id=resolve("actors", parent_slug)))
    if evidence_rows:
        targets = list(m.FACT_TARGETS)
        blank: tuple[int | None, ...] = (None,) * len(targets)

        def evidence_row(column: str, row_id: int, s: Span) -> tuple:
            fact = list(blank)
            fact[targets.index(column)] = row_id
            return (source_id, s.start, s.end, s.quote, *fact)

        _insert_many(conn, "evidence", ["source_id", "char_start", "char_end", "quote", *targets],
                     [evidence_row(*r) for r in evidence_rows])
        counts["evidence"] = len(evidence_rows)
    inference_rows = []
    for row in plan.inferences:
        values = {"source_id": None, **{c: None for c in m.FACT_TARGETS}, **row.values}
        for column, (ref_table, ref_key) in row.refs.items():
            values[column] = resolve(ref_table, ref_key)
        if not row.refs:
            values["source_id"] = source_id
        inference_rows.append(values)
    if inference_rows:
        conn.execute(insert(_table("inferences")), inference_rows)
        counts["inferences"] = len(inference_rows)
    return SeedResult(plan.source["slug"], True, counts)


def schema_json() -> str:
    return json.dumps(source_file_schema(), indent=2, ensure_ascii=False)
