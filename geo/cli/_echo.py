"""Writing to the operator's terminal: every line that carries data goes through :func:`say`.

A cell value or a file name may hold an escape sequence (``\\x1b]0;...`` retitles a terminal,
``\\x1b[2J`` clears it); :func:`geo.core.text.printable` shows it escaped instead.
"""

from __future__ import annotations

import sys

from geo.core.text import printable

__all__ = ["fail", "say"]


def say(line: object, *, err: bool = False) -> None:
    """Print ``line`` with control characters escaped (tabs kept), to stdout or stderr."""
    print(printable(line, keep="\t"), file=sys.stderr if err else sys.stdout)


def fail(message: object) -> int:
    """Print ``błąd: message`` to stderr; the exit code of a failure (1)."""
    say(f"błąd: {message}", err=True)
    return 1
