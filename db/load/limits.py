"""Limits on every input, and the walk over a parsed document that enforces them.

A real corpus stays far below them (the shipped seed is 30 KB with a 9 KB
text; a benchmark source 0.7 MB); a file beyond one is refused with one line
naming it, before anything is written.
"""

from __future__ import annotations

from typing import Any

from ..fileformat import MAX_RESOURCES  # noqa: F401 - the most resources one project may list (the schema's)
from .wording import path_str, short

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
#: a string shorter than this many characters cannot exceed MAX_STRING_BYTES in UTF-8
_SHORT_STRING = MAX_STRING_BYTES // 4

#: a walk's finding: (path, reason); ("", "floats") and ("", "keys") are notes, not problems
Found = tuple[str, str]


class DuplicateKeys(dict):
    """A JSON object that repeats a key (json keeps the last silently)."""

    duplicate = ""


def tree_problem(doc: Any, duplicates: dict[int, tuple[str, int]], surrogates: bool,
                 keys_in_file: int | None = None) -> Found | None:
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


def _source_text(doc: Any) -> Any:
    """The source's own text (exempt from the string limit), or None."""
    return doc.get("source", {}).get("text") if type(doc) is dict and type(doc.get("source")) is dict else None


def _suspect(doc: Any, keys_in_file: int | None) -> bool | str:
    """Whether a document may break a limit (True), holds floats ("floats"), or neither (False).

    ``keys_in_file``: for JSON, how many keys the text may hold at most; when the
    document has fewer, json kept only the last of some repeated key ("keys").

    The fast pass of ``tree_problem``: one level of the document at a time,
    sorting its values by type in one loop and checking each group at once;
    the depth is the level's number.
    """
    text = _source_text(doc)
    floats = False
    level, depth, keys = [doc], 0, 0
    while level:
        depth += 1
        sorted_level = _sort_level(level)
        if sorted_level is None:
            return True  # a duplicate key, or a type the format has not
        containers, strings, ints, has_floats = sorted_level
        floats = floats or has_floats
        if containers and depth > MAX_DEPTH or _level_suspect(strings, ints, text):
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


def _sort_level(level: list[Any]) -> tuple[list[Any], list[str], list[int], bool] | None:
    """A level's containers, strings and integers, and whether it holds floats; None on an odd value."""
    containers: list[Any] = []
    strings: list[str] = []
    ints: list[int] = []
    floats = False
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
            return None
    return containers, strings, ints, floats


def _level_suspect(strings: list[str], ints: list[int], text: Any) -> bool:
    """Whether a level's strings or integers may break a limit."""
    if strings and (max(map(len, strings)) > _SHORT_STRING and
                    any(len(x) > _SHORT_STRING for x in strings if x is not text)
                    or "\x00" in "".join(strings)):
        return True
    return bool(ints) and (max(ints) >= _INT_LIMIT or min(ints) <= -_INT_LIMIT)


def expanded_size(doc: Any, limit: int) -> Found | None:
    """(path, reason) if YAML aliases make ``doc`` larger than ``limit`` values plus characters, else None.

    Sizes are computed once per distinct list or mapping (a value reached
    through an alias is counted each time, without walking it again), so a
    "billion laughs" document is measured in the time its file takes to read.
    """
    sizes = _sizes(doc)
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
    return (path_str(path), f"YAML aliases expand this to {sizes[id(node)]:,} values and characters, "
                            f"more than the limit of {limit:,} for this file")


def _sizes(doc: Any) -> dict[int, int]:
    """id of each distinct list or mapping -> its expanded size in values plus characters."""
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
    return sizes


def float_problem(doc: Any) -> Found | None:
    """(path, reason) of the first float in a document that the schema passed (it takes 2.0 as an integer)."""
    return _walk(doc, {}, False, [], find_float=True)


def _walk(doc: Any, duplicates: dict[int, tuple[str, int]], surrogates: bool,
          path: list[Any] | None, find_float: bool = False) -> Found | None:
    """Every value of a document, depth first; the first beyond a limit, named by its path."""
    text = _source_text(doc)
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
        reason = None
        if kind is str:
            if len(value) > _SHORT_STRING or surrogates or "\x00" in value:
                reason = _string_problem(value, text, surrogates)
        elif kind is dict or kind is list or kind is DuplicateKeys:
            reason = _container_problem(value, depth, duplicates)
            if reason is None:
                stack.extend(_children(value, depth, path is not None))
        elif kind is float:
            floats = True
            if find_float and path is not None:
                reason = f"must be an integer, not a number ({short(value)})"
        else:
            reason = _scalar_problem(value)
        if reason is not None:
            return _where(path, reason)
    return ("", "floats") if floats and not find_float else None


def _string_problem(value: str, text: Any, surrogates: bool) -> str | None:
    if len(value) > _SHORT_STRING and value is not text:
        try:
            encoded = len(value.encode("utf-8"))
        except UnicodeEncodeError:
            encoded = 0
        if encoded > MAX_STRING_BYTES:
            return f"text of {encoded:,} bytes, more than the limit of {MAX_STRING_BYTES:,}"
    if "\x00" in value:
        return "a NUL character (text holds none)"
    if surrogates:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "an unpaired surrogate escape (\\ud800-\\udfff): not Unicode text"
    return None


def _container_problem(value: Any, depth: int, duplicates: dict[int, tuple[str, int]]) -> str | None:
    if depth > MAX_DEPTH:
        return f"nested more than {MAX_DEPTH} levels deep"
    if type(value) is DuplicateKeys:
        return f"duplicate key {short(value.duplicate)}"
    if duplicates and id(value) in duplicates:
        key, line = duplicates[id(value)]
        return f"duplicate key {short(key)} (line {line})"
    return None


def _children(value: Any, depth: int, with_keys: bool) -> list[tuple[Any, int, Any]]:
    """A container's values as walk items, in an order that pops them first to last."""
    if type(value) is list:
        if with_keys:
            return [(v, depth + 1, i) for i, v in reversed(list(enumerate(value)))]
        return [(v, depth + 1, None) for v in value]
    if with_keys:
        return [(v, depth + 1, k) for k, v in reversed(value.items())]
    return [(v, depth + 1, None) for v in value.values()]


def _scalar_problem(value: Any) -> str | None:
    kind = type(value)
    if kind is int:
        return None if -_INT_LIMIT < value < _INT_LIMIT else f"a number of more than {MAX_INT_DIGITS} digits"
    if kind is not bool and value is not None:
        return f"unsupported value {short(value)}"
    return None


def _where(path: list[Any] | None, reason: str) -> Found:
    return (path_str(path) if path is not None else "", reason)
