"""The source file format's JSON Schema, and its problems worded one line each."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from ..fileformat import source_file_schema
from .wording import path_str, short

_VALIDATOR = Draft202012Validator(source_file_schema())

#: jsonschema-rs (compiled Rust) checks a valid file (nearly all are) about 30 times faster than the
#: pure-Python validators; jsonschema then words the problems of a file that does not pass
_FAST_CHECK = jsonschema_rs.validator_for(source_file_schema())

_TYPE_NAMES: dict[type, str] = {dict: "an object", list: "a list", str: "text", bool: "a boolean",
                                type(None): "null", int: "an integer", float: "a number"}


def schema_json() -> str:
    """The JSON Schema of the source file format, as text."""
    return json.dumps(source_file_schema(), indent=2, ensure_ascii=False)


def schema_problems(doc: Any) -> list[tuple[str, str]]:
    """(path, message) of every way a document breaks the schema, in path order; [] if it passes."""
    try:
        if _FAST_CHECK.is_valid(doc):
            return []
    except Exception:  # noqa: BLE001, S110 - odd input it cannot take (a huge integer): jsonschema decides
        pass
    problems = []
    for error in sorted(_VALIDATOR.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        message = _message(error)
        problems.append((path_str(error.absolute_path), message if len(message) <= 300 else message[:297] + "..."))
    return problems


def _message(error: SchemaError) -> str:
    """One schema error in words (jsonschema's own, shortened, unless ours read better)."""
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))  # type: ignore[union-attr]
        return f"unknown field(s): {', '.join(map(short, extra[:10]))}{', ...' if len(extra) > 10 else ''}"
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, str) else " or ".join(error.validator_value)
        got = _TYPE_NAMES.get(type(error.instance), type(error.instance).__name__)
        return f"must be {expected}, not {got}"
    if error.validator == "enum":
        return f"{short(error.instance)} is not one of: {', '.join(error.validator_value)}"
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "oneOf" and description:
        return f"{short(error.instance)} is not valid: expected {description[0].lower()}{description[1:]}"
    if isinstance(error.instance, (str, int)) and len(error.message) > 200:
        # jsonschema's own words quote the whole value: a hostile file's can be megabytes long
        return error.message.replace(repr(error.instance), short(error.instance))
    return error.message
