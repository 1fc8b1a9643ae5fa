"""Writing results: atomically, and never over an input."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import UsageError


def refuse_input_as_output(output: Path, inputs: list[Path]) -> None:
    """Stop before a run would overwrite one of its own inputs."""
    target = output.resolve()
    for path in inputs:
        if path.exists() and path.resolve() == target:
            raise UsageError(
                f"--output {output} is one of the inputs ({path})",
                hint="write the result to a new file, e.g. --output result.csv",
            )


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees either the old file or the whole new one."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: folder {folder} does not exist", hint="create the folder first")
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder", hint="give a file name, e.g. --output result.csv")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write in {folder}: {exc.strerror}", hint="choose a folder you can write to") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        # Ctrl-C or a full disk: remove the partial temporary file, leave any old output untouched.
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write {path}: {exc.strerror}", hint="check the disk and the path") from None
        raise
