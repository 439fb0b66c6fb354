"""The review of an upload: a file read for a source and compared with its current version.

Before a file becomes a version it is reviewed (:func:`review_upload`): read with the column
mapping remembered for its source (or one the user edited), checked row by row, located in the
region and compared with the source's current version. Nothing is written until
:func:`confirm_upload`, which refuses when another import changed the source since the review.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from geo.io.registry import ParsedRegistry, RegistryFileError, read_registry
from geo.registry.diff import RegistryDiff, diff_frames
from geo.registry.report import validation_report
from geo.store import Store, StoreError, VersionInfo

if TYPE_CHECKING:
    from geo.io.region import RegionData

__all__ = ["UploadReview", "confirm_upload", "review_upload"]


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
        parsed, remembered = _read_with_remembered_map(content, file_name, default_type, known)
    return _finish(store, name, content, file_name, parsed, default_type, remembered, region)


def _read_with_remembered_map(
    content: bytes, file_name: str, default_type: str | None, known: dict[str, str | None]
) -> tuple[ParsedRegistry, bool]:
    """Read with detected headers, overridden by the source's remembered mapping.

    Returns the parsed file and whether any remembered mapping applied.
    """
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
    if found is None or any(found.header_map.get(h) != v for h, v in usable.items()):
        found = read_registry(
            content, filename=file_name, default_type=default_type, column_map=usable
        )
    return found, bool(usable)


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
