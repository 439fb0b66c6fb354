"""Download gmina boundaries from the official PRG WFS of GUGiK (geoportal.gov.pl).

The service is a MapServer WFS 2.0.0: layer ``ms:A03_Granice_gmin`` (one feature per gmina,
code in ``JPT_KOD_JE``, name in ``JPT_NAZWA_``), answers in GML 3.2 in EPSG:2180 and pages with
``COUNT``/``STARTINDEX`` (``numberMatched`` is often ``unknown``, so paging stops on a short
page). A voivodeship is filtered on the server with a FES 2.0 ``PropertyIsLike`` on the code;
if the service rejects the filter, everything is downloaded and filtered here. The result is
written as a GeoPackage/GeoJSON that :func:`geo.io.boundaries.import_boundaries` reads.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import geopandas as gpd
import pandas as pd
import pyogrio
import requests
import shapely.errors
from tqdm import tqdm

from geo._fs import atomic_path
from geo.config import PRG_WFS_URL as PRG_WFS_URL  # re-exported: the default endpoint
from geo.config import get_settings
from geo.errors import UserError

GMINY_TYPENAME = "ms:A03_Granice_gmin"
CODE_FIELD = "JPT_KOD_JE"
NAME_FIELD = "JPT_NAZWA_"
SRS_NAME = "urn:ogc:def:crs:EPSG::2180"
DEFAULT_PAGE_SIZE = 100  # full-detail gmina polygons are large; keep each response modest
MAX_PAGES = 1000
#: Largest accepted response: a page of 100 full-detail gminas takes a few tens of MB.
MAX_PAGE_BYTES = 512 * 1024**2
USER_AGENT = "mapa-es/0.1 (mapa ekonomii spolecznej)"
_DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".gml": "GML"}


class PrgError(UserError, RuntimeError):
    """The PRG download failed; the message is in Polish for the user."""


class _ServiceException(PrgError):
    """The service answered with an OWS ExceptionReport."""


class _FilterRejected(PrgError):
    """The first filtered request got an ExceptionReport: retry without the filter."""


@dataclass
class _Page:
    frame: gpd.GeoDataFrame | None
    returned: int
    matched: int | None


def wfs_url(url: str | None = None) -> str:
    """The WFS endpoint: ``url`` if given, else the settings' ``prg_wfs_url``.

    That is ``$PES_PRG_WFS_URL`` or :data:`PRG_WFS_URL` (:mod:`geo.config` reads the
    environment); callers holding ``Settings`` pass ``settings.prg_wfs_url``.
    """
    return url or get_settings().prg_wfs_url


def region_filter(region: str) -> str:
    """FES 2.0 filter selecting the gminas whose code starts with the voivodeship code."""
    return (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">'
        '<fes:PropertyIsLike wildCard="*" singleChar="?" escapeChar="!">'
        f"<fes:ValueReference>{CODE_FIELD}</fes:ValueReference>"
        f"<fes:Literal>{region}*</fes:Literal>"
        "</fes:PropertyIsLike></fes:Filter>"
    )


def fetch_gminy(
    dest: Path,
    region: str,
    url: str | None = None,
    progress: bool = True,
    timeout: float = 60,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> Path:
    """Download the gmina boundaries of a voivodeship (or ``"PL"``) from the PRG WFS.

    Parameters
    ----------
    dest : Path
        Output file, ``.gpkg``, ``.geojson`` or ``.gml`` (GML 3.2 with its ``.xsd``); written
        atomically (EPSG:2180, fields ``JPT_KOD_JE``, ``JPT_NAZWA_``).
    region : str
        Two-digit voivodeship code (``"06"``) or ``"PL"``.
    url : str, optional
        WFS endpoint (default: see :func:`wfs_url`).
    progress : bool
        Show a tqdm progress bar (features) on stderr.
    timeout : float
        Seconds to wait for the connection and for each read.
    page_size : int
        Features per request (``COUNT``).

    Returns
    -------
    Path
        ``dest``.

    Raises
    ------
    PrgError
        No connection, HTTP error, a response that is not a WFS FeatureCollection (HTML error
        page, OWS ExceptionReport), or no gmina of the region in the answer.
    """
    region = region.strip().upper()
    if region != "PL" and not re.fullmatch(r"\d{2}", region):
        raise PrgError(f"Nieprawidłowy kod regionu {region!r}: podaj np. 06 albo PL.")
    if page_size < 1:
        raise PrgError("Rozmiar strony musi być dodatni.")
    dest = Path(dest)
    driver = _DRIVERS.get(dest.suffix.lower())
    if driver is None:
        raise PrgError(f"Nieobsługiwane rozszerzenie pliku {dest.name}: użyj .gpkg albo .geojson.")
    service = wfs_url(url)
    with (
        requests.Session() as http,
        tqdm(desc="PRG – granice gmin", unit=" gmin", disable=not progress) as bar,
    ):
        http.headers["User-Agent"] = USER_AGENT
        if region == "PL":
            frames = _download(http, service, None, page_size, timeout, bar)
        else:
            try:
                frames = _download(http, service, region_filter(region), page_size, timeout, bar)
            except _FilterRejected:
                bar.write("Usługa PRG nie przyjęła filtra – pobieram wszystkie gminy.")
                bar.reset()
                frames = _download(http, service, None, page_size, timeout, bar)
    gdf = _combine(frames, service)
    if region != "PL":
        gdf = gdf[gdf[CODE_FIELD].str.startswith(region)]
    if gdf.empty:
        where = "" if region == "PL" else f" województwa {region}"
        raise PrgError(f"Usługa PRG ({_host(service)}) nie zwróciła żadnej gminy{where}.")
    _write(gdf.reset_index(drop=True), dest, driver)
    return dest


def _download(
    http: requests.Session,
    service: str,
    fes_filter: str | None,
    page_size: int,
    timeout: float,
    bar: tqdm,
) -> list[gpd.GeoDataFrame]:
    frames: list[gpd.GeoDataFrame] = []
    seen_ids: set[str] = set()
    start = 0
    for number in range(MAX_PAGES):
        params = {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": GMINY_TYPENAME,
            "SRSNAME": SRS_NAME,
            "COUNT": str(page_size),
            "STARTINDEX": str(start),
        }
        if fes_filter:
            params["FILTER"] = fes_filter
        try:
            page = _get_page(http, service, params, timeout)
        except _ServiceException as exc:
            if fes_filter and number == 0:
                raise _FilterRejected(str(exc)) from exc
            raise
        if page.matched is not None and bar.total != page.matched:
            bar.total = page.matched
            bar.refresh()
        if page.frame is not None and not page.frame.empty:
            if "gml_id" in page.frame.columns:
                ids = set(page.frame["gml_id"].dropna().astype(str))
                if ids & seen_ids:
                    raise PrgError(
                        "Usługa PRG zwróciła powtórzone obiekty na kolejnej stronie "
                        "(nie obsługuje stronicowania); spróbuj większego rozmiaru strony."
                    )
                seen_ids |= ids
            frames.append(page.frame)
        bar.update(page.returned)
        start += page.returned
        if page.returned < page_size or (page.matched is not None and start >= page.matched):
            return frames
    raise PrgError(f"Przerwano pobieranie po {MAX_PAGES} stronach odpowiedzi usługi PRG.")


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _get_page(http: requests.Session, service: str, params: dict, timeout: float) -> _Page:
    host = _host(service)
    try:
        response = http.get(service, params=params, timeout=timeout, stream=True)
        body = _bounded_body(response, host)
    except requests.Timeout as exc:
        raise PrgError(f"Usługa PRG ({host}) nie odpowiedziała w ciągu {timeout:g} s.") from exc
    except requests.ConnectionError as exc:
        raise PrgError(
            f"Brak połączenia z usługą PRG ({host}). Sprawdź dostęp do internetu albo pobierz "
            "granice ręcznie z geoportal.gov.pl i zaimportuj plik."
        ) from exc
    except requests.RequestException as exc:
        raise PrgError(f"Nie udało się pobrać danych z usługi PRG ({host}): {exc}") from exc

    root = _root_element(body)
    if root is not None and _local(root.tag) == "ExceptionReport":
        raise _ServiceException(f"Usługa PRG ({host}) zgłosiła błąd: {_exception_text(body)}")
    if response.status_code >= 400:
        raise PrgError(
            f"Usługa PRG ({host}) zwróciła błąd HTTP {response.status_code} "
            f"{response.reason or ''}".rstrip()
            + "."
        )
    if root is None or _local(root.tag) != "FeatureCollection":
        kind = response.headers.get("Content-Type", "nieznany typ")
        raise PrgError(
            f"Odpowiedź usługi PRG ({host}) nie jest odpowiedzią WFS z obiektami "
            f"(otrzymano {kind}); adres usługi może być błędny albo usługa ma awarię."
        )
    returned = _int_attr(root.attrib.get("numberReturned"))
    matched = _int_attr(root.attrib.get("numberMatched"))
    frame = None
    if returned != 0:
        try:
            frame = pyogrio.read_dataframe(body, DOWNLOAD_SCHEMA="NO", WRITE_GFS="NO")
        except shapely.errors.GEOSException:
            raise PrgError(
                "Odpowiedź usługi PRG zawiera niepoprawną geometrię (obwód poligonu ma za mało "
                "punktów); spróbuj ponownie później albo zaimportuj granice z pliku."
            ) from None
        except (RuntimeError, ValueError, OSError) as exc:
            if b"member" not in body:  # an empty collection without numberReturned
                frame = None
            else:
                raise PrgError(f"Nie można odczytać odpowiedzi GML usługi PRG: {exc}") from exc
    if returned is None:
        returned = 0 if frame is None else len(frame)
    return _Page(frame=frame, returned=returned, matched=matched)


def _bounded_body(response: requests.Response, host: str) -> bytes:
    """The response body, refused once it passes :data:`MAX_PAGE_BYTES`."""
    chunks: list[bytes] = []
    size = 0
    with response:
        for chunk in response.iter_content(chunk_size=1 << 20):
            size += len(chunk)
            if size > MAX_PAGE_BYTES:
                raise PrgError(
                    f"Odpowiedź usługi PRG ({host}) przekracza {MAX_PAGE_BYTES // 1024**2} MB; "
                    "przerwano pobieranie (adres usługi może być błędny)."
                )
            chunks.append(chunk)
    return b"".join(chunks)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _int_attr(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _root_element(body: bytes) -> ET.Element | None:
    """The root element (with attributes) of an XML document, or None if it is not XML."""
    try:
        for _event, element in ET.iterparse(io.BytesIO(body), events=("start",)):
            return element
    except ET.ParseError:
        return None
    return None


def _exception_text(body: bytes) -> str:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return "nieczytelny komunikat"
    texts = [
        " ".join((el.text or "").split())
        for el in root.iter()
        if _local(el.tag) == "ExceptionText" and el.text
    ]
    text = "; ".join(t for t in texts if t) or " ".join(" ".join(root.itertext()).split())
    return (text[:300] + "…") if len(text) > 300 else (text or "brak opisu")


def _combine(frames: list[gpd.GeoDataFrame], service: str) -> gpd.GeoDataFrame:
    if not frames:
        empty = pd.Series([], dtype=str)
        return gpd.GeoDataFrame({CODE_FIELD: empty, NAME_FIELD: empty}, geometry=[], crs=2180)
    for frame in frames:
        missing = [c for c in (CODE_FIELD, NAME_FIELD) if c not in frame.columns]
        if missing:
            raise PrgError(
                f"Odpowiedź usługi PRG ({_host(service)}) nie zawiera pól {', '.join(missing)}; "
                "to nie jest warstwa granic gmin."
            )
    crs = frames[0].crs or "EPSG:2180"
    parts = []
    for frame in frames:
        frame = frame if frame.crs is None or frame.crs == crs else frame.to_crs(crs)
        codes = frame[CODE_FIELD]
        if pd.api.types.is_numeric_dtype(codes):
            # GDAL types a page of codes without leading zeros as integers; codes have 7 chars.
            codes = codes.astype("Int64").astype(str).str.zfill(7)
        parts.append(
            gpd.GeoDataFrame(
                {CODE_FIELD: codes.astype(str), NAME_FIELD: frame[NAME_FIELD].astype(str)},
                geometry=frame.geometry.to_numpy(),
                crs=crs,
            )
        )
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=crs)


def _write(gdf: gpd.GeoDataFrame, dest: Path, driver: str) -> None:
    options = {"FORMAT": "GML3.2"} if driver == "GML" else {}
    # GML comes with a sidecar .xsd named after it; atomic_path moves it before the main file.
    with atomic_path(dest) as partial:
        gdf.to_file(partial, driver=driver, engine="pyogrio", **options)
