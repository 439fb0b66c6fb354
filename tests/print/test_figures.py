"""Shared figures: the gap table, the trend chart, LPRES counts and notes."""

from __future__ import annotations

import datetime as dt

from geo.analysis.coverage import NOT_COVERED
from geo.present import styles
from geo.print import figures

DAY = dt.date(2026, 6, 30)  # the "stan na" date of the result fixture (conftest.py)


def test_gap_table_lists_every_gap_biggest_first(result) -> None:
    table = figures.gap_table(result)
    gaps = result.gminy[result.gminy["pokrycie"] == NOT_COVERED]
    assert len(table) == len(gaps)
    assert list(table["Ludność"]) == sorted(table["Ludność"], reverse=True)
    niemce = table[table["Gmina"] == "Niemce"].iloc[0]
    assert "Lublin" in niemce["Sąsiednia gmina z CIS/KIS"]


def test_trend_chart_ends_at_the_maps_figures(result) -> None:
    fig = figures.trend_figure(result)
    ax = fig.axes[0]
    covered, pes = ax.lines[0], ax.lines[1]
    assert covered.get_xdata()[-1] == DAY.year
    # The last point is the "stan na" date: the same numbers as the map and the headline.
    assert covered.get_ydata()[-1] == result.summary["gminy_z_cis_kis"]
    assert pes.get_ydata()[-1] == result.summary["pes"]
    assert list(covered.get_xdata()) == sorted(covered.get_xdata())
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "bez daty rozpoczęcia" in texts and "DANE PRZYKŁADOWE" in texts


def test_lpres_counts_and_notes(result) -> None:
    counts = figures.lpres_counts(result)
    assert counts["Gminy"].sum() == len(result.gminy)
    statuses = result.gminy["lpres_status"].value_counts()
    unknown = styles.by_key(styles.LPRES)[styles.UNKNOWN_KEY].label  # as on the maps' legends
    assert int(counts.loc[counts["Status"] == unknown, "Gminy"].iloc[0]) == statuses.get(
        "nieznany", 0
    )
    notes = " ".join(figures.lpres_notes(result))
    assert "Gminy objęte przyjętym planem" in notes and "Źródło:" in notes


def test_headline_labels_agree_with_their_numbers() -> None:
    summary = {
        "gminy_z_cis_kis": 20,
        "gminy": 22,
        "proc_gmin_pokrytych": 90.9,
        "proc_ludnosci_pokrytej": 95.0,
        "ludnosc_w_gminach_pokrytych": 95_000,
        "ludnosc": 100_000,
        "gminy_bez_cis_kis": 2,
        "pes": 1,
        "cis": 0,
        "kis": 1,
    }
    labels = [label for _, label, _ in figures.headline_figures(summary, dt.date(2026, 6, 30))]
    assert labels[2] == "gminy bez CIS/KIS"  # "2 gminy", not "2 gmin"
    assert labels[3] == "podmiot ekonomii społecznej"  # "1 podmiot"
    summary |= {"gminy_bez_cis_kis": 1, "pes": 22}
    labels = [label for _, label, _ in figures.headline_figures(summary, dt.date(2026, 6, 30))]
    assert labels[2:] == ["gmina bez CIS/KIS", "podmioty ekonomii społecznej"]
