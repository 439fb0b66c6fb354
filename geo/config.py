"""Configuration from environment variables, read in one place.

``PES_DATA_DIR``  full reference data (boundaries/, reference/ as in ../shared/data);
                  default ``../shared/data`` beside the project when it exists, else the
                  download cache ``$PES_HOME/dane`` when it holds data, else none (the embedded
                  default in ``data/`` is used).
``PES_HOME``      the app's state: database, caches, imported files; default a folder under the
                  user's data directory.
``PES_REGION``    voivodeship TERC code (``06``) or ``PL`` for all of Poland; default ``06``.
``PES_DATABASE_URL`` SQLAlchemy URL of the store; default the SQLite file in ``PES_HOME``.
``PES_PRG_WFS_URL`` the PRG WFS service boundaries are downloaded from; default GUGiK's.
``PES_REPORT_CONTACT`` e-mail address for "zgłoś poprawkę" links (profile, card); default none
                  (the views then tell users to contact the ROPS).
``PES_TRUSTED_PROXIES`` how many reverse proxies in front of the app append to
                  ``X-Forwarded-For`` (the login throttling's client address is read from it
                  only then); default 0: the connection's own address.
``PES_MAX_PASSWORD_CHECKS`` password checks (argon2, 64 MiB each) run at once in one app
                  process; more attempts are asked to retry in a moment; default 2.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from geo.errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DIR = PROJECT_ROOT / "data"
DEFAULT_REGION = "06"
#: GUGiK's WFS of the official boundaries register (PRG).
PRG_WFS_URL = "https://mapy.geoportal.gov.pl/wss/service/PZGIK/PRG/WFS/AdministrativeBoundaries"
DEFAULT_PASSWORD_CHECKS = 2


class ConfigError(UserError, ValueError):
    """A configuration value is invalid; the message is in Polish for the user."""


@dataclass(frozen=True)
class Settings:
    """Resolved configuration.

    Attributes
    ----------
    data_dir : Path | None
        Directory with full reference data, or ``None`` when only the embedded default exists.
    home : Path
        Application state directory (created on demand).
    region : str
        Two-digit voivodeship code or ``"PL"``.
    database_url : str
        SQLAlchemy URL of the registry store.
    embedded_dir : Path
        The project's embedded default data (``data/``).
    prg_wfs_url : str
        The PRG WFS endpoint for ``python -m geo boundaries fetch``.
    report_contact : str | None
        E-mail address that registry corrections are reported to, or ``None``.
    trusted_proxies : int
        Reverse proxies whose ``X-Forwarded-For`` entries are trusted (0: none).
    password_checks : int
        Password checks allowed to run at once in one process.
    """

    data_dir: Path | None
    home: Path
    region: str
    database_url: str
    embedded_dir: Path = EMBEDDED_DIR
    prg_wfs_url: str = PRG_WFS_URL
    report_contact: str | None = None
    trusted_proxies: int = 0
    password_checks: int = DEFAULT_PASSWORD_CHECKS

    @property
    def is_poland(self) -> bool:
        return self.region == "PL"

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home


def validate_region(value: str) -> str:
    """Return a normalised region code or raise :class:`ConfigError`."""
    code = value.strip().upper()
    if code == "PL":
        return code
    if re.fullmatch(r"\d{1,2}", code):
        code = code.zfill(2)
        if int(code) % 2 == 0 and 2 <= int(code) <= 32:
            return code
    raise ConfigError(
        f"Nieprawidłowy PES_REGION={value!r}: podaj dwucyfrowy kod TERC województwa "
        "(np. 06 dla lubelskiego) albo PL dla całej Polski."
    )


_EMAIL = re.compile(r"[^@\s<>\"'?&]+@[^@\s<>\"'?&]+\.[^@\s<>\"'?&.]+")


def validate_contact(value: str | None) -> str | None:
    """A plain e-mail address (a ``mailto:`` prefix is dropped), None if empty; else ConfigError."""
    text = (value or "").strip().removeprefix("mailto:")
    if not text:
        return None
    if not _EMAIL.fullmatch(text):
        raise ConfigError(
            f"Nieprawidłowy PES_REPORT_CONTACT={value!r}: podaj adres e-mail, "
            "np. ekonomia.spoleczna@rops.lubelskie.pl."
        )
    return text


def _count(env: Mapping[str, str], name: str, default: int, low: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= 64:
        raise ConfigError(f"Nieprawidłowe {name}={raw!r}: podaj liczbę całkowitą od {low} do 64.")
    return int(raw)


def _has_reference_data(path: Path) -> bool:
    return (path / "boundaries").is_dir() or (path / "reference").is_dir()


def get_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the settings from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    home = Path(env.get("PES_HOME") or user_data_dir("mapa-es", appauthor=False)).expanduser()
    region = validate_region(env.get("PES_REGION") or DEFAULT_REGION)

    data_dir: Path | None
    if env.get("PES_DATA_DIR"):
        data_dir = Path(env["PES_DATA_DIR"]).expanduser()
        if not data_dir.is_dir():
            raise ConfigError(f"Katalog PES_DATA_DIR={data_dir} nie istnieje.")
    else:
        shared = PROJECT_ROOT.parent / "shared" / "data"
        cache = home / "dane"
        if _has_reference_data(shared):
            data_dir = shared
        elif _has_reference_data(cache):
            data_dir = cache
        else:
            data_dir = None

    url = env.get("PES_DATABASE_URL") or f"sqlite:///{home / 'mapa-es.sqlite'}"
    return Settings(
        data_dir=data_dir,
        home=home,
        region=region,
        database_url=url,
        prg_wfs_url=env.get("PES_PRG_WFS_URL") or PRG_WFS_URL,
        report_contact=validate_contact(env.get("PES_REPORT_CONTACT")),
        trusted_proxies=_count(env, "PES_TRUSTED_PROXIES", 0, 0),
        password_checks=_count(env, "PES_MAX_PASSWORD_CHECKS", DEFAULT_PASSWORD_CHECKS, 1),
    )
