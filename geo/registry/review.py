"""Registry changes: stable entity keys, diffs, the review of an upload, fixes and exports.

Entities are matched across versions by a **stable key** (:func:`stable_keys`): the source's
own identifier when the row has one, else the folded name, type and locality. A diff
(:func:`diff_frames`) says which entities were added, removed or changed and how.

Before a file becomes a version it is reviewed (:func:`review_upload`): read with the
column mapping remembered for its source (or one the user edited), checked row by row,
located in the region and compared with the source's current version. Nothing is written
until :func:`confirm_upload`, which refuses when another import changed the source since the
review. The same module checks manual fixes against the region and writes the
formula-safe registry exports (CSV, XLSX, GeoJSON).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.core.schema import REGISTRY_COLUMNS
from geo.io.export import safe_frame, to_bytes
from geo.io.registry import FIELD_LABELS, ParsedRegistry, RegistryFileError, read_registry
from geo.registry.keys import _text, stable_keys

if TYPE_CHECKING:
    from geo.io.region import RegionData
    from geo.store import Store, VersionInfo

__all__ = [
    "CHANGE_ADDED",
    "CHANGE_CHANGED",
    "CHANGE_REMOVED",
    "EXPORT_FORMATS",
    "RegistryDiff",
    "UploadReview",
    "check_fix",
    "confirm_upload",
    "diff_frames",
    "diff_versions",
    "export_registry",
    "report_xlsx",
    "review_upload",
    "stable_keys",
    "validation_report",
]

CHANGE_ADDED = "dodany"
CHANGE_REMOVED = "usunięty"
CHANGE_CHANGED = "zmieniony"
EXPORT_FORMATS = ("csv", "xlsx", "geojson")
#: Columns of the validation report.
REPORT_COLUMNS = ("wiersz", "kolumna", "waga", "kategoria", "nazwa", "komunikat")
_READING = "odczyt pliku"


# --------------------------------------------------------------------------------------------
# Stable keys and diffs
# --------------------------------------------------------------------------------------------


def _comparable(frame: pd.DataFrame, column: str) -> pd.Series:
    """Values of ``column`` in a form where equal data compares equal ('' == missing)."""
    if column not in frame.columns:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    values = frame[column]
    if column in ("szerokosc", "dlugosc"):
        numbers = pd.to_numeric(values, errors="coerce").round(7)
        return numbers.astype(object).where(numbers.notna(), None)
    text = _text(values)
    return text.astype(object).where(text != "", None)


@dataclass
class RegistryDiff:
    """Differences between two sets of rows of one source.

    Attributes
    ----------
    added, removed : pandas.DataFrame
        Rows only in the new (old) set: ``klucz_podmiotu`` plus the native columns.
    changed : pandas.DataFrame
        One row per changed field: ``klucz_podmiotu, nazwa, pole, przed, po``.
    unchanged : int
        Entities present in both with no difference.
    """

    added: pd.DataFrame
    removed: pd.DataFrame
    changed: pd.DataFrame
    unchanged: int

    @property
    def changed_entities(self) -> int:
        return int(self.changed["klucz_podmiotu"].nunique())

    @property
    def counts(self) -> dict[str, int]:
        """Polish labels -> numbers, for headline figures."""
        return {
            "dodane": len(self.added),
            "usunięte": len(self.removed),
            "zmienione": self.changed_entities,
            "bez zmian": self.unchanged,
        }

    @property
    def is_empty(self) -> bool:
        return self.added.empty and self.removed.empty and self.changed.empty

    def table(self) -> pd.DataFrame:
        """One row per added, removed or changed entity, for display and export.

        Columns ``zmiana, klucz_podmiotu, nazwa, typ, miejscowosc, szczegoly``.
        """
        columns = ["zmiana", "klucz_podmiotu", "nazwa", "typ", "miejscowosc", "szczegoly"]
        parts = []
        for frame, label in ((self.added, CHANGE_ADDED), (self.removed, CHANGE_REMOVED)):
            if not frame.empty:
                parts.append(
                    frame.reindex(columns=columns[1:5]).assign(zmiana=label, szczegoly=None)
                )
        if not self.changed.empty:
            described = self.changed.assign(
                opis=self.changed["pole"].map(lambda c: FIELD_LABELS.get(c, c))
                + ": "
                + self.changed["przed"].map(_shown)
                + " → "
                + self.changed["po"].map(_shown)
            )
            grouped = described.groupby("klucz_podmiotu", sort=False).agg(
                nazwa=("nazwa", "first"),
                typ=("typ", "first"),
                miejscowosc=("miejscowosc", "first"),
                szczegoly=("opis", "; ".join),
            )
            parts.append(grouped.reset_index().assign(zmiana=CHANGE_CHANGED))
        if not parts:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return pd.concat(parts, ignore_index=True)[columns].astype(object)


def _shown(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "(puste)"
    return str(value)


def diff_frames(old: pd.DataFrame, new: pd.DataFrame) -> RegistryDiff:
    """Compare two sets of rows of one source by stable key.

    Parameters
    ----------
    old, new : pandas.DataFrame
        Registry rows (native columns; other columns are ignored), e.g. two versions from the
        store, or the current version and a parsed upload.

    Returns
    -------
    RegistryDiff
    """
    columns = list(REGISTRY_COLUMNS)
    old = old.drop(columns="zrodlo_rejestru", errors="ignore").reset_index(drop=True)
    new = new.drop(columns="zrodlo_rejestru", errors="ignore").reset_index(drop=True)
    old_keys, new_keys = stable_keys(old), stable_keys(new)

    def native(frame: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
        out = frame.reindex(columns=columns).astype(object)
        out = out.where(out.notna(), None)
        out.insert(0, "klucz_podmiotu", keys.to_numpy(dtype=object))
        return out

    old_n, new_n = native(old, old_keys), native(new, new_keys)
    in_old, in_new = set(old_keys), set(new_keys)
    added = new_n[~new_keys.isin(in_old).to_numpy()].reset_index(drop=True)
    removed = old_n[~old_keys.isin(in_new).to_numpy()].reset_index(drop=True)

    both_old = old[old_keys.isin(in_new).to_numpy()].set_axis(
        old_keys[old_keys.isin(in_new)].to_numpy()
    )
    both_new = new[new_keys.isin(in_old).to_numpy()].set_axis(
        new_keys[new_keys.isin(in_old)].to_numpy()
    )
    both_new = both_new.reindex(both_old.index)
    changes = []
    differs = pd.Series(False, index=both_old.index)
    for column in columns:
        before, after = _comparable(both_old, column), _comparable(both_new, column)
        mask = (before.isna() != after.isna()) | (before.notna() & (before != after))
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            differs |= mask
            changes.append(
                pd.DataFrame(
                    {
                        "klucz_podmiotu": before.index[mask.to_numpy()],
                        "pole": column,
                        "przed": before[mask].to_numpy(dtype=object),
                        "po": after[mask].to_numpy(dtype=object),
                    }
                )
            )
    changed_columns = ["klucz_podmiotu", "nazwa", "typ", "miejscowosc", "pole", "przed", "po"]
    if changes:
        changed = pd.concat(changes, ignore_index=True)
        info = both_new.reindex(columns=["nazwa", "typ", "miejscowosc"]).astype(object)
        changed = changed.join(info, on="klucz_podmiotu")
        order = {k: i for i, k in enumerate(both_old.index)}
        changed = changed.sort_values(
            by="klucz_podmiotu", key=lambda s: s.map(order), kind="stable"
        ).reset_index(drop=True)[changed_columns]
    else:
        changed = pd.DataFrame({c: pd.Series(dtype=object) for c in changed_columns})
    return RegistryDiff(
        added=added,
        removed=removed,
        changed=changed.astype(object),
        unchanged=int((~differs).sum()),
    )


def diff_versions(store: Store, old_version: int, new_version: int) -> RegistryDiff:
    """Diff between two stored versions (by version id)."""
    return diff_frames(store.version_entities(old_version), store.version_entities(new_version))


# --------------------------------------------------------------------------------------------
# Reviewing an upload
# --------------------------------------------------------------------------------------------


@dataclass
class UploadReview:
    """A file read for a source and compared with its current version; nothing stored yet.

    Attributes
    ----------
    source, file_name, content, sha256 :
        What is being imported.
    parsed : ParsedRegistry
        The rows in the native format, the problems and the detected headers.
    column_map : dict
        The mapping used (every file header -> native column or ``None``), remembered for
        the source when the import is confirmed.
    default_type : str | None
    remembered : bool
        Whether the mapping remembered for the source was used.
    base : VersionInfo | None
        The source's current version at the time of the review (``None``: a new source).
    diff : RegistryDiff
    report : pandas.DataFrame
        The validation report (:func:`validation_report`).
    """

    source: str
    file_name: str
    content: bytes
    sha256: str
    parsed: ParsedRegistry
    column_map: dict[str, str | None]
    default_type: str | None
    remembered: bool
    base: VersionInfo | None
    diff: RegistryDiff
    report: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rows(self) -> int:
        return len(self.parsed.frame)

    @property
    def errors(self) -> int:
        return int((self.report["waga"] == "błąd").sum()) if not self.report.empty else 0

    @property
    def warnings(self) -> int:
        return int((self.report["waga"] == "ostrzeżenie").sum()) if not self.report.empty else 0


def _usable_map(
    mapping: Mapping[str, str | None] | None, headers: list[str]
) -> dict[str, str | None]:
    """The part of a mapping whose headers exist in the file."""
    present = set(headers)
    return {h: v for h, v in (mapping or {}).items() if h in present}


def _full_map(parsed: ParsedRegistry) -> dict[str, str | None]:
    return {h: parsed.header_map.get(h) for h in parsed.headers}


def review_upload(
    store: Store,
    source: str,
    content: bytes,
    file_name: str,
    *,
    column_map: Mapping[str, str | None] | None = None,
    default_type: str | None = None,
    region: RegionData | None = None,
) -> UploadReview:
    """Read an uploaded file for ``source`` and compare it with the current version.

    Parameters
    ----------
    store : Store
    source : str
        The source the file will replace (new or existing).
    content, file_name :
        The upload.
    column_map : dict, optional
        File header -> native column (``None`` ignores a column), as edited by the user.
        Without it the mapping remembered for the source is applied to the headers it knows,
        the rest is detected.
    default_type : str, optional
        Type for a file without a type column; default: the one remembered for the source.
    region : RegionData, optional
        When given, rows are located and location problems join the report.

    Raises
    ------
    RegistryFileError
        The file cannot be used (Polish message; ``headers`` set when the columns can be
        mapped by hand).
    StoreError
        Invalid source name or a database failure.
    """
    from geo.store import StoreError

    if not isinstance(content, bytes | bytearray | memoryview):
        raise RegistryFileError("Brak zawartości pliku.")
    content = bytes(content)
    name = " ".join(str(source).split()) if isinstance(source, str) else ""
    if not name:
        raise StoreError("Wybierz źródło rejestru, które zastępuje ten plik, albo podaj nowe.")
    remembered_settings = store.source_settings(name)
    if default_type is None and remembered_settings is not None:
        default_type = remembered_settings.default_type
    remembered = False
    if column_map is not None:
        parsed = read_registry(
            content, filename=file_name, default_type=default_type, column_map=dict(column_map)
        )
    else:
        known = remembered_settings.column_map if remembered_settings is not None else {}
        found: ParsedRegistry | None = None
        try:
            found = read_registry(content, filename=file_name, default_type=default_type)
            headers = found.headers
        except RegistryFileError as exc:
            # The remembered mapping may name the column that detection could not find.
            if not (known and exc.headers):
                raise
            headers = exc.headers
        usable = _usable_map(known, headers)
        remembered = bool(usable)
        if found is None or any(found.header_map.get(h) != v for h, v in usable.items()):
            found = read_registry(
                content, filename=file_name, default_type=default_type, column_map=usable
            )
        parsed = found
    return _finish(store, name, content, file_name, parsed, default_type, remembered, region)


def _finish(
    store: Store,
    source: str,
    content: bytes,
    file_name: str,
    parsed: ParsedRegistry,
    default_type: str | None,
    remembered: bool,
    region: RegionData | None,
) -> UploadReview:
    base = store.current_version(source)
    current = store.version_entities(base.id) if base is not None else parsed.frame.iloc[:0]
    located = None
    if region is not None:
        from geo.analysis.locate import locate_entities

        located = locate_entities(
            parsed.frame.assign(zrodlo_rejestru=source),
            region.gminy,
            region.terc,
            region.settings.region,
        )
    return UploadReview(
        source=source,
        file_name=str(file_name),
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        parsed=parsed,
        column_map=_full_map(parsed),
        default_type=default_type,
        remembered=remembered,
        base=base,
        diff=diff_frames(current, parsed.frame),
        report=validation_report(parsed, located),
    )


def validation_report(parsed: ParsedRegistry, located: pd.DataFrame | None = None) -> pd.DataFrame:
    """Errors and warnings per row: reading problems, then location problems.

    Returns
    -------
    pandas.DataFrame
        ``wiersz`` (row in the file; 0 for the whole file), ``kolumna``, ``waga`` ("błąd" or
        "ostrzeżenie"), ``kategoria``, ``nazwa`` (the entity's name), ``komunikat``; sorted
        by row.
    """
    names = dict(
        zip(parsed.frame["wiersz"].astype(int), parsed.frame["nazwa"].astype(object), strict=True)
    )
    reading = pd.DataFrame(
        {
            "wiersz": [p.row for p in parsed.problems],
            "kolumna": [p.column for p in parsed.problems],
            "waga": [p.severity for p in parsed.problems],
            "kategoria": _READING,
            "komunikat": [p.message for p in parsed.problems],
        }
    )
    parts = [reading]
    if located is not None and len(located):
        from geo.analysis.locate.problems import CATEGORIES_COLUMN, is_excluded

        flagged = located[located["problem"].notna()]
        if len(flagged):
            categories = flagged["problem_kategoria"].astype(str)
            excluded = is_excluded(flagged[CATEGORIES_COLUMN]).to_numpy()
            parts.append(
                pd.DataFrame(
                    {
                        "wiersz": flagged["wiersz"].astype(int).to_numpy(),
                        "kolumna": None,
                        "waga": np.where(excluded, "błąd", "ostrzeżenie"),
                        "kategoria": categories.to_numpy(),
                        "komunikat": (
                            flagged["problem"].astype(str)
                            + np.where(excluded, " Podmiot nie będzie liczony w pokryciu.", "")
                        ).to_numpy(),
                    }
                )
            )
    report = (
        pd.concat([p for p in parts if len(p)], ignore_index=True)
        if any(len(p) for p in parts)
        else reading
    )
    report["nazwa"] = report["wiersz"].map(names)
    report = report.sort_values("wiersz", kind="stable").reset_index(drop=True)
    return report.reindex(columns=list(REPORT_COLUMNS)).astype(
        {"kolumna": object, "kategoria": object, "nazwa": object, "komunikat": object}
    )


def report_xlsx(review: UploadReview) -> bytes:
    """The validation report and the diff as a formula-safe XLSX workbook."""
    import io

    meta = {
        "plik": review.file_name,
        "SHA-256": review.sha256,
        "źródło": review.source,
        "wiersze": str(review.rows),
        "błędy": str(review.errors),
        "ostrzeżenia": str(review.warnings),
        "porównano z": f"wersja {review.base.number}" if review.base else "(nowe źródło)",
    }
    report = review.report.rename(
        columns={"wiersz": "Wiersz", "kolumna": "Kolumna", "waga": "Waga", "kategoria": "Kategoria"}
        | {"nazwa": "Nazwa", "komunikat": "Komunikat"}
    )
    diff = review.diff.table()
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(report).to_excel(writer, sheet_name="Raport walidacji", index=False)
        safe_frame(diff).to_excel(writer, sheet_name="Różnice", index=False)
        notes = pd.DataFrame({"pole": list(meta), "wartość": list(meta.values())})
        safe_frame(notes).to_excel(writer, sheet_name="Plik", index=False)
    return buffer.getvalue()


def confirm_upload(
    store: Store, review: UploadReview, user: str | None, note: str | None = None
) -> VersionInfo:
    """Store a reviewed upload as the source's new version, with its original file.

    Raises
    ------
    StoreError
        When another import made a new version of the source after the review (the user
        must review again), or when the database refuses the write. Nothing is written then.
    """
    return store.import_version(
        review.source,
        review.parsed.frame,
        file_name=review.file_name,
        content=review.content,
        user=user,
        note=note,
        column_map=review.column_map,
        default_type=review.default_type,
        expected_current=review.base.id if review.base is not None else 0,
    )


# --------------------------------------------------------------------------------------------
# Manual fixes against the region
# --------------------------------------------------------------------------------------------


def check_fix(kind: str, value: Mapping[str, Any], region: RegionData) -> str:
    """Check a manual fix against the region; return a Polish confirmation of what it means.

    Raises
    ------
    ValueError
        With a Polish message when the code is not a gmina of the region, the point lies
        outside the region, or a service area lists gminas outside it.
    """
    gminy = region.gminy
    names = dict(zip(gminy["teryt"], gminy["nazwa"], strict=True))
    if kind == "gmina":
        code = str(value.get("teryt") or "")
        if code not in names:
            raise ValueError(f"Kod {code} nie jest kodem gminy regionu ({region.name}).")
        return f"Gmina: {names[code]} ({code})."
    if kind == "wspolrzedne":
        try:
            lat, lon = float(value["szerokosc"]), float(value["dlugosc"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("Podaj szerokość i długość geograficzną jako liczby.") from None
        point = gpd.GeoDataFrame(geometry=gpd.points_from_xy([lon], [lat]), crs="EPSG:4326")
        hit = gpd.sjoin(point, gminy[["teryt", "geometry"]], predicate="within")
        if hit.empty:
            raise ValueError(
                f"Punkt {lat:.5f}, {lon:.5f} leży poza gminami regionu ({region.name}). "
                "Sprawdź, czy szerokość i długość nie są zamienione."
            )
        code = str(hit["teryt"].iloc[0])
        return f"Punkt leży w gminie {names[code]} ({code})."
    if kind == "gminy_obslugiwane":
        codes = [str(c) for c in value.get("gminy") or []]
        if not codes:
            raise ValueError("Wybierz co najmniej jedną gminę obsługiwaną.")
        outside = [c for c in codes if c not in names]
        if outside:
            raise ValueError("Kody spoza regionu: " + ", ".join(outside) + ".")
        return "Gminy obsługiwane: " + ", ".join(f"{names[c]} ({c})" for c in codes) + "."
    if kind == "duplikat":
        if not value.get("duplikat_z"):
            raise ValueError("Wskaż wpis, którego duplikatem jest ten podmiot.")
        return "Podmiot nie będzie liczony osobno."
    raise ValueError(f"Nieznany rodzaj poprawki: {kind}.")


# --------------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------------

#: Columns of a registry export, in order (those present are written).
EXPORT_COLUMNS = (
    *REGISTRY_COLUMNS,
    "zrodlo_rejestru",
    "wersja",
    "klucz_podmiotu",
    "teryt_gminy",
    "metoda_lokalizacji",
    "pozycja_przyblizona",
    "uwzgledniony",
    "problem_kategoria",
    "problem",
    "poprawki",
)


def export_registry(
    entities: pd.DataFrame, fmt: str, meta: Mapping[str, str] | None = None
) -> bytes:
    """Registry rows as CSV, XLSX or GeoJSON, with formula-like text neutralised.

    Parameters
    ----------
    entities : pandas.DataFrame or geopandas.GeoDataFrame
        Registry rows, located ones (with a point geometry) for GeoJSON.
    fmt : str
        One of :data:`EXPORT_FORMATS`.
    meta : dict, optional
        Source and date notes (XLSX sheet "Źródła"; GeoJSON top-level ``metadata``).
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Nieznany format {fmt!r}: dostępne {', '.join(EXPORT_FORMATS)}.")
    columns = [c for c in EXPORT_COLUMNS if c in entities.columns]
    table = pd.DataFrame(entities)[columns]
    if fmt != "geojson":
        return to_bytes(table, fmt, meta=meta, sheet="Rejestr")
    if not isinstance(entities, gpd.GeoDataFrame) or entities.geometry.name not in entities:
        raise ValueError("Eksport GeoJSON wymaga podmiotów z położeniem (geometrią).")
    safe = safe_frame(table)
    located = gpd.GeoDataFrame(safe, geometry=entities.geometry.to_numpy(), crs=entities.crs)
    if located.crs is not None:
        located = located.to_crs("EPSG:4326")
    payload = json.loads(located.to_json(na="null", drop_id=True))
    if meta:
        payload["metadata"] = {k: str(v) for k, v in meta.items()}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")
