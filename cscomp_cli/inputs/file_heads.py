"""The first bytes of a file that may not be one: a peek that never waits on a FIFO, never reads an
endless device and never follows a name swapped between the check and the read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def regular_head(path: Path, limit: int) -> bytes | None:
    """At most ``limit`` bytes from the start of ``path``, or None when it is not a regular file (a FIFO,
    /dev/zero, a folder), is missing or cannot be read. Opened without blocking and checked on the open
    descriptor, so what is read is what was checked."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except (OSError, ValueError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        chunks, left = [], limit
        while left > 0:
            chunk = os.read(descriptor, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(descriptor)
