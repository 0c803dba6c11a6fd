"""Saved SQL reports: ``reports/*.sql`` files that open with a metadata header.

A report file starts with a block of ``--`` comment lines holding YAML::

    -- title: Agreements
    -- grain: one row per party of each agreement
    -- key: [agreement, party]
    -- description: >
    --   Every agreement with its kind, status, signing date and money.
    -- parameters:
    --   - name: kind
    --     type: choice
    --     choices: [contract, accord]
    --     required: false
    --     description: Only agreements of this kind.
    --   - name: to
    --     type: date
    --     not_before: from
    --     description: Only facts that can fall on or before this day.
    -- columns:
    --   - {name: agreement, type: text, description: The agreement's slug.}

followed by one SQL statement that uses its parameters as ``:name`` bind
parameters. ``key`` names the columns that identify one row of the grain (no
two rows share their values, NULL counting as a value); every shipped report
declares one, and a test checks it on real data. ``not_before`` names another
parameter of the same type that this one may not be less than (the ``to`` of a
``from``/``to`` pair): ``from`` after ``to`` is wrong use, refused before any
SQL runs, in one line. The header is parsed once
into a ``Report``; ``list``, ``show``, ``run``, the views, the docs and the
tests all read that.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import MAX_PREC, ROUND_HALF_EVEN, Context, Decimal, InvalidOperation, localcontext
from functools import cache
from typing import Any

from .errors import AccordsError, UsageError
from .resources import reports_dir
from .sqltext import bind_names, is_single_statement

#: the longest value a parameter may be given
MAX_PARAMETER_LENGTH = 100_000
PARAM_TYPES = ("text", "integer", "decimal", "date", "choice")
COLUMN_TYPES = ("text", "integer", "decimal", "date", "boolean")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str = "text"
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    description: str = ""
    not_before: str | None = None  # another parameter this one may not be less than (``to`` of ``from``)

    def accepts(self) -> str:
        """What the parameter accepts, for help and error messages."""
        if self.type == "choice":
            return "one of: " + ", ".join(self.choices)
        return {"text": "any text", "integer": "an integer", "decimal": "a decimal number",
                "date": "a date YYYY-MM-DD"}[self.type]


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"
    description: str = ""


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    grain: str
    description: str
    sql: str
    parameters: tuple[Parameter, ...] = ()
    columns: tuple[Column, ...] = ()
    view: bool = field(default=True)
    key: tuple[str, ...] = ()  # the grain's key: columns whose values identify one row

    @property
    def view_name(self) -> str | None:
        """The database view that mirrors this report, if it has no required parameters."""
        if not self.view or any(p.required for p in self.parameters):
            return None
        return f"report_{self.name}"

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


class ReportFormatError(AccordsError):
    pass


# --- parsing ---------------------------------------------------------------------

_HEADER_LINE = re.compile(r"^--(?: |$)(.*)$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


HEADERS_FILE = "headers.json"


@cache
def _header_cache() -> dict[str, Any]:
    """reports/headers.json: each shipped header's text -> its parsed YAML (see parse_header)."""
    try:
        return json.loads((reports_dir() / HEADERS_FILE).read_text(encoding="utf-8"))["headers"]
    except (OSError, ValueError, KeyError):
        return {}


def parse_header(header: str) -> Any:
    """The YAML of a header (its lines without the ``-- ``), parsed with libyaml when PyYAML has it."""
    import yaml

    return yaml.load(header, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


def _parsed_header(where: str, header: str) -> Any:
    """A header's parsed YAML; taken from reports/headers.json when the header's exact text is there.

    That file holds the shipped headers already parsed, so running a report
    need not import PyYAML (about a tenth of a report's start-up). It is a
    cache, never a second source of truth: a header whose text does not match
    a digest in it (edited, or new) is parsed from its YAML, and a test fails
    until ``python -m db.reports > reports/headers.json`` refreshes it. A
    header that JSON cannot hold exactly (a YAML date, say) is left out.
    """
    cached = _header_cache().get(header)  # the text itself is the key: no hashing at start-up
    if cached is not None:
        return cached
    import yaml

    try:
        return parse_header(header)
    except yaml.YAMLError as exc:
        raise ReportFormatError(f"{where}: header: invalid YAML: {exc}") from None


def report_headers() -> dict[str, str]:
    """Each shipped report's header text (its YAML), by report name."""
    return {entry.name[:-4]: split_header(entry.read_text(encoding="utf-8"))[0]
            for entry in sorted(reports_dir().iterdir(), key=lambda e: e.name) if entry.name.endswith(".sql")}


def _json_exact(value: Any) -> bool:
    """Whether JSON gives back exactly this value (YAML can give dates, which it would not)."""
    try:
        return json.loads(json.dumps(value)) == value
    except (TypeError, ValueError):
        return False


def headers_json() -> str:
    """The text of reports/headers.json for the shipped reports."""
    headers = report_headers()
    return json.dumps({
        "about": "Generated from the headers of the reports' .sql files, which it only caches: "
                 "refresh with `python -m db.reports > reports/headers.json`.",
        "headers": {h: parsed for _, h in sorted(headers.items())
                    if _json_exact(parsed := parse_header(h))},
    }, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def split_header(text: str) -> tuple[str, str]:
    """A report file's header (its leading ``-- `` lines, without the marks) and the SQL after it."""
    lines = text.splitlines()
    header: list[str] = []
    for i, line in enumerate(lines):
        m = _HEADER_LINE.match(line)
        if not m:
            return "\n".join(header), "\n".join(lines[i:]).strip()
        header.append(m.group(1))
    return "\n".join(header), ""


def parse_report(name: str, text: str) -> Report:
    """Parse a report file's text; raise ReportFormatError naming the file and field."""
    where = f"reports/{name}.sql"
    header, body = split_header(text)
    meta = _parsed_header(where, header)
    if not isinstance(meta, dict):
        raise ReportFormatError(f"{where}: header: expected key: value lines")
    for key in ("title", "grain", "description", "columns"):
        if not meta.get(key):
            raise ReportFormatError(f"{where}: header: {key} is required")
    unknown = set(meta) - {"title", "grain", "key", "description", "parameters", "columns", "view"}
    if unknown:
        raise ReportFormatError(f"{where}: header: unknown field(s): {', '.join(sorted(unknown))}")
    if not body:
        raise ReportFormatError(f"{where}: no SQL after the header")
    params = _parse_parameters(where, meta.get("parameters") or [])
    columns = []
    for i, c in enumerate(meta["columns"]):
        cw = f"{where}: header: columns[{i}]"
        if not isinstance(c, dict) or not c.get("name"):
            raise ReportFormatError(f"{cw}: name is required")
        ctype = c.get("type", "text")
        if ctype not in COLUMN_TYPES:
            raise ReportFormatError(f"{cw}.type: {ctype!r} is not one of: {', '.join(COLUMN_TYPES)}")
        columns.append(Column(str(c["name"]), ctype, str(c.get("description", "")).strip()))
    grain_key = _parse_key(where, meta.get("key"), [c.name for c in columns])
    return Report(name, str(meta["title"]).strip(), str(meta["grain"]).strip(),
                  str(meta["description"]).strip(), body.rstrip().rstrip(";").rstrip(),
                  tuple(params), tuple(columns), bool(meta.get("view", True)), grain_key)


def _parse_parameters(where: str, entries: list) -> list[Parameter]:
    """The header's ``parameters``, each checked; ReportFormatError naming the entry and field."""
    params = []
    for i, p in enumerate(entries):
        pw = f"{where}: header: parameters[{i}]"
        if not isinstance(p, dict) or not _NAME.match(str(p.get("name", ""))):
            raise ReportFormatError(f"{pw}: name must be lower-case letters, digits and _")
        ptype = p.get("type", "text")
        if ptype not in PARAM_TYPES:
            raise ReportFormatError(f"{pw}.type: {ptype!r} is not one of: {', '.join(PARAM_TYPES)}")
        choices = tuple(str(c) for c in p.get("choices") or ())
        if ptype == "choice" and not choices:
            raise ReportFormatError(f"{pw}.choices: a choice parameter needs choices")
        params.append(Parameter(p["name"], ptype, bool(p.get("required", False)), p.get("default"),
                                choices, str(p.get("description", "")).strip(),
                                None if p.get("not_before") is None else str(p["not_before"])))
    _check_pairs(where, params)
    return params


#: parameter types whose values have an order ``not_before`` can check
ORDERED_TYPES = ("integer", "decimal", "date")


def _check_pairs(where: str, params: list[Parameter]) -> None:
    """Each ``not_before`` names another declared parameter of the same, ordered, type."""
    types = {p.name: p.type for p in params}
    for i, p in enumerate(params):
        if p.not_before is None:
            continue
        pw = f"{where}: header: parameters[{i}].not_before"
        if p.not_before == p.name or p.not_before not in types:
            raise ReportFormatError(f"{pw}: {p.not_before!r} is not another declared parameter")
        if p.type not in ORDERED_TYPES or types[p.not_before] != p.type:
            raise ReportFormatError(f"{pw}: {p.name!r} and {p.not_before!r} must both be of one type of: "
                                    f"{', '.join(ORDERED_TYPES)}")


def _parse_key(where: str, value: Any, columns: list[str]) -> tuple[str, ...]:
    """The header's ``key``: a list of declared column names, each once (absent: no key)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(k, str) for k in value):
        raise ReportFormatError(f"{where}: header: key must be a list of column names, e.g. [agreement, party]")
    for k in value:
        if k not in columns:
            raise ReportFormatError(f"{where}: header: key {k!r} is not a declared column")
    if len(set(value)) != len(value):
        twice = next(k for k in value if value.count(k) > 1)
        raise ReportFormatError(f"{where}: header: key names {twice!r} twice")
    return tuple(value)


@cache
def all_reports() -> dict[str, Report]:
    """Every shipped report, by name, parsed once."""
    folder = reports_dir()
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            name = entry.name[:-4]
            out[name] = parse_report(name, entry.read_text(encoding="utf-8"))
    return out


def get_report(name: str) -> Report:
    """One report; when the catalog is not parsed yet, only this report's file is read (once)."""
    if all_reports.cache_info().currsize:
        reports = all_reports()
        if name in reports:
            return reports[name]
    elif _NAME.match(name) and (report := _read_report(name)) is not None:
        return report
    raise UsageError(f"no report named {name!r}; available: {', '.join(all_reports())}")


@cache
def _read_report(name: str) -> Report | None:
    entry = reports_dir() / f"{name}.sql"
    return parse_report(name, entry.read_text(encoding="utf-8")) if entry.is_file() else None


def check_report(report: Report) -> list[str]:
    """Problems where the header and the SQL disagree (parameters)."""
    problems = []
    used = bind_names(report.sql)
    declared = [p.name for p in report.parameters]
    where = f"reports/{report.name}.sql"
    for name in used:
        if name not in declared:
            problems.append(f"{where}: :{name} is used in the SQL but not declared in the header")
    for name in declared:
        if name not in used:
            problems.append(f"{where}: parameter {name!r} is declared but not used in the SQL")
    if not is_single_statement(report.sql):
        problems.append(f"{where}: the SQL must be exactly one statement")
    return problems


# --- parameters ------------------------------------------------------------------


def convert(param: Parameter, raw: Any) -> Any:
    """A raw (string) value converted to the parameter's type; UsageError if it does not fit."""
    if raw is None:
        return None
    text = str(raw)
    if len(text) > MAX_PARAMETER_LENGTH:
        raise UsageError(f"parameter {param.name!r}: longer than {MAX_PARAMETER_LENGTH:,} characters")
    try:
        if param.type == "integer":
            return int(text)
        if param.type == "decimal":
            number = Decimal(text)
            if not number.is_finite() or len(number.as_tuple().digits) > 40 or abs(int(number.as_tuple().exponent)) > 40:
                raise ValueError(text)
            return number
        if param.type == "date":
            return dt.date.fromisoformat(text)
    except (ValueError, InvalidOperation):
        raise UsageError(f"parameter {param.name!r}: {text!r} is not {param.accepts()}") from None
    if param.type == "choice" and text not in param.choices:
        raise UsageError(f"parameter {param.name!r}: {text!r} is not {param.accepts()}")
    return text


def bind_parameters(report: Report, given: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Check and convert ``-p NAME VALUE`` pairs against the report's declared parameters."""
    values: dict[str, Any] = {}
    for name, raw in given:
        param = report.parameter(name)
        if param is None:
            accepted = ", ".join(p.name for p in report.parameters) or "none"
            raise UsageError(f"report {report.name!r} has no parameter {name!r} (parameters: {accepted})")
        if name in values:
            raise UsageError(f"parameter {name!r} given more than once")
        # an empty value is no value: the parameter takes its default, as when it is not given
        values[name] = None if raw == "" else convert(param, raw)
    for param in report.parameters:
        if values.get(param.name) is None:
            if param.required:
                raise UsageError(f"report {report.name!r} needs parameter {param.name!r} "
                                 f"({param.accepts()}): add -p {param.name} VALUE")
            values[param.name] = convert(param, param.default)
    for param in report.parameters:
        low, high = values.get(param.not_before or ""), values[param.name]
        if low is not None and high is not None and high < low:
            raise UsageError(f"parameter {param.not_before!r} ({low}) is after parameter {param.name!r} ({high}): "
                             f"-p {param.not_before} may not be later than -p {param.name}")
    return values


# --- running ---------------------------------------------------------------------


CENTS = Decimal("0.01")
#: the context a decimal is rounded to cents in: half to the even cent, and every digit kept (Decimal's
#: default context keeps 28, and refuses to round 10^26 and up); PostgreSQL's COPY writes them all too
EXACT = Context(prec=MAX_PREC, rounding=ROUND_HALF_EVEN)
#: what a report says of a decimal value it cannot write with two places (db.pg_copy's COPY says it too)
NOT_CENTS = "not a finite decimal, which a report writes with two places: "


def _cent(v: Any) -> Decimal | None:
    """One decimal (or what a driver returns for one) rounded to cents in the current context."""
    return None if v is None else (v if isinstance(v, Decimal) else Decimal(str(v))).quantize(CENTS)


def _cents(values: Sequence[Any]) -> list[Decimal | None]:
    """Decimals rounded to cents, every digit kept (:data:`EXACT`); one line for a value that has no cents."""
    with localcontext(EXACT):
        try:  # the same as _cent, inline: a function call per value is most of the time of a large column
            return [None if v is None else (v if isinstance(v, Decimal) else Decimal(str(v))).quantize(CENTS)
                    for v in values]
        except InvalidOperation:  # Infinity, or text that is no number: say which
            for v in values:
                try:
                    _cent(v)
                except InvalidOperation:
                    raise AccordsError(f"{NOT_CENTS}{v}") from None
            raise  # pragma: no cover - each value alone was rounded


def normalise_column(kind: str, values: Sequence[Any]) -> Sequence[Any]:
    """One column of a batch as the same Python values on every engine (None stays None)."""
    if kind == "integer":
        return [v if v is None or v.__class__ is int else int(v) for v in values]
    if kind == "decimal":
        return _cents(values)
    if kind == "boolean":
        return [v if v is None or v.__class__ is bool else bool(int(v)) for v in values]
    if kind == "date":
        return [v if v is None or v.__class__ is dt.date
                else v.date() if isinstance(v, dt.datetime) else dt.date.fromisoformat(str(v)) for v in values]
    # text: every driver returns str for text columns (a test checks every report's columns)
    return values


def normalise_batch(types: Sequence[str], batch: Sequence[Sequence[Any]]) -> Iterable[tuple]:
    """Rows of a batch with each column converted to its report type, a column at a time.

    Converting is most of a large report's per-row work in Python; a column
    at a time, it is one list comprehension per column instead of a function
    call per value.
    """
    if not batch:
        return ()
    columns: list[Sequence[Any]] = list(zip(*batch, strict=True))
    for i, kind in enumerate(types):
        if kind != "text":
            columns[i] = normalise_column(kind, columns[i])
    return zip(*columns, strict=True)


@dataclass
class Result:
    columns: list[str]
    rows: Iterator[tuple]
    types: list[str]  # each column's report type: text, integer, decimal, boolean or date


def binds(report: Report) -> list[Any]:
    """The report's parameters as typed SQLAlchemy bind parameters."""
    from sqlalchemy import Date, Integer, Numeric, String, bindparam

    types: dict[str, Any] = {"text": String(), "choice": String(), "integer": Integer(), "decimal": Numeric(),
                             "date": Date()}
    return [bindparam(p.name, type_=types[p.type]) for p in report.parameters]


_PARAMS_CTE = re.compile(r"^(with (?:recursive )?params as )\(", re.M)


def sql_for(report: Report, dialect: str) -> str:
    """The report's SQL as sent to ``dialect``.

    PostgreSQL materializes a CTE named more than once, so the ``params``
    CTE's values would be unknown when the query is planned and
    ``(p.fact is null or ev.fact_id = p.fact)`` could use no index (at a
    million statements: 6 s instead of 14 ms). ``NOT MATERIALIZED`` (a
    PostgreSQL keyword MariaDB lacks) lets the planner fold each value in.
    """
    if dialect != "postgresql":
        return report.sql
    return _PARAMS_CTE.sub(r"\1not materialized (", report.sql, count=1)


def statement(report: Report):
    """The report's SQL as a SQLAlchemy text() with typed bind parameters."""
    from sqlalchemy import text

    return text(report.sql).bindparams(*binds(report))


def run_report(conn, report: Report, values: dict[str, Any]) -> Result:
    """Execute a report on a (read-only) connection; rows are streamed and normalised."""
    from .engine import execute

    result = execute(conn, sql_for(report, conn.dialect.name), values, binds(report))
    names = list(result.keys())
    declared = {c.name: c.type for c in report.columns}
    types = [declared.get(n, "text") for n in names]

    from .sqlite_read import BATCH  # the rows a batch holds on every read path

    def rows() -> Iterator[tuple]:
        for batch in iter(lambda: result.fetchmany(BATCH), []):
            yield from normalise_batch(types, batch)

    return Result(names, rows(), types)


if __name__ == "__main__":  # python -m db.reports > reports/headers.json
    print(headers_json(), end="")
