"""Reading a plan file safely: a regular UTF-8 file of bounded size, never a pipe or a device, recorded so
that no command writes its result over a plan it read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from cscomp_cli.core.errors import PlanError
from cscomp_cli.core.strict_yaml import load_yaml

MAX_PLAN_BYTES = 1_000_000

TOO_LARGE = f"plan is larger than {MAX_PLAN_BYTES:,} bytes"


TOO_LARGE_HINT = "a plan is a short YAML document; check you passed the right file"


# The commands refuse to write their result over any plan file they read, the files of an extends
# chain included; loading records them here while a command collects them.
_plan_files: ContextVar[list[Path] | None] = ContextVar("cscomp_plan_files", default=None)


@contextmanager
def plan_files_read() -> Iterator[list[Path]]:
    """Record in the yielded list every plan file read meanwhile: each plan and its extends chain."""
    found: list[Path] = []
    token = _plan_files.set(found)
    try:
        yield found
    finally:
        _plan_files.reset(token)


def record_read(path: Path) -> None:
    found = _plan_files.get()
    if found is not None:
        found.append(path)


def read_plan_file(path: Path, label: str, *, extended_by: str | None = None) -> bytes:
    """A plan file's bytes: a regular file of at most MAX_PLAN_BYTES, never read further than that.

    A FIFO or a device (/dev/zero) would hang or never end: refused before reading. ``extended_by``
    names the plan whose extends: points here, so the message names both.
    """
    def refuse(problem: str, hint: str) -> PlanError:
        if extended_by is None:
            return PlanError(problem, file=label, hint=hint)
        return PlanError(f"the plan it extends, {label}: {problem}", file=extended_by, location="extends",
                         hint=hint)

    try:
        # Non-blocking, so that opening a FIFO returns at once (fstat then refuses it).
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise refuse("plan file not found", "give the path of a plan YAML, e.g. plans/nrr_focus.yaml"
                     if extended_by is None else "paths in extends are relative to the extending plan's folder"
                     ) from None
    except OSError as exc:
        raise refuse(f"cannot read the plan file: {exc.strerror}",
                     "check the path and that you may read the file") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PLAN_BYTES:
        os.close(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise refuse("is a folder, not a plan file", "give the path of a plan YAML, e.g. plans/nrr_focus.yaml")
        if not stat.S_ISREG(info.st_mode):
            raise refuse("is not a regular file (a device or a pipe?)", "save the plan as a file and give its path")
        raise refuse(TOO_LARGE, TOO_LARGE_HINT)
    with os.fdopen(descriptor, "rb") as handle:
        try:
            raw = handle.read(MAX_PLAN_BYTES + 1)
        except OSError as exc:
            raise refuse(f"cannot read the plan file: {exc.strerror}", "check the disk and the path") from None
    if len(raw) > MAX_PLAN_BYTES:  # it grew since fstat
        raise refuse(TOO_LARGE, TOO_LARGE_HINT)
    return raw


def read_document(text: str, label: str) -> dict:
    document = load_yaml(text, label)
    if not isinstance(document, dict):
        raise PlanError("a plan is a YAML mapping with name and components at the top", file=label,
                        hint="start from one of the files in plans/")
    return document
