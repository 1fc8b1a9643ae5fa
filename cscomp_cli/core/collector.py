"""Pausing Python's cycle collector while a large tree of plain dicts and lists is built or written."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def cycles_unchecked():
    """Pause the cycle collector while a large acyclic tree of dicts is built or written: it would walk
    the growing document again and again (half the time of building one of 16 k rows)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
