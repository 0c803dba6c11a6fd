"""Reading source files: regular files within their size limits, UTF-8 text, YAML or JSON, one line per problem."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path, PureWindowsPath
from typing import Any, NamedTuple

import yaml

from ..errors import ValidationError
from .limits import (
    MAX_ALIAS_GROWTH,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_INT_DIGITS,
    MAX_TEXT_BYTES,
    DuplicateKeys,
    Found,
    expanded_size,
    tree_problem,
)
from .wording import kind, mib

_FILE_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISSOCK, "a socket"))
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def _refuse_kind(mode: int) -> None:
    for test, name in _FILE_KINDS:
        if test(mode):
            raise ValueError(f"not a regular file but {name}")
    if not stat.S_ISREG(mode):
        raise ValueError("not a regular file")


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ``OSError``/``ValueError`` say why not.

    Never blocks: the kind of file is checked before it is opened, and it is
    opened without waiting (a FIFO swapped in meanwhile is refused, not read).
    """
    _refuse_kind(os.stat(path).st_mode)
    fd = os.open(path, _OPEN_FLAGS)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        _refuse_kind(info.st_mode)
        if info.st_size > limit:
            raise ValueError(f"the file is {info.st_size:,} bytes, more than the limit of {mib(limit)}")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"the file has grown to more than the limit of {mib(limit)}")
    return data


def decode(data: bytes) -> str:
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


def read_text_file(path: Path, name: str) -> str:
    """The text a source file's ``text_file`` names: a regular file in the same folder (or below it).

    ``ValueError`` (or ``OSError``) says why not: an absolute path, a path
    that leaves the folder (``..``, or a symbolic link pointing outside), not
    a regular file, larger than MAX_TEXT_BYTES, not UTF-8, a NUL character.
    A leading byte order mark is not part of the text.
    """
    if Path(name).is_absolute() or PureWindowsPath(name).is_absolute() or PureWindowsPath(name).drive:
        raise ValueError("must be a path relative to this file's folder, not an absolute path")
    folder = path.absolute().parent.resolve()
    target = (folder / name).resolve()
    if not target.is_relative_to(folder):
        raise ValueError("leads outside this file's folder (text files must be in it or below it)")
    # a byte order mark is how the file was encoded, not the source's first character: kept, it would
    # shift every position in the text by one (the source file's own mark is dropped by its parser too)
    return decode(read_limited(target, MAX_TEXT_BYTES)).removeprefix("\ufeff")


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
                raise yaml.constructor.ConstructorError(None, None, f"a key must be text, not {kind(key)}",
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


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = DuplicateKeys(obj)
    seen: set[str] = set()
    marked.duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return marked


def _big_number(text: str) -> str:
    """Where the first integer too long for Python to read is (line, column)."""
    found = re.search(r"\d{%d,}" % sys.get_int_max_str_digits(), text)  # noqa: UP031
    if not found:
        return "a number too long to read"
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - text.rfind("\n", 0, found.start())
    return f"line {line}, column {column}: a number of {len(found.group()):,} digits (the limit is {MAX_INT_DIGITS})"


def _is_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def _read_text(path: Path) -> tuple[bytes, str]:
    """The file's bytes and text, or one line saying why they cannot be read."""
    try:
        raw = read_limited(path, MAX_FILE_BYTES)
        return raw, decode(raw)
    except OSError as exc:
        raise ValidationError([f"{path}: cannot read the file: {exc.strerror}"]) from None
    except ValueError as exc:
        raise ValidationError([f"{path}: {exc}"]) from None


def _parse_yaml(text: str) -> tuple[list[Any], list[dict[int, tuple[str, int]]]]:
    docs: list[Any] = []
    duplicates: list[dict[int, tuple[str, int]]] = []
    loader = _Loader(text)
    try:
        while loader.check_data():
            docs.append(loader.get_data())
            duplicates.append(loader.duplicates)
            loader.duplicates = {}
    finally:
        loader.dispose()
    return docs, duplicates


def _parse(path: Path, text: str) -> tuple[list[Any], list[dict[int, tuple[str, int]]]]:
    """The file's documents and, for each, its duplicate keys (YAML); one line on a syntax error."""
    try:
        if _is_json(path):
            return [json.loads(text)], [{}]
        return _parse_yaml(text)
    except json.JSONDecodeError as exc:
        raise ValidationError([f"{path}: line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise ValidationError([f"{path}: {where}: invalid YAML: {' '.join(str(exc.problem).split())}"]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses: its line and column, as for other errors
        pos = exc.position
        where = f"line {text.count(chr(10), 0, pos) + 1}, column {pos - text.rfind(chr(10), 0, pos)}"
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        raise ValidationError([f"{path}: {where}: invalid YAML: unacceptable character #x{code:04x}: "
                               f"{exc.reason}"]) from None
    except yaml.YAMLError as exc:
        raise ValidationError([f"{path}: invalid YAML: {' '.join(str(exc).split())}"]) from None
    except RecursionError:
        raise ValidationError([f"{path}: nested more than {MAX_DEPTH} levels deep"]) from None
    except ValueError:  # an integer of more digits than Python reads (sys.get_int_max_str_digits)
        raise ValidationError([f"{path}: {_big_number(text)}"]) from None


class _FileMarks(NamedTuple):
    """What the bytes of a whole file say about how to check its documents (found once per file)."""

    surrogates: bool  # JSON escapes that can make lone surrogates occur
    keys_in_file: int | None  # JSON: how many keys its text may hold at most
    aliases: bool  # YAML: an alias may occur


def _marks(path: Path, raw: bytes) -> _FileMarks:
    # JSON escapes can make lone surrogates, which no database stores: looked for only if such an escape occurs
    surrogates = re.search(rb"\\u[dD][89abcdefABCDEF]", raw) is not None
    # JSON keeps the last of a repeated key silently: a key ends with '"' and ':', so when the document
    # holds another number of keys than the text has such pairs, it is read again, noting repeats
    keys_in_file = None
    if _is_json(path):
        keys_in_file = raw.translate(None, b" \t\r\n").count(b'":')  # JSON allows blanks before the colon
    aliases = b"*" in raw and not _is_json(path)  # an alias starts with *
    return _FileMarks(surrogates, keys_in_file, aliases)


def _limit_problem(marks: _FileMarks, size: int, text: str, doc: Any,
                   dups: dict[int, tuple[str, int]]) -> Found | None:
    """The first value of one document beyond a limit (or the note that it holds floats)."""
    if marks.keys_in_file is not None and marks.surrogates:  # the slow walk counts no keys: read repeats now
        doc = json.loads(text, object_pairs_hook=_json_object)
    found = marks.aliases and expanded_size(doc, 2 * size + MAX_ALIAS_GROWTH) or \
        tree_problem(doc, dups, marks.surrogates, marks.keys_in_file)
    if found == ("", "keys"):
        doc = json.loads(text, object_pairs_hook=_json_object)
        found = tree_problem(doc, dups, marks.surrogates)
    return found


def read_checked(path: Path) -> tuple[list[Any], bytes, set[int]]:
    """Parse a YAML/JSON file of one or more documents (and which hold floats); one line on any problem.

    The file must be a regular file of at most MAX_FILE_BYTES, UTF-8 text
    without NUL characters; each document is checked against the limits
    (nesting, text length, integer digits, alias expansion) and for
    duplicate keys.
    """
    raw, text = _read_text(path)
    docs, duplicates = _parse(path, text)
    kept = [(doc, dups) for doc, dups in zip(docs, duplicates, strict=True) if doc is not None]
    if not kept:
        raise ValidationError([f"{path}: the file holds no source"])
    problems, with_floats = [], set()
    marks = _marks(path, raw)
    for i, (doc, dups) in enumerate(kept):
        found = _limit_problem(marks, len(raw), text, doc, dups)
        if found == ("", "floats"):
            with_floats.add(i)
        elif found:
            label = f"{path}: document {i + 1}" if len(kept) > 1 else str(path)
            problems.append(f"{label}: {found[0]}: {found[1]}")
    if problems:
        raise ValidationError(problems)
    return [doc for doc, _ in kept], raw, with_floats


def read_documents(path: Path) -> tuple[list[Any], bytes]:
    """Parse a YAML/JSON file of one or more documents; one line on any problem (see ``read_checked``)."""
    docs, raw, _ = read_checked(path)
    return docs, raw


SEED_FILE = "seed.yaml"


def seed_path() -> Path:
    """The shipped seed file (the article and its facts)."""
    return Path(str(files("db.data") / SEED_FILE))
