"""About the data: sources, licences and dates, the configuration in effect, problems."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.analysis.locate.problems import CATEGORIES_COLUMN, each_category
from geo.web.assets import LEAFLET_VERSION
from pages import _common as common

settings = common.settings()
result = common.coverage()
region = result.region
registry = result.registry

st.title("O danych")
st.caption(
    f"Skąd pochodzą liczby na mapie ({common.md(region.name)}, "
    f"stan na {common.fmt_date(result.as_of)})."
)

if registry.is_sample:
    st.warning(f"**{common.md(registry.label)}.**", icon=":material/warning:")

st.subheader("Źródła danych")
sources = pd.DataFrame(
    [
        (
            "Rejestr podmiotów (PES)",
            registry.label,
            ", ".join(registry.sources),
            "dane wprowadzone przez użytkowników; przykładowe dane: materiały ROPS Lublin i "
            "strony publiczne",
        ),
        (
            "Granice gmin",
            region.boundary_source,
            "GUS / PRG GUGiK",
            "dane otwarte GUGiK (PRG); dane GUS z podaniem źródła",
        ),
        (
            "Ludność gmin",
            region.population_source,
            "GUS, Bank Danych Lokalnych",
            "Źródło: GUS (ponowne wykorzystanie z podaniem źródła)",
        ),
        (
            "Kody TERYT",
            region.terc_source,
            "GUS, rejestr TERYT",
            "Źródło: GUS (ponowne wykorzystanie z podaniem źródła)",
        ),
        (
            "Mapa",
            f"Leaflet {LEAFLET_VERSION}, pliki serwowane lokalnie przez aplikację",
            "Leaflet",
            "licencja BSD-2-Clause",
        ),
        (
            "Podkład (opcjonalny)",
            "OpenStreetMap, domyślnie wyłączony; wymaga internetu",
            "autorzy OpenStreetMap",
            "ODbL; © autorzy OpenStreetMap",
        ),
    ],
    columns=["Dane", "Opis i stan na", "Źródło", "Licencja / warunki"],
)
# st.table renders Markdown in cells: escape everything (source names come from users).
st.table(sources.map(common.md), hide_index=True)
st.markdown(
    "Gmina jest **pokryta** Modelem Lokalnej Współpracy, gdy działa w niej CIS lub KIS albo "
    "gdy CIS/KIS z innej gminy obsługuje ją na podstawie porozumienia (kolumna "
    "*gminy\\_obslugiwane* rejestru). Podmiot liczy się w dniu „stan na”, jeśli rozpoczął "
    "działalność przed tym dniem (lub data nie jest znana) i jej nie zakończył."
)

st.subheader("Konfiguracja")
config = pd.DataFrame(
    [
        ("PES_REGION", settings.region, region.name),
        (
            "PES_DATA_DIR",
            str(settings.data_dir) if settings.data_dir else "(brak)",
            "pełne dane referencyjne" if settings.data_dir else "używane są dane wbudowane",
        ),
        ("PES_HOME", str(settings.home), "stan aplikacji: baza, pamięć podręczna, importy"),
        ("PES_DATABASE_URL", common.safe_database_url(settings.database_url), "baza rejestru"),
        ("dane wbudowane", str(settings.embedded_dir), "domyślne dane projektu (data/)"),
    ],
    columns=["Ustawienie", "Wartość", "Znaczenie"],
)
st.table(config.map(common.md), hide_index=True)

if region.warnings:
    st.subheader("Uwagi do danych referencyjnych")
    for warning in region.warnings:
        st.warning(common.md(warning), icon=":material/info:")

st.subheader("Podmioty niezlokalizowane lub wymagające uwagi")
problems = result.problems
if not problems.empty:
    entities = result.entities
    flagged = entities.loc[entities["problem"].notna(), CATEGORIES_COLUMN]
    categories = pd.Series(each_category(flagged), dtype=object)
    st.dataframe(
        categories.value_counts().rename_axis("Kategoria").reset_index(name="Liczba"),
        hide_index=True,
    )
common.problems_table(problems)
