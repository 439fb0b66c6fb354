"""Scenariusze: what if planned CIS/KIS opened and existing ones closed; the optimiser's sites.

All computation lives in :mod:`geo.analysis.scenarios` (what-if, optimiser, saved JSON), the
store (:mod:`geo.store.scenarios`) and the exports (:mod:`geo.analysis.scenarios.export`,
:mod:`geo.print.scenario`); this page keeps the scenario being edited in the session state and
draws it. Anyone may view and load saved scenarios; saving needs an editor session, checked by
:func:`_editor_session` (the one place to swap for another write check).
"""

from __future__ import annotations

import html
import json
from types import SimpleNamespace as Draft
from typing import Any

import folium
import pandas as pd
import streamlit as st

from geo.analysis import subregions
from geo.analysis.coverage import COVERAGE_LABELS
from geo.analysis.scenarios import (
    DEFAULT_TIME_LIMIT_S,
    OPTIMAL,
    Addition,
    ScenarioOptions,
    ScenarioResult,
    WhatIf,
    WhatIfResult,
    plan_cover,
    plan_maximize,
    what_if,
)
from geo.analysis.scenarios import export as scenario_export
from geo.analysis.scenarios import saved as scenario_saved
from geo.analysis.scenarios.whatif import (
    CHANGE_LOST,
    CHANGE_NEW,
    SERVE_LABELS,
    SERVE_NEIGHBOURS,
    closable,
)
from geo.core.plural import count
from geo.core.schema import SOCIAL_EMPLOYMENT_TYPES
from geo.errors import UserError
from geo.print.scenario import scenario_pdf
from geo.store import StoreError, auth
from pages import _auth as editor_auth
from pages import _common as common
from pages import _planning as planning
from pages._mapview import show_map

STATE_KEY = "scen_stan"
OPT_KEY = "scen_optymalizacja"
#: D and the distance rule, kept as plain values: the widgets are made from them with a key
#: that changes when a callback (loading, the optimiser) sets them, so Streamlit never mixes a
#: value set in code with the widget's own state.
D_KEY = "scen_d_wartosc"
RULE_KEY = "scen_regula_wartosc"
WIDGET_GENERATION = "scen_pokolenie"
DEFAULT_D_KM = 15.0
NUMBER = st.column_config.NumberColumn(format="localized")
DEFINITIONS = (
    "**Jak liczymy pokrycie.** Gmina jest *pokryta*, gdy ma działający CIS lub KIS na swoim "
    "terenie albo jest obsługiwana przez CIS/KIS innej gminy na podstawie porozumienia. "
    "Po włączeniu reguły odległości pokryta jest też gmina, której granica leży najwyżej "
    "D km od działającego CIS/KIS (tak liczy optymalizacja). Planowany CIS/KIS stoi w punkcie "
    "wewnątrz swojej gminy i obsługuje: tylko ją, ją i wybrane gminy (porozumienie) albo "
    "każdą gminę w promieniu D km."
)


def _new_draft(
    additions: list[Addition] | None = None,
    closures: list[str] | None = None,
    optimiser: dict[str, Any] | None = None,
    name: str = "",
) -> Draft:
    """The scenario being edited in this session (``additions``, ``closures``, ``optimiser``,
    ``name``). A stdlib type, not a class of this script: the script is run anew on every
    rerun, and an instance of an earlier run's class would fail ``isinstance``."""
    return Draft(
        additions=list(additions or []),
        closures=list(closures or []),
        optimiser=optimiser,
        name=name,
    )


def _draft() -> Draft:
    draft = st.session_state.get(STATE_KEY)
    if not isinstance(draft, Draft):
        draft = _new_draft()
        st.session_state[STATE_KEY] = draft
    return draft


def _set_kept(key: str, value: Any) -> None:
    """From a callback: set D or the rule; the widget is made anew with this value."""
    st.session_state[key] = value
    st.session_state[WIDGET_GENERATION] = st.session_state.get(WIDGET_GENERATION, 0) + 1


def _editor_session() -> auth.Session | None:
    """The editor logged in on the import page, if the session is still valid (the one write
    check of this page)."""
    return editor_auth.current_session(common.store(), common.settings())


def _gmina_labels(result: Any) -> dict[str, str]:
    frame = result.gminy
    return {
        str(t): f"{n} ({r}, pow. {p}) · {t}"
        for t, n, r, p in zip(
            frame["teryt"],
            frame["nazwa"],
            frame["rodzaj_nazwa"],
            frame["powiat_nazwa"],
            strict=True,
        )
    }


# ------------------------------------------------------------------------- saved scenarios


def _load(name: str, number: int) -> None:
    """Callback: the saved version into the draft, its date and D into the widgets."""
    try:
        record = common.store().load_scenario(name, number)
        loaded = scenario_saved.from_json(record.definition)
    except UserError as exc:
        st.session_state["scen_blad"] = str(exc)
        return
    st.session_state[STATE_KEY] = _new_draft(
        list(loaded.whatif.additions), list(loaded.whatif.closures), loaded.optimiser, name
    )
    _set_kept(D_KEY, float(loaded.whatif.within_km))
    _set_kept(RULE_KEY, loaded.whatif.count_within_km)
    st.session_state["stan_na_wybor"] = loaded.as_of
    st.session_state[common.AS_OF_KEY] = loaded.as_of


def _delete(name: str) -> None:
    """Callback: delete every version of ``name`` (an editor, checked right before)."""
    session = _editor_session()
    if session is None:
        st.session_state["scen_blad"] = "Usuwanie scenariuszy wymaga zalogowania jako redaktor."
        return
    try:
        store = common.store()
        login = editor_auth.editor(store, session)  # the login token, checked right before
        removed = store.delete_scenario(name, by=login)
    except UserError as exc:
        st.session_state["scen_blad"] = str(exc)
        return
    # the choice of scenario and version starts again from the first remaining one
    for key in ("scen_zapisany", "scen_wersja"):
        st.session_state.pop(key, None)
    st.session_state["scen_usuniety"] = (
        f"Usunięto scenariusz „{name}” ({count(removed, 'wersja', 'wersje', 'wersji')})."
    )


def _saved_section() -> None:
    if done := st.session_state.pop("scen_usuniety", None):
        st.success(common.md(done), icon=":material/delete:")
    names = common.guarded(common.store().scenario_names)
    if not names:
        st.caption("Nie ma jeszcze zapisanych scenariuszy.")
        if error := st.session_state.pop("scen_blad", None):
            st.error(common.md(error), icon=":material/error:")
        return
    left, middle, right = st.columns([2, 1, 1], vertical_alignment="bottom")
    name = left.selectbox("Zapisany scenariusz", names, key="scen_zapisany")
    versions = common.guarded(lambda: common.store().scenario_versions(name))
    labels = {
        v.number: f"wersja {v.number} · {v.created_at:%d.%m.%Y %H:%M} UTC · {v.created_by or '—'}"
        for v in versions
    }
    number = middle.selectbox("Wersja", list(labels), format_func=labels.get, key="scen_wersja")
    right.button(
        "Wczytaj scenariusz",
        icon=":material/folder_open:",
        on_click=_load,
        args=(name, number),
        key="scen_wczytaj",
    )
    if error := st.session_state.pop("scen_blad", None):
        st.error(common.md(error), icon=":material/error:")
    history = pd.DataFrame(
        {
            "Wersja": [v.number for v in versions],
            "Zapisano (UTC)": [f"{v.created_at:%d.%m.%Y %H:%M}" for v in versions],
            "Autor": [v.created_by or "—" for v in versions],
            "Uwaga": [v.note or "" for v in versions],
        }
    )
    st.dataframe(history, hide_index=True, width="stretch", height=min(38 + 35 * len(history), 220))
    if _editor_session() is not None:
        with st.popover("Usuń scenariusz", icon=":material/delete:"):
            st.caption(
                f"Zostaną usunięte wszystkie wersje scenariusza „{common.md(name)}” "
                f"({count(len(versions), 'wersja', 'wersje', 'wersji')}). Dziennik zmian "
                "zachowa, kto i kiedy go usunął; przywrócić go można tylko z kopii zapasowej."
            )
            st.button(
                "Usuń wszystkie wersje",
                type="primary",
                icon=":material/delete_forever:",
                on_click=_delete,
                args=(name,),
                key="scen_usun",
            )


def _save_section(saved: scenario_saved.SavedScenario, draft: Draft) -> None:
    session = _editor_session()
    if session is None:
        st.caption(
            "Zapisywanie scenariuszy wymaga zalogowania jako redaktor na stronie "
            "„Import danych”. Zapisane scenariusze może oglądać każdy."
        )
        return
    left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    name = left.text_input("Nazwa scenariusza", value=draft.name, max_chars=120, key="scen_nazwa")
    note = middle.text_input("Uwaga (opcjonalnie)", max_chars=500, key="scen_uwaga")
    if right.button("Zapisz scenariusz", type="primary", icon=":material/save:", key="scen_zapisz"):
        try:
            store = common.store()
            login = editor_auth.editor(store, session)  # the login token, checked right before
            record = store.save_scenario(name, scenario_saved.to_json(saved), by=login, note=note)
        except StoreError as exc:
            st.error(common.md(exc), icon=":material/error:")
            return
        draft.name = record.name
        st.success(
            f"Zapisano scenariusz „{common.md(record.name)}”, wersja {record.number} "
            f"({common.md(session.login)}).",
            icon=":material/check:",
        )


# ------------------------------------------------------------------------- what-if editor


def _additions_editor(result: Any, draft: Draft, labels: dict[str, str]) -> None:
    st.markdown("**Planowane CIS/KIS**")
    c1, c2, c3 = st.columns([2.2, 0.8, 2])
    gaps = _open_codes(result)
    open_first = sorted(labels, key=lambda t: (t not in gaps, labels[t]))
    teryt = c1.selectbox("Gmina", open_first, format_func=labels.get, key="scen_gmina")
    typ = c2.radio("Typ", sorted(SOCIAL_EMPLOYMENT_TYPES), key="scen_typ", horizontal=True)
    serve = c3.radio(
        "Obsługuje", list(SERVE_LABELS), format_func=SERVE_LABELS.get, key="scen_obsluga"
    )
    chosen: list[str] = []
    if serve == SERVE_NEIGHBOURS:
        pairs = planning.neighbours(result)
        near = sorted(pairs.loc[pairs["teryt"] == teryt, "sasiad"].astype(str))
        chosen = st.multiselect(
            "Gminy objęte porozumieniem (sąsiednie)",
            near,
            format_func=labels.get,
            key="scen_sasiedzi",
            placeholder="wybierz gminy",
        )
    if st.button("Dodaj planowany CIS/KIS", icon=":material/add_location:", key="scen_dodaj"):
        draft.additions.append(Addition(teryt, typ, serve, tuple(chosen)))
    if draft.additions:
        listed = [
            f"{i + 1}. {a.typ} – {labels.get(a.teryt, a.teryt)} – {SERVE_LABELS[a.serve]}"
            for i, a in enumerate(draft.additions)
        ]
        # keyed by the plan: after a removal the old choice must not outlive its options
        remove = st.multiselect(
            "Usuń z planu",
            listed,
            key=f"scen_usun_{hash(tuple(draft.additions))}",
            placeholder="nic",
        )
        if remove and st.button("Usuń zaznaczone", key="scen_usun_btn"):
            gone = {listed.index(item) for item in remove}
            draft.additions[:] = [a for i, a in enumerate(draft.additions) if i not in gone]
            st.rerun()


def _open_codes(result: Any) -> set[str]:
    frame = result.gminy
    return set(frame.loc[frame["pokrycie"] == "brak", "teryt"].astype(str))


def _closures_editor(result: Any, draft: Draft, labels: dict[str, str]) -> None:
    sez = closable(result.entities, result.as_of)
    names = {
        str(k): f"{n} ({t}, {labels.get(str(g), g)})"
        for k, n, t, g in zip(
            sez["klucz"], sez["nazwa"], sez["typ"], sez["teryt_gminy"], strict=True
        )
    }
    # A saved scenario may close entities the current registry no longer has: kept, listed.
    options = list(names) + [k for k in draft.closures if k not in names]
    picked = st.multiselect(
        "Zamykane CIS/KIS (działające w dniu „stan na”)",
        options,
        default=[k for k in draft.closures if k in options],
        format_func=lambda k: names.get(k, f"{k} (nie ma w bieżącym rejestrze)"),
        # a new widget only when a saved scenario is loaded (its closures become the default)
        key=f"scen_zamkniete_{st.session_state.get(WIDGET_GENERATION, 0)}",
        placeholder="żaden",
    )
    draft.closures[:] = picked


# ------------------------------------------------------------------------- results


def _metrics(whatif: WhatIfResult, stan: str) -> None:
    t = whatif.totals
    cols = st.columns(4)
    cols[0].metric(
        "Gminy pokryte",
        f"{t['pokryte_po']} / {t['gminy']}",
        delta=t["pokryte_po"] - t["pokryte_przed"],
    )
    cols[1].metric(
        "Mieszkańcy gmin pokrytych",
        common.fmt_int(t["ludnosc_pokryta_po"]),
        delta=common.fmt_int(t["ludnosc_pokryta_po"] - t["ludnosc_pokryta_przed"]),
    )
    cols[2].metric(
        "Luki (gminy bez pokrycia)",
        t["luki_po"],
        delta=t["luki_po"] - t["luki_przed"],
        delta_color="inverse",
    )
    cols[3].metric("Nowe / zamknięte CIS i KIS", f"+{len(whatif.sites)} / −{len(whatif.closed)}")
    st.caption(
        f"Przed zmianami: {t['pokryte_przed']} gmin pokrytych, "
        f"{common.fmt_int(t['ludnosc_pokryta_przed'])} mieszkańców, {t['luki_przed']} luk · {stan}"
    )
    if whatif.missing_closures:
        st.warning(
            "Tych zamknięć nie ma w bieżącym rejestrze (pominięto): "
            + common.md(", ".join(whatif.missing_closures)),
            icon=":material/warning:",
        )


def _summaries(whatif: WhatIfResult, result: Any, definition: str) -> None:
    left, right = st.columns(2)
    config = {
        "Ludność": NUMBER,
        "Ludność pokryta przed": NUMBER,
        "Ludność pokryta po": NUMBER,
    }
    with left:
        st.markdown("**Według powiatów: przed i po**")
        st.dataframe(
            scenario_export.summary_table(whatif, "powiat"),
            hide_index=True,
            width="stretch",
            column_config=config,
        )
    with right:
        label = planning.definitions()[definition].label
        st.markdown(f"**Według podregionów ({common.md(label)}): przed i po**")
        st.dataframe(
            scenario_export.summary_table(whatif, "podregion"),
            hide_index=True,
            width="stretch",
            column_config=config,
        )
    st.caption(planning.sources_caption(result))


def _overlay(fmap: folium.Map, whatif: WhatIfResult, result: Any) -> None:
    """Newly covered and lost gminas outlined, planned sites as stars, closed ones crossed."""
    changed = whatif.gminy[whatif.gminy["zmiana"].isin([CHANGE_NEW, CHANGE_LOST])]
    shapes = result.gminy[result.gminy["teryt"].isin(set(changed["teryt"]))]
    if len(shapes):
        light = common.web_gminy(shapes[["teryt", "nazwa", "powiat", "geometry"]])
        change = changed.set_index("teryt")["zmiana"]
        light = light.assign(
            zmiana=light["teryt"].map(change),
            opis=[
                html.escape(f"{n}: {c}")
                for n, c in zip(light["nazwa"], light["teryt"].map(change), strict=True)
            ],
        )[["opis", "zmiana", "geometry"]]
        folium.GeoJson(
            light.to_json(),
            name="Zmiany scenariusza",
            # The map's layer control is already rendered above: listing this layer there
            # would name a layer defined after it (a script error that stops the map).
            control=False,
            style_function=lambda f: {
                "fill": False,
                "color": "#1b7837" if f["properties"]["zmiana"] == CHANGE_NEW else "#b2182b",
                "weight": 4,
            },
            tooltip=folium.GeoJsonTooltip(["opis"], labels=False),
        ).add_to(fmap)
    for site in whatif.sites.itertuples():
        text = html.escape(f"Planowany {site.typ}: {site.nazwa} ({site.teryt})")
        folium.Marker(
            (site.lat, site.lon),
            icon=folium.DivIcon(
                html='<div style="font-size:26px;color:#ffd92f;'
                'text-shadow:0 0 2px #000,0 0 2px #000">★</div>',
                icon_size=(26, 26),
                icon_anchor=(13, 15),
            ),
            tooltip=text,
        ).add_to(fmap)
    for row in whatif.closed.itertuples():
        point = result.entities.geometry.get(row.Index)
        if point is None or point.is_empty:
            continue
        folium.CircleMarker(
            (point.y, point.x),
            radius=9,
            color="#b2182b",
            weight=3,
            fill=False,
            tooltip=html.escape(f"Zamykany: {row.nazwa}"),
        ).add_to(fmap)


def _map(whatif: WhatIfResult, result: Any, view: Any) -> None:
    def build() -> folium.Map:
        after = whatif.coverage_after
        assert after is not None
        entities = result.entities
        keep = entities["typ"].isin(SOCIAL_EMPLOYMENT_TYPES) & ~entities.index.isin(
            whatif.closed.index
        )
        fmap = common.web_map(
            after,
            entities[keep],
            indicator="pokrycie",
            types=sorted(SOCIAL_EMPLOYMENT_TYPES),
            note=f"Po zmianach scenariusza · {planning.stamp(result)}",
            attribution="Źródło: GUS (granice, ludność, TERYT), PRG GUGiK; scenariusz",
        )
        _overlay(fmap, whatif, result)
        return fmap

    show_map(build, key="mapa_scenariusza", view=view, height=560)
    st.caption(
        "Kolory: CIS/KIS w gminie lub porozumienie po zmianach (bez reguły odległości). "
        "★ planowany CIS/KIS; zielony kontur: gmina nowo pokryta; "
        "czerwony kontur: gmina traci pokrycie; czerwone kółko: zamykany CIS/KIS. "
        + planning.sources_caption(result)
    )


def _sites_listing(whatif: WhatIfResult) -> None:
    """The planned sites with the gminas each serves and newly covers."""
    if whatif.sites.empty:
        st.caption("Nie zaplanowano jeszcze nowych CIS/KIS.")
        return
    sites = scenario_export.sites_table(whatif).drop(columns=["Szerokość", "Długość"])
    sites.insert(0, "Nr", range(1, len(sites) + 1))
    st.dataframe(
        sites,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(sites), 320),
        column_config={
            "Gminy obsługiwane": st.column_config.TextColumn(width="medium"),
            "Nowo pokryte gminy": st.column_config.TextColumn(width="medium"),
        },
    )


def _changed_table(whatif: WhatIfResult) -> None:
    table = scenario_export.gmina_table(whatif)
    only = st.toggle("Tylko gminy, których dotyczy zmiana", value=True, key="scen_tylko_zmiany")
    if only:
        table = table[table["Zmiana"].isin([CHANGE_NEW, CHANGE_LOST])]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * max(len(table), 1), 420),
        column_config=dict.fromkeys(("Ludność", *scenario_export.DISTANCE_COLUMNS), NUMBER),
    )


@st.cache_resource(show_spinner="Przygotowanie PDF scenariusza…", max_entries=8)
def _pdf(view: Any, name: str, _result: Any, _whatif: WhatIfResult, _saved: Any) -> bytes:
    return scenario_pdf(_result, _whatif, name, _saved)


def _exports(
    name: str, saved: scenario_saved.SavedScenario, whatif: WhatIfResult, result: Any, view: Any
) -> None:
    day = result.as_of.isoformat()
    left, right = st.columns(2)
    left.download_button(
        "Pobierz scenariusz (XLSX)",
        data=lambda: scenario_export.scenario_xlsx(
            name, saved, whatif, planning.export_meta(result)
        ),
        file_name=f"scenariusz_{day}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="scen_xlsx",
        on_click="ignore",
    )
    right.download_button(
        "Pobierz slajd scenariusza (PDF 16:9)",
        data=lambda: _pdf(view, name, result, whatif, saved),
        file_name=f"scenariusz_{day}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        key="scen_pdf",
        on_click="ignore",
    )


# ------------------------------------------------------------------------- optimiser


def _optimiser(result: Any, labels: dict[str, str], within_km: float) -> None:
    st.caption(
        "Optymalizacja wskazuje gminy, w których nowe CIS/KIS dałyby największy efekt. "
        "*Pokrycie wszystkich*: najmniej nowych miejsc, by każda gmina była pokryta w promieniu "
        "D km. *K miejsc*: K nowych miejsc pokrywających najwięcej mieszkańców. Tu gmina jest "
        "pokryta także wtedy, gdy działający lub nowy CIS/KIS leży najwyżej D km od jej granicy. "
        "Wynik jest dokładny (HiGHS); przy limicie czasu podajemy udowodnioną lukę."
    )
    c1, c2, c3 = st.columns([1.4, 1, 1])
    mode = c1.radio(
        "Cel",
        ["cover", "maximize"],
        format_func={
            "cover": "pokryć wszystkie gminy",
            "maximize": "K miejsc, najwięcej ludzi",
        }.get,
        key="scen_opt_tryb",
        horizontal=True,
    )
    sites = c2.number_input(
        "K (liczba miejsc)", 1, 200, 5, key="scen_opt_k", disabled=mode == "cover"
    )
    limit = c3.number_input(
        "Limit czasu (s)", 5, 600, int(min(DEFAULT_TIME_LIMIT_S, 60)), key="scen_opt_limit"
    )
    o1, o2, o3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    exclude = o1.multiselect(
        "Wyklucz gminy",
        list(labels),
        format_func=labels.get,
        key="scen_opt_wyklucz",
        placeholder="żadna",
    )
    min_pop = o2.number_input(
        "Min. ludność gminy z nowym miejscem", 0, 10_000_000, 0, step=1000, key="scen_opt_ludnosc"
    )
    ignore = o3.checkbox("Pomiń porozumienia", key="scen_opt_porozumienia")
    if st.button("Oblicz", type="primary", icon=":material/calculate:", key="scen_opt_oblicz"):
        options = ScenarioOptions(frozenset(exclude), int(min_pop), not ignore, float(limit))
        with st.spinner("Obliczanie optymalnych lokalizacji…"):
            try:
                if mode == "cover":
                    plan = plan_cover(result.gminy, within_km, options)
                else:
                    plan = plan_maximize(result.gminy, int(sites), within_km, options)
            except UserError as exc:
                st.session_state.pop(OPT_KEY, None)
                st.error(common.md(exc), icon=":material/error:")
                return
        st.session_state[OPT_KEY] = (plan, options, result.as_of)
    found = st.session_state.get(OPT_KEY)
    if found is not None:
        _optimiser_result(*found, labels=labels)


def _use_plan(plan: ScenarioResult, options: ScenarioOptions, as_of: Any, typ: str) -> None:
    """Callback: the optimiser's sites become the draft's planned sites (within D km)."""
    draft = _draft()
    draft.additions[:] = list(scenario_saved.additions_from_plan(plan, typ))
    draft.optimiser = scenario_saved.optimiser_record(plan, options, as_of)
    _set_kept(D_KEY, float(plan.within_km))
    _set_kept(RULE_KEY, True)  # the optimiser's rule, so the figures agree


def _optimiser_result(
    plan: ScenarioResult, options: ScenarioOptions, as_of: Any, labels: dict[str, str]
) -> None:
    if plan.status == OPTIMAL:
        st.success(
            f"Rozwiązanie optymalne · {common.fmt_num(plan.seconds)} s", icon=":material/check:"
        )
    else:
        st.warning(
            f"Przerwano po limicie czasu: najlepsze znalezione rozwiązanie, udowodniona luka "
            f"{common.fmt_pct(100 * plan.gap)} · {common.fmt_num(plan.seconds)} s",
            icon=":material/timer:",
        )
    m1, m2, m3 = st.columns(3)
    m1.metric("Nowe miejsca", len(plan.new_sites))
    m2.metric(
        f"Gminy pokryte (D = {common.fmt_num(plan.within_km, 0)} km)",
        f"{plan.covered_after} / {plan.gminas}",
        delta=plan.covered_after - plan.covered_before,
    )
    m3.metric(
        "Mieszkańcy gmin pokrytych",
        common.fmt_int(plan.population_covered_after),
        delta=common.fmt_int(plan.population_covered_after - plan.population_covered_before),
    )
    table = pd.DataFrame(
        {
            "Gmina": [labels.get(s.teryt, s.teryt) for s in plan.new_sites],
            "Nowo pokryte gminy": [len(s.serves) for s in plan.new_sites],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 320))
    st.caption(f"Stan na {common.fmt_date(as_of)} · obliczono dla daty z chwili uruchomienia.")
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    typ = left.radio("Typ nowych miejsc", ["CIS", "KIS"], key="scen_opt_typ", horizontal=True)
    right.button(
        "Użyj jako scenariusza",
        icon=":material/input:",
        on_click=_use_plan,
        args=(plan, options, as_of, typ),
        key="scen_opt_uzyj",
        disabled=not plan.new_sites,
    )


# ------------------------------------------------------------------------- page

settings = common.settings()
as_of = common.chosen_date()
result, data_key = common.coverage_and_key(as_of)
draft = _draft()
labels = _gmina_labels(result)

st.title("Scenariusze")
st.caption(
    "Co się zmieni, gdy powstaną nowe CIS/KIS lub zamkną się istniejące: pokrycie gmin "
    "przed i po, na mapie i w liczbach. Punkt wyjścia to pokrycie w dniu „stan na”."
)
planning.sample_notes(result, lpres=False)

with st.expander("Zapisane scenariusze", expanded=False):
    _saved_section()

f_date, f_d, f_rule, f_def = st.columns([1, 1, 1.6, 1.4], vertical_alignment="bottom")
with f_date:
    common.date_input()
generation = st.session_state.get(WIDGET_GENERATION, 0)
within_km = f_d.number_input(
    "Odległość D (km)",
    1.0,
    200.0,
    value=float(st.session_state.get(D_KEY, DEFAULT_D_KM)),
    step=1.0,
    # whole kilometres: a decimal point would be the only one on a Polish page
    format="%.0f",
    key=f"scen_d_{generation}",
)
count_within = f_rule.toggle(
    "Pokryta też gmina do D km od CIS/KIS",
    value=bool(st.session_state.get(RULE_KEY, False)),
    key=f"scen_regula_{generation}",
    help="Reguła odległości optymalizacji.",
)
st.session_state[D_KEY], st.session_state[RULE_KEY] = within_km, count_within
with f_def:
    definition = planning.definition_select("scen_podzial")
st.caption(DEFINITIONS)

edit_tab, opt_tab = st.tabs(["Co jeśli", "Optymalizacja"])
with opt_tab:
    _optimiser(result, labels, float(within_km))
with edit_tab:
    _additions_editor(result, draft, labels)
    listing = st.container()  # filled once the scenario is computed below
    _closures_editor(result, draft, labels)
    if draft.optimiser:
        st.caption(
            f"Miejsca z optymalizacji ({common.md(draft.optimiser.get('tryb', ''))}, "
            f"status {common.md(draft.optimiser.get('status', ''))})."
        )

scenario = scenario_saved.SavedScenario(
    as_of,
    WhatIf(float(within_km), tuple(draft.additions), tuple(draft.closures), bool(count_within)),
    draft.optimiser,
)
subregion = planning.subregion_of(result, definition)
whatif = common.guarded(
    lambda: what_if(result.gminy, result.entities, as_of, scenario.whatif, subregion)
)
view = (data_key, definition, json.dumps(scenario_saved.to_json(scenario), sort_keys=True))

with listing:
    _sites_listing(whatif)
st.subheader("Wynik scenariusza")
_metrics(whatif, planning.stamp(result))
_map(whatif, result, view)
_summaries(whatif, result, definition)
st.markdown("**Gminy: przed i po**")
_changed_table(whatif)
st.caption(
    "Pokrycie: "
    + "; ".join(f"{common.md(v)}" for v in COVERAGE_LABELS.values())
    + f". {planning.UNKNOWN_NOTE if (subregion == subregions.UNKNOWN).any() else ''}"
)
_exports(draft.name, scenario, whatif, result, view)
st.subheader("Zapisz scenariusz")
_save_section(scenario, draft)
