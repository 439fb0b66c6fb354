"""Registry management for editors: import with review, manual fixes, history, audit log.

Viewing the dashboard is public; this page needs an editor login (accounts are made by the
operator: ``python -m geo users add LOGIN``). An upload is only read and compared until the
editor confirms it; the store then writes it as a new version in one transaction. All the
logic lives in geo.registry.review, geo.store and geo.store.auth; this page only draws.
"""

from __future__ import annotations

import hashlib
import json
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from geo.core.schema import ENTITY_TYPES, REGISTRY_COLUMNS, SOCIAL_EMPLOYMENT_TYPES
from geo.core.text import fold
from geo.io.registry import FIELD_LABELS, MAX_FILE_BYTES, MAX_ROWS, RegistryFileError
from geo.registry.review import (
    RegistryDiff,
    UploadReview,
    check_fix,
    confirm_upload,
    diff_versions,
    report_xlsx,
    review_upload,
)
from geo.store import FIX_KINDS, MAX_SOURCE_NAME, Store, StoreError, auth
from pages import _common as c

SESSION_KEY = "pes_sesja"
REVIEW_KEY = "import_przeglad"
MAPPING_KEY = "import_mapowanie"
UPLOADER_KEY = "import_plik_nr"
DONE_KEY = "import_komunikat"
FIX_DONE_KEY = "poprawka_komunikat"
SECTIONS = ("Import pliku", "Poprawki ręczne", "Historia wersji", "Dziennik zmian")
NEW_SOURCE = "➕ nowe źródło…"
SKIP = "(pomiń kolumnę)"
FROM_FILE = "(typ z kolumny pliku)"
UPLOAD_MB = MAX_FILE_BYTES // (1024 * 1024)
MAX_CHOICES = 300
MAX_MAPPED = 100
#: Polish names of the audit log's action codes (others are shown as written).
ACTIONS = {"import": "import", "restore": "przywrócenie wersji"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store(url)


def _local(value: Any) -> str:
    """A UTC timestamp as Polish local time."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).tz_convert("Europe/Warsaw").strftime("%d.%m.%Y %H:%M")


def _field_label(native: str) -> str:
    return SKIP if native == SKIP else f"{native} — {FIELD_LABELS.get(native, native)}"


# ------------------------------------------------------------------------------- login


def _login_form(store: Store) -> None:
    st.info(
        "Przeglądanie mapy i rejestru jest publiczne. Import plików, poprawki i przywracanie "
        "wersji wymagają zalogowania. Konta redaktorów zakłada administrator serwera "
        "poleceniem `python -m geo users add LOGIN`.",
        icon=":material/lock:",
    )
    # clear_on_submit: the password does not stay in the session state after the attempt.
    with st.form("logowanie", clear_on_submit=True, width=420):
        login = st.text_input("Login", autocomplete="username")
        password = st.text_input("Hasło", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Zaloguj", type="primary")
    if submitted:
        try:
            session = c.guarded(lambda: auth.authenticate(store, login, password))
        except auth.AuthError as exc:
            st.error(c.md(exc), icon=":material/error:")
            return
        st.session_state[SESSION_KEY] = session
        st.rerun()


def _current_session() -> auth.Session | None:
    previous = st.session_state.get(SESSION_KEY)
    session = auth.touch(previous)
    st.session_state[SESSION_KEY] = session
    if previous is not None and session is None:
        st.warning("Sesja wygasła. Zaloguj się ponownie.", icon=":material/timer_off:")
    return session


# ------------------------------------------------------------------------------- import


def _review_key(source: str, sha: str, mapping: dict | None, default_type: str | None) -> str:
    return json.dumps([source, sha, mapping, default_type], ensure_ascii=False, sort_keys=True)


def _rows(n: int) -> str:
    """ "1 wiersz", "3 wiersze", "5 wierszy"."""
    if n == 1:
        return "1 wiersz"
    few = n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14)
    return f"{c.fmt_int(n)} {'wiersze' if few else 'wierszy'}"


def _mapping_editor(
    headers: list[str],
    current: dict[str, str | None],
    key: str,
    preview: pd.DataFrame | None = None,
) -> None:
    """Selectboxes header -> field; the choice is kept for this file and source."""
    options = [SKIP, *REGISTRY_COLUMNS]
    if len(headers) > MAX_MAPPED:
        # A file with hundreds of columns: offer the recognised ones and those with data.
        filled = set()
        if preview is not None and not preview.empty:
            filled = {
                h
                for h in preview.columns
                if preview[h].fillna("").astype(str).str.strip().ne("").any()
            }
        wanted = [h for h in headers if current.get(h) or h in filled]
        omitted = len(headers) - len(wanted[:MAX_MAPPED])
        headers = wanted[:MAX_MAPPED]
    else:
        omitted = 0
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


def _diff_table(diff: RegistryDiff) -> None:
    st.dataframe(
        diff.table().rename(
            columns={
                "zmiana": "Zmiana",
                "klucz_podmiotu": "Klucz",
                "nazwa": "Nazwa",
                "typ": "Typ",
                "miejscowosc": "Miejscowość",
                "szczegoly": "Szczegóły",
            }
        ),
        hide_index=True,
        width="stretch",
        height=260,
    )


def _show_review(review: UploadReview, store: Store, session: auth.Session) -> None:
    parsed = review.parsed
    detected = [f"{_rows(review.rows)} danych"]
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
    st.dataframe(parsed.preview, width="stretch")

    with st.expander(
        "Mapowanie kolumn"
        + (" (zapamiętane dla tego źródła)" if review.remembered else " (wykryte automatycznie)"),
        icon=":material/table_edit:",
    ):
        _mapping_editor(parsed.headers, review.column_map, review.sha256[:12], parsed.preview)

    st.markdown("**Raport walidacji**")
    m1, m2, m3 = st.columns(3)
    m1.metric("Wiersze", c.fmt_int(review.rows))
    m2.metric("Błędy", c.fmt_int(review.errors))
    m3.metric("Ostrzeżenia", c.fmt_int(review.warnings))
    if review.report.empty:
        st.caption("Nie znaleziono problemów.")
    else:
        st.dataframe(
            review.report.rename(
                columns={
                    "wiersz": "Wiersz",
                    "kolumna": "Kolumna",
                    "waga": "Waga",
                    "kategoria": "Kategoria",
                    "nazwa": "Nazwa",
                    "komunikat": "Komunikat",
                }
            ),
            hide_index=True,
            width="stretch",
            height=260,
        )
        st.caption(
            "Wiersz 0 oznacza uwagę do całego pliku. Wiersze z błędami zostaną zapisane, ale "
            "nie będą liczone w pokryciu, dopóki ich nie poprawisz (w pliku albo poprawką "
            "ręczną)."
        )
    st.download_button(
        "Pobierz raport walidacji i różnice (XLSX)",
        data=partial(report_xlsx, review),  # written only when asked for
        file_name=f"raport_walidacji_{review.sha256[:8]}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
    )

    base = review.base
    st.markdown(
        "**Różnice względem bieżącej wersji**"
        + (f" (wersja {base.number} z {_local(base.created_at)})" if base else " (nowe źródło)")
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
        _diff_table(review.diff)

    note = st.text_input("Uwaga do wersji (opcjonalnie)", max_chars=500, key="import_uwaga")
    if st.button("Zatwierdź import jako nową wersję", type="primary", icon=":material/save:"):
        try:
            version = confirm_upload(store, review, session.login, note)
        except StoreError as exc:
            st.session_state.pop(REVIEW_KEY, None)  # review again against the new version
            st.error(c.md(exc), icon=":material/error:")
            return
        st.session_state.pop(REVIEW_KEY, None)
        st.session_state.pop(MAPPING_KEY, None)
        st.session_state[UPLOADER_KEY] = st.session_state.get(UPLOADER_KEY, 0) + 1
        st.session_state[DONE_KEY] = (
            f"Zapisano wersję {version.number} źródła „{version.source}” "
            f"({_rows(version.row_count)})."
        )
        st.rerun()


def _import_tab(store: Store, session: auth.Session) -> None:
    done = st.session_state.pop(DONE_KEY, None)
    if done:
        st.success(c.md(done), icon=":material/check_circle:")
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
    content = upload.getvalue()
    sha = hashlib.sha256(content).hexdigest()
    mapping_state = st.session_state.get(MAPPING_KEY) or {}
    mapping = mapping_state.get("map") if mapping_state.get("key") == sha[:12] else None
    type_code = None if chosen_type == FROM_FILE else chosen_type
    key = _review_key(source, sha, mapping, type_code)
    cached = st.session_state.get(REVIEW_KEY)
    review = cached[1] if cached and cached[0] == key else None
    if review is None:
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
                    _mapping_editor(exc.headers, mapping or exc.detected, sha[:12])
            return
        except StoreError as exc:
            st.error(c.md(exc), icon=":material/error:")
            return
        st.session_state[REVIEW_KEY] = (key, review)
    _show_review(review, store, session)


# ------------------------------------------------------------------------------- fixes


def _entity_label(row: pd.Series) -> str:
    place = row.get("miejscowosc")
    problem = row.get("problem_kategoria")
    parts = [str(row["nazwa"]), str(row["typ"] or "?")]
    if isinstance(place, str) and place:
        parts.append(place)
    parts.append(f"[{row['zrodlo_rejestru']}]")
    if isinstance(problem, str) and problem:
        parts.append(f"— {problem}")
    return " · ".join(parts)


def _fixes_tab(store: Store, session: auth.Session) -> None:
    result = c.coverage()
    region = result.region
    if result.registry.is_sample:
        st.info(
            "Poprawki dotyczą zaimportowanych źródeł; teraz pokazywane są dane przykładowe.",
            icon=":material/info:",
        )
        return
    entities = result.entities
    gminy = region.gminy.sort_values("nazwa", key=lambda s: s.map(fold))
    gmina_label = {
        t: f"{n} ({r}, pow. {p}) — {t}"
        for t, n, r, p in zip(
            gminy["teryt"], gminy["nazwa"], gminy["rodzaj_nazwa"], gminy["powiat_nazwa"],
            strict=True,
        )
    }  # fmt: skip

    st.markdown("**Nowa poprawka**")
    f1, f2 = st.columns([1, 2])
    only_attention = f1.toggle("Tylko wymagające uwagi", value=True)
    query = f2.text_input("Szukaj podmiotu", placeholder="nazwa lub miejscowość")
    pool = entities[entities["problem"].notna()] if only_attention else entities
    if query.strip():
        wanted = fold(query)
        text = (
            pool["nazwa"].fillna("").astype(str) + " " + pool["miejscowosc"].fillna("").astype(str)
        )
        pool = pool[text.map(fold).str.contains(wanted, regex=False).to_numpy()]
    if pool.empty:
        st.caption("Brak podmiotów spełniających warunki.")
    else:
        if len(pool) > MAX_CHOICES:
            st.caption(f"Pokazano {MAX_CHOICES} z {len(pool)}: zawęź wyszukiwanie.")
        pool = pool.head(MAX_CHOICES)
        position = st.selectbox(
            "Podmiot",
            list(range(len(pool))),
            format_func=lambda i: _entity_label(pool.iloc[i]),
        )
        entity = pool.iloc[position]
        where = entity.get("teryt_gminy")
        st.caption(
            f"Klucz: {c.md(entity['klucz_podmiotu'])} · gmina: "
            + (c.md(gmina_label.get(where, where)) if isinstance(where, str) else "nieustalona")
            + (f" · {c.md(entity['problem'])}" if isinstance(entity.get("problem"), str) else "")
        )
        kinds = ["gmina", "wspolrzedne", "duplikat"]
        if entity["typ"] in SOCIAL_EMPLOYMENT_TYPES:
            kinds.append("gminy_obslugiwane")
        kind = st.radio(
            "Rodzaj poprawki", kinds, format_func=lambda k: FIX_KINDS[k].capitalize(),
            horizontal=True,
        )  # fmt: skip
        value: dict[str, Any] = {}
        if kind == "gmina":
            codes = list(gmina_label)
            value["teryt"] = st.selectbox(
                "Gmina", codes, format_func=gmina_label.__getitem__,
                index=codes.index(where) if where in gmina_label else 0,
            )  # fmt: skip
        elif kind == "wspolrzedne":
            centre = region.gminy.geometry.union_all().centroid
            p1, p2 = st.columns(2)
            value["szerokosc"] = p1.number_input(
                "Szerokość geograficzna (N)", -90.0, 90.0, float(round(centre.y, 5)),
                step=0.0001, format="%.6f",
            )  # fmt: skip
            value["dlugosc"] = p2.number_input(
                "Długość geograficzna (E)", -180.0, 180.0, float(round(centre.x, 5)),
                step=0.0001, format="%.6f",
            )  # fmt: skip
        elif kind == "duplikat":
            same_source = entities[
                (entities["zrodlo_rejestru"] != entity["zrodlo_rejestru"])
                | (entities["klucz_podmiotu"] != entity["klucz_podmiotu"])
            ]
            name = fold(entity["nazwa"])
            similar = same_source[
                same_source["nazwa"].map(fold).str.contains(name[:12], regex=False)
            ]
            candidates = (similar if len(similar) else same_source).head(MAX_CHOICES)
            if candidates.empty:
                st.caption("Brak innych podmiotów w rejestrze.")
                return
            original = st.selectbox(
                "Jest duplikatem wpisu (ten wpis pozostaje liczony)",
                list(range(len(candidates))),
                format_func=lambda i: _entity_label(candidates.iloc[i]),
            )
            chosen = candidates.iloc[original]
            value["duplikat_z"] = f"{chosen['zrodlo_rejestru']}:{chosen['klucz_podmiotu']}"
        else:
            current = str(entity.get("gminy_obslugiwane_kody") or "").split(";")
            value["gminy"] = st.multiselect(
                "Gminy obsługiwane (na podstawie porozumień)", list(gmina_label),
                default=[t for t in current if t in gmina_label],
                format_func=gmina_label.__getitem__,
            )  # fmt: skip
        note = st.text_input("Uzasadnienie (np. numer porozumienia, źródło)", max_chars=500)
        if st.button("Zapisz poprawkę", type="primary", icon=":material/save:"):
            try:
                meaning = check_fix(kind, value, region)
                c.guarded(
                    lambda: store.add_fix(
                        entity["zrodlo_rejestru"], entity["klucz_podmiotu"], kind, value,
                        entity_name=entity["nazwa"], note=note, user=session.login,
                    )
                )  # fmt: skip
            except ValueError as exc:
                st.error(c.md(exc), icon=":material/error:")
            else:
                st.session_state[FIX_DONE_KEY] = f"Zapisano poprawkę. {meaning}"
                st.rerun()
    done = st.session_state.pop(FIX_DONE_KEY, None)
    if done:
        st.success(c.md(done), icon=":material/check_circle:")

    st.markdown("**Obowiązujące poprawki**")
    fixes = c.guarded(store.fixes)
    if not fixes:
        st.caption("Brak poprawek ręcznych.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Nr": [f.id for f in fixes],
                "Źródło rejestru": [f.source for f in fixes],
                "Podmiot": [f.entity_name or f.entity for f in fixes],
                "Poprawka": [f.describe() for f in fixes],
                "Uzasadnienie": [f.note for f in fixes],
                "Kto": [f.created_by for f in fixes],
                "Kiedy": [_local(f.created_at) for f in fixes],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    r1, r2 = st.columns([2, 1], vertical_alignment="bottom")
    by_id = {f.id: f for f in fixes}
    revoked = r1.selectbox(
        "Poprawka do wycofania", list(by_id),
        format_func=lambda i: f"nr {i}: {by_id[i].entity_name or by_id[i].entity}",
    )  # fmt: skip
    if r2.button("Wycofaj poprawkę", icon=":material/undo:"):
        c.guarded(lambda: store.revoke_fix(revoked, user=session.login))
        st.session_state[FIX_DONE_KEY] = f"Wycofano poprawkę nr {revoked}."
        st.rerun()


# ------------------------------------------------------------------------------- history


def _history_tab(store: Store, session: auth.Session) -> None:
    sources = c.guarded(store.sources)
    if not sources:
        st.caption("Nie zaimportowano jeszcze żadnego źródła.")
        return
    source = st.selectbox("Źródło rejestru", sources, key="historia_zrodlo")
    versions = c.guarded(lambda: store.versions(source))
    st.dataframe(
        pd.DataFrame(
            {
                "Wersja": [v.number for v in versions],
                "Bieżąca": [v.is_current for v in versions],
                "Kiedy": [_local(v.created_at) for v in versions],
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
    by_id = {v.id: v for v in versions}

    def label(i: int) -> str:
        v = by_id[i]
        return f"wersja {v.number} ({_local(v.created_at)})" + (
            " — bieżąca" if v.is_current else ""
        )

    with_files = [v.id for v in versions if v.file_sha256]
    if with_files:
        o1, o2 = st.columns([2, 1], vertical_alignment="bottom")
        picked = o1.selectbox("Oryginalny plik wersji", with_files, format_func=label)
        name, payload = c.guarded(lambda: store.original_file(picked))
        if payload is not None:
            o2.download_button(
                "Pobierz oryginał",
                data=payload,
                file_name=name or f"wersja_{by_id[picked].number}",
                mime="application/octet-stream",
                icon=":material/download:",
                on_click="ignore",
            )

    if len(versions) >= 2:
        st.markdown("**Różnice między wersjami**")
        ids = [v.id for v in versions]
        v1, v2 = st.columns(2)
        older = v1.selectbox("Wersja wcześniejsza", ids, index=1, format_func=label)
        newer = v2.selectbox("Wersja późniejsza", ids, index=0, format_func=label)
        diff = c.guarded(lambda: diff_versions(store, older, newer))
        counts = diff.counts
        st.markdown(" · ".join(f"{name}: **{c.fmt_int(n)}**" for name, n in counts.items()))
        if not diff.is_empty:
            _diff_table(diff)

    earlier = [v.id for v in versions if not v.is_current]
    if earlier:
        st.markdown("**Przywracanie wersji**")
        st.caption(
            "Przywrócona wersja staje się nową bieżącą wersją źródła; historia zostaje "
            "zachowana w całości."
        )
        r1, r2 = st.columns([2, 1], vertical_alignment="bottom")
        restored = r1.selectbox("Wersja do przywrócenia", earlier, format_func=label)
        sure = r1.checkbox("Potwierdzam przywrócenie tej wersji")
        if r2.button("Przywróć", icon=":material/restore:", disabled=not sure):
            version = c.guarded(lambda: store.restore_version(restored, user=session.login))
            st.success(
                f"Przywrócono: nowa wersja {version.number} źródła „{c.md(version.source)}”.",
                icon=":material/check_circle:",
            )


def _audit_tab(store: Store) -> None:
    log = c.guarded(lambda: store.audit(limit=500))
    if log.empty:
        st.caption("Dziennik jest pusty.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Kiedy": log["at"].map(_local),
                "Kto": log["user"],
                "Czynność": log["action"].map(lambda a: ACTIONS.get(a, a)),
                "Szczegóły": log["details"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption("Ostatnie 500 wpisów, od najnowszych.")


# ------------------------------------------------------------------------------- page

settings = c.settings()
store = c.guarded(lambda: _store(settings.database_url))
st.title("Import danych")
session = _current_session()
if session is None:
    _login_form(store)
    st.stop()
assert session is not None

top1, top2 = st.columns([4, 1], vertical_alignment="center")
top1.caption(
    f"Zalogowano: **{c.md(session.login)}** · sesja wygasa po "
    f"{int(auth.SESSION_IDLE.total_seconds() // 60)} min bezczynności "
    f"(najpóźniej {_local(session.started_at + auth.SESSION_MAX)})."
)
if top2.button("Wyloguj", icon=":material/logout:"):
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(REVIEW_KEY, None)
    st.rerun()

# Only the chosen section runs (tabs would compute all four on every interaction).
section = (
    st.segmented_control(
        "Sekcja",
        SECTIONS,
        default=SECTIONS[0],
        key="import_sekcja",
        label_visibility="collapsed",
    )  # fmt: skip
    or SECTIONS[0]
)
if section == SECTIONS[0]:
    _import_tab(store, session)
elif section == SECTIONS[1]:
    _fixes_tab(store, session)
elif section == SECTIONS[2]:
    _history_tab(store, session)
else:
    _audit_tab(store)
