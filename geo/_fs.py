"""Atomic file writes: a reader (another session, another worker) never sees half a file.

Everything the app writes beside its database (imported boundaries, LPRES plans, map assets,
geometry caches, downloads) goes through :func:`atomic_path`: the writer fills a file of the
same name in a temporary folder on the same file system, which then replaces the target in one
rename. Sidecar files a writer adds (GML's ``.xsd``) are moved first, the main file last.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text"]


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A path to write ``target``'s new content to; it replaces ``target`` on success.

    On an exception nothing is replaced and the partial file is removed.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        partial = tmp_dir / target.name
        yield partial
        for extra in tmp_dir.iterdir():
            if extra != partial:
                os.replace(extra, target.parent / extra.name)
        os.replace(partial, target)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as partial:
        partial.write_bytes(data)


def atomic_write_text(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    atomic_write_bytes(target, text.encode("utf-8"))
