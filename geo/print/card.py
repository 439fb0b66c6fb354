"""The A4 gmina card ("Pobierz kartę gminy"): map, facts, coverage, entities, sources.

Made for print: legible in black and white (the map uses hatching and grey levels) and one page
when it can be: the list of entities is cut to the page with a note that the full list is in the
app. What cannot be cut (the coverage explanation of a gmina with dozens of CIS/KIS...) continues
on a second page rather than failing. Entities that name the gmina but could not be located are
listed with the reason and whom to ask for a correction.
"""

from __future__ import annotations

import pandas as pd
from fpdf.enums import XPos, YPos

from geo.pipeline import CoverageResult
from geo.present.profile import (
    GminaProfile,
    comparison_table,
    fmt_date,
    fmt_int,
    fmt_km,
)
from geo.print import maps
from geo.print.pdf import APP_NAME, FONT, SAMPLE_WARNING, Document, to_bytes

__all__ = ["gmina_card_pdf"]

SOURCE_LINE_MM = 3.1
_ROW_MM = 8 * 0.55  # a table row's height at 8 pt
_GUTTER_MM = 6.0
#: :data:`CONTACT_FALLBACK` in one printed line.
CONTACT_FALLBACK_SHORT = (
    "Poprawki: skontaktuj się z Regionalnym Ośrodkiem Polityki Społecznej (ROPS)."
)
_UNLOCATED_ROWS = 8  # more is unusual; the app has the full list


def gmina_card_pdf(result: CoverageResult, profile: GminaProfile, dpi: int = 200) -> bytes:
    """The A4 gmina card: map, facts, coverage and why, entities, comparison, sources.

    Readable in black and white (the map uses hatching and grey levels). The entity list is cut
    to the page with a note that the full list is in the application; text that cannot be cut
    continues on the next page.
    """
    stan = f"stan na {fmt_date(profile.as_of)}"
    pdf = Document(f"{APP_NAME} · karta gminy {profile.nazwa} (TERYT {profile.teryt}) · {stan}")
    pdf.set_title(f"Karta gminy {profile.nazwa} ({profile.teryt}), {stan}")
    pdf.set_subject("Ekonomia społeczna w gminie: pokrycie CIS/KIS, podmioty, LPRES")
    pdf.set_auto_page_break(True, margin=pdf.h - pdf.bottom)
    pdf.add_page()
    _header(pdf, profile)
    _map(pdf, result, profile, dpi)
    _coverage(pdf, profile)
    _facts_and_comparison(pdf, profile)
    _nearest(pdf, profile)
    sources = _source_lines(pdf, profile)
    sources_h = 4.5 + SOURCE_LINE_MM * len(sources)
    _entities(pdf, profile, room_below=sources_h + _unlocated_height(profile))
    _unlocated(pdf, profile)
    _sources(pdf, sources, sources_h)
    return to_bytes(pdf)


def _ensure_room(pdf: Document, height: float) -> None:
    """Start a new page unless ``height`` mm fit above the footer (blocks kept whole)."""
    if pdf.get_y() + height > pdf.bottom:
        pdf.add_page()


def _header(pdf: Document, profile: GminaProfile) -> None:
    """Region, the gmina's name, its kind, powiat, code and date; the sample warning."""
    pdf.set_text_color(80, 80, 80)
    pdf.text_line(f"Karta gminy · {profile.region_nazwa}", 4, size=9)
    pdf.set_text_color(0, 0, 0)
    pdf.text_line(profile.nazwa, 10, style="B", size=20)
    pdf.text_line(
        f"{profile.rodzaj_nazwa} · {profile.powiat_etykieta} · TERYT {profile.teryt} · "
        f"stan na {fmt_date(profile.as_of)}",
        5,
        size=10.5,
    )
    pdf.ln(1.5)
    if profile.is_sample:
        pdf.warning(SAMPLE_WARNING, size=8)


def _map(pdf: Document, result: CoverageResult, profile: GminaProfile, dpi: int) -> None:
    """The gmina and its neighbours across the page, with the map's sources under it."""
    # A lower map leaves room for the unlocated entities and for facts that take more than
    # one line (a long operator's name), so the card still fits one page.
    height = (3.4 if profile.nieustalone.empty else 2.65) - _facts_extra_mm(pdf, profile) / 25.4
    card_map = maps.gmina_map(result, profile.teryt, size=(7.4, height), bare=True)
    pdf.figure(card_map, pdf.content_width, dpi)
    pdf.set_font(FONT, "", 7)
    # The sources are named in full under "Źródła" at the foot of the card; not cut here.
    pdf.text_line(f"Mapa: {profile.stan_na} · źródła danych: zob. „Źródła” niżej", 3.5, size=7)
    pdf.ln(2)


def _coverage(pdf: Document, profile: GminaProfile) -> None:
    """The coverage status (Model Lokalnej Współpracy) and why."""
    pdf.set_font(FONT, "B", 11)
    status = f"Model Lokalnej Współpracy: {profile.pokrycie_nazwa}"
    pdf.multi_cell(0, 5.5, status, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.paragraph(profile.pokrycie_opis, size=8.5)
    pdf.ln(1.5)


def _facts(profile: GminaProfile) -> pd.DataFrame:
    """The basic facts, a row each."""
    return pd.DataFrame(
        [
            ("Rodzaj gminy", profile.rodzaj_nazwa),
            ("Powiat", profile.powiat_etykieta),
            ("Ludność", f"{fmt_int(profile.ludnosc)} (GUS BDL)"),
            ("Podregion OWES", profile.owes_podregion),
            ("Operator OWES", profile.owes_operator),
            ("Podregion NUTS-3", profile.nuts3),
            ("LPRES", profile.lpres_status_nazwa),
            ("PES w gminie", ", ".join(f"{k} {v}" for k, v in profile.typy.items() if v) or "brak"),
        ],
        columns=["Informacja", "Wartość"],
    )


def _facts_widths(pdf: Document) -> list[float]:
    col_w = (pdf.content_width - _GUTTER_MM) / 2
    return [col_w * 0.36, col_w * 0.64]


def _facts_extra_mm(pdf: Document, profile: GminaProfile) -> float:
    """How much taller than one line per row the facts table is (its cells wrap)."""
    pdf.set_font(FONT, "", 8)
    width = _facts_widths(pdf)[1]
    lines = [
        len(pdf.wrapped_lines(" ".join(str(v).split()), width, _ROW_MM))
        for v in _facts(profile)["Wartość"]
    ]
    return sum(max(n, 1) - 1 for n in lines) * _ROW_MM


def _facts_and_comparison(pdf: Document, profile: GminaProfile) -> None:
    """Basic facts (left) and the comparison with powiat and region (right)."""
    _ensure_room(pdf, 5 + 10 * _ROW_MM + 2)  # side by side: neither may break the page
    top = pdf.get_y()
    col_w = (pdf.content_width - _GUTTER_MM) / 2
    pdf.set_font(FONT, "B", 10)
    pdf.cell(col_w, 5, "Podstawowe informacje", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    # Facts are named in full (an operator's name is long): their cells wrap.
    pdf.table(_facts(profile), _facts_widths(pdf), size=8, zebra=True, wrap=True)
    left_end = pdf.get_y()
    right = pdf.l_margin + col_w + _GUTTER_MM
    pdf.set_xy(right, top)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(col_w, 5, "Porównanie z powiatem i województwem")
    pdf.set_xy(right, top + 5)
    comparison = comparison_table(profile)
    comparison.columns = ["Wskaźnik", "Gmina", "Powiat", "Woj."]
    pdf.table(
        comparison,
        [col_w * 0.46, col_w * 0.17, col_w * 0.17, col_w * 0.20],
        aligns=["L", "R", "R", "R"],
        size=8,
        x=right,
    )
    pdf.set_y(max(left_end, pdf.get_y()) + 2)


def _nearest(pdf: Document, profile: GminaProfile) -> None:
    """The nearest CIS/KIS outside the gmina, if any."""
    if profile.najblizsze.empty:
        return
    _ensure_room(pdf, 5 + (len(profile.najblizsze) + 1) * _ROW_MM + 3)
    pdf.text_line("Najbliższe CIS/KIS poza gminą", 5, style="B")
    near = profile.najblizsze.assign(
        **{
            "Odległość": profile.najblizsze["Odległość, km"].map(fmt_km),
            "Sąsiednia": profile.najblizsze["sasiednia"].map({True: "tak", False: "nie"}),
        }
    )[["Nazwa", "Typ", "Gmina", "Odległość", "Sąsiednia"]]
    w = pdf.content_width
    pdf.table(
        near,
        [w * 0.52, w * 0.07, w * 0.17, w * 0.11, w * 0.13],
        aligns=["L", "L", "L", "R", "L"],
        size=8,
    )
    pdf.ln(2)


def _entities(pdf: Document, profile: GminaProfile, room_below: float) -> None:
    """The entities in the gmina, as many as fit above ``room_below`` mm of sources."""
    _ensure_room(pdf, 5 + 3 * _ROW_MM)
    pdf.text_line(f"Podmioty ekonomii społecznej w gminie ({len(profile.podmioty)})", 5, style="B")
    if profile.podmioty.empty:
        pdf.paragraph("Brak działających podmiotów z rejestru w tej gminie.", size=8.5)
        return
    room = pdf.bottom - room_below - pdf.get_y() - (_ROW_MM + 1) - 1
    fits = int(room // _ROW_MM)
    if fits < len(profile.podmioty):
        fits = max(0, int((room - 4.5) // _ROW_MM))  # leave a line for "… i N kolejnych"
    table = profile.podmioty[["Nazwa", "Typ", "Podmiot prowadzący", "Działa od"]]
    w = pdf.content_width
    shown = pdf.table(table, [w * 0.5, w * 0.07, w * 0.31, w * 0.12], size=8, max_rows=fits)
    if shown < len(table):
        pdf.paragraph(f"… i {len(table) - shown} kolejnych: pełna lista w aplikacji.", 8)


def _unlocated_height(profile: GminaProfile) -> float:
    """Room (mm) taken by :func:`_unlocated`."""
    if profile.nieustalone.empty:
        return 0.0
    rows = min(len(profile.nieustalone), _UNLOCATED_ROWS)
    return 5 + (rows + 1) * _ROW_MM + 1 + 2 * 4.2 + 1


def _unlocated(pdf: Document, profile: GminaProfile) -> None:
    """Entities naming the gmina that could not be located: why, and whom to tell."""
    listed = profile.nieustalone
    if listed.empty:
        return
    _ensure_room(pdf, _unlocated_height(profile))
    pdf.ln(1)
    pdf.text_line(
        f"Podmioty bez ustalonej gminy, które mogą dotyczyć tej gminy ({len(listed)})", 5, "B"
    )
    w = pdf.content_width
    table = listed[["Nazwa", "Typ", "Problem", "Gmina wymieniona w"]].rename(
        columns={"Gmina wymieniona w": "Gmina wymieniona w polu"}
    )
    shown = pdf.table(
        table, [w * 0.46, w * 0.06, w * 0.22, w * 0.26], size=8, max_rows=_UNLOCATED_ROWS
    )
    more = f" (i {len(table) - shown} kolejnych w aplikacji)" if shown < len(table) else ""
    if profile.kontakt:
        pdf.set_font(FONT, "", 8)
        pdf.write(4.2, f"Nie są liczone w tej gminie{more}. Zgłoś poprawkę: ")
        pdf.write(4.2, profile.kontakt, link=f"mailto:{profile.kontakt}")
        pdf.ln(4.2)
    else:
        pdf.paragraph(f"Nie są liczone w tej gminie{more}. {CONTACT_FALLBACK_SHORT}", size=8)


def _source_lines(pdf: Document, profile: GminaProfile) -> list[str]:
    """The sources wrapped to the page's width (named in full, never cut with "…")."""
    pdf.set_font(FONT, "", 6.8)
    lines: list[str] = []
    for source in profile.zrodla:
        lines += pdf.wrapped_lines(source, pdf.content_width, SOURCE_LINE_MM)
    return lines


def _sources(pdf: Document, lines: list[str], height: float) -> None:
    """The sources, at the foot of the (last) page."""
    _ensure_room(pdf, height)
    pdf.set_y(pdf.bottom - height)
    pdf.text_line("Źródła", 3.6, style="B", size=7.5)
    for line in lines:
        pdf.text_line(line, SOURCE_LINE_MM, size=6.8)
