"""PRG WFS download against a local server that answers like the GUGiK MapServer WFS 2.0.

The server renders real Lubelskie gminas (plus a few of other voivodeships) as a GML 3.2
``wfs:FeatureCollection`` in EPSG:2180 with ``ms:JPT_KOD_JE`` / ``ms:JPT_NAZWA_``, the
(northing, easting) axis order of the ``urn:ogc:def:crs:EPSG::2180`` CRS, ``COUNT`` /
``STARTINDEX`` paging with ``numberMatched``/``numberReturned``/``next`` and a FES
``PropertyIsLike`` filter. Any connection to a non-loopback address fails the test.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.sax.saxutils import escape, quoteattr

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.config import get_settings
from geo.io import prg
from geo.io.boundaries import import_boundaries, read_vector
from geo.io.prg import PrgError, fetch_gminy

FOREIGN = ("1465011", "0201011", "1261011")  # Warszawa, Bolesławiec, Kraków


# ----------------------------------------------------------------------------- GML rendering


def _pos_list(ring) -> str:
    coords = shapely.get_coordinates(ring)
    # urn:ogc:def:crs:EPSG::2180 has northing first, as the GUGiK service writes it
    return " ".join(f"{y:.2f} {x:.2f}" for x, y in coords)


def _member(index: int, code: str, name: str, geom) -> str:
    polygons = []
    for k, poly in enumerate(shapely.get_parts(geom)):
        rings = (
            '<gml:exterior><gml:LinearRing><gml:posList srsDimension="2">'
            f"{_pos_list(poly.exterior)}</gml:posList></gml:LinearRing></gml:exterior>"
        )
        for hole in poly.interiors:
            rings += (
                '<gml:interior><gml:LinearRing><gml:posList srsDimension="2">'
                f"{_pos_list(hole)}</gml:posList></gml:LinearRing></gml:interior>"
            )
        polygons.append(
            f'<gml:surfaceMember><gml:Polygon gml:id="A03_Granice_gmin.{index}.{k}">'
            f"{rings}</gml:Polygon></gml:surfaceMember>"
        )
    return (
        f'<wfs:member><ms:A03_Granice_gmin gml:id="A03_Granice_gmin.{index}">'
        f'<ms:msGeometry><gml:MultiSurface gml:id="A03_Granice_gmin.{index}.g" '
        f'srsName="urn:ogc:def:crs:EPSG::2180">{"".join(polygons)}</gml:MultiSurface>'
        f"</ms:msGeometry><ms:JPT_SJR_KO>GM</ms:JPT_SJR_KO>"
        f"<ms:JPT_KOD_JE>{code}</ms:JPT_KOD_JE><ms:JPT_NAZWA_>{escape(name)}</ms:JPT_NAZWA_>"
        "</ms:A03_Granice_gmin></wfs:member>"
    )


def _collection(base_url: str, members: list[str], matched: str, next_url: str | None) -> bytes:
    schema = (
        f"{base_url}?SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType"
        "&TYPENAME=ms:A03_Granice_gmin&OUTPUTFORMAT=application/gml%2Bxml;%20version=3.2"
    )
    nxt = f" next={quoteattr(next_url)}" if next_url else ""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<wfs:FeatureCollection xmlns:ms="http://mapserver.gis.umn.edu/mapserver" '
        'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:wfs="http://www.opengis.net/wfs/2.0" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f"xsi:schemaLocation={quoteattr('http://mapserver.gis.umn.edu/mapserver ' + schema)} "
        f'timeStamp="2026-01-15T10:00:00" numberMatched="{matched}" '
        f'numberReturned="{len(members)}"{nxt}>\n'
    )
    return (head + "\n".join(members) + "\n</wfs:FeatureCollection>\n").encode("utf-8")


EXCEPTION = b"""<?xml version="1.0" encoding="UTF-8"?>
<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0" xml:lang="en-US">
  <ows:Exception exceptionCode="InvalidParameterValue" locator="filter">
    <ows:ExceptionText>msWFSGetFeature(): WFS server error.
      Invalid or Unsupported FILTER in GetFeature</ows:ExceptionText>
  </ows:Exception>
</ows:ExceptionReport>
"""

# ----------------------------------------------------------------------------- server


@dataclass
class FakeWfs:
    members: list[tuple[str, str]] = field(default_factory=list)  # (code, rendered member)
    mode: str = "ok"
    matched_known: bool = True
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def answer(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        if params.get("REQUEST", "").lower() != "getfeature":
            return 404, "text/plain", b"not here"
        if self.mode == "html":
            return 200, "text/html", b"<html><body><h1>Przerwa techniczna</h1></body></html>"
        if self.mode == "500":
            return 500, "text/plain", b"Internal Server Error"
        if self.mode == "exception200":
            return 200, "text/xml", EXCEPTION
        if self.mode == "slow":
            time.sleep(1.5)
        if params.get("TYPENAMES") != "ms:A03_Granice_gmin":
            return 400, "text/xml", EXCEPTION
        selected = self.members
        if "FILTER" in params:
            if self.mode == "no_filter":
                return 400, "text/xml", EXCEPTION
            literal = re.search(r"<fes:Literal>(\d+)\*</fes:Literal>", params["FILTER"])
            assert literal, params["FILTER"]
            selected = [m for m in selected if m[0].startswith(literal.group(1))]
        count = int(params.get("COUNT", len(selected)))
        start = 0 if self.mode == "ignore_paging" else int(params.get("STARTINDEX", 0))
        page = selected[start : start + count]
        more = start + count < len(selected)
        next_url = None
        if more:
            next_url = self.url + "?" + urlencode({**params, "STARTINDEX": start + count})
        matched = str(len(selected)) if self.matched_known else "unknown"
        body = _collection(self.url, [m[1] for m in page], matched, next_url)
        return 200, "application/gml+xml; version=3.2", body


def _handler(state: FakeWfs):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            query = parse_qs(urlsplit(self.path).query)
            params = {k.upper(): v[0] for k, v in query.items()}
            state.requests.append(params)
            status, ctype, body = state.answer(params)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def rendered_members(shared_data: Path) -> list[tuple[str, str]]:
    region = gpd.read_file(shared_data / "boundaries" / "lubelskie_gminy.geojson")
    poland_path = shared_data / "boundaries" / "poland_gminy.geojson"
    if poland_path.exists():
        poland = gpd.read_file(poland_path)
        foreign = poland[poland["teryt"].isin(FOREIGN)]
    else:  # without the full data: three shapes of the region under the codes of other gminas
        foreign = region.head(len(FOREIGN)).assign(teryt=list(FOREIGN), name="obca gmina")
    gminy = pd.concat([foreign.iloc[:1], region, foreign.iloc[1:]], ignore_index=True)
    gminy = gminy.to_crs(2180)
    return [
        (code, _member(i, code, name, geom))
        for i, (code, name, geom) in enumerate(
            zip(gminy["teryt"], gminy["name"], gminy.geometry, strict=True)
        )
    ]


@pytest.fixture()
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail on any socket connection that is not to this machine."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"network access to {address!r} in a test")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture()
def wfs(rendered_members, loopback_only):
    state = FakeWfs(members=list(rendered_members))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/wss/service/PZGIK/PRG/WFS/AB"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def _getfeatures(state: FakeWfs) -> list[dict[str, str]]:
    return [r for r in state.requests if r.get("REQUEST", "").lower() == "getfeature"]


# ----------------------------------------------------------------------------- tests


def test_paged_download_imports_213_gminas(wfs, tmp_path, shared_data, terc_pl):
    dest = fetch_gminy(tmp_path / "prg.gpkg", "06", url=wfs.url, progress=False, page_size=50)

    calls = _getfeatures(wfs)
    assert [c["STARTINDEX"] for c in calls] == ["0", "50", "100", "150", "200"]
    assert all(c["COUNT"] == "50" for c in calls)
    assert all("06*" in c["FILTER"] and "JPT_KOD_JE" in c["FILTER"] for c in calls)
    assert calls[0]["TYPENAMES"] == "ms:A03_Granice_gmin"
    assert calls[0]["VERSION"] == "2.0.0"
    assert "2180" in calls[0]["SRSNAME"]
    # GDAL must not have fetched the XSD named in xsi:schemaLocation
    assert all(r.get("REQUEST", "").lower() == "getfeature" for r in wfs.requests)

    raw = read_vector(dest)
    assert len(raw) == 213
    assert raw.crs.to_epsg() == 2180
    assert raw["JPT_KOD_JE"].str.fullmatch(r"06\d{5}").all()
    # axis order survived: the region lies where Lubelskie is in PL-1992 (x ~ 680-860 km)
    minx, miny, maxx, maxy = raw.total_bounds
    assert 650_000 < minx < maxx < 900_000 and 250_000 < miny < maxy < 550_000

    settings = get_settings(
        {"PES_HOME": str(tmp_path / "home"), "PES_REGION": "06", "PES_DATA_DIR": str(shared_data)}
    )
    result = import_boundaries(dest, settings, terc_pl)
    assert len(result.gminy) == 213
    reference = gpd.read_file(shared_data / "boundaries" / "lubelskie_gminy.geojson")
    got = result.gminy.to_crs(2180).set_index("teryt").area.sort_index()
    want = reference.to_crs(2180).set_index("teryt").area.sort_index()
    assert (got / want).between(0.999, 1.001).all()


def test_unknown_total_and_exact_last_page(wfs, tmp_path):
    """numberMatched="unknown" (as MapServer says) and 213 = 3 x 71: a 4th, empty page ends it."""
    wfs.matched_known = False
    dest = fetch_gminy(tmp_path / "prg.geojson", "06", url=wfs.url, progress=False, page_size=71)
    assert [c["STARTINDEX"] for c in _getfeatures(wfs)] == ["0", "71", "142", "213"]
    assert len(read_vector(dest)) == 213


def test_filter_rejected_falls_back_to_client_side(wfs, tmp_path):
    wfs.mode = "no_filter"
    dest = fetch_gminy(tmp_path / "prg.gpkg", "06", url=wfs.url, progress=False, page_size=100)
    calls = _getfeatures(wfs)
    assert "FILTER" in calls[0]
    assert all("FILTER" not in c for c in calls[1:])
    raw = read_vector(dest)
    assert len(raw) == 213  # the foreign gminas the server sent were dropped here
    assert not set(FOREIGN) & set(raw["JPT_KOD_JE"])


def test_whole_poland_has_no_filter(wfs, tmp_path):
    dest = fetch_gminy(tmp_path / "pl.gml", "PL", url=wfs.url, progress=False, page_size=500)
    assert all("FILTER" not in c for c in _getfeatures(wfs))
    raw = read_vector(dest)
    assert len(raw) == 213 + len(FOREIGN)
    assert set(FOREIGN) <= set(raw["JPT_KOD_JE"])


def test_url_from_environment(wfs, tmp_path, monkeypatch):
    monkeypatch.setenv("PES_PRG_WFS_URL", wfs.url)
    assert prg.wfs_url() == wfs.url
    assert prg.wfs_url("http://inny/wfs") == "http://inny/wfs"
    fetch_gminy(tmp_path / "prg.gpkg", "06", progress=False)
    assert _getfeatures(wfs)


def test_url_is_a_setting(tmp_path):
    # geo.config is the one reader of the environment; the CLI passes settings.prg_wfs_url.
    env = {"PES_HOME": str(tmp_path)}
    assert get_settings(env).prg_wfs_url == prg.PRG_WFS_URL
    env["PES_PRG_WFS_URL"] = "http://lokalny/wfs"
    assert get_settings(env).prg_wfs_url == "http://lokalny/wfs"


def test_default_url_is_gugik(monkeypatch):
    monkeypatch.delenv("PES_PRG_WFS_URL", raising=False)
    assert prg.wfs_url() == (
        "https://mapy.geoportal.gov.pl/wss/service/PZGIK/PRG/WFS/AdministrativeBoundaries"
    )


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("exception200", "Invalid or Unsupported FILTER"),
        ("html", "nie jest odpowiedzią WFS"),
        ("500", "HTTP 500"),
        ("ignore_paging", "stronicowania"),
    ],
)
def test_service_errors_raise_prg_error(wfs, tmp_path, mode, message):
    wfs.mode = mode
    dest = tmp_path / "prg.gpkg"
    with pytest.raises(PrgError, match=message):
        fetch_gminy(dest, "PL", url=wfs.url, progress=False, page_size=50)
    assert not dest.exists()


def test_exception_report_after_filter_fallback_is_reported(wfs, tmp_path):
    wfs.members = []
    wfs.mode = "exception200"
    with pytest.raises(PrgError, match="zgłosiła błąd"):
        fetch_gminy(tmp_path / "prg.gpkg", "06", url=wfs.url, progress=False)
    assert len(_getfeatures(wfs)) == 2  # filtered attempt, then without the filter


def test_no_gmina_of_region(wfs, tmp_path):
    with pytest.raises(PrgError, match="żadnej gminy województwa 30"):
        fetch_gminy(tmp_path / "prg.gpkg", "30", url=wfs.url, progress=False)


def test_offline(loopback_only, tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PrgError, match="Brak połączenia"):
        fetch_gminy(tmp_path / "x.gpkg", "06", url=f"http://127.0.0.1:{port}/wfs", progress=False)


def test_timeout(wfs, tmp_path):
    wfs.mode = "slow"
    with pytest.raises(PrgError, match="nie odpowiedziała"):
        fetch_gminy(tmp_path / "x.gpkg", "06", url=wfs.url, progress=False, timeout=0.3)


def test_bad_arguments(tmp_path):
    with pytest.raises(PrgError, match="regionu"):
        fetch_gminy(tmp_path / "x.gpkg", "lubelskie", url="http://127.0.0.1:9/", progress=False)
    with pytest.raises(PrgError, match="rozszerzenie"):
        fetch_gminy(tmp_path / "x.shp", "06", url="http://127.0.0.1:9/", progress=False)


def test_non_loopback_access_is_caught(loopback_only):
    with pytest.raises(AssertionError, match="network access"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
