"""Prezentacja: full-width slides for a committee meeting, previous/next, PDF and PNG exports.

The slides are described once in :func:`geo.print.deck.build_slides`; this page draws them
large for a projector, and the PDF export draws the same slides on paper.

``?slajd=N`` opens slide N (moving updates it), ``?pokaz=1`` is the presentation mode for a
projector at 1280x720: no app navigation or menu, a full-screen button, every slide fits the
screen with text of at least 18 px, and a clicker's keys move the slides (:mod:`pages._keys`).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo.pipeline import CoverageResult
from geo.print import deck
from geo.print import maps as static_maps
from pages import _common as common
from pages import _keys

INDEX_KEY = "prezentacja_slajd"
IMAGE_DPI = 120
SLIDE_PARAM = "slajd"
MODE_PARAM = "pokaz"
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
    key: common.CoverageKey, slide_key: str, beside_table: bool, _slide: deck.Slide
) -> bytes:
    """One slide's figure; the slide is drawn from the coverage computed for ``key``."""
    size = deck.BESIDE_TABLE if beside_table else static_maps.SLIDE
    figure = deck.slide_figure(_slide, size)
    return static_maps.to_png(figure, dpi=IMAGE_DPI) if figure is not None else b""


@st.cache_data(show_spinner=False, max_entries=8)
def _deck_pdf(key: common.CoverageKey, _result: CoverageResult) -> bytes:
    """The deck of ``_result`` (computed for ``key``: every input)."""
    return deck.presentation_pdf(_result)


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


def _draw(slide: deck.Slide, key: common.CoverageKey, as_of: dt.date, presenting: bool) -> None:
    beside_table = slide.table is not None and slide.is_map
    png = _slide_png(key, slide.key, beside_table, slide) if slide.is_map else b""
    if slide.is_map and not beside_table:
        # A map slide is the map: it carries its own title, legend and caption.
        st.image(png, width="stretch", alt=f"Mapa: {slide.title}")
    else:
        st.title(common.md(slide.title), anchor=False)
        if slide.subtitle:
            st.markdown(common.md(slide.subtitle))
        if slide.figures:
            for col, (value, label, note) in zip(
                st.columns(len(slide.figures)), slide.figures, strict=True
            ):
                col.metric(label, value)
                col.caption(common.md(note))
        if beside_table:
            # Text and table on the left, the map beside them: the whole slide fits a screen.
            left, right = st.columns([1.15, 1])
            with left:
                _text_and_table(slide)
            right.image(png, width="stretch")
        else:
            _text_and_table(slide)
        st.caption(common.md(slide.caption))
    if png and not presenting:
        st.download_button(
            "Pobierz wykres (PNG)" if slide.key == "trend" else "Pobierz mapę (PNG)",
            data=png,
            file_name=f"{slide.key}_{as_of:%Y-%m-%d}.png",
            mime="image/png",
            icon=":material/image:",
            on_click="ignore",
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


def _page_bar(index: int, count: int, as_of: dt.date, pdf: bytes | object) -> None:
    """The page's bar: slides, the presentation mode, the date and the PDF."""
    cols = st.columns([1.1, 1.1, 1.1, 1.3, 1.3, 1.3], vertical_alignment="center")
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
    cols[5].download_button(
        "PDF",
        data=pdf,
        file_name=f"prezentacja_{as_of:%Y-%m-%d}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        width="stretch",
        help="Cała prezentacja jako PDF (16:9, slajd na stronę)",
    )


# --------------------------------------------------------------------------- page

presenting = st.query_params.get(MODE_PARAM) == "1"
st.html(_SHOW_CSS if presenting else _PAGE_CSS)
as_of = common.chosen_date()
result, key = common.coverage_and_key(as_of)
slides = deck.build_slides(result)
count = len(slides)
index = _current_index(count)
_go(index)

if presenting:
    _show_bar(index, count)
else:
    _page_bar(index, count, as_of, lambda: _deck_pdf(key, result))

_draw(slides[index], key, as_of, presenting)
