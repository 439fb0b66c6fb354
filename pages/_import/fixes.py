"""The "Poprawki ręczne" section: pick an entity, fill in a fix, save it; list and revoke fixes.

Which fixes fit an entity, the duplicate candidates, the default point and the checks of a fix
come from geo.registry (search, fixes); this module only draws the form.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo.core.text import fold
from geo.errors import UserError
from geo.io.region import RegionData
from geo.registry.fixes import (
    check_fix,
    default_point,
    duplicate_candidates,
    fix_kinds,
)
from geo.registry.search import NAME_AND_PLACE, matching
from geo.store import FIX_KINDS, Store, auth
from pages import _common as c
from pages._auth import editor
from pages._import import local_time

FIX_DONE_KEY = "poprawka_komunikat"
MAX_CHOICES = 300


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


def _gmina_labels(region: RegionData) -> dict[str, str]:
    """TERYT code -> "name (kind, pow. powiat) — code", sorted by folded name."""
    gminy = region.gminy.sort_values("nazwa", key=lambda s: s.map(fold))
    return {
        t: f"{n} ({r}, pow. {p}) — {t}"
        for t, n, r, p in zip(
            gminy["teryt"], gminy["nazwa"], gminy["rodzaj_nazwa"], gminy["powiat_nazwa"],
            strict=True,
        )
    }  # fmt: skip


def _chosen_entity(entities: pd.DataFrame) -> pd.Series | None:
    """The entity the editor picks (filtered by attention and a search), if any."""
    f1, f2 = st.columns([1, 2])
    only_attention = f1.toggle("Tylko wymagające uwagi", value=True)
    query = f2.text_input("Szukaj podmiotu", placeholder="nazwa lub miejscowość")
    pool = entities[entities["problem"].notna()] if only_attention else entities
    pool = pool[matching(pool, query, NAME_AND_PLACE).to_numpy()]
    if pool.empty:
        st.caption("Brak podmiotów spełniających warunki.")
        return None
    if len(pool) > MAX_CHOICES:
        st.caption(f"Pokazano {MAX_CHOICES} z {len(pool)}: zawęź wyszukiwanie.")
    pool = pool.head(MAX_CHOICES)
    position = st.selectbox(
        "Podmiot",
        list(range(len(pool))),
        format_func=lambda i: _entity_label(pool.iloc[i]),
    )
    return pool.iloc[position]


def _fix_value(
    kind: str, entity: pd.Series, entities: pd.DataFrame, region: RegionData,
    gmina_label: dict[str, str],
) -> dict[str, Any] | None:  # fmt: skip
    """The widgets of one fix kind; ``None`` when there is nothing to choose from."""
    where = entity.get("teryt_gminy")
    if kind == "gmina":
        codes = list(gmina_label)
        return {
            "teryt": st.selectbox(
                "Gmina", codes, format_func=gmina_label.__getitem__,
                index=codes.index(where) if where in gmina_label else 0,
            )
        }  # fmt: skip
    if kind == "wspolrzedne":
        lat, lon = default_point(region.gminy)
        p1, p2 = st.columns(2)
        return {
            "szerokosc": p1.number_input(
                "Szerokość geograficzna (N)", -90.0, 90.0, lat, step=0.0001, format="%.6f"
            ),
            "dlugosc": p2.number_input(
                "Długość geograficzna (E)", -180.0, 180.0, lon, step=0.0001, format="%.6f"
            ),
        }
    if kind == "duplikat":
        candidates = duplicate_candidates(entities, entity, MAX_CHOICES)
        if candidates.empty:
            st.caption("Brak innych podmiotów w rejestrze.")
            return None
        original = st.selectbox(
            "Jest duplikatem wpisu (ten wpis pozostaje liczony)",
            list(range(len(candidates))),
            format_func=lambda i: _entity_label(candidates.iloc[i]),
        )
        chosen = candidates.iloc[original]
        return {"duplikat_z": f"{chosen['zrodlo_rejestru']}:{chosen['klucz_podmiotu']}"}
    current = str(entity.get("gminy_obslugiwane_kody") or "").split(";")
    return {
        "gminy": st.multiselect(
            "Gminy obsługiwane (na podstawie porozumień)", list(gmina_label),
            default=[t for t in current if t in gmina_label],
            format_func=gmina_label.__getitem__,
            placeholder="wybierz gminy", select_all=False,  # no English "Select all"
        )
    }  # fmt: skip


def _new_fix(
    store: Store, session: auth.Session, entities: pd.DataFrame, region: RegionData
) -> bool:
    """The form of a new fix; False when it cannot be drawn (no candidates for a duplicate)."""
    entity = _chosen_entity(entities)
    if entity is None:
        return True
    gmina_label = _gmina_labels(region)
    where = entity.get("teryt_gminy")
    st.caption(
        f"Klucz: {c.md(entity['klucz_podmiotu'])} · gmina: "
        + (c.md(gmina_label.get(where, where)) if isinstance(where, str) else "nieustalona")
        + (f" · {c.md(entity['problem'])}" if isinstance(entity.get("problem"), str) else "")
    )
    kind = st.radio(
        "Rodzaj poprawki", fix_kinds(entity["typ"]),
        format_func=lambda k: FIX_KINDS[k].capitalize(), horizontal=True,
    )  # fmt: skip
    value = _fix_value(kind, entity, entities, region, gmina_label)
    if value is None:
        return False
    note = st.text_input("Uzasadnienie (np. numer porozumienia, źródło)", max_chars=500)
    if st.button("Zapisz poprawkę", type="primary", icon=":material/save:"):
        try:
            meaning = check_fix(kind, value, region)
            store.add_fix(
                entity["zrodlo_rejestru"], entity["klucz_podmiotu"], kind, value,
                entity_name=entity["nazwa"], note=note, user=editor(store, session),
            )  # fmt: skip
        except UserError as exc:  # the fix's checks and the store's refusals alike
            st.error(c.md(exc), icon=":material/error:")
        else:
            st.session_state[FIX_DONE_KEY] = f"Zapisano poprawkę. {meaning}"
            st.rerun()
    return True


def _fix_list(store: Store, session: auth.Session) -> None:
    st.markdown("**Obowiązujące poprawki**")
    fixes = c.guarded(store.fixes)
    if not fixes:
        st.caption("Brak poprawek ręcznych.")
        return
    c.table(
        pd.DataFrame(
            {
                "Nr": [f.id for f in fixes],
                "Źródło rejestru": [f.source for f in fixes],
                "Podmiot": [f.entity_name or f.entity for f in fixes],
                "Poprawka": [f.describe() for f in fixes],
                "Uzasadnienie": [f.note for f in fixes],
                "Kto": [f.created_by for f in fixes],
                "Kiedy": [local_time(f.created_at) for f in fixes],
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
        login = editor(store, session)
        c.guarded(lambda: store.revoke_fix(revoked, user=login))
        st.session_state[FIX_DONE_KEY] = f"Wycofano poprawkę nr {revoked}."
        st.rerun()


def fixes_section(store: Store, session: auth.Session) -> None:
    """New fix, then the fixes in force with their revocation."""
    result = c.coverage()
    if result.registry.is_sample:
        st.info(
            "Poprawki dotyczą zaimportowanych źródeł; teraz pokazywane są dane przykładowe.",
            icon=":material/info:",
        )
        return
    st.markdown("**Nowa poprawka**")
    if not _new_fix(store, session, result.entities, result.region):
        return  # as before: nothing more is drawn when a duplicate has no candidates
    done = st.session_state.pop(FIX_DONE_KEY, None)
    if done:
        st.success(c.md(done), icon=":material/check_circle:")
    _fix_list(store, session)
