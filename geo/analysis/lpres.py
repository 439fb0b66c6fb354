"""Local social economy plans (LPRES) as data: plans, import, status per gmina on a date.

A plan is adopted by a gmina, a powiat or several gminas together; what the views show is the
status of each gmina. Where the data says nothing about a gmina its status is ``nieznany``
(unknown), which is never the same as ``brak`` (the gmina is known to have no plan).

Plans come from ``data/lpres.csv`` (sample: only facts with a public source) until a plan list
is imported (:func:`import_plans`, ``python -m geo lpres import PLIK``); the import is stored
under ``PES_HOME`` and replaces the sample, all-or-nothing. Plan files are read and checked by
:mod:`geo.io.plans`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from geo._fs import atomic_write_bytes
from geo.config import Settings
from geo.io.plans import PLAN_COLUMNS, STATUS_LABELS, LpresError, read_plans

__all__ = [
    "PLAN_COLUMNS",
    "SAMPLE_FILE",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "UNKNOWN",
    "LpresError",
    "PlansInfo",
    "expiring_plans",
    "gmina_status",
    "import_plans",
    "load_plans",
    "lpres_summary",
    "plan_status",
    "plans_info",
    "plans_state",
    "read_plans",
]

SAMPLE_FILE: Final = "lpres.csv"
STORE_DIR: Final = "lpres"
STORE_FILE: Final = "plany.csv"
META_FILE: Final = "plany.json"
UNKNOWN: Final = "nieznany"
#: When several plans cover a gmina, the first status in this order is the gmina's.
STATUS_ORDER: Final = ("przyjety", "w_przygotowaniu", "wygasly", "brak", "nieznany")
SCOPES: Final[dict[str, str]] = {"gmina": "gmina", "powiat": "powiat", "gminy": "kilka gmin"}


@dataclass(frozen=True)
class PlansInfo:
    """Where the plans come from.

    Attributes
    ----------
    is_sample : bool
        True while no plan list has been imported (the sample ``data/lpres.csv`` is used).
    label : str
        Polish label to show beside the figures.
    path : Path
        The file in use.
    """

    is_sample: bool
    label: str
    path: Path


# --------------------------------------------------------------------------- storing


def _store(settings: Settings) -> tuple[Path, Path]:
    folder = settings.home / STORE_DIR
    return folder / STORE_FILE, folder / META_FILE


def import_plans(
    source: str | Path | bytes,
    settings: Settings,
    filename: str | None = None,
    known_codes: set[str] | frozenset[str] | None = None,
) -> pd.DataFrame:
    """Check a plan list and store it under ``PES_HOME``; it replaces the sample plans.

    Parameters
    ----------
    source : str, Path or bytes
        CSV or XLSX (see :func:`read_plans`).
    settings : Settings
    filename : str, optional
        File name when ``source`` is bytes.
    known_codes : set of str, optional
        Current gmina codes of the region; when given, codes outside it are rejected.

    Returns
    -------
    pandas.DataFrame
        The stored plans.

    Raises
    ------
    LpresError
        The file is rejected; the previous plans stay as they were.
    """
    name = filename or (Path(source).name if not isinstance(source, bytes) else "plik")
    plans = read_plans(source, filename=name)
    if known_codes is not None:
        powiaty = {c[:4] for c in known_codes}
        codes = {c for value in plans["teryt_gmin"] for c in value.split(";") if c}
        unknown = sorted(
            c for c in codes if (c not in known_codes if len(c) == 7 else c not in powiaty)
        )
        if unknown:
            raise LpresError(
                f"Plik {name} odrzucony, nic nie zapisano: kody spoza regionu lub nieaktualne: "
                f"{', '.join(unknown[:20])}."
            )
    data_path, meta_path = _store(settings)
    atomic_write_bytes(data_path, plans.to_csv(index=False).encode("utf-8"))
    meta = {
        "source_file": name,
        "imported_at": dt.datetime.now().isoformat(timespec="seconds"),
        "plans": len(plans),
    }
    atomic_write_bytes(meta_path, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    return plans


def plans_info(settings: Settings) -> PlansInfo:
    """Where the plans in effect come from, with a label for the views."""
    data_path, meta_path = _store(settings)
    if data_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        when = str(meta.get("imported_at", ""))[:10]
        name = meta.get("source_file") or data_path.name
        return PlansInfo(False, f"plany LPRES zaimportowane z pliku {name} ({when})", data_path)
    sample = settings.embedded_dir / SAMPLE_FILE
    return PlansInfo(
        True,
        "dane przykładowe LPRES: tylko plany potwierdzone w źródłach publicznych"
        "; dla pozostałych gmin stan nieznany",
        sample,
    )


def plans_state(settings: Settings) -> str:
    """A token that changes when the plans in effect change (for caches)."""
    info = plans_info(settings)
    try:
        stat = info.path.stat()
    except OSError:
        return str(info.path)
    return f"{info.path}:{stat.st_mtime_ns}:{stat.st_size}"


def load_plans(settings: Settings) -> pd.DataFrame:
    """The plans in effect: imported under ``PES_HOME``, else the sample ``data/lpres.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per plan, :data:`PLAN_COLUMNS` (empty text for missing values).

    Raises
    ------
    LpresError
        When the file in use is invalid.
    """
    info = plans_info(settings)
    if not info.path.is_file():
        return pd.DataFrame(columns=list(PLAN_COLUMNS))
    return read_plans(info.path)


# --------------------------------------------------------------------------- status


def _dates(plans: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_datetime(plans[column].replace("", None), errors="coerce")


def plan_status(plans: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Status of each plan on ``as_of``, from its recorded status and dates.

    An adopted plan is ``nieznany`` before its resolution date (or the start of its period
    when that date is missing): whether it was being prepared then is not known. A plan
    past the end of its period is ``wygasly``; one recorded as expired is ``przyjety`` on
    dates within its period. ``w_przygotowaniu`` and ``brak`` are as the source states them.
    """
    day = pd.Timestamp(as_of)
    status = plans["status"].astype(str).replace("", UNKNOWN)
    adopted = _dates(plans, "uchwala_data").fillna(_dates(plans, "okres_od"))
    end = _dates(plans, "okres_do")
    formal = status.isin(["przyjety", "wygasly"])
    before = formal & adopted.notna() & (day < adopted)
    after_end = formal & end.notna() & (day > end) & ~before
    within = (status == "wygasly") & end.notna() & (day <= end) & ~before
    out = status.mask(before, UNKNOWN).mask(after_end, "wygasly").mask(within, "przyjety")
    return out.rename("status_na_dzien")


def _pl_date(value: str) -> str:
    return ".".join(reversed(value.split("-"))) if value else ""


def _covered_gminy(plans: pd.DataFrame, gminy: pd.DataFrame) -> pd.DataFrame:
    """Long table ``plan (position), teryt`` with powiat codes expanded to their gminas."""
    long = (
        pd.DataFrame({"plan": np.arange(len(plans)), "kod": plans["teryt_gmin"].astype(str)})
        .assign(kod=lambda f: f["kod"].str.split(";"))
        .explode("kod")
    )
    long = long[long["kod"].fillna("") != ""]
    codes = gminy["teryt"].astype(str)
    powiat = gminy["powiat"].astype(str) if "powiat" in gminy else codes.str[:4]
    by_powiat = pd.DataFrame({"kod": powiat.to_numpy(), "teryt": codes.to_numpy()})
    direct = long[long["kod"].str.len() == 7].assign(teryt=lambda f: f["kod"])
    expanded = long[long["kod"].str.len() == 4].merge(by_powiat, on="kod")
    both = pd.concat([direct, expanded], ignore_index=True)
    return both[both["teryt"].isin(set(codes))][["plan", "teryt"]].drop_duplicates()


def gmina_status(gminy: pd.DataFrame, plans: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """LPRES status of each gmina on ``as_of``.

    Parameters
    ----------
    gminy : pandas.DataFrame
        ``teryt`` (and ``powiat``) of the region's gminas.
    plans : pandas.DataFrame
        Output of :func:`load_plans`.
    as_of : datetime.date

    Returns
    -------
    pandas.DataFrame
        One row per gmina, in the order of ``gminy``: ``teryt, lpres_status,
        lpres_status_nazwa, lpres_plan, lpres_uchwala, lpres_okres`` and ``lpres_plan_id,
        lpres_okres_do, lpres_link, lpres_liczba_planow``. Gminas no plan row mentions are
        ``nieznany``; when several plans cover a gmina the status first in
        :data:`STATUS_ORDER` wins.
    """
    out = pd.DataFrame({"teryt": gminy["teryt"].astype(str).to_numpy()})
    plans = plans.reset_index(drop=True)
    long = _covered_gminy(plans, gminy) if len(plans) else pd.DataFrame(columns=["plan", "teryt"])
    if long.empty:
        chosen = pd.DataFrame(columns=["teryt", "plan", "status"])
        counts = pd.Series(dtype=int)
    else:
        status = plan_status(plans, as_of)
        long = long.assign(status=status.to_numpy()[long["plan"].to_numpy(dtype=int)])
        rank = long["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})
        # Among equal statuses the most recent resolution or verification is shown.
        recent = (
            plans["uchwala_data"].where(plans["uchwala_data"] != "", plans["data_weryfikacji"])
        ).to_numpy()[long["plan"].to_numpy(dtype=int)]
        long = long.assign(_rank=rank.to_numpy(), _recent=recent)
        ordered = long.sort_values(["teryt", "_rank", "_recent"], ascending=[True, True, False])
        chosen = ordered.drop_duplicates("teryt")
        counts = long.groupby("teryt").size()
    picked = chosen.set_index("teryt")
    plan_pos = out["teryt"].map(picked["plan"]) if len(picked) else pd.Series(np.nan, out.index)
    out["lpres_status"] = (
        out["teryt"].map(picked["status"]).fillna(UNKNOWN) if len(picked) else UNKNOWN
    )
    out["lpres_status_nazwa"] = out["lpres_status"].map(STATUS_LABELS)

    def field(column: str) -> pd.Series:
        values = plans[column].to_numpy(dtype=object) if len(plans) else np.array([], dtype=object)
        pos = plan_pos.to_numpy(dtype=float)
        taken = np.full(len(out), "", dtype=object)
        valid = ~np.isnan(pos)
        taken[valid] = values[pos[valid].astype(int)]
        return pd.Series(taken, index=out.index, dtype=object)

    name, jst = field("nazwa"), field("jst")
    out["lpres_plan"] = np.where(name != "", name + " (" + jst + ")", jst)
    number, date = field("uchwala_nr"), field("uchwala_data").map(_pl_date)
    out["lpres_uchwala"] = np.select(
        [(number != "") & (date != ""), number != ""], [number + " z " + date, number], date
    )
    start, end = field("okres_od").map(_pl_date), field("okres_do").map(_pl_date)
    out["lpres_okres"] = np.select(
        [(start != "") & (end != ""), start != "", end != ""],
        [start + "–" + end, "od " + start, "do " + end],
        "",
    )
    out["lpres_plan_id"] = field("id")
    out["lpres_okres_do"] = field("okres_do")
    out["lpres_link"] = field("link")
    out["lpres_liczba_planow"] = out["teryt"].map(counts).fillna(0).astype(int)
    return out


def expiring_plans(plans: pd.DataFrame, as_of: dt.date, days: int = 365) -> pd.DataFrame:
    """Plans in force on ``as_of`` whose period ends within ``days`` days (soonest first)."""
    if plans.empty:
        return plans.assign(status_na_dzien=pd.Series(dtype=object))
    status = plan_status(plans, as_of)
    end = _dates(plans, "okres_do")
    day = pd.Timestamp(as_of)
    mask = (
        (status == "przyjety") & end.notna() & (end >= day) & (end <= day + pd.Timedelta(days=days))
    )
    return plans[mask].assign(status_na_dzien=status[mask]).sort_values("okres_do")


def lpres_summary(
    status: pd.DataFrame,
    gminy: pd.DataFrame,
    as_of: dt.date,
    plans: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Headline figures: gminas and population by status, plans expiring within a year.

    Parameters
    ----------
    status : pandas.DataFrame
        Output of :func:`gmina_status` (or the same columns of the coverage frame).
    gminy : pandas.DataFrame
        ``teryt, ludnosc`` of the gminas counted.
    as_of : datetime.date
    plans : pandas.DataFrame, optional
        The plans, for the counts of plans in force and expiring.

    Returns
    -------
    dict
        ``gminy``, ``ludnosc``, ``gminy_<status>`` and ``ludnosc_<status>`` for every
        status, ``proc_gmin_z_planem``, ``proc_ludnosci_z_planem`` (adopted plan in force),
        ``stan_na`` and, with ``plans``, ``plany``, ``plany_przyjete``,
        ``plany_wygasajace_w_roku``.
    """
    merged = pd.DataFrame({"teryt": gminy["teryt"].astype(str).to_numpy()})
    merged["ludnosc"] = pd.to_numeric(gminy["ludnosc"], errors="coerce").fillna(0).to_numpy()
    merged["status"] = (
        merged["teryt"].map(status.set_index("teryt")["lpres_status"]).fillna(UNKNOWN)
    )
    total = float(merged["ludnosc"].sum())
    out: dict[str, Any] = {
        "stan_na": as_of.isoformat(),
        "gminy": int(len(merged)),
        "ludnosc": int(total),
    }
    for code in STATUS_ORDER:
        chosen = merged["status"] == code
        out[f"gminy_{code}"] = int(chosen.sum())
        out[f"ludnosc_{code}"] = int(merged.loc[chosen, "ludnosc"].sum())
    out["proc_gmin_z_planem"] = (
        round(100 * out["gminy_przyjety"] / len(merged), 1) if len(merged) else 0.0
    )
    out["proc_ludnosci_z_planem"] = (
        round(100 * out["ludnosc_przyjety"] / total, 1) if total else 0.0
    )
    if plans is not None:
        current = plan_status(plans, as_of) if len(plans) else pd.Series(dtype=object)
        out["plany"] = int(len(plans))
        out["plany_przyjete"] = int((current == "przyjety").sum())
        out["plany_wygasajace_w_roku"] = int(len(expiring_plans(plans, as_of)))
    return out
