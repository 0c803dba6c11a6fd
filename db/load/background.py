"""Checking files while the plans already checked are written: inline, or in a forked second process.

With ``background`` (on Linux), the files are read and checked in a forked
second process, which runs ahead while the caller writes the plans it has
already been given: on two cores a large load is checked and written at the
same time (Python threads would not do: checking holds the GIL). The plans
arrive pickled through a pipe.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection as Pipe
from multiprocessing.process import BaseProcess
from pathlib import Path

from ..errors import ValidationError
from .known import Known
from .plan import Plan, plan_documents

#: what checking a file gives: its plans, or its problems
Checked = list[Plan] | ValidationError
#: checks one file against what is known so far (and adds its facts to it): plan_documents
CheckFile = Callable[[Path | str, Known], list[Plan]]


@contextlib.contextmanager
def checking(paths: Sequence[Path | str], known: Known, background: bool = False,
             check: CheckFile = plan_documents) -> Iterator[Iterator[Checked]]:
    """Each file's plans (or its ValidationError), in order; later files can refer to earlier ones.

    With ``background`` (on Linux) the files are checked in a forked second
    process; ``known`` is then the child's copy. Enter this before opening
    the connection that writes, so that the child inherits none (fork, not
    spawn: spawn would re-import the caller's main module, which a script
    calling api.ingest need not guard). Leaving the block stops the child at
    once if it is still checking; the child also stops by itself when the
    caller dies. Elsewhere, or if the child cannot be started, the files are
    checked inline. ``check`` checks one file (``plan_documents``; tests pass
    a stand-in).
    """
    if not background or not sys.platform.startswith("linux"):
        yield _checked_inline(paths, known, check)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_check_files,
                            args=([str(p) for p in paths], known, receiver, sender, os.getpid(), check),
                            name="accords-check", daemon=True)
    try:
        child.start()
    except (OSError, AssertionError):  # out of memory or processes, or the caller is itself a daemon process
        receiver.close()
        sender.close()
        yield _checked_inline(paths, known, check)
        return
    sender.close()
    try:
        yield _checked_by(child, receiver)
    finally:
        receiver.close()  # a child still sending gets a broken pipe; one still checking is stopped here
        if child.is_alive():
            child.terminate()
        child.join()


def _checked_inline(paths: Sequence[Path | str], known: Known, check: CheckFile) -> Iterator[Checked]:
    for path in paths:
        try:
            yield check(path, known)
        except ValidationError as exc:
            yield exc


def _check_files(paths: Sequence[str], known: Known, receiver: Pipe, sender: Pipe, parent: int,
                 check: CheckFile) -> None:
    """(child process) Check the files in order, sending each one's plans or problems down the pipe."""
    receiver.close()  # the parent's end: once the parent closes its own (or dies), sending fails at once
    try:
        for path in paths:
            if os.getppid() != parent:
                return  # the loading process has died: nobody will read the rest
            try:
                sender.send(("plans", check(path, known)))
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


def _checked_by(child: BaseProcess, receiver: Pipe) -> Iterator[Checked]:
    """(loading process) What the child sends, file by file; its crash raised here with its traceback."""
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
