"""The "Historia wersji" section: versions of a source, their files, diffs and restore.

A restore makes a new current version (the store keeps the whole history), so it needs an
explicit confirmation checkbox and the editor's password typed again.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from geo.registry.diff import diff_versions
from geo.store import Store, VersionInfo, auth
from pages import _common as c
from pages._auth import editor_with_password
from pages._downloads import download
from pages._import import diff_table, local_time


def _version_table(versions: list[VersionInfo]) -> None:
    c.table(
        pd.DataFrame(
            {
                "Wersja": [v.number for v in versions],
                "Bieżąca": [v.is_current for v in versions],
                "Kiedy": [local_time(v.created_at) for v in versions],
                "Kto": [v.created_by for v in versions],
                "Plik": [v.file_name for v in versions],
                "SHA-256": [(v.file_sha256 or "")[:16] for v in versions],
                "Wierszy": [v.row_count for v in versions],
                "Uwaga": [v.note for v in versions],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _original_file(store: Store, versions: list[VersionInfo], label: Callable) -> None:
    with_files = [v.id for v in versions if v.file_sha256]
    if not with_files:
        return
    number = {v.id: v.number for v in versions}
    o1, o2 = st.columns([2, 1], vertical_alignment="bottom")
    picked = o1.selectbox("Oryginalny plik wersji", with_files, format_func=label)
    name, payload = c.guarded(lambda: store.original_file(picked))
    if payload is not None:
        download(
            "Pobierz oryginał",
            payload,
            file_name=name or f"wersja_{number[picked]}",
            mime="application/octet-stream",
            place=o2,
            icon=":material/download:",
        )


def _differences(store: Store, versions: list[VersionInfo], label: Callable) -> None:
    st.markdown("**Różnice między wersjami**")
    ids = [v.id for v in versions]
    v1, v2 = st.columns(2)
    older = v1.selectbox("Wersja wcześniejsza", ids, index=1, format_func=label)
    newer = v2.selectbox("Wersja późniejsza", ids, index=0, format_func=label)
    diff = c.guarded(lambda: diff_versions(store, older, newer))
    counts = diff.counts
    st.markdown(" · ".join(f"{name}: **{c.fmt_int(n)}**" for name, n in counts.items()))
    if not diff.is_empty:
        diff_table(diff)


def _restore(store: Store, session: auth.Session, earlier: list[int], label: Callable) -> None:
    st.markdown("**Przywracanie wersji**")
    st.caption(
        "Przywrócona wersja staje się nową bieżącą wersją źródła; historia zostaje "
        "zachowana w całości."
    )
    # A form cleared on submit: the password typed again is not kept in the session state.
    with st.form("przywracanie", clear_on_submit=True, width=560):
        restored = st.selectbox("Wersja do przywrócenia", earlier, format_func=label)
        sure = st.checkbox("Potwierdzam przywrócenie tej wersji")
        # Typed again: a session left open (or taken over) cannot restore on its own.
        password = st.text_input(
            "Hasło (potwierdzenie)", type="password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Przywróć", icon=":material/restore:")
    if submitted:
        if not sure:
            st.warning("Zaznacz potwierdzenie przywrócenia.", icon=":material/warning:")
            return
        login = editor_with_password(store, session, password)
        if login is None:
            return
        version = c.guarded(lambda: store.restore_version(restored, user=login))
        st.success(
            f"Przywrócono: nowa wersja {version.number} źródła „{c.md(version.source)}”.",
            icon=":material/check_circle:",
        )


def history_section(store: Store, session: auth.Session) -> None:
    """The versions of a source: list, original files, diffs between two, restore."""
    sources = c.guarded(store.sources)
    if not sources:
        st.caption("Nie zaimportowano jeszcze żadnego źródła.")
        return
    source = st.selectbox("Źródło rejestru", sources, key="historia_zrodlo")
    versions = c.guarded(lambda: store.versions(source))
    _version_table(versions)
    by_id = {v.id: v for v in versions}

    def label(i: int) -> str:
        v = by_id[i]
        return f"wersja {v.number} ({local_time(v.created_at)})" + (
            " — bieżąca" if v.is_current else ""
        )

    _original_file(store, versions, label)
    if len(versions) >= 2:
        _differences(store, versions, label)
    earlier = [v.id for v in versions if not v.is_current]
    if earlier:
        _restore(store, session, earlier, label)
