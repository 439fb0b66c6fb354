"""Moja gmina: find a gmina by name or TERYT code and see its profile; shareable ?gmina= link."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.pipeline import CoverageResult
from geo.present import profile as gmina_profile
from geo.print import card
from geo.print import maps as static_maps
from pages import _common as common

QUERY_PARAM = "gmina"
SEARCH_KEY = "profil_szukaj"
MAP_DPI = 110


@st.cache_data(show_spinner="Rysowanie mapy gminy…", max_entries=64)
def _map_png(key: common.CoverageKey, teryt: str, _result: CoverageResult) -> bytes:
    """The gmina's map from ``_result`` (computed for ``key``: every input)."""
    return static_maps.to_png(static_maps.gmina_map(_result, teryt), dpi=MAP_DPI)


@st.cache_data(show_spinner=False, max_entries=16)
def _card_pdf(key: common.CoverageKey, teryt: str, _result: CoverageResult) -> bytes:
    """The gmina card from ``_result`` (computed for ``key``: every input)."""
    return card.gmina_card_pdf(_result, gmina_profile.build_profile(_result, teryt))


def _choose(result: CoverageResult) -> tuple[str | None, str]:
    """The gmina to show: from the search box, else from the link; plus a note to show."""
    query = st.session_state.get(SEARCH_KEY, "")
    linked = st.query_params.get(QUERY_PARAM)
    if query.strip():
        matches = gmina_profile.search_gminy(result.gminy, query, result.region.terc)
        if matches.empty:
            st.info(
                f"Nie znaleziono gminy dla „{common.md(query.strip())}”. Wpisz część nazwy "
                "(bez polskich znaków też zadziała) albo 7-cyfrowy kod TERYT.",
                icon=":material/search_off:",
            )
            return None, ""
        codes = list(matches["teryt"])
        labels = dict(zip(matches["teryt"], matches["etykieta"], strict=True))
        index = codes.index(linked) if linked in codes else 0
        chosen = st.selectbox(
            f"Znalezione gminy: {len(codes)}",
            codes,
            index=index,
            format_func=lambda code: labels[code],
        )
        note = matches.set_index("teryt").loc[chosen, "uwaga"]
        return chosen, str(note or "")
    if linked:
        # a bad code raises ProfileError (a UserError): shown by the one handler
        return common.guarded(
            lambda: gmina_profile.resolve_gmina(result.gminy, linked, result.region.terc)
        )
    return None, ""


def _status_block(profile: gmina_profile.GminaProfile) -> None:
    st.markdown(f"#### Model Lokalnej Współpracy: {common.md(profile.pokrycie_nazwa)}")
    st.markdown(common.md(profile.pokrycie_opis))
    if not profile.obslugujace.empty:
        st.markdown("**Obsługują gminę na podstawie porozumienia:**")
        st.dataframe(
            profile.obslugujace[["Nazwa", "Typ", "Gmina"]], hide_index=True, width="stretch"
        )
    if not profile.najblizsze.empty:
        st.markdown("**Najbliższe CIS/KIS poza gminą**")
        near = profile.najblizsze.assign(
            Sąsiednia=profile.najblizsze["sasiednia"].map({True: "tak", False: "nie"}),
            Lokalizacja=profile.najblizsze["przyblizona"].map(
                {True: "przybliżona (środek gminy)", False: "adres/współrzędne"}
            ),
        )[["Nazwa", "Typ", "Gmina", "Odległość, km", "Sąsiednia", "Lokalizacja"]]
        st.dataframe(
            near,
            hide_index=True,
            width="stretch",
            column_config={
                "Odległość, km": st.column_config.NumberColumn(
                    format="localized", help="Od granicy gminy do CIS/KIS"
                )
            },
        )
    st.caption(f"Pokrycie i odległości {profile.stan_na}; źródło: rejestr PES, granice GUS/PRG.")


def _profile(result: CoverageResult, key: common.CoverageKey, teryt: str, note: str) -> None:
    profile = gmina_profile.build_profile(result, teryt)
    st.header(common.md(profile.nazwa), anchor=False)
    st.caption(
        f"{common.md(profile.rodzaj_nazwa)} · {common.md(profile.powiat_etykieta)} · "
        f"TERYT {teryt} · "
        f"{profile.stan_na} · link do tej strony: `?{QUERY_PARAM}={teryt}`"
    )
    if note:
        st.info(common.md(note), icon=":material/info:")

    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Ludność", gmina_profile.fmt_int(profile.ludnosc))
    m1.caption(common.md(result.region.population_source))
    m2.metric("CIS/KIS", profile.pokrycie_nazwa)
    m2.caption(f"Model Lokalnej Współpracy · {profile.stan_na}")
    m3.metric("Podmioty ekonomii społecznej", len(profile.podmioty))
    m3.caption(f"działające w gminie · {profile.stan_na}")
    m4.metric("LPRES", profile.lpres_status_nazwa)
    m4.caption("lokalny plan rozwoju ekonomii społecznej")

    map_col, info_col = st.columns([1.25, 1])
    with map_col:
        st.image(_map_png(key, teryt, result), width="stretch")
        st.caption(
            "Gmina (gruba linia), gminy sąsiednie i pobliskie CIS/KIS. "
            f"Granice: {common.md(result.region.boundary_source)}."
        )
    with info_col:
        _status_block(profile)

    st.subheader("Podregion i plan", anchor=False)
    facts = pd.DataFrame(
        [
            ("Podregion OWES", profile.owes_podregion),
            ("Operator OWES", profile.owes_operator),
            ("Podregion NUTS-3 (2021)", profile.nuts3),
            ("LPRES", profile.lpres_opis),
        ],
        columns=["Pole", "Wartość"],
    )
    st.table(facts.map(common.md), hide_index=True, hide_header=True)

    st.subheader(f"Podmioty ekonomii społecznej w gminie ({len(profile.podmioty)})", anchor=False)
    if profile.podmioty.empty:
        st.caption("Brak działających podmiotów z rejestru w tej gminie.")
    else:
        # st.dataframe shows text as plain text: no escaping needed.
        st.dataframe(profile.podmioty, hide_index=True, width="stretch")
    st.caption(f"{common.md(result.registry.label)} · {profile.stan_na}")

    st.subheader("Porównanie z powiatem i regionem", anchor=False)
    st.table(gmina_profile.comparison_table(profile).map(common.md), hide_index=True)
    st.caption(
        f"Wskaźniki na 10 tys. mieszkańców; {profile.stan_na}; "
        f"{common.md(result.region.population_source)}."
    )

    if profile.sasiedzi.shape[0]:
        with st.expander(f"Gminy sąsiednie ({len(profile.sasiedzi)})"):
            st.dataframe(
                profile.sasiedzi[["Gmina", "Pokrycie", "CIS/KIS"]], hide_index=True, width="stretch"
            )

    st.download_button(
        "Pobierz kartę gminy (PDF)",
        data=lambda: _card_pdf(key, teryt, result),
        file_name=f"karta_gminy_{teryt}_{result.as_of:%Y-%m-%d}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        type="primary",
        on_click="ignore",
    )
    with st.expander("Źródła danych"):
        for line in profile.zrodla:
            st.markdown(f"- {common.md(line)}")


# --------------------------------------------------------------------------- page

as_of = common.chosen_date()
result, data_key = common.coverage_and_key(as_of)

st.title("Moja gmina")
st.caption(
    "Profil gminy: podmioty ekonomii społecznej, Centrum i Klub Integracji Społecznej "
    "(Model Lokalnej Współpracy), plan LPRES i porównanie z powiatem "
    f"({common.md(result.region.name)})."
)
if result.registry.is_sample:
    st.warning(
        f"**{common.md(result.registry.label)}.** Profil pokazuje tylko podmioty z tego rejestru.",
        icon=":material/warning:",
    )

search_col, date_col = st.columns([3, 1], vertical_alignment="bottom")
with search_col:
    st.text_input(
        "Szukaj gminy: nazwa lub kod TERYT",
        key=SEARCH_KEY,
        placeholder="np. tomaszow albo 0618011",
    )
with date_col:
    common.date_input()

teryt, note = _choose(result)
if teryt is None:
    if not st.session_state.get(SEARCH_KEY) and not st.query_params.get(QUERY_PARAM):
        st.info(
            "Wpisz nazwę gminy (np. „tomaszow”) albo jej kod TERYT. Link do profilu gminy ma "
            f"postać `?{QUERY_PARAM}=0618011`.",
            icon=":material/search:",
        )
else:
    # The address bar always names the gmina shown: the link can be shared.
    if st.query_params.get(QUERY_PARAM) != teryt:
        st.query_params[QUERY_PARAM] = teryt
    _profile(result, data_key, teryt, note)
common.glossary_link()
