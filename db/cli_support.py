"""The plumbing under ``db.cli``: one-line failures, output options and files, completion.

Kept apart so that ``db/cli.py`` holds only the commands. Like the CLI, it
imports click and the standard library only.
"""

from __future__ import annotations

import errno
import functools
import io
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import click

from .formats import BINARY, FORMATS, WITH_HEADERS, format_for  # imports nothing: --help stays fast

EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


def fail_cleanly(func: Callable) -> Callable:
    """Expected failures become one line on stderr: exit 1, or 2 for wrong use."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import AccordsError, Interrupted, UsageError, ValidationError

        try:
            return func(*args, **kwargs)
        except BrokenPipeError:
            quiet_stdout()  # the reader went away (`| head -1`): stop quietly, exit 0
            return None
        except Interrupted:
            raise KeyboardInterrupt from None
        except OSError as exc:  # writing the output or reading a file failed: disk full, a device, ...
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(one_line(f"{where}{exc.strerror or exc}")) from None
        except ValidationError as exc:
            for line in exc.problems:
                click.echo(f"Error: {one_line(line)}", err=True)
            sys.exit(EXIT_FAILURE)
        except UsageError as exc:
            raise click.UsageError(one_line(str(exc))) from None
        except AccordsError as exc:
            raise click.ClickException(one_line(str(exc))) from None

    return wrapper


def unexpected(exc: BaseException, argv: Sequence[str], environ: dict[str, str]) -> str:
    """The one line for a failure accords did not expect (a bug, or a driver's surprise), secrets masked.

    Every URL given (the arguments, the ``ACCORDS_*`` variables) has its
    secrets masked; ``ACCORDS_TRACEBACK=1`` shows the whole traceback instead.
    """
    from .failures import mask_secrets, url_secrets

    secrets: list[str] = []
    for given in [*argv, *(v for k, v in environ.items() if k.startswith("ACCORDS_"))]:
        if "://" in given:
            secrets += url_secrets(given, None, {})
    text = mask_secrets(f"{type(exc).__name__}: {exc}", sorted(set(secrets), key=len, reverse=True))
    return ("Error: " + one_line(text) + " (unexpected: please report it; ACCORDS_TRACEBACK=1 shows "
            "where it happened)")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """A message as one line: control characters (a newline in a file name, terminal escapes) shown escaped."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class ClosedOutput(io.TextIOBase):
    """Standard output when the process was started with it closed: every write fails with one line."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed: give -o FILE")

    def isatty(self) -> bool:
        return False


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that Python's final flush finds nowhere to fail."""
    if isinstance(sys.stdout, ClosedOutput):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


#: the longest --timeout accepted (a day)
MAX_TIMEOUT_S = 86_400.0


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if value != value:  # NaN passes every range check
        raise click.BadParameter("must be a number of seconds, not NaN", ctx=ctx, param=param)
    return value


def a_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """-o FILE: an empty name (an unset shell variable, `-o "$OUT"`) is wrong use, not standard output."""
    if value is not None and not value.strip():
        raise click.BadParameter("an empty file name: leave out -o to write to standard output", ctx=ctx,
                                 param=param)
    return value


def output_options(func: Callable) -> Callable:
    """--format, -o/--output and --timeout, shared by every command that prints rows."""
    func = click.option("--timeout", type=click.FloatRange(min=0.001, max=MAX_TIMEOUT_S), default=30.0,
                        show_default=True, metavar="SECONDS", callback=_finite,
                        help="Stop a query that runs longer than this.")(func)
    func = click.option("--limit", type=click.IntRange(min=0, max=sys.maxsize), default=None, metavar="N",
                        help="Write at most N rows (the query stops there).")(func)
    func = click.option("--no-headers", "no_headers", is_flag=True,
                        help="Leave out the header line (csv, tsv, table, markdown).")(func)
    func = click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
                        callback=a_file,
                        help="Write to this file instead of standard output; its extension (.csv .tsv .json "
                             ".jsonl .md .parquet) sets the format unless --format is given.")(func)
    func = click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default=None,
                        help="Output format (default: from -o FILE's extension, else table).")(func)
    return func


class Shape(NamedTuple):
    """How to write rows: the format, and the output options that go with it."""

    fmt: str
    headers: bool = True
    limit: int | None = None


def output_shape(fmt: str | None, output: str | None, no_headers: bool, limit: int | None) -> Shape:
    """The output options checked together: the format (see ``format_for``), --no-headers only where it means something."""
    shape = Shape(format_for(fmt, output), not no_headers, limit)
    if no_headers and shape.fmt not in WITH_HEADERS:
        raise click.UsageError(f"--no-headers: {shape.fmt} has no header line (it applies to "
                               f"{', '.join(sorted(WITH_HEADERS))})")
    if shape.fmt in BINARY and not output and sys.stdout is not None and sys.stdout.isatty():
        raise click.UsageError(f"{shape.fmt} is binary: give -o FILE.{shape.fmt} or redirect standard output")
    return shape


def param_option(func: Callable) -> Callable:
    return click.option("-p", "--param", "params", type=(str, str), multiple=True, metavar="NAME VALUE",
                        help="A parameter value, bound (never pasted into the SQL). Repeatable.")(func)


@contextmanager
def output_file(path: str, protect: Sequence[Path] = (), binary: bool = False) -> Iterator[Any]:
    """The output file to write; a regular file appears only once it is complete.

    It is written under a new temporary name beside it (created exclusively:
    a link planted at a predictable name is never followed) and renamed into
    place at the end, so a query stopped by its time limit (or any error)
    leaves no half-written file, and an earlier file of that name stays as it
    was. ``protect``: files never to replace (the database being read).
    Anything else (/dev/null, a FIFO) is written directly; a FIFO that no
    process reads is an error, not a wait.
    """
    target = Path(path)
    for kept in protect:
        if kept.exists() and target.exists() and os.path.samefile(target, kept) or \
                target.absolute() == kept.absolute():
            raise click.UsageError(f"-o {path} is the database being read: choose another file")
    if target.exists() and not target.is_file():
        with _open_special(path, binary) as out:
            yield out
        return
    import tempfile  # only when writing a file: --help stays fast

    try:
        fd, partial_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from None
    partial = Path(partial_name)
    try:
        with open(fd, "wb") if binary else open(fd, "w", encoding="utf-8", newline="") as out:
            yield out
        os.chmod(partial, 0o666 & ~_umask())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def _open_special(path: str, binary: bool = False) -> Iterator[Any]:
    """Open a device or FIFO for writing; a FIFO nobody reads fails at once instead of blocking."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise click.ClickException(f"cannot write {path}: no process is reading it") from None
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from None
    os.set_blocking(fd, True)
    with open(fd, "wb") if binary else open(fd, "w", encoding="utf-8", newline="") as out:
        yield out


def emit(fmt: str, output: str | None, write: Callable[[Any, bool], int], protect: Sequence[Path] = ()) -> None:
    """Call ``write(out, styled)`` with the output file or standard output (bytes for a binary format)."""
    binary = fmt in BINARY
    if output:
        with output_file(output, protect, binary) as out:
            write(out, False)
        return
    if sys.stdout is None:
        raise click.ClickException("standard output is closed: give -o FILE")
    if binary:
        sys.stdout.flush()
        write(sys.stdout.buffer, False)
        sys.stdout.buffer.flush()
        return
    styled = fmt == "table" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    write(sys.stdout, styled)


# --- completion ----------------------------------------------------------------


def complete_report(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    from .reports import all_reports

    return [name for name in all_reports() if name.startswith(incomplete)]


def complete_param(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    from .reports import all_reports

    # while an option is still incomplete, click leaves the report name among ctx.args
    name = ctx.params.get("name") or next((a for a in ctx.args if not a.startswith("-")), "")
    report = all_reports().get(name)
    names = [p.name for p in report.parameters] if report else []
    return [n for n in names if n.startswith(incomplete)]


def argv_problem(argv: list[str]) -> str | None:
    """Arguments that are not valid UTF-8 reach Python with surrogate escapes: name the first."""
    for i, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return f"argument {i} is not valid UTF-8 text"
    return None
