"""About the data: sources, licences and dates, a glossary for officials, problems.

Everyone sees the sources, licences and dates and the glossary; the configuration in effect
(paths, database address) is shown to logged-in editors only (:func:`common.editor_logged_in`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.analysis.locate.problems import CATEGORIES_COLUMN, each_category
from geo.web.assets import LEAFLET_VERSION
from pages import _common as common

GLOSSARY = """
- **PES – podmiot ekonomii społecznej**: organizacja, która łączy działalność gospodarczą lub
  społeczną z celem społecznym, np. spółdzielnia socjalna (SPS), przedsiębiorstwo społeczne
  (PS), zakład aktywności zawodowej (ZAZ), warsztat terapii zajęciowej (WTZ), fundacja,
  stowarzyszenie lub koło gospodyń wiejskich (NGO).
- **CIS – Centrum Integracji Społecznej**: pomaga osobom zagrożonym wykluczeniem wrócić do
  pracy i życia społecznego (dłuższy program zajęć i warsztatów); status nadaje wojewoda.
- **KIS – Klub Integracji Społecznej**: lżejsza, grupowa forma takiego wsparcia, prowadzona
  przez gminę lub organizację pozarządową.
- **Model Lokalnej Współpracy**: zasada, że w każdej gminie działa co najmniej jeden CIS lub
  KIS. Gmina bez własnego może być obsługiwana przez CIS/KIS z innej gminy na podstawie
  porozumienia międzygminnego – wtedy też liczy się jako pokryta.
- **LPRES – lokalny plan rozwoju ekonomii społecznej**: plan gminy, kilku gmin lub powiatu,
  jak rozwijać ekonomię społeczną na swoim terenie.
- **OWES – Ośrodek Wsparcia Ekonomii Społecznej**: akredytowany ośrodek, który doradza
  i pomaga PES w swoim podregionie (kilku powiatach).
- **„nieznany”**: aplikacja nie ma o tym informacji (np. brak danych o planie LPRES albo
  o obszarze OWES). To **nie** znaczy „brak” – wiadomo tylko tyle, że dane trzeba uzupełnić.
- **Stan na dzień**: dzień, na który liczone są podmioty – liczą się te, które tego dnia
  działały (według dat rozpoczęcia i zakończenia działalności w rejestrze).
"""

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

st.subheader("Słowniczek", anchor="slowniczek")
st.markdown(GLOSSARY)

if common.editor_logged_in():
    # Server details are for the people who run the app, not for the public.
    st.subheader("Konfiguracja (widoczna dla zalogowanych redaktorów)")
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
    common.table(
        categories.value_counts().rename_axis("Kategoria").reset_index(name="Liczba"),
        hide_index=True,
    )
common.problems_table(problems)
