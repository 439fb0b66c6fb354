"""Pausing Python's cyclic garbage collector while a step builds many objects at once.

Reading, storing and locating a registry make hundreds of thousands of short-lived,
reference-cycle-free objects (tuples of cells, strings, point geometries). Each 700 new
container objects start a collection, and the survivors are scanned again and again, up to
full passes over the whole heap of the running app: measured on 100,000 entities, that was
about a tenth of an import. Reference counting still frees everything at once; only the
search for cycles waits until the step ends.

The collector is process-wide while Streamlit runs sessions in threads, so the pause is
counted: it ends when the last overlapping step ends, and only if the collector was on
when the first began.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import Any

_lock = threading.Lock()
_depth = 0
_resume = False


class paused_gc(contextlib.ContextDecorator):  # noqa: N801 - used like contextlib's helpers
    """Context manager and decorator: no cyclic collection inside, the previous state after."""

    def __enter__(self) -> paused_gc:
        global _depth, _resume
        with _lock:
            if _depth == 0:
                _resume = gc.isenabled()
                gc.disable()
            _depth += 1
        return self

    def __exit__(self, *_exc: Any) -> None:
        global _depth
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
