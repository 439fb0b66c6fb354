"""Prezentacja: full-width slides for a committee meeting, previous/next, PDF and PNG exports.

The slides are described once in :func:`geo.print.deck.build_slides`; this page draws them
large for a projector, and the PDF export draws the same slides on paper.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo.pipeline import CoverageResult
from geo.print import deck
from geo.print import maps as static_maps
from pages import _common as common

INDEX_KEY = "prezentacja_slajd"
IMAGE_DPI = 120

# Large type for a projector; scoped to this page's main block (the page's own elements).
st.html(
    """
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
</style>
"""
)


@st.cache_data(show_spinner="Rysowanie mapy…", max_entries=64)
def _slide_png(
    key: common.CoverageKey, slide_key: str, beside_table: bool, _slide: deck.Slide
) -> bytes:
    """One slide's figure; the slide is drawn from the coverage computed for ``key``."""
    size = (8.4, 6.9) if beside_table else static_maps.SLIDE
    figure = deck.slide_figure(_slide, size)
    return static_maps.to_png(figure, dpi=IMAGE_DPI) if figure is not None else b""


@st.cache_data(show_spinner=False, max_entries=8)
def _deck_pdf(key: common.CoverageKey, _result: CoverageResult) -> bytes:
    """The deck of ``_result`` (computed for ``key``: every input)."""
    return deck.presentation_pdf(_result)


def _move(step: int, count: int) -> None:
    st.session_state[INDEX_KEY] = min(max(st.session_state.get(INDEX_KEY, 0) + step, 0), count - 1)


def _text_and_table(slide: deck.Slide) -> None:
    for bullet in slide.bullets:
        st.markdown(f"**{common.md(bullet)}**" if bullet.startswith("DANE") else common.md(bullet))
    if slide.table is not None:
        st.table(slide.table.map(common.md), hide_index=True)


def _draw(slide: deck.Slide, key: common.CoverageKey, as_of: dt.date) -> None:
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
            left, right = st.columns([1, 1.3])
            with left:
                _text_and_table(slide)
            right.image(png, width="stretch")
        else:
            _text_and_table(slide)
    st.caption(common.md(slide.caption))
    if png:
        st.download_button(
            "Pobierz wykres (PNG)" if slide.key == "trend" else "Pobierz mapę (PNG)",
            data=png,
            file_name=f"{slide.key}_{as_of:%Y-%m-%d}.png",
            mime="image/png",
            icon=":material/image:",
            on_click="ignore",
            key=f"png_{slide.key}",
        )


# --------------------------------------------------------------------------- page

as_of = common.chosen_date()
result, key = common.coverage_and_key(as_of)
slides = deck.build_slides(result)
count = len(slides)
index = min(st.session_state.get(INDEX_KEY, 0), count - 1)
st.session_state[INDEX_KEY] = index

prev_col, where_col, next_col, date_col, pdf_col = st.columns(
    [1, 1.6, 1, 1.4, 1.6], vertical_alignment="center"
)
prev_col.button(
    "Poprzedni",
    icon=":material/arrow_back:",
    on_click=_move,
    args=(-1, count),
    disabled=index == 0,
    width="stretch",
)
where_col.markdown(f"Slajd **{index + 1} / {count}** · stan na {common.fmt_date(as_of)}")
next_col.button(
    "Następny",
    icon=":material/arrow_forward:",
    on_click=_move,
    args=(1, count),
    disabled=index == count - 1,
    width="stretch",
)
with date_col.popover("Stan na dzień", icon=":material/event:"):
    common.date_input()
pdf_col.download_button(
    "Pobierz prezentację (PDF)",
    data=lambda: _deck_pdf(key, result),
    file_name=f"prezentacja_{as_of:%Y-%m-%d}.pdf",
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    on_click="ignore",
    width="stretch",
)

_draw(slides[index], key, as_of)
