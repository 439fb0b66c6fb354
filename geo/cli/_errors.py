"""What the command line says when something fails: one Polish line, never a traceback.

:func:`explain` turns any exception into the text after ``błąd:``. Errors written for users
(:class:`geo.errors.UserError`) are shown as they are; known failures of the machine (a full
disk, an unreadable file, a corrupted database, a broken geometry in a boundary file) get a
message saying what to do; anything else is a bug, logged with its traceback to a file whose
path the message gives.
"""

from __future__ import annotations

import datetime as dt
import errno
import sqlite3
import tempfile
import traceback
from pathlib import Path

from geo.errors import UserError

__all__ = ["explain", "log_path"]

_OS_MESSAGES = {
    errno.ENOSPC: "brak miejsca na dysku",
    errno.EDQUOT: "przekroczony limit miejsca na dysku",
    errno.EACCES: "brak uprawnień",
    errno.EPERM: "brak uprawnień",
    errno.EROFS: "system plików tylko do odczytu",
    errno.ENOENT: "nie ma takiego pliku ani katalogu",
    errno.EISDIR: "to jest katalog, a nie plik",
}


def explain(exc: BaseException) -> str:
    """The Polish text after ``błąd:`` for ``exc``."""
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, OSError):
        return _os_error(exc)
    if "No space left on device" in str(exc):  # GDAL and SQLite say it in their own errors
        return _os_error(OSError(errno.ENOSPC, "No space left on device"))
    if _is_database_error(exc):
        detail = getattr(exc, "orig", None) or exc
        return (
            f"nie można odczytać bazy danych rejestru ({_first_line(detail)}): plik bazy jest "
            "uszkodzony albo nie jest bazą danych. Przywróć go z kopii zapasowej albo wskaż "
            "inną bazę (PES_DATABASE_URL lub PES_HOME)."
        )
    if _raised_in(exc, ("shapely", "pyogrio", "fiona", "geopandas")):
        return (
            f"nieprawidłowa geometria lub plik granic ({_first_line(exc)}). Popraw plik: "
            "pierścień wielokąta musi być zamknięty i mieć co najmniej 4 punkty."
        )
    return f"nieoczekiwany błąd (szczegóły w logu: {_log(exc)})"


def _os_error(exc: OSError) -> str:
    what = _OS_MESSAGES.get(exc.errno or 0) or exc.strerror or type(exc).__name__
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{what}{where}: zwolnij miejsce i spróbuj ponownie; nic nie zapisano częściowo."
    return f"operacja na pliku nie powiodła się{where}: {what}."


def _is_database_error(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.DatabaseError):
        return True
    try:
        from sqlalchemy.exc import DatabaseError
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        return False
    return isinstance(exc, DatabaseError)


def _raised_in(exc: BaseException, packages: tuple[str, ...]) -> bool:
    """Whether ``exc`` comes from one of ``packages`` (its class or the frame that raised it)."""
    if type(exc).__module__.split(".")[0] in packages:
        return True
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and any(f"/{p}/" in frames[-1].filename for p in packages)


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__


def log_path() -> Path:
    """Where the command line logs unexpected errors: ``PES_HOME/logs/cli.log``."""
    try:
        from geo.config import get_settings

        return get_settings().home / "logs" / "cli.log"
    except Exception:  # noqa: BLE001 - no configuration: the system's temporary directory
        return Path(tempfile.gettempdir()) / "mapa-es-cli.log"


def _log(exc: BaseException) -> Path:
    path = log_path()
    text = "".join(traceback.format_exception(exc))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {dt.datetime.now(dt.UTC).isoformat()} ---\n{text}\n")
    except OSError:
        path = Path(tempfile.gettempdir()) / "mapa-es-cli.log"
        with path.open("a", encoding="utf-8") as log:
            log.write(text)
    return path
