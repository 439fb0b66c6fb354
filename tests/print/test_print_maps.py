"""Static maps: title, legend with counts, source and date caption, scale bar, print contrast."""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image
from shapely.geometry import Point

from geo import pipeline
from geo.analysis.coverage import (
    COVERAGE_LABELS,
    COVERED_BY_AGREEMENT,
    COVERED_HERE,
    METRIC_CRS,
    NOT_COVERED,
)
from geo.present import styles
from geo.print import maps as sm

DAY = dt.date(2026, 6, 30)
DPI = 60  # modest: the tests read the figure's content, not fine detail


def _texts(fig) -> str:
    texts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        texts += [t.get_text() for t in ax.texts]
    for legend in fig.legends:
        texts += [t.get_text() for t in legend.get_texts()] + [legend.get_title().get_text()]
    return "\n".join(texts)


def _legend_counts(fig) -> dict[str, int]:
    counts = {}
    for text in fig.legends[0].get_texts():
        label = " ".join(text.get_text().split())
        match = re.fullmatch(r"(.*) \((\d+)\)", label)
        if match:
            counts[match.group(1)] = int(match.group(2))
    return counts


def _luminance(color: str) -> float:
    r, g, b = to_rgb(color)
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_coverage_map_has_title_caption_legend_and_scale(result) -> None:
    fig = sm.coverage_map(result)
    text = _texts(fig)
    assert "Pokrycie gmin przez CIS i KIS" in text
    assert "stan na 30.06.2026" in text.lower()
    assert "DANE PRZYKŁADOWE" in text and "GUS" in text
    counts = _legend_counts(fig)
    expected = result.gminy["pokrycie"].value_counts()
    for status, label in COVERAGE_LABELS.items():
        assert counts[label] == expected.get(status, 0)
    assert counts["CIS: Centrum Integracji Społecznej"] == result.summary["cis"]
    # The scale bar is true: the label's length is a round share of the map's width.
    ax = fig.axes[0]
    km = [t.get_text() for t in ax.texts if t.get_text().endswith(" km")]
    assert len(km) == 1
    length = float(km[0].split()[0]) * 1000
    span = ax.get_xlim()[1] - ax.get_xlim()[0]
    assert span / 10 < length <= span / 4
    minx, miny, maxx, maxy = result.gminy.to_crs(METRIC_CRS).total_bounds
    assert ax.get_xlim()[0] <= minx and ax.get_xlim()[1] >= maxx
    assert ax.get_ylim()[0] <= miny and ax.get_ylim()[1] >= maxy


def test_png_has_the_requested_size_and_is_not_blank(result) -> None:
    png = sm.to_png(sm.coverage_map(result), dpi=DPI)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    for got, inches in zip(image.size, sm.SLIDE, strict=True):
        assert abs(got - inches * DPI) <= 1
    grey = np.asarray(image.convert("L"))
    assert (grey < 250).mean() > 0.15  # a drawn map, not an empty page


def test_coverage_states_stay_distinct_in_black_and_white(result) -> None:
    """Each pair of states differs in grey level or in pattern (hatching)."""
    coverage = list(styles.COVERAGE)
    for i, a in enumerate(coverage):
        for b in coverage[i + 1 :]:
            assert abs(_luminance(a.color) - _luminance(b.color)) > 0.25 or a.hatch != b.hatch

    # And on the rendered map: a covered gmina prints darker than a gap.
    fig = sm.coverage_map(result, size=(8, 6), subtitle="")
    png = sm.to_png(fig, dpi=80)
    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L")).astype(float)
    ax = fig.axes[0]
    metric = result.gminy.to_crs(METRIC_CRS)

    scale = 80 / fig.dpi  # saved at 80 dpi; the transforms use the figure's own dpi

    def median_grey(code: str) -> float:
        shape = metric.loc[metric["teryt"] == code].geometry.iloc[0].buffer(-800)
        minx, miny, maxx, maxy = shape.bounds
        xs, ys = np.meshgrid(np.linspace(minx, maxx, 15), np.linspace(miny, maxy, 15))
        inside = [(x, y) for x, y in zip(xs.ravel(), ys.ravel(), strict=True)
                  if shape.contains(Point(x, y))]  # fmt: skip
        pixels = ax.transData.transform(inside) * scale
        rows = grey.shape[0] - 1 - pixels[:, 1].astype(int)
        return float(np.median(grey[rows, pixels[:, 0].astype(int)]))

    # Lublin (CIS in the gmina) vs Tomaszów Lubelski (a gap): dark vs light grey.
    assert median_grey("0663011") + 60 < median_grey("0618011")


def test_distance_map_classes_cover_every_gmina(result) -> None:
    fig = sm.distance_map(result, size=sm.PRINT)
    counts = _legend_counts(fig)
    gaps = int((result.gminy["pokrycie"] == NOT_COVERED).sum())
    covered = len(result.gminy) - gaps
    here = int((result.gminy["pokrycie"] == COVERED_HERE).sum())
    # The classes and colours are the shared vocabulary's, "0 km" first (as on the web map).
    zero, *gap_classes = styles.DISTANCE_CLASSES
    assert counts[zero.label] == here
    assert counts[COVERAGE_LABELS[COVERED_BY_AGREEMENT]] == covered - here
    assert sum(v for k, v in counts.items() if k.startswith("brak CIS/KIS")) == gaps
    labels = [" ".join(t.get_text().split()) for t in fig.legends[0].get_texts()]
    assert labels[0].startswith(zero.label)
    for style in gap_classes:
        assert any(label.startswith(f"brak CIS/KIS, {style.label} (") for label in labels)
    faces = {to_rgb(style.color) for style in styles.DISTANCE_CLASSES}
    assert faces <= {p.get_facecolor()[:3] for p in fig.legends[0].get_patches()}
    assert "Luki: gminy bez CIS/KIS" in _texts(fig)


def test_scope_limits_the_extent_to_a_powiat(result) -> None:
    codes = set(result.gminy.loc[result.gminy["powiat"] == "0618", "teryt"])
    fig = sm.coverage_map(result, scope=codes, size=sm.PRINT)
    counts = _legend_counts(fig)
    assert sum(counts[label] for label in COVERAGE_LABELS.values()) == len(codes)
    # Marker counts are those of the mapped area (the rest are drawn only as context).
    in_powiat = result.gminy[result.gminy["powiat"] == "0618"]
    assert counts["CIS: Centrum Integracji Społecznej"] == in_powiat["cis"].sum()
    ax = fig.axes[0]
    bounds = result.gminy[result.gminy["teryt"].isin(codes)].to_crs(METRIC_CRS).total_bounds
    region = result.gminy.to_crs(METRIC_CRS).total_bounds
    assert ax.get_xlim()[0] > region[0] and ax.get_xlim()[0] <= bounds[0]
    with pytest.raises(sm.MapError, match="nie obejmuje"):
        sm.coverage_map(result, scope={"0000000"})


def test_gmina_map_names_the_neighbours(result) -> None:
    fig = sm.gmina_map(result, "0663011")
    text = _texts(fig)
    for name in ("Świdnik", "Niemce", "Konopnica", "Głusk"):
        assert name in text
    assert "Lublin i gminy sąsiednie" in text
    ax = fig.axes[0]
    lublin = result.gminy[result.gminy["teryt"] == "0663011"].to_crs(METRIC_CRS).total_bounds
    assert ax.get_xlim()[0] < lublin[0] and ax.get_xlim()[1] > lublin[2]
    bare = sm.gmina_map(result, "0663011", bare=True)
    assert "Lublin i gminy sąsiednie" not in _texts(bare) and "Świdnik" in _texts(bare)
    with pytest.raises(sm.MapError, match="Nie ma gminy"):
        sm.gmina_map(result, "0000000")


def test_lpres_and_subregion_maps_show_unknown_as_its_own_class(result) -> None:
    gminy = result.gminy.copy()
    gminy["lpres_status"] = "nieznany"
    gminy.loc[gminy["powiat"] == "0605", "lpres_status"] = "w_przygotowaniu"
    gminy["owes_podregion_nazwa"] = "nieznany"
    gminy.loc[gminy["powiat"].isin(["0603", "0604", "0662"]), "owes_podregion_nazwa"] = (
        "chełmsko-zamojski"
    )
    enriched = pipeline.CoverageResult(**{**result.__dict__, "gminy": gminy})
    counts = _legend_counts(sm.lpres_map(enriched))
    n_janow = int((gminy["powiat"] == "0605").sum())
    lpres = styles.by_key(styles.LPRES)  # the labels of the web map's legend too
    assert counts[lpres["w_przygotowaniu"].label] == n_janow
    assert counts[lpres[styles.UNKNOWN_KEY].label] == len(gminy) - n_janow
    assert counts[lpres["brak"].label] == 0  # "no plan" is never inferred from "unknown"
    sub = sm.subregion_map(enriched)
    counts = _legend_counts(sub)
    assert counts["chełmsko-zamojski"] == int(gminy["powiat"].isin(["0603", "0604", "0662"]).sum())
    assert "podregion nieznany (nieskonfigurowany)" in counts
    assert "chełmsko-zamojski" in [t.get_text() for t in sub.axes[0].texts]


def test_legends_use_the_shared_vocabulary_and_leave_matplotlib_settings_alone(result) -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    fig = sm.lpres_map(result)
    assert dict(matplotlib.rcParams) == before  # print settings only inside the drawing
    patches = fig.legends[0].get_patches()
    texts = [" ".join(t.get_text().split()) for t in fig.legends[0].get_texts()]
    for style in styles.LPRES:
        i = next(i for i, text in enumerate(texts) if text.startswith(f"{style.label} ("))
        assert patches[i].get_facecolor()[:3] == to_rgb(style.color)
        assert patches[i].get_hatch() == style.hatch
    assert fig.texts[0].get_fontname() == "DejaVu Sans"
