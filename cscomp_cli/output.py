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


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write ``text`` (or bytes) to ``path`` so a reader sees either the old file or the whole new one."""
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
    # mkstemp makes the file private (0600); the result should get the permissions any new file gets
    # (or keep those of the file it replaces).
    umask = os.umask(0)
    os.umask(umask)
    permissions = (path.stat().st_mode & 0o777) if path.exists() else (0o666 & ~umask)
    try:
        os.chmod(temporary, permissions)
        mode = {"mode": "wb"} if isinstance(text, bytes) else {"mode": "w", "encoding": "utf-8", "newline": ""}
        with os.fdopen(handle, **mode) as stream:
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
