"""The registry: browse and search every entity, see where it comes from, what needs attention.

Public (no login). Everything shown comes from the same cached computation as the map, so
the numbers agree; exports are formula-safe (geo.registry.export.export_registry).
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from geo.analysis import locate
from geo.analysis.locate import problems
from geo.core.schema import ENTITY_TYPES
from geo.core.teryt import powiat_of
from geo.core.text import fold
from geo.registry.export import export_registry
from geo.registry.keys import stable_keys
from geo.registry.search import REGISTRY_TEXT, matching
from pages import _common as common
from pages._downloads import download_on_request

MAX_SHOWN = 5000

#: The "needs attention" lists: tab label -> locator categories.
ATTENTION = {
    "Niezlokalizowane": (locate.P_UNLOCATED, locate.P_AMBIGUOUS, locate.P_BAD_CODE),
    "Poza regionem": (locate.P_OUTSIDE, locate.P_BAD_POINT),
    "Duplikaty": (locate.P_DUPLICATE,),
    "Sprzeczne kod i współrzędne": (locate.P_CONFLICT,),
    "Zmienione kody TERYT": (locate.P_MAPPED,),
}
STATUS_ALL = "wszystkie"
STATUS_COUNTED = "liczone w pokryciu"
STATUS_ATTENTION = "wymagające uwagi"
STATUS_ACTIVE = "działające w dniu „stan na”"


def _table(frame: pd.DataFrame, gmina_names: dict[str, str], powiat_names: dict[str, str]):
    """The entities as the page shows them (plain text cells: st.dataframe never renders HTML)."""
    codes = frame["teryt_gminy"].astype(object)
    out = pd.DataFrame(
        {
            "Nazwa": frame["nazwa"],
            "Typ": frame["typ"],
            "Miejscowość": frame["miejscowosc"],
            "Gmina": codes.map(gmina_names),
            "Powiat": codes.map(
                lambda t: powiat_names.get(powiat_of(t)) if isinstance(t, str) else None
            ),
            "Źródło rejestru": frame["zrodlo_rejestru"],
            "Wersja": frame["wersja"] if "wersja" in frame.columns else None,
            "Zweryfikowano": frame["data_weryfikacji"],
            "Działa (stan na)": frame["aktywny"] if "aktywny" in frame.columns else None,
            "Liczony": frame["uwzgledniony"],
            "Wymaga uwagi": frame["problem_kategoria"],
            "Opis problemu": frame["problem"],
            "Poprawki ręczne": frame["poprawki"] if "poprawki" in frame.columns else None,
            "Źródło informacji": frame["zrodlo"],
        }
    )
    return out.astype({"Wersja": "Int64"}, errors="ignore")


def _has_category(frame: pd.DataFrame, categories: tuple[str, ...]) -> pd.Series:
    return problems.has_any(frame[problems.CATEGORIES_COLUMN], categories)


settings = common.settings()
result, data_key = common.coverage_and_key()
region = result.region
entities = result.entities
gmina_names = dict(zip(region.gminy["teryt"], region.gminy["nazwa"], strict=True))
powiat_names = dict(zip(region.powiaty["powiat"], region.powiaty["powiat_nazwa"], strict=True))

st.title("Rejestr podmiotów")
st.caption(
    f"{common.md(result.registry.label)} · stan na {common.fmt_date(result.as_of)} · "
    f"{common.md(region.name)}"
)
if result.registry.is_sample:
    st.warning(
        f"**{common.md(result.registry.label)}.** Własny rejestr wczytuje redaktor na stronie "
        "„Import danych”.",
        icon=":material/warning:",
    )

# ------------------------------------------------------------------------------- filters
f1, f2, f3, f4, f5 = st.columns([2.2, 1.6, 1.4, 1.4, 1.4])
query = f1.text_input("Szukaj", placeholder="nazwa, miejscowość, podmiot prowadzący, id")
sources = sorted(set(entities["zrodlo_rejestru"].dropna().astype(str)), key=fold)
# select_all=False: Streamlit's "Select all" option has an English label
chosen_sources = f2.multiselect(
    "Źródło rejestru", sources, placeholder="wszystkie", select_all=False
)
chosen_types = f3.multiselect(
    "Typ", list(ENTITY_TYPES), format_func=lambda t: f"{t}: {ENTITY_TYPES[t]}",
    placeholder="wszystkie", select_all=False,
)  # fmt: skip
powiat_options = sorted(powiat_names, key=lambda p: fold(powiat_names[p]))
chosen_powiat = f4.selectbox(
    "Powiat", [None, *powiat_options],
    format_func=lambda p: "wszystkie" if p is None else powiat_names[p],
)  # fmt: skip
status = f5.selectbox("Status", [STATUS_ALL, STATUS_COUNTED, STATUS_ATTENTION, STATUS_ACTIVE])

mask = matching(entities, query, REGISTRY_TEXT)
if chosen_sources:
    mask &= entities["zrodlo_rejestru"].isin(chosen_sources)
if chosen_types:
    mask &= entities["typ"].isin(chosen_types)
if chosen_powiat:
    mask &= entities["teryt_gminy"].fillna("").astype(str).map(powiat_of).eq(chosen_powiat)
if status == STATUS_COUNTED:
    mask &= entities["uwzgledniony"].astype(bool)
elif status == STATUS_ATTENTION:
    mask &= entities["problem"].notna()
elif status == STATUS_ACTIVE:
    mask &= entities["aktywny"].astype(bool)
selected = entities[mask.to_numpy()]

st.markdown(
    f"**{common.fmt_int(len(selected))}** z {common.fmt_int(len(entities))} podmiotów rejestru"
    + (f" (pokazano pierwsze {common.fmt_int(MAX_SHOWN)})" if len(selected) > MAX_SHOWN else "")
)
common.table(
    _table(selected.head(MAX_SHOWN), gmina_names, powiat_names),
    hide_index=True,
    width="stretch",
    height=460,
    column_config={
        "Działa (stan na)": st.column_config.CheckboxColumn(),
        "Liczony": st.column_config.CheckboxColumn(help="Uwzględniony w pokryciu gmin"),
    },
    keep=("Działa (stan na)", "Liczony"),
)

meta = {
    "rejestr": result.registry.label,
    "stan na": result.as_of.isoformat(),
    "obszar": region.name,
    "filtr": query.strip() or "(brak)",
}
exported = (
    selected
    if "klucz_podmiotu" in selected.columns
    else selected.assign(klucz_podmiotu=stable_keys(selected).to_numpy())
)
e1, e2, e3, _ = st.columns([1, 1, 1, 3])
for column, fmt, mime in (
    (e1, "csv", "text/csv"),
    (e2, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (e3, "geojson", "application/geo+json"),
):
    download_on_request(
        f"Pobierz {fmt.upper()}",
        partial(export_registry, exported, fmt, meta),
        file_name=f"rejestr_pes_{result.as_of.isoformat()}.{fmt}",
        mime=mime,
        key=f"rejestr_{fmt}",
        token=(data_key, query, *chosen_sources, None, *chosen_types, chosen_powiat, status),
        place=column,
        icon=":material/download:",
    )
st.caption(
    "Eksport obejmuje podmioty wybrane filtrami. Teksty zaczynające się od =, +, -, @ "
    "poprzedzono apostrofem, aby arkusz kalkulacyjny nie wykonał ich jako formuł."
)

# ------------------------------------------------------------------------------- attention
st.subheader("Wymagające uwagi")
st.caption(
    "Podmioty, których nie udało się jednoznacznie umiejscowić, leżące poza regionem, "
    "zdublowane, ze sprzecznymi danymi lub ze starym kodem TERYT. Redaktor może je poprawić "
    "na stronie „Import danych” (zakładka „Poprawki ręczne”)."
)
store = common.store(settings)
manual_duplicates = [f for f in common.guarded(store.fixes) if f.kind == "duplikat"]
masks = {label: _has_category(entities, cats) for label, cats in ATTENTION.items()}
counts = {label: int(m.sum()) for label, m in masks.items()}
counts["Duplikaty"] += len(manual_duplicates)
tabs = st.tabs([f"{label} ({counts[label]})" for label in ATTENTION])
for tab, label in zip(tabs, ATTENTION, strict=True):
    with tab:
        subset = entities[masks[label].to_numpy()]
        if subset.empty:
            st.caption("Brak takich podmiotów.")
        else:
            common.table(
                _table(subset, gmina_names, powiat_names), hide_index=True, width="stretch"
            )
        if label == "Duplikaty" and manual_duplicates:
            st.markdown("**Oznaczone ręcznie jako duplikaty** (nieliczone):")
            common.table(
                pd.DataFrame(
                    {
                        "Podmiot": [f.entity_name or f.entity for f in manual_duplicates],
                        "Źródło rejestru": [f.source for f in manual_duplicates],
                        "Duplikat wpisu": [f.value.get("duplikat_z") for f in manual_duplicates],
                        "Uwaga": [f.note for f in manual_duplicates],
                    }
                ),
                hide_index=True,
                width="stretch",
            )

# ------------------------------------------------------------------------------- versions
if not result.registry.is_sample:
    st.subheader("Wersje źródeł")
    current = [v for v in common.guarded(store.versions) if v.is_current]
    common.table(
        pd.DataFrame(
            {
                "Źródło rejestru": [v.source for v in current],
                "Wersja": [v.number for v in current],
                "Zaimportowano": [
                    pd.Timestamp(v.created_at)
                    .tz_convert("Europe/Warsaw")
                    .strftime("%d.%m.%Y %H:%M")
                    for v in current
                ],
                "Plik": [v.file_name for v in current],
                "Wierszy": [v.row_count for v in current],
            }
        ),
        hide_index=True,
        width="stretch",
    )
