"""Moja gmina: find a gmina by name or TERYT code and see its profile; shareable links.

Laid out for a phone first: the gmina's name and CIS/KIS status, the PDF and link buttons come
first, then the explanation, the map (with a legend in page text) and the tables (which scroll
sideways rather than hide columns). ``?gmina=TERYT&stan=RRRR-MM-DD`` opens a profile directly.
"""

from __future__ import annotations

import html
import logging

import pandas as pd
import streamlit as st

from geo.analysis.coverage import COVERED_BY_AGREEMENT, COVERED_HERE
from geo.core.schema import TYPE_COLORS
from geo.errors import UserError
from geo.pipeline import CoverageResult
from geo.present import profile as gmina_profile
from geo.present.styles import COVERAGE
from geo.print import card
from geo.print import maps as static_maps
from pages import _common as common
from pages import _share as share
from pages._downloads import download

QUERY_PARAM = "gmina"
SEARCH_KEY = "profil_szukaj"
MAP_DPI = 110
URL_STATE = [share.date_param()]
STATUS_COLORS = {COVERED_HERE: "green", COVERED_BY_AGREEMENT: "orange"}
LOG = logging.getLogger(__name__)


@st.cache_data(show_spinner="Rysowanie mapy gminy…", max_entries=64)
def _map_png(key: common.CoverageKey, teryt: str, _result: CoverageResult) -> bytes:
    """The gmina's map from ``_result`` (computed for ``key``: every input)."""
    return static_maps.to_png(static_maps.gmina_map(_result, teryt), dpi=MAP_DPI)


@st.cache_data(show_spinner=False, max_entries=16)
def _card_pdf(key: common.CoverageKey, teryt: str, _result: CoverageResult) -> bytes:
    """The gmina card from ``_result`` (computed for ``key``: every input)."""
    return card.gmina_card_pdf(_result, gmina_profile.build_profile(_result, teryt))


def _linked(result: CoverageResult) -> tuple[str | None, str]:
    """The gmina named by the link (``?gmina=``), with a note for an old code.

    A bad code is shown as an error and the search stays open (no profile).
    """
    linked = st.query_params.get(QUERY_PARAM)
    if not linked:
        return None, ""
    try:
        return gmina_profile.resolve_gmina(result.gminy, linked, result.region.terc)
    except UserError as exc:
        common.show_user_error(exc)
        return None, ""


def _searched(result: CoverageResult, linked: str | None) -> tuple[str | None, str]:
    """The gmina chosen through the search box (None when it is empty or finds nothing)."""
    query = st.session_state.get(SEARCH_KEY, "")
    if not query.strip():
        return None, ""
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
    chosen = st.selectbox(
        f"Znalezione gminy: {len(codes)}",
        codes,
        index=codes.index(linked) if linked in codes else 0,
        format_func=lambda code: labels[code],
    )
    note = matches.set_index("teryt").loc[chosen, "uwaga"]
    return chosen, str(note or "")


def _html_table(
    frame: pd.DataFrame, right: tuple[str, ...] = (), header: bool = True, scroll: bool = True
) -> None:
    """A small table that scrolls sideways on a phone instead of hiding columns (escaped
    HTML: no Arrow table code for a phone to load, see common.html_table); without
    ``scroll`` every cell wraps (facts: a label and a long text)."""
    cells = frame.map(lambda v: gmina_profile.plain_text(v) or gmina_profile.EMPTY)
    common.html_table(cells, numbers=right, header=header, scroll=scroll)


def _legend() -> None:
    """The map's legend as page text: legible on a phone, where the image's own is tiny."""
    swatches = [
        f'<span style="display:inline-block;width:1em;height:1em;background:{s.color};'
        f'border:1px solid #555;vertical-align:-0.15em"></span> {html.escape(s.label)}'
        for s in COVERAGE
    ]
    shapes = {"CIS": "▲", "KIS": "●"}
    markers = [
        f'<span style="color:{TYPE_COLORS.get(t, "#666")}">{shape}</span> {t}'
        for t, shape in shapes.items()
    ]
    items = [*swatches, *markers, "<b>━</b> granica gminy"]
    st.markdown(
        '<div class="profil-legenda" style="font-size:0.95rem;line-height:1.6" '
        'aria-label="Legenda mapy">'
        + " &nbsp; ".join(f'<span style="white-space:nowrap">{i}</span>' for i in items)
        + "</div>",
        unsafe_allow_html=True,
    )


def _pdf_button(slot, key: common.CoverageKey, teryt: str, result: CoverageResult) -> None:
    """The card's download button in ``slot``, or a Polish message when it cannot be made."""
    download(
        "Pobierz kartę gminy (PDF)",
        lambda: _card_pdf(key, teryt, result),
        file_name=f"karta_gminy_{teryt}_{result.as_of:%Y-%m-%d}.pdf",
        mime="application/pdf",
        place=slot,
        icon=":material/picture_as_pdf:",
        type="primary",
        width="stretch",
    )


def _top(profile: gmina_profile.GminaProfile, note: str):
    """Name, CIS/KIS status, buttons: the first screen of a phone. Returns the PDF slot."""
    st.header(common.md(profile.nazwa), anchor=False)
    color = STATUS_COLORS.get(profile.pokrycie, "red")
    st.markdown(
        f"##### :{color}[:material/circle:] CIS/KIS: {common.md(profile.pokrycie_nazwa)}",
        help="Model Lokalnej Współpracy: czy w gminie działa Centrum lub Klub Integracji "
        "Społecznej, albo obsługuje ją na podstawie porozumienia międzygminnego.",
    )
    st.caption(
        f"{common.md(profile.rodzaj_nazwa)} · {common.md(profile.powiat_etykieta)} · "
        f"TERYT {profile.teryt} · {profile.stan_na}"
    )
    pdf_col, link_col = st.columns(2, vertical_alignment="center")
    slot = pdf_col.empty()
    slot.caption("Przygotowywanie karty gminy (PDF)…")
    with link_col:
        share.copy_link_button("Kopiuj link do profilu")
    if note:
        st.info(common.md(note), icon=":material/info:")
    return slot


def _status_block(profile: gmina_profile.GminaProfile) -> None:
    st.markdown(f"**Model Lokalnej Współpracy: {common.md(profile.pokrycie_nazwa)}.** ")
    st.markdown(common.md(profile.pokrycie_opis))
    st.caption(f"Pokrycie i odległości {profile.stan_na}; źródło: rejestr PES, granice GUS/PRG.")


def _sample_warning(result: CoverageResult) -> None:
    if result.registry.is_sample:
        label = common.md(gmina_profile.pl_dates(result.registry.label))
        st.warning(
            f"**{label}.** Profil pokazuje tylko podmioty z tego rejestru.",
            icon=":material/warning:",
        )


def _unlocated_block(profile: gmina_profile.GminaProfile) -> None:
    """Entities that name the gmina but are counted nowhere, with whom to tell."""
    listed = profile.nieustalone
    if listed.empty:
        return
    st.markdown(
        f"**Podmioty bez ustalonej gminy, które mogą dotyczyć tej gminy ({len(listed)})** — "
        "nie są liczone w żadnej gminie:"
    )
    for row in listed.to_dict("records"):
        link = profile.report_link(str(row["Nazwa"]))
        contact = f" [Zgłoś poprawkę]({link})" if link else ""
        st.markdown(
            f"- **{common.md(row['Nazwa'])}** ({common.md(row['Typ'])}) — "
            f"{common.md(row['Problem'])}: {common.md(row['Powód'])} "
            f"Gmina wymieniona w polu: {common.md(row['Gmina wymieniona w'])}.{contact}"
        )
    if not profile.kontakt:
        st.caption(gmina_profile.CONTACT_FALLBACK)


def _near_table(profile: gmina_profile.GminaProfile) -> None:
    near = profile.najblizsze
    if not profile.obslugujace.empty:
        st.markdown("**Obsługują gminę na podstawie porozumienia:**")
        _html_table(profile.obslugujace[["Nazwa", "Typ", "Gmina"]])
    if near.empty:
        return
    st.markdown("**Najbliższe CIS/KIS poza gminą**")
    # The distance second: on a phone it is on screen before any scrolling.
    table = pd.DataFrame(
        {
            "Nazwa": near["Nazwa"],
            "Odległość": near["Odległość, km"].map(gmina_profile.fmt_km),
            "Typ": near["Typ"],
            "Gmina": near["Gmina"],
            "Sąsiednia": near["sasiednia"].map({True: "tak", False: "nie"}),
            "Lokalizacja": near["przyblizona"].map(
                {True: "przybliżona (środek gminy)", False: "adres/współrzędne"}
            ),
        }
    )
    _html_table(table, right=("Odległość",))
    st.caption(f"Odległość od granicy gminy do CIS/KIS · {profile.stan_na}")


def _profile(result: CoverageResult, key: common.CoverageKey, teryt: str, note: str) -> None:
    profile = gmina_profile.build_profile(result, teryt)
    slot = _top(profile, note)
    _status_block(profile)
    _sample_warning(result)
    _unlocated_block(profile)

    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Ludność", gmina_profile.fmt_int(profile.ludnosc))
    m1.caption(common.md(gmina_profile.pl_dates(result.region.population_source)))
    m2.metric("CIS/KIS", profile.pokrycie_nazwa)
    m2.caption(f"Model Lokalnej Współpracy · {profile.stan_na}")
    m3.metric("Podmioty ekonomii społecznej", len(profile.podmioty))
    m3.caption(f"działające w gminie · {profile.stan_na}")
    m4.metric("LPRES", profile.lpres_status_nazwa)
    m4.caption("lokalny plan rozwoju ekonomii społecznej")

    map_col, info_col = st.columns([1.25, 1])
    with map_col:
        st.image(
            _map_png(key, teryt, result),
            width="stretch",
            alt=f"Mapa: gmina {profile.nazwa}, gminy sąsiednie i pobliskie CIS/KIS",
        )
        _legend()
        boundaries = common.md(gmina_profile.pl_dates(result.region.boundary_source))
        st.caption(
            "Gmina (gruba linia), gminy sąsiednie i pobliskie CIS/KIS. "
            f"Granice: {boundaries} · {profile.stan_na}."
        )
    with info_col:
        _near_table(profile)

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
    _html_table(facts, header=False, scroll=False)

    st.subheader(f"Podmioty ekonomii społecznej w gminie ({len(profile.podmioty)})", anchor=False)
    if profile.podmioty.empty:
        st.caption("Brak działających podmiotów z rejestru w tej gminie.")
    else:
        _html_table(profile.podmioty)
    st.caption(f"{common.md(gmina_profile.pl_dates(result.registry.label))} · {profile.stan_na}")

    st.subheader("Porównanie z powiatem i regionem", anchor=False)
    comparison = gmina_profile.comparison_table(profile)
    _html_table(comparison, right=tuple(comparison.columns[1:]))
    st.caption(
        f"Wskaźniki na 10 tys. mieszkańców; {profile.stan_na}; "
        f"{common.md(gmina_profile.pl_dates(result.region.population_source))}."
    )

    if profile.sasiedzi.shape[0]:
        with st.expander(f"Gminy sąsiednie ({len(profile.sasiedzi)})"):
            _html_table(profile.sasiedzi[["Gmina", "Pokrycie", "CIS/KIS"]])
    with st.expander("Źródła danych"):
        for line in profile.zrodla:
            st.markdown(f"- {common.md(line)}")
    # Last, so that the page is on screen while the card is drawn.
    _pdf_button(slot, key, teryt, result)


# --------------------------------------------------------------------------- page

# Streamlit's fixed top bar (60 px) covers the first element when it is not a title.
st.html("<style>[data-testid='stMainBlockContainer'] { padding-top: 4.5rem; }</style>")
share.restore(URL_STATE, "profil")
as_of = common.chosen_date()
result, data_key = common.coverage_and_key(as_of)

linked, link_note = _linked(result)
searching = bool(st.session_state.get(SEARCH_KEY, "").strip())
if linked is None and not searching:
    st.title("Moja gmina")
    st.caption(
        "Profil gminy: podmioty ekonomii społecznej, Centrum i Klub Integracji Społecznej "
        "(Model Lokalnej Współpracy), plan LPRES i porównanie z powiatem "
        f"({common.md(result.region.name)})."
    )
    _sample_warning(result)

with st.expander(
    "Szukaj gminy lub zmień datę „stan na”",
    expanded=linked is None or searching,
    icon=":material/search:",
):
    search_col, date_col = st.columns([3, 1], vertical_alignment="bottom")
    with search_col:
        st.text_input(
            "Szukaj gminy: nazwa lub kod TERYT",
            key=SEARCH_KEY,
            placeholder="np. tomaszow albo 0618011",
        )
    with date_col:
        common.date_input()
    found, found_note = _searched(result, linked)

teryt, note = (found, found_note) if searching else (linked, link_note)
share.publish(URL_STATE, "profil")
if teryt is None:
    if not searching and not st.query_params.get(QUERY_PARAM):
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
