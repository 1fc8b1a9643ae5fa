"""Writing results: atomically, and never over an input."""

from __future__ import annotations

import os
import re
import secrets
import stat
import sys
from pathlib import Path

from cscomp_cli.core.errors import UsageError
from cscomp_cli.core.path_limits import NAME_MAX, fitting, shown, too_long

# Names of a descriptor the process already holds: writing there is writing to that descriptor.
_DESCRIPTOR = re.compile(r"^/dev/(?:(?P<std>stdin|stdout|stderr)|fd/(?P<fd>[0-9]+))$"
                         r"|^/proc/(?P<pid>self|thread-self|[0-9]+)/fd/(?P<proc_fd>[0-9]+)$")
_STANDARD = {"stdin": 0, "stdout": 1, "stderr": 2}
_MAX_LINKS = 40  # as the kernel's ELOOP


def refuse_input_as_output(output: Path, inputs: list[Path], option: str = "--output",
                           example: str = "result.csv") -> None:
    """Stop before a run would overwrite one of its own inputs (the same file by any name: a
    symlink, ./x, a hard link)."""
    refuse_too_long(output, option, example)
    target = Path(os.path.realpath(output))
    for path in inputs:
        if not path.exists():
            continue
        if Path(os.path.realpath(path)) == target or _same_file(path, target):
            raise UsageError(
                f"{option} {output} is one of the inputs ({path})",
                hint=f"write the result to a new file, e.g. {option} {example}",
            )


def refuse_too_long(output: Path, option: str = "--output", example: str = "result.csv") -> None:
    """A name the file system cannot hold, said before anything is replayed rather than as an OSError after."""
    long = too_long(output)
    if long:
        raise UsageError(f"{option} {shown(output)} is too long for the file system ({long})",
                         hint=f"give a shorter name, e.g. {option} {example}")


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except (OSError, ValueError):
        return False


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write ``text`` (or bytes) to ``path`` so a reader sees either the old file or the whole new one.

    A symlink's target is replaced (the link stays); a FIFO, a character device (/dev/null) or a
    descriptor (/dev/stdout) is written through, never replaced by a regular file.
    """
    path = Path(path)
    refuse_too_long(path)
    target = _link_target(path)
    descriptor = _descriptor(target)
    if descriptor is not None:
        return _write_descriptor(path, descriptor, text)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}", hint="check the path") from None
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        return _write_through(path, target, text)
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise UsageError(f"--output {path} is not a file (a socket or a disk device)",
                         hint="give a file name, e.g. --output result.csv")
    _replace_file(path, target, text)


def _link_target(path: Path) -> Path:
    """Where a symlink finally points (the path itself if it is none), stopping at a name of a
    descriptor such as /dev/stdout, which is itself a link to /proc/self/fd/1."""
    current = Path(os.path.abspath(path))
    for _ in range(_MAX_LINKS):
        if _descriptor(current) is not None:
            return current
        # The folders on the way may be links too (/dev/fd → /proc/self/fd): resolve them, not the name.
        current = Path(os.path.realpath(current.parent)) / current.name
        if _descriptor(current) is not None or not current.is_symlink():
            return current
        current = Path(os.path.abspath(current.parent / os.readlink(current)))
    raise UsageError(f"cannot write {path}: too many levels of symbolic links",
                     hint="one of the links points back at itself; give a plain file name")


def _descriptor(path: Path) -> int | None:
    match = _DESCRIPTOR.match(str(path))
    if match is None or (match["pid"] or "self").isdigit() and int(match["pid"]) != os.getpid():
        return None
    if match["std"]:
        return _STANDARD[match["std"]]
    return int(match["fd"] or match["proc_fd"])


def _write_descriptor(path: Path, descriptor: int, text: str | bytes) -> None:
    """/dev/stdout and friends: write to the stream the process already has."""
    stream = {1: sys.stdout, 2: sys.stderr}.get(descriptor)
    try:
        if stream is not None:
            stream.flush()
            if isinstance(text, bytes):
                stream.buffer.write(text)
                stream.buffer.flush()
            else:
                stream.write(text)
                stream.flush()
            return
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        while data:
            data = data[os.write(descriptor, data):]
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}", hint="check the disk and the path") from None


def _write_through(path: Path, target: Path, text: str | bytes) -> None:
    """A FIFO or a character device: open it for writing (a FIFO waits for its reader), as `>` would."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    try:
        with open(target, "wb", buffering=0) as stream:
            while data:
                data = data[stream.write(data):]
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}", hint="check the disk and the path") from None


def _replace_file(path: Path, target: Path, text: str | bytes) -> None:
    """A regular file (or a new one), replaced in one rename by a temporary file beside it."""
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: folder {folder} does not exist", hint="create the folder first")
    if target.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder", hint="give a file name, e.g. --output result.csv")
    temporary = None
    try:
        # The temporary file's name is known before it exists, so whenever an exception lands (Ctrl-C,
        # or SIGTERM and SIGHUP, which cli.main turns into one) the except below can remove it.
        for _ in range(100):
            # Beside the target and named after it, cut so the added dot and suffix still fit NAME_MAX.
            temporary = folder / f".{fitting(target.name, NAME_MAX - 14)}.{secrets.token_hex(4)}.tmp"
            try:
                handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
                break
            except FileExistsError:
                temporary = None  # someone else's: never removed
            except OSError as exc:
                temporary = None
                raise UsageError(f"cannot write in {folder}: {exc.strerror}",
                                 hint="choose a folder you can write to") from None
        else:
            raise UsageError(f"cannot write in {folder}: no free temporary name", hint="choose another folder")
        mode = {"mode": "wb"} if isinstance(text, bytes) else {"mode": "w", "encoding": "utf-8", "newline": ""}
        with os.fdopen(handle, **mode) as stream:
            # The temporary file is private (0600); the result should get the permissions any new
            # file gets (or keep those of the file it replaces).
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, (target.stat().st_mode & 0o777) if target.exists() else (0o666 & ~umask))
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException as exc:
        # Ctrl-C, a signal or a full disk: remove the partial temporary file, leave any old output untouched.
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write {path}: {exc.strerror}", hint="check the disk and the path") from None
        raise
