"""How long a path may be: a name the file system refuses (File name too long) is said plainly before
any call that would fail with it."""

from __future__ import annotations

import os

NAME_MAX = 255  # bytes of one file or folder name, on Linux, macOS and Windows file systems alike
PATH_MAX = 4096


def too_long(path) -> str | None:
    """Why a path is too long for the file system ('5,000 characters; a path has at most 4,096'), or None."""
    name = os.fspath(path)
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) > PATH_MAX:
        return f"{len(name):,} characters; a path has at most {PATH_MAX:,}"
    longest = max((len(part.encode("utf-8", "surrogateescape")) for part in name.split(os.sep)), default=0)
    if longest > NAME_MAX:
        return f"one of its names has {longest:,} bytes; a file or folder name has at most {NAME_MAX}"
    return None


def shown(path, limit: int = 80) -> str:
    """A path for a message: cut short (…) when it is longer than a line."""
    text = os.fspath(path)
    return text if len(text) <= limit else text[:limit] + "…"


def fitting(name: str, room: int) -> str:
    """``name`` cut to at most ``room`` bytes of UTF-8 (never inside a character)."""
    return name.encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore")
