"""Local copies of the map's JavaScript/CSS, so the map works with no outside network.

folium points every map at CDNs (jsDelivr, cdnjs...). The app instead serves Leaflet from
its own Streamlit static folder (``static/`` beside ``app.py``, served at ``/app/static/``
when ``server.enableStaticServing`` is on). The files come from the installed
``xstatic-leaflet`` and ``xstatic-leaflet-markercluster`` packages;
:func:`ensure_static_assets` copies them there (idempotent) and
``python -m geo.web.assets`` does the same from the command line (``make run`` calls it).
:func:`use_local_assets` points a built map's elements at those copies.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import site
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import folium
import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_markercluster

from geo._fs import atomic_path
from geo.config import PROJECT_ROOT
from geo.errors import MapError, UserError
from geo.web.document import map_elements

#: Folder served by Streamlit at ``/app/static`` (must sit beside ``app.py``).
STATIC_DIR = PROJECT_ROOT / "static"
#: URL under which Streamlit serves :data:`STATIC_DIR`.
STATIC_URL = "/app/static"

LEAFLET_VERSION: str = xs_leaflet.VERSION
MARKERCLUSTER_VERSION: str = xs_markercluster.VERSION
# The version is part of the path, so a browser never mixes cached files of two versions.
_LEAFLET_DIR = f"vendor/leaflet-{LEAFLET_VERSION}"
_MARKERCLUSTER_DIR = f"vendor/leaflet.markercluster-{MARKERCLUSTER_VERSION}"

# folium's asset names -> our local copies (see asset_urls).
_LOCAL_ASSETS = {
    "leaflet": "leaflet_js",
    "leaflet_css": "leaflet_css",
    "markerclusterjs": "markercluster_js",
    "markerclustercss": "markercluster_css",
    "markerclusterdefaultcss": "markercluster_default_css",
}
# folium's defaults for Bootstrap/awesome-markers: unused here (no folium.Icon, plain popups).
_UNUSED_ASSETS = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)


class AssetError(UserError, RuntimeError):
    """The static files cannot be prepared; the message is in Polish for the user."""


@dataclass(frozen=True)
class _Asset:
    key: str | None  # name in the returned URL mapping; None for files only referenced by CSS
    source: Path
    target: str  # path relative to the static folder


def _leaflet_assets() -> tuple[_Asset, ...]:
    base = Path(xs_leaflet.BASE_DIR)
    files = [
        _Asset("leaflet_js", base / "leaflet.js", f"{_LEAFLET_DIR}/leaflet.js"),
        _Asset("leaflet_css", base / "leaflet.css", f"{_LEAFLET_DIR}/leaflet.css"),
        # leaflet.js names its source map; serving it avoids 404s in the browser's dev tools.
        _Asset(None, base / "leaflet.js.map", f"{_LEAFLET_DIR}/leaflet.js.map"),
    ]
    # leaflet.css refers to images/ (layer control icon, default marker icons).
    files += [
        _Asset(None, image, f"{_LEAFLET_DIR}/images/{image.name}")
        for image in sorted((base / "images").glob("*.png"))
    ]
    # Leaflet.markercluster groups markers where they are dense (xstatic-leaflet-markercluster).
    cluster = Path(xs_markercluster.BASE_DIR)
    files += [
        _Asset(
            "markercluster_js",
            cluster / "leaflet.markercluster.js",
            f"{_MARKERCLUSTER_DIR}/leaflet.markercluster.js",
        ),
        _Asset(
            "markercluster_css",
            cluster / "MarkerCluster.css",
            f"{_MARKERCLUSTER_DIR}/MarkerCluster.css",
        ),
        _Asset(
            "markercluster_default_css",
            cluster / "MarkerCluster.Default.css",
            f"{_MARKERCLUSTER_DIR}/MarkerCluster.Default.css",
        ),
    ]
    return tuple(files)


def asset_urls(static_url: str = STATIC_URL) -> dict[str, str]:
    """Return the URLs of the local map assets, by name.

    Parameters
    ----------
    static_url : str
        URL prefix under which the static folder is served.

    Returns
    -------
    dict[str, str]
        ``{"leaflet_js": ".../leaflet.js", "leaflet_css": ".../leaflet.css",
        "markercluster_js": ..., "markercluster_css": ..., "markercluster_default_css": ...}``.
    """
    prefix = static_url.rstrip("/")
    return {a.key: f"{prefix}/{a.target}" for a in _leaflet_assets() if a.key is not None}


def _inside(path: Path, parent: Path) -> bool:
    try:
        path.relative_to(parent)
    except ValueError:
        return False
    return True


def _check_target(static_dir: Path) -> None:
    # Writing into installed packages would be lost on reinstall and may need root.
    roots = [
        *site.getsitepackages(),
        site.getusersitepackages(),
        xs_leaflet.BASE_DIR,
        xs_markercluster.BASE_DIR,
    ]
    forbidden = [Path(p).resolve() for p in roots]
    for parent in forbidden:
        if _inside(static_dir, parent):
            raise AssetError(
                f"Katalog plików statycznych {static_dir} leży w katalogu zainstalowanych "
                "pakietów; wskaż katalog static/ obok app.py."
            )


def _copy_atomically(source: Path, target: Path) -> None:
    # A server may read the file at any moment: replace it in one step.
    with atomic_path(target) as partial:
        shutil.copy2(source, partial)


def ensure_static_assets(
    static_dir: str | Path = STATIC_DIR, static_url: str = STATIC_URL
) -> dict[str, str]:
    """Copy Leaflet and Leaflet.markercluster from their xstatic packages into ``static_dir``.

    Idempotent: files already identical are left untouched, so calling it on every app start
    is cheap.

    Parameters
    ----------
    static_dir : str or Path
        The Streamlit static folder (``static/`` beside ``app.py``).
    static_url : str
        URL prefix under which that folder is served.

    Returns
    -------
    dict[str, str]
        URLs of the assets by name, as :func:`asset_urls`.

    Raises
    ------
    AssetError
        When a source file is missing, the target is inside the installed packages or it
        cannot be written.
    """
    static_dir = Path(static_dir).resolve()
    _check_target(static_dir)
    for asset in _leaflet_assets():
        if not asset.source.is_file():
            raise AssetError(
                f"Brak pliku {asset.source} w pakiecie xstatic; "
                "zainstaluj ponownie zależności (pip install -e .)."
            )
        target = static_dir / asset.target
        if target.is_file() and filecmp.cmp(asset.source, target, shallow=True):
            continue
        try:
            _copy_atomically(asset.source, target)
        except OSError as exc:
            raise AssetError(f"Nie można zapisać pliku {target}: {exc.strerror or exc}") from exc
    return asset_urls(static_url)


def is_external(url: str) -> bool:
    """True for a URL that loads from outside the app (http, https, protocol-relative)."""
    return url.lower().startswith(("http://", "https://", "//"))


def use_local_assets(m: folium.Map, urls: Mapping[str, str] | None = None) -> folium.Map:
    """Point every element of ``m`` at the local Leaflet files; drop unused CDN files.

    Call after all elements are added and before rendering.

    Parameters
    ----------
    m : folium.Map
        The map (changed in place).
    urls : Mapping[str, str], optional
        Asset URLs by name (default :func:`geo.web.assets.asset_urls`).

    Returns
    -------
    folium.Map
        ``m``.

    Raises
    ------
    MapError
        When an element needs an external file with no local copy (the map would be blank
        offline).
    """
    urls = dict(urls or asset_urls())
    for element in map_elements(m):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if not links:
                continue
            kept: list[tuple[str, str]] = []
            for name, url in links:
                if name in _LOCAL_ASSETS:
                    kept.append((name, urls[_LOCAL_ASSETS[name]]))
                elif name in _UNUSED_ASSETS:
                    continue
                elif is_external(url):
                    raise MapError(
                        f"Element mapy {type(element).__name__} wymaga pliku z internetu ({url}); "
                        "dodaj jego lokalną kopię w geo/web/assets.py."
                    )
                else:
                    kept.append((name, url))
            # Instance attribute: folium's class-level lists are shared by all maps.
            setattr(element, attr, kept)
    return m


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m geo.web.assets [STATIC_DIR]``."""
    parser = argparse.ArgumentParser(
        prog="python -m geo.web.assets",
        description="Kopiuje pliki Leaflet do katalogu static/ aplikacji (mapa bez internetu).",
    )
    parser.add_argument("static_dir", nargs="?", default=str(STATIC_DIR))
    args = parser.parse_args(argv)
    try:
        urls = ensure_static_assets(args.static_dir)
    except AssetError as exc:
        print(f"Błąd: {exc}", file=sys.stderr)
        return 1
    print(f"Pliki mapy gotowe w {Path(args.static_dir).resolve()}:")
    for url in urls.values():
        print(f"  {url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
