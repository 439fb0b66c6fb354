"""Prezentacja: full-width slides for a committee meeting, previous/next, PDF and PNG exports.

The slides are described once in :func:`geo.print.deck.build_slides`; this page draws them
large for a projector, and the PDF export draws the same slides on paper. The deck ends with
the programme's monitoring slide (the indicator file in effect, as on the Monitoring page)
and, when chosen under "Scenariusz do pokazu", a saved scenario's slide. The choice is kept
in the URL (``?scenariusz=NAZWA``), so a link, and the presentation mode, show it too; a
scenario saved for another "stan na" date is not shown, with a note saying which date it needs.

``?slajd=N`` opens slide N (moving updates it), ``?pokaz=1`` is the presentation mode for a
projector at 1280x720: no app navigation or menu, a full-screen button, every slide fits the
screen with text of at least 18 px, and a clicker's keys move the slides (:mod:`pages._keys`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import Any

import streamlit as st

from geo.analysis.indicators import IndicatorSet, Monitoring, load_indicators, monitor
from geo.errors import UserError
from geo.pipeline import CoverageResult
from geo.print import deck
from geo.print import maps as static_maps
from geo.print.monitoring import monitoring_slide
from geo.print.scenario import saved_scenario_slide
from pages import _common as common
from pages import _keys
from pages._downloads import download, download_on_request

INDEX_KEY = "prezentacja_slajd"
IMAGE_DPI = 120
SLIDE_PARAM = "slajd"
MODE_PARAM = "pokaz"
SCENARIO_PARAM = "scenariusz"
SCENARIO_KEY = "prezentacja_scenariusz"
PREV_KEY, NEXT_KEY, EXIT_KEY = "pokaz_poprzedni", "pokaz_nastepny", "pokaz_koniec"
FULLSCREEN_ID = "pokaz-pelny-ekran"

# Large type for a projector; scoped to this page's main block (the page's own elements).
_PAGE_CSS = """
<style>
[data-testid='stMainBlockContainer'] {
  max-width: 100%; padding: 4.2rem 2rem 1rem 2rem;
}
[data-testid='stMainBlockContainer'] h1 { font-size: 2.9rem; line-height: 1.15; }
[data-testid='stMainBlockContainer'] [data-testid='stMarkdownContainer'] p { font-size: 1.45rem; }
[data-testid='stMainBlockContainer'] [data-testid='stMetricValue'],
[data-testid='stMainBlockContainer'] [data-testid='stMetricValue'] * {
  font-size: 3.6rem !important; font-weight: 700; line-height: 1.1;
}
[data-testid='stMainBlockContainer'] [data-testid='stMetricLabel'] p { font-size: 1.35rem; }
[data-testid='stMainBlockContainer'] [data-testid='stCaptionContainer'] p { font-size: 1.05rem; }
[data-testid='stMainBlockContainer'] table { font-size: 1.25rem; }
/* A slide's map fits the screen's height: the whole map is visible on a projector. */
[data-testid='stMainBlockContainer'] [data-testid='stImage'] img {
  max-height: calc(100vh - 10rem); width: auto !important; max-width: 100%;
  margin: 0 auto; display: block;
}
[data-testid='stMainBlockContainer'] [data-testid='stColumn'] [data-testid='stImage'] img {
  max-height: calc(100vh - 17rem);
}
/* Labels wrap instead of ending in "…" (Streamlit cuts long metric labels). */
[data-testid='stMainBlockContainer'] [data-testid='stMetricLabel'],
[data-testid='stMainBlockContainer'] [data-testid='stMetricLabel'] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
</style>
"""

# Presentation mode: the slide is the screen. No header, toolbar or sidebar; a slim control
# bar; sizes fitted to 1280x720 with no text under 18 px (1/40 of the height).
_SHOW_CSS = """
<style>
header[data-testid='stHeader'], [data-testid='stToolbar'], [data-testid='stDecoration'],
[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'],
[data-testid='stStatusWidget'] { display: none !important; }
/* Shown on keyboard focus only; large like everything else in this mode. */
[data-testid='stSkipToContent'] { font-size: 1.125rem; }
[data-testid='stMainBlockContainer'] { max-width: 100%; padding: 0.4rem 1.6rem 0 1.6rem; }
[data-testid='stMainBlockContainer'] [data-testid='stVerticalBlock'] { gap: 0.45rem; }
[data-testid='stMainBlockContainer'] h1 {
  font-size: 2.3rem; line-height: 1.15; padding: 0.1rem 0 0.2rem 0;
}
[data-testid='stMainBlockContainer'] [data-testid='stMarkdownContainer'] p,
[data-testid='stMainBlockContainer'] [data-testid='stMarkdownContainer'] li {
  font-size: 1.3rem; line-height: 1.35; margin-bottom: 0.2rem;
}
[data-testid='stMainBlockContainer'] [data-testid='stMetricValue'],
[data-testid='stMainBlockContainer'] [data-testid='stMetricValue'] * {
  font-size: 3.2rem !important; font-weight: 700; line-height: 1.1;
}
[data-testid='stMainBlockContainer'] [data-testid='stMetricLabel'] p { font-size: 1.3rem; }
[data-testid='stMainBlockContainer'] [data-testid='stCaptionContainer'],
[data-testid='stMainBlockContainer'] [data-testid='stCaptionContainer'] p {
  font-size: 1.125rem; line-height: 1.3;
}
[data-testid='stMainBlockContainer'] table { font-size: 1.2rem; }
[data-testid='stMainBlockContainer'] table th, [data-testid='stMainBlockContainer'] table td {
  font-size: 1.2rem; padding: 0.25rem 0.6rem;
}
[data-testid='stMainBlockContainer'] button p,
[data-testid='stMainBlockContainer'] button span { font-size: 1.125rem !important; }
[data-testid='stMainBlockContainer'] [data-testid='stImage'] img {
  max-height: calc(100vh - 4.6rem); width: auto !important; max-width: 100%;
  margin: 0 auto; display: block;
}
[data-testid='stMainBlockContainer'] [data-testid='stColumn'] [data-testid='stImage'] img {
  max-height: calc(100vh - 13rem);
}
#pokaz-pelny-ekran {
  width: 100%; min-height: 2.5rem; font-size: 1.125rem; border-radius: 0.5rem;
  border: 1px solid rgba(49, 51, 63, 0.2); background: white; cursor: pointer;
}
#pokaz-pelny-ekran:hover { border-color: #ff4b4b; color: #ff4b4b; }
/* Labels wrap instead of ending in "…" (Streamlit cuts long metric labels). */
[data-testid='stMainBlockContainer'] [data-testid='stMetricLabel'],
[data-testid='stMainBlockContainer'] [data-testid='stMetricLabel'] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
</style>
"""


@st.cache_data(show_spinner="Rysowanie mapy…", max_entries=64)
def _slide_png(
    key: common.CoverageKey, slide_key: str, variant: str, beside_table: bool, _slide: deck.Slide
) -> bytes:
    """One slide's figure; the slide is drawn from the coverage computed for ``key`` and, for
    an extra slide, from its other input ``variant`` (indicator file, scenario version)."""
    size = deck.BESIDE_TABLE if beside_table else static_maps.SLIDE
    figure = deck.slide_figure(_slide, size)
    return static_maps.to_png(figure, dpi=IMAGE_DPI) if figure is not None else b""


@st.cache_data(show_spinner=False, max_entries=8)
def _deck_pdf(
    key: common.CoverageKey,
    variants: tuple[tuple[str, str], ...],
    _result: CoverageResult,
    _extra: list[deck.Slide],
) -> bytes:
    """The deck of ``_result`` (computed for ``key``: every input) with the extra slides (made
    from ``variants``: the indicator file and scenario versions)."""
    return deck.presentation_pdf(_result, extra=_extra)


@st.cache_resource(show_spinner="Liczenie wskaźników programu…", max_entries=8)
def _monitoring(
    key: common.CoverageKey, state: str, _result: CoverageResult, _chosen: IndicatorSet
) -> Monitoring:
    """The programme's indicators on the date, for ``key`` and indicator file ``state``."""
    return monitor(
        _result.region.gminy, _result.entities, _result.plans, _result.as_of, _chosen.indicators
    )


@st.cache_resource(show_spinner="Liczenie scenariusza…", max_entries=8)
def _scenario_slide(
    key: common.CoverageKey, name: str, number: int, _result: CoverageResult, _definition: Any
) -> deck.Slide:
    """Saved scenario ``name`` (version ``number``) as a slide on the coverage of ``key``."""
    return saved_scenario_slide(_result, _definition, name)


def _extra_slides(
    result: CoverageResult, key: common.CoverageKey, scenario: str
) -> tuple[list[deck.Slide], dict[str, str], list[str]]:
    """The slides after the deck's own: monitoring and the chosen scenario; their variants
    (what each was made from, for the caches) and notes on what could not be shown."""
    store = common.store()
    slides: list[deck.Slide] = []
    variants: dict[str, str] = {}
    notes: list[str] = []
    try:
        chosen = load_indicators(common.settings(), store)
        watch = _monitoring(key, chosen.state, result, chosen)
        slides.append(monitoring_slide(result, watch, chosen))
        variants["monitoring"] = chosen.state
    except UserError as exc:
        notes.append(f"Slajd monitoringu pominięty: {exc}")
    if scenario:
        try:
            record = store.load_scenario(scenario)
            slides.append(_scenario_slide(key, scenario, record.number, result, record.definition))
            variants["scenariusz"] = f"{scenario}#{record.number}"
        except UserError as exc:
            notes.append(f"Scenariusz „{scenario}” nie jest pokazany: {str(exc).rstrip('.')}.")
    return slides, variants, notes


def _chosen_scenario(names: list[str]) -> str:
    """The saved scenario of ``?scenariusz=NAZWA`` if it exists, else none ("")."""
    wanted = st.query_params.get(SCENARIO_PARAM, "")
    return wanted if wanted in names else ""


def _set_scenario() -> None:
    """Put the chosen scenario in the URL and open its slide (the last one)."""
    name = st.session_state.get(SCENARIO_KEY, "")
    if name:
        st.query_params[SCENARIO_PARAM] = name
        st.session_state[INDEX_KEY] = 10**6  # clipped to the last slide: the scenario's
        if SLIDE_PARAM in st.query_params:
            del st.query_params[SLIDE_PARAM]
    elif SCENARIO_PARAM in st.query_params:
        del st.query_params[SCENARIO_PARAM]


def _go(index: int) -> None:
    """Show slide ``index`` (from 0) and put it in the URL, so a link opens it."""
    st.session_state[INDEX_KEY] = index
    st.query_params[SLIDE_PARAM] = str(index + 1)


def _move(step: int, count: int) -> None:
    _go(min(max(st.session_state.get(INDEX_KEY, 0) + step, 0), count - 1))


def _set_mode(on: bool) -> None:
    if on:
        st.query_params[MODE_PARAM] = "1"
    elif MODE_PARAM in st.query_params:
        del st.query_params[MODE_PARAM]


def _current_index(count: int) -> int:
    """The slide of ``?slajd=N`` (from 1) if valid, else the session's, else the first."""
    try:
        wanted = int(st.query_params.get(SLIDE_PARAM, ""))
    except ValueError:
        wanted = 0
    if 1 <= wanted <= count:
        return wanted - 1
    return min(st.session_state.get(INDEX_KEY, 0), count - 1)


def _text_and_table(slide: deck.Slide) -> None:
    for bullet in slide.bullets:
        st.markdown(f"**{common.md(bullet)}**" if bullet.startswith("DANE") else common.md(bullet))
    if slide.table is not None:
        st.table(slide.table.map(common.md), hide_index=True)


def _figure_column(slide: deck.Slide) -> None:
    """Key figures stacked beside the map (a row of them would leave the map no room)."""
    for value, label, note in slide.figures:
        st.metric(f"{label} ({note})" if note else label, value)


def _draw(
    slide: deck.Slide, key: common.CoverageKey, variant: str, as_of: dt.date, presenting: bool
) -> None:
    # a map beside the slide's table or key figures (a scenario), else the map is the slide
    beside_table = slide.is_map and (slide.table is not None or bool(slide.figures))
    png = _slide_png(key, slide.key, variant, beside_table, slide) if slide.is_map else b""
    if slide.is_map and not beside_table:
        # A map slide is the map: it carries its own title, legend and caption.
        st.image(png, width="stretch", alt=f"Mapa: {slide.title}")
    else:
        st.title(common.md(slide.title), anchor=False)
        if slide.subtitle:
            st.markdown(common.md(slide.subtitle))
        if slide.figures and not beside_table:
            for col, (value, label, note) in zip(
                st.columns(len(slide.figures)), slide.figures, strict=True
            ):
                col.metric(label, value)
                col.caption(common.md(note))
        if beside_table:
            # Text and table on the left, the map beside them: the whole slide fits a screen.
            left, right = st.columns([1.15, 1])
            with left:
                _figure_column(slide)
                _text_and_table(slide)
            right.image(png, width="stretch", alt=f"Mapa: {slide.title}")
        else:
            _text_and_table(slide)
        st.caption(common.md(slide.caption))
    if png and not presenting:
        chart = slide.key in {"trend", "monitoring"}
        download(
            "Pobierz wykres (PNG)" if chart else "Pobierz mapę (PNG)",
            png,
            file_name=f"{slide.key}_{as_of:%Y-%m-%d}.png",
            mime="image/png",
            icon=":material/image:",
            key=f"png_{slide.key}",
        )


def _nav_buttons(cols: list, index: int, count: int, where: str = "") -> None:
    """Previous and next: the keys of the presentation mode click these very buttons."""
    cols[0].button(
        "Poprzedni",
        icon=":material/arrow_back:",
        on_click=_move,
        args=(-1, count),
        disabled=index == 0,
        width="stretch",
        key=PREV_KEY,
    )
    cols[1].markdown(f"Slajd **{index + 1} / {count}**{where}")
    cols[2].button(
        "Następny",
        icon=":material/arrow_forward:",
        on_click=_move,
        args=(1, count),
        disabled=index == count - 1,
        width="stretch",
        key=NEXT_KEY,
    )


def _show_bar(index: int, count: int) -> None:
    """The presentation mode's slim bar: slides, full screen, leave (keys do the same)."""
    cols = st.columns([1.3, 1, 1.3, 1.5, 1.9], vertical_alignment="center")
    _nav_buttons(cols, index, count)
    cols[3].html(f'<button id="{FULLSCREEN_ID}" type="button">Pełny ekran (F)</button>')
    cols[4].button(
        "Zakończ pokaz (Esc)",
        icon=":material/close:",
        on_click=_set_mode,
        args=(False,),
        width="stretch",
        key=EXIT_KEY,
    )
    _keys.install(
        prev_key=PREV_KEY, next_key=NEXT_KEY, exit_key=EXIT_KEY, fullscreen_id=FULLSCREEN_ID
    )


def _page_bar(
    index: int, count: int, as_of: dt.date, pdf: Any, token: Hashable, scenario: str
) -> None:
    """The page's bar: slides, the presentation mode, the date, the scenario and the PDF."""
    cols = st.columns([1.1, 1.1, 1.1, 1.3, 1.3], vertical_alignment="center")
    _nav_buttons(cols, index, count, f" · stan na {common.fmt_date(as_of)}")
    cols[3].button(
        "Tryb pokazu",
        icon=":material/slideshow:",
        on_click=_set_mode,
        args=(True,),
        width="stretch",
        help="Pełny ekran dla rzutnika (1280×720): strzałki, PageDown/PageUp i spacja "
        "zmieniają slajdy, Esc kończy pokaz. Link: /prezentacja?pokaz=1",
    )
    with cols[4].popover("Stan na dzień", icon=":material/event:", width="stretch"):
        common.date_input()
    # a second row: seven controls in one would cut their labels on a 1280 px screen
    cols = st.columns([1.1, 1.1, 3.5], vertical_alignment="center")
    with cols[0].popover("Scenariusz", icon=":material/alt_route:", width="stretch"):
        names = ["", *common.store().scenario_names()]
        st.selectbox(
            "Scenariusz do pokazu",
            names,
            index=names.index(scenario) if scenario in names else 0,
            format_func=lambda name: name or "brak",
            key=SCENARIO_KEY,
            on_change=_set_scenario,
            help="Zapisany scenariusz (strona Scenariusze) jako ostatni slajd, także w trybie "
            "pokazu i w PDF. Scenariusz pokazuje stan na dzień, dla którego go zapisano.",
        )
    download_on_request(
        "PDF",
        pdf,
        file_name=f"prezentacja_{as_of:%Y-%m-%d}.pdf",
        mime="application/pdf",
        key="prezentacja_pdf",
        token=token,
        place=cols[1],
        prepare="Przygotuj PDF",
        icon=":material/picture_as_pdf:",
        width="stretch",
        help="Cała prezentacja jako PDF (16:9, slajd na stronę)",
    )


# --------------------------------------------------------------------------- page

presenting = st.query_params.get(MODE_PARAM) == "1"
st.html(_SHOW_CSS if presenting else _PAGE_CSS)
as_of = common.chosen_date()
result, key = common.coverage_and_key(as_of)
scenario = _chosen_scenario(common.store().scenario_names())
extra, variants, notes = _extra_slides(result, key, scenario)
slides = deck.build_slides(result, extra)
count = len(slides)
index = _current_index(count)
_go(index)

if presenting:
    _show_bar(index, count)
else:
    made_from = tuple(sorted(variants.items()))
    _page_bar(
        index,
        count,
        as_of,
        lambda: _deck_pdf(key, made_from, result, extra),
        (key, made_from),
        scenario,
    )
    for note in notes:
        st.warning(common.md(note), icon=":material/info:")

slide = slides[index]
_draw(slide, key, variants.get(slide.key, ""), as_of, presenting)
