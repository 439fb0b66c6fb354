"""The "Import pliku" section: choose a source, upload a file, review it, confirm it.

The review (preview, column mapping, validation report, diff) is computed by
geo.registry.review and kept in the session for this file and mapping, so widgets on the page
do not read the file again; nothing is written before the editor confirms.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import partial

import pandas as pd
import streamlit as st

from geo.core.schema import ENTITY_TYPES, REGISTRY_COLUMNS
from geo.io.registry import (
    FIELD_LABELS,
    MAX_CELL_CHARS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    RegistryFileError,
)
from geo.io.tabular import ReadLimits, limits_text
from geo.registry.report import report_xlsx
from geo.registry.review import UploadReview, confirm_upload, review_upload
from geo.store import MAX_SOURCE_NAME, Store, StoreError, auth
from pages import _common as c
from pages._auth import editor
from pages._downloads import download_on_request
from pages._import import diff_table, local_time, rows_label

REVIEW_KEY = "import_przeglad"
MAPPING_KEY = "import_mapowanie"
UPLOADER_KEY = "import_plik_nr"
DONE_KEY = "import_komunikat"
NEW_SOURCE = "➕ nowe źródło…"
SKIP = "(pomiń kolumnę)"
FROM_FILE = "(typ z kolumny pliku)"
UPLOAD_MB = MAX_FILE_BYTES // (1024 * 1024)
MAX_MAPPED = 100
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Column headings of the validation report.
_REPORT_HEADINGS = {
    "wiersz": "Wiersz",
    "kolumna": "Kolumna",
    "waga": "Waga",
    "kategoria": "Kategoria",
    "nazwa": "Nazwa",
    "komunikat": "Komunikat",
}


def _review_key(source: str, sha: str, mapping: dict | None, default_type: str | None) -> str:
    return json.dumps([source, sha, mapping, default_type], ensure_ascii=False, sort_keys=True)


def _field_label(native: str) -> str:
    return SKIP if native == SKIP else f"{native} — {FIELD_LABELS.get(native, native)}"


def _mapped_headers(
    headers: list[str], current: Mapping[str, str | None], preview: pd.DataFrame | None
) -> tuple[list[str], int]:
    """The headers offered for mapping and how many were left out.

    A file with hundreds of columns gets the recognised ones and those with data.
    """
    if len(headers) <= MAX_MAPPED:
        return headers, 0
    filled = set()
    if preview is not None and not preview.empty:
        filled = {
            h for h in preview.columns if preview[h].fillna("").astype(str).str.strip().ne("").any()
        }
    wanted = [h for h in headers if current.get(h) or h in filled]
    return wanted[:MAX_MAPPED], len(headers) - len(wanted[:MAX_MAPPED])


def mapping_editor(
    headers: list[str],
    current: Mapping[str, str | None],
    key: str,
    preview: pd.DataFrame | None = None,
) -> None:
    """Selectboxes header -> field; the choice is kept for this file and source."""
    options = [SKIP, *REGISTRY_COLUMNS]
    headers, omitted = _mapped_headers(headers, current, preview)
    with st.form(f"mapowanie_{key}"):
        st.caption(
            "Wskaż, które pole rejestru zawiera każda kolumna pliku. Mapowanie zostanie "
            "zapamiętane dla tego źródła po zatwierdzeniu importu."
            + (f" Pominięto {omitted} pustych lub nierozpoznanych kolumn." if omitted else "")
        )
        columns = st.columns(3)
        chosen: dict[str, str | None] = {}
        for i, header in enumerate(headers):
            native = current.get(header) or SKIP
            chosen[header] = columns[i % 3].selectbox(
                header,
                options,
                index=options.index(native) if native in options else 0,
                format_func=_field_label,
                key=f"map_{key}_{i}",
            )
        if st.form_submit_button("Zastosuj mapowanie kolumn"):
            st.session_state[MAPPING_KEY] = {
                "key": key,
                "map": {h: (None if v == SKIP else v) for h, v in chosen.items()},
            }
            st.rerun()


def _file_summary(review: UploadReview) -> None:
    parsed = review.parsed
    detected = [f"{rows_label(review.rows)} danych"]
    if parsed.encoding:
        detected.append(f"kodowanie {parsed.encoding}")
    if parsed.delimiter:
        detected.append(f"separator „{parsed.delimiter}”".replace("\t", "tabulator"))
    if parsed.sheet:
        detected.append(f"arkusz „{c.md(parsed.sheet)}”")
    st.markdown(
        f"**{c.md(review.file_name)}** · SHA-256 `{review.sha256[:16]}…` · " + " · ".join(detected)
    )
    st.markdown("**Podgląd pierwszych wierszy pliku**")
    st.dataframe(parsed.preview, width="stretch")  # the file as it is
    with st.expander(
        "Mapowanie kolumn"
        + (" (zapamiętane dla tego źródła)" if review.remembered else " (wykryte automatycznie)"),
        icon=":material/table_edit:",
    ):
        mapping_editor(parsed.headers, review.column_map, review.sha256[:12], parsed.preview)


def _validation_report(review: UploadReview) -> None:
    st.markdown("**Raport walidacji**")
    m1, m2, m3 = st.columns(3)
    m1.metric("Wiersze", c.fmt_int(review.rows))
    m2.metric("Błędy", c.fmt_int(review.errors))
    m3.metric("Ostrzeżenia", c.fmt_int(review.warnings))
    if review.report.empty:
        st.caption("Nie znaleziono problemów.")
    else:
        c.table(
            review.report.rename(columns=_REPORT_HEADINGS),
            hide_index=True,
            width="stretch",
            height=260,
        )
        st.caption(
            "Wiersz 0 oznacza uwagę do całego pliku. Wiersze z błędami zostaną zapisane, ale "
            "nie będą liczone w pokryciu, dopóki ich nie poprawisz (w pliku albo poprawką "
            "ręczną)."
        )
    download_on_request(
        "Pobierz raport walidacji i różnice (XLSX)",
        partial(report_xlsx, review),  # written only when asked for
        file_name=f"raport_walidacji_{review.sha256[:8]}.xlsx",
        mime=XLSX_MIME,
        key="import_raport_xlsx",
        token=(review.sha256, review.source, review.base.number if review.base else None),
        icon=":material/download:",
    )


def _differences(review: UploadReview) -> None:
    base = review.base
    st.markdown(
        "**Różnice względem bieżącej wersji**"
        + (f" (wersja {base.number} z {local_time(base.created_at)})" if base else " (nowe źródło)")
    )
    counts = review.diff.counts
    d1, d2, d3, d4 = st.columns(4)
    d1.metric("Dodane", c.fmt_int(counts["dodane"]))
    d2.metric("Usunięte", c.fmt_int(counts["usunięte"]))
    d3.metric("Zmienione", c.fmt_int(counts["zmienione"]))
    d4.metric("Bez zmian", c.fmt_int(counts["bez zmian"]))
    if review.diff.is_empty:
        st.caption("Plik zawiera te same dane co bieżąca wersja.")
    else:
        diff_table(review.diff)


def _confirmation(review: UploadReview, store: Store, session: auth.Session) -> None:
    note = st.text_input("Uwaga do wersji (opcjonalnie)", max_chars=500, key="import_uwaga")
    if st.button("Zatwierdź import jako nową wersję", type="primary", icon=":material/save:"):
        try:
            version = confirm_upload(store, review, editor(store, session), note)
        except StoreError as exc:
            st.session_state.pop(REVIEW_KEY, None)  # review again against the new version
            st.error(c.md(exc), icon=":material/error:")
            return
        st.session_state.pop(REVIEW_KEY, None)
        st.session_state.pop(MAPPING_KEY, None)
        st.session_state[UPLOADER_KEY] = st.session_state.get(UPLOADER_KEY, 0) + 1
        st.session_state[DONE_KEY] = (
            f"Zapisano wersję {version.number} źródła „{version.source}” "
            f"({rows_label(version.row_count)})."
        )
        st.rerun()


def _source_and_type(store: Store) -> tuple[str, str | None]:
    """The source the file replaces and the type for a file without a type column."""
    sources = c.guarded(store.sources)
    s1, s2 = st.columns([1, 1])
    choice = s1.selectbox("Źródło, które plik zastępuje", [*sources, NEW_SOURCE])
    source = choice
    if choice == NEW_SOURCE:
        source = s2.text_input(
            "Nazwa nowego źródła",
            max_chars=MAX_SOURCE_NAME,
            placeholder="np. rejestr KIS wojewody",
        )
    remembered = c.guarded(lambda: store.source_settings(source)) if source.strip() else None
    type_options = [FROM_FILE, *ENTITY_TYPES]
    default_type = (remembered.default_type if remembered else None) or FROM_FILE
    chosen_type = s2.selectbox(
        "Typ podmiotów, gdy plik nie ma kolumny typu",
        type_options,
        index=type_options.index(default_type) if default_type in type_options else 0,
        format_func=lambda t: t if t == FROM_FILE else f"{t}: {ENTITY_TYPES[t]}",
        key=f"import_typ_{source}",
    )
    return source, None if chosen_type == FROM_FILE else chosen_type


def _reviewed(store: Store, source: str, upload, type_code: str | None) -> UploadReview | None:
    """The review of this file, mapping and type (from the session when already made)."""
    content = upload.getvalue()
    sha = hashlib.sha256(content).hexdigest()
    mapping_state = st.session_state.get(MAPPING_KEY) or {}
    mapping = mapping_state.get("map") if mapping_state.get("key") == sha[:12] else None
    key = _review_key(source, sha, mapping, type_code)
    cached = st.session_state.get(REVIEW_KEY)
    if cached and cached[0] == key:
        return cached[1]
    region = c.coverage().region
    try:
        with st.spinner("Odczytywanie i sprawdzanie pliku…"):
            review = review_upload(
                store,
                source,
                content,
                upload.name,
                column_map=mapping,
                default_type=type_code,
                region=region,
            )
    except RegistryFileError as exc:
        st.error(f"**Plik odrzucony.** {c.md(exc)}", icon=":material/block:")
        st.caption("Rejestr nie został zmieniony.")
        if exc.headers:
            with st.expander("Wskaż kolumny ręcznie", expanded=True):
                mapping_editor(exc.headers, mapping or exc.detected, sha[:12])
        return None
    except StoreError as exc:
        st.error(c.md(exc), icon=":material/error:")
        return None
    st.session_state[REVIEW_KEY] = (key, review)
    return review


def import_section(store: Store, session: auth.Session) -> None:
    """Upload, review and confirm a file for a source."""
    done = st.session_state.pop(DONE_KEY, None)
    if done:
        st.success(c.md(done), icon=":material/check_circle:")
    source, type_code = _source_and_type(store)
    limits = ReadLimits.for_upload(MAX_FILE_BYTES, MAX_ROWS, MAX_CELL_CHARS)
    st.caption(
        f"Limity pliku: {limits_text(limits)}. Plik ponad limit zostanie odrzucony z opisem "
        "przyczyny, a rejestr pozostanie bez zmian. Pole poniżej ma angielskie napisy "
        "biblioteki Streamlit: „Upload” – wybierz plik (można go też przeciągnąć na pole), "
        f"„{UPLOAD_MB}MB per file” – najwyżej {UPLOAD_MB} MB na plik."
    )
    upload = st.file_uploader(
        f"Plik CSV lub XLSX (najwyżej {UPLOAD_MB} MB i {c.fmt_int(MAX_ROWS)} wierszy)",
        type=["csv", "xlsx", "xlsm", "txt"],
        max_upload_size=UPLOAD_MB,
        key=f"import_plik_{st.session_state.get(UPLOADER_KEY, 0)}",
    )
    if upload is None:
        st.caption(
            "Plik jest tylko odczytywany i porównywany z bieżącą wersją; nic nie zostanie "
            "zapisane przed zatwierdzeniem. Obsługiwane: CSV (UTF-8 lub Windows-1250, "
            "separator ; lub ,) i XLSX; nagłówki rozpoznawane automatycznie."
        )
        return
    if not source.strip():
        st.warning("Podaj nazwę nowego źródła.", icon=":material/edit:")
        return
    review = _reviewed(store, source, upload, type_code)
    if review is None:
        return
    _file_summary(review)
    _validation_report(review)
    _differences(review)
    _confirmation(review, store, session)
