"""Locating entities in gminas: codes, coordinates, names, localities, and every bad case."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.analysis import locate as L
from geo.analysis.locate import by_name, checks, distinct, problems
from geo.core.schema import REGISTRY_COLUMNS

LUBLIN = (51.2465, 22.5684)  # city centre (lat, lon)
WARSZAWA = (52.2297, 21.0122)


def entities(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame([{col: row.get(col) for col in REGISTRY_COLUMNS} for row in rows])
    frame["id"] = [row.get("id", f"E{i}") for i, row in enumerate(rows)]
    frame["typ"] = [row.get("typ", "CIS") for row in rows]
    frame["nazwa"] = [row.get("nazwa", f"Podmiot {i}") for i, row in enumerate(rows)]
    return frame


@pytest.fixture()
def locate(gminy_06, terc_pl):
    def _run(*rows: dict, terc=None):
        return L.locate_entities(entities(*rows), gminy_06, terc or terc_pl, "06")

    return _run


def categories(row: pd.Series) -> set[str]:
    return set(row["problem_kategorie"])


def test_code_is_used_first(locate) -> None:
    out = locate({"teryt": "0604011"})
    assert out.loc[0, "teryt_gminy"] == "0604011"
    assert out.loc[0, "metoda_lokalizacji"] == L.METHOD_CODE
    assert out.loc[0, "uwzgledniony"]
    assert out.loc[0, "pozycja_przyblizona"]  # no coordinates: shown at the gmina's centre


def test_old_code_mapped_with_warning(locate) -> None:
    out = locate({"teryt": "0601052"})
    assert out.loc[0, "teryt_gminy"] == "0601053"
    assert categories(out.iloc[0]) == {L.P_MAPPED}
    assert "0601053" in out.loc[0, "problem"]
    assert out.loc[0, "uwzgledniony"]


def test_coordinates_point_in_polygon(locate, gminy_06) -> None:
    out = locate({"szerokosc": LUBLIN[0], "dlugosc": LUBLIN[1]})
    assert out.loc[0, "teryt_gminy"] == "0663011"
    assert out.loc[0, "metoda_lokalizacji"] == L.METHOD_POINT
    assert not out.loc[0, "pozycja_przyblizona"]
    assert out.geometry.iloc[0].x == pytest.approx(LUBLIN[1])


def test_swapped_coordinates_fixed_with_warning(locate) -> None:
    out = locate({"szerokosc": LUBLIN[1], "dlugosc": LUBLIN[0]})
    assert out.loc[0, "teryt_gminy"] == "0663011"
    assert L.P_SWAPPED in categories(out.iloc[0])


def test_coordinates_outside_poland_ignored(locate) -> None:
    out = locate({"szerokosc": 0.0, "dlugosc": 0.0})
    assert out.loc[0, "teryt_gminy"] is None
    assert {L.P_BAD_POINT, L.P_UNLOCATED} <= categories(out.iloc[0])
    assert not out.loc[0, "uwzgledniony"]


def test_outside_region_by_point_and_by_code(locate, terc_pl) -> None:
    out = locate({"szerokosc": WARSZAWA[0], "dlugosc": WARSZAWA[1]}, {"teryt": "1465011"})
    assert list(out["teryt_gminy"]) == [None, None]
    assert all(L.P_OUTSIDE in categories(r) for _, r in out.iterrows())
    # with only the region's TERC, a foreign code is still "outside", not "invalid"
    out2 = locate({"teryt": "1465011"}, terc=terc_pl.for_region("06"))
    assert categories(out2.iloc[0]) == {L.P_OUTSIDE}


def test_invalid_code_falls_back_to_name(locate) -> None:
    out = locate({"teryt": "06x", "gmina": "Łęczna"}, {"teryt": "0699992"})
    assert out.loc[0, "teryt_gminy"] == "0610033"
    assert out.loc[0, "metoda_lokalizacji"] == L.METHOD_NAME
    assert L.P_BAD_CODE in categories(out.iloc[0])
    assert out.loc[1, "teryt_gminy"] is None
    assert L.P_BAD_CODE in categories(out.iloc[1])


def test_ambiguous_gmina_name_is_listed_not_guessed(locate) -> None:
    out = locate(
        {"gmina": "Tomaszów Lubelski", "miejscowosc": "Tomaszów Lubelski"},
        {"gmina": "gmina wiejska Tomaszów Lubelski"},
        {"gmina": "m. Tomaszów Lubelski"},
        {"gmina": "Tomaszow lubelski (m.)"},
    )
    assert out.loc[0, "teryt_gminy"] is None
    assert L.P_AMBIGUOUS in categories(out.iloc[0])
    assert "0618011" in out.loc[0, "problem"] and "0618112" in out.loc[0, "problem"]
    assert list(out["teryt_gminy"][1:]) == ["0618112", "0618011", "0618011"]


def test_powiat_disambiguates_gmina_name(locate, gminy_06) -> None:
    names = gminy_06.groupby("nazwa")["powiat"].nunique()
    name = names[names > 1].index[0]  # e.g. a town and the rural gmina around it
    rows = gminy_06[gminy_06["nazwa"] == name]
    target = rows.iloc[-1]
    out = locate({"gmina": name, "powiat": f"powiat {target['powiat_nazwa']}"})
    assert out.loc[0, "teryt_gminy"] == target["teryt"]


def test_locality_that_is_a_gmina_seat(locate) -> None:
    out = locate(
        {"miejscowosc": "Janów Lubelski"},
        {"miejscowosc": "Tomaszów Lubelski"},  # the town lies in the urban gmina
        {"miejscowosc": "Mieniany"},  # a village: not a seat, not guessed
    )
    assert list(out["teryt_gminy"]) == ["0605053", "0618011", None]
    assert out.loc[0, "metoda_lokalizacji"] == L.METHOD_LOCALITY
    assert L.P_UNLOCATED in categories(out.iloc[2])


def test_conflicting_code_and_coordinates(locate) -> None:
    out = locate({"teryt": "0604011", "szerokosc": LUBLIN[0], "dlugosc": LUBLIN[1]})
    assert out.loc[0, "teryt_gminy"] == "0604011"
    assert L.P_CONFLICT in categories(out.iloc[0])
    assert "0663011" in out.loc[0, "problem"]
    assert out.loc[0, "pozycja_przyblizona"]


def test_duplicates_counted_once(locate) -> None:
    out = locate(
        {"id": "A", "nazwa": "CIS w Chełmie", "teryt": "0662011"},
        {"id": "B", "nazwa": "cis w chelmie ", "teryt": "0662011"},
        {"id": "C", "nazwa": "CIS w Chełmie", "teryt": "0662011", "typ": "KIS"},
    )
    assert list(out["uwzgledniony"]) == [True, False, True]
    assert L.P_DUPLICATE in categories(out.iloc[1])
    assert "A" in out.loc[1, "problem"]


def test_bad_type_and_missing_name_kept_but_not_counted(locate) -> None:
    out = locate({"teryt": "0604011", "typ": None}, {"teryt": "0604011", "nazwa": "  "})
    assert len(out) == 2
    assert L.P_TYPE in categories(out.iloc[0])
    assert L.P_NAME in categories(out.iloc[1])
    assert not out["uwzgledniony"].any()


def test_service_area_codes(locate) -> None:
    out = locate(
        {"teryt": "0604042", "gminy_obslugiwane": "0604011; 0604042, Hrubieszów ; xyz"},
    )
    assert out.loc[0, "gminy_obslugiwane_kody"].split(";")[:2] == ["0604011", "0604042"]
    assert L.P_SERVICE in categories(out.iloc[0])
    assert "xyz" in out.loc[0, "problem"]


def test_nothing_dropped_and_problem_table(locate) -> None:
    rows = [{"teryt": "0604011"}, {}, {"teryt": "1465011"}, {"szerokosc": 0, "dlugosc": 0}]
    out = locate(*rows)
    assert len(out) == len(rows)
    table = L.problems_table(out)
    assert len(table) == 3
    assert table["problem"].notna().all()


def test_input_is_left_unchanged_and_the_result_is_independent(gminy_06, terc_pl) -> None:
    frame = entities({"teryt": "0663011"}, {"szerokosc": LUBLIN[0], "dlugosc": LUBLIN[1]})
    before = frame.copy()
    out = L.locate_entities(frame, gminy_06, terc_pl, "06")
    pd.testing.assert_frame_equal(frame, before)
    out.loc[0, "nazwa"] = "zmieniona"
    out.loc[1, "szerokosc"] = 0.0
    pd.testing.assert_frame_equal(frame, before)
    frame.loc[1, "nazwa"] = "też zmieniona"
    assert out.loc[1, "nazwa"] == "Podmiot 1"


# --- vectorised helpers: the same results as the scalar code they stand for ---


def test_clean_names_equals_clean_name() -> None:
    prefixes = ["", "Gmina ", "GMINA WIEJSKA ", "gmina miejska ", "Gmina Miejsko-Wiejska "]
    prefixes += ["gm. ", "m.", "M. ", "miasto ", "Powiat ", "pow.  ", "\u00a0m. "]
    suffixes = ["", " (M.)", "(m)", " (gm)", "(GM.)", " (mw)", "(g.)", " - miasto"]
    suffixes += ["-miasto", " -gmina wiejska", "- gmina", " (m.) ", "\t(m.)"]
    names = ["Łódź", "Tomaszów Lubelski", "X", "", "nan", "ΟΔΟΣ", "a(m)"]
    values = [p + n + s for p in prefixes for n in names for s in suffixes] + [None, 7]
    keys, hints = by_name.clean_names(pd.Series(values, dtype=object))
    assert list(zip(keys, hints, strict=True)) == [by_name.clean_name(v) for v in values]


def test_gazetteer_lookups_learned_at_once_match_one_by_one(gminy_06) -> None:
    learned, plain = by_name.Gazetteer(gminy_06), by_name.Gazetteer(gminy_06)
    names = ["m. Tomaszów Lubelski", "Tomaszów Lubelski", "gmina wiejska Chełm", "Łęczna", "Nic"]
    learned.learn(pd.Series(names + ["powiat tomaszowski"], dtype=object))
    for name in names:
        for powiat in ("powiat tomaszowski", "chełmski", ""):
            assert learned.by_gmina_name(name, powiat) == plain.by_gmina_name(name, powiat)
            assert learned.by_locality(name, powiat) == plain.by_locality(name, powiat)


def test_row_groups_number_rows_by_all_their_values() -> None:
    keys = pd.DataFrame(
        {"a": ["x", "y", "x", None, "x", None, "y"], "b": [1, 2, 1, 3, 2, 3, 2]},
    )
    first_row, group = distinct.row_groups(keys)
    rows = [tuple(r) for r in keys.astype(object).itertuples(index=False)]
    seen: dict[tuple, int] = {}
    expected_first = [seen.setdefault(r, i) for i, r in enumerate(rows)]
    assert first_row[group].tolist() == expected_first
    assert sorted(first_row.tolist()) == sorted(set(expected_first))


def test_service_area_items_are_read_once_per_run(terc_pl, monkeypatch) -> None:
    texts = ["0604011; 0604042, Hrubieszów ; xyz", "0604011;0604042", "xyz|0604042"]
    expected = [L.parse_service_area(t, terc_pl) for t in texts]
    calls: list[object] = []
    real = type(terc_pl).normalize
    monkeypatch.setattr(
        type(terc_pl), "normalize", lambda self, v: calls.append(v) or real(self, v)
    )
    items: dict[str, str | None] = {}
    assert [checks._parse_service_area(t, terc_pl, items) for t in texts] == expected
    assert sorted(calls) == sorted({"0604011", "0604042", "Hrubieszów", "xyz"})


def test_types_read_alike_whatever_the_column_holds(gminy_06, terc_pl) -> None:
    rows = [{"teryt": "0604011", "nazwa": "A"} for _ in range(4)] + [{"teryt": "0604011"}]
    frame = entities(*rows)

    def run(types: pd.Series) -> pd.DataFrame:
        return L.locate_entities(frame.assign(typ=types), gminy_06, terc_pl, "06")

    # text and missing values (Arrow kernels): a missing type and an empty one are alike
    for dtype in (object, "str", "string"):
        out = run(pd.Series([None, "", "KIS", "KIS", "CIS"], dtype=dtype))
        assert [L.P_TYPE in categories(r) for _, r in out.iterrows()] == [1, 1, 0, 0, 0]
        assert [L.P_DUPLICATE in categories(r) for _, r in out.iterrows()] == [0, 1, 0, 1, 0]
        assert list(out["uwzgledniony"]) == [False, False, True, False, True]
    # other cells too (pandas, with the same results)
    out = run(pd.Series([float("nan"), None, 5, "5", "CIS"], dtype=object))
    assert [L.P_TYPE in categories(r) for _, r in out.iterrows()] == [1, 1, 1, 1, 0]
    assert [L.P_DUPLICATE in categories(r) for _, r in out.iterrows()] == [0, 1, 0, 1, 0]


def test_categories_are_data_and_their_text_is_derived(locate) -> None:
    # swapped coordinates of a point outside the region, an unknown type and no name
    out = locate({"szerokosc": WARSZAWA[1], "dlugosc": WARSZAWA[0], "typ": "X", "nazwa": ""}, {})
    assert out.loc[0, "problem_kategorie"] == (L.P_SWAPPED, L.P_OUTSIDE, L.P_TYPE, L.P_NAME)
    assert (
        out.loc[0, "problem_kategoria"]
        == "zamienione współrzędne; poza regionem; nieznany typ; brak nazwy"
    )
    assert out.loc[1, "problem_kategorie"] == (L.P_UNLOCATED,)
    located = locate({"teryt": "0663011"})
    assert located.loc[0, "problem_kategorie"] == ()
    assert located.loc[0, "problem_kategoria"] is None
    both = pd.concat([out, located], ignore_index=True)
    cats = both["problem_kategorie"]
    assert problems.is_excluded(cats).tolist() == [True, True, False]
    assert problems.has_any(cats, [L.P_SWAPPED, L.P_MAPPED]).tolist() == [True, False, False]
    assert problems.each_category(cats) == [*out.loc[0, "problem_kategorie"], L.P_UNLOCATED]
    assert problems.category_text(()) is None
    assert "problem_kategorie" not in L.problems_table(out).columns
