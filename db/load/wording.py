"""How problem lines name values and places in a document (a hostile file's values can be megabytes)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_KINDS: dict[type, str] = {dict: "a mapping", list: "a list", str: "text", bool: "a boolean", type(None): "null",
                           int: "an integer", float: "a number"}


def kind(value: Any) -> str:
    """What sort of value this is, in words ("a mapping", "text", ...)."""
    return _KINDS.get(type(value), type(value).__name__)


def short(value: Any, width: int = 60) -> str:
    """repr of a value, cut to ``width`` characters."""
    if isinstance(value, str):
        return repr(value if len(value) <= width else value[:width - 3] + "...")
    if isinstance(value, (dict, list)):
        return kind(value)
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def path_str(parts: Iterable[Any]) -> str:
    """A path into a document as problem lines write it: ``agreements[0].parties[1].actor``."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def mib(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB"
