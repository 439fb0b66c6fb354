"""TERYT (TERC) codes: the register of gminas and normalising the codes registries carry.

A gmina code is 7 characters WWPPGGR (voivodeship, powiat, gmina, type). Registries carry
codes in many shapes: numbers that lost their leading zero, 6-digit codes without the type
digit, codes of the town/rural parts (4/5) of a miejsko-wiejska gmina, city districts (8/9),
and codes that stopped existing when a gmina changed type (0601052 -> 0601053 in 2026).
:meth:`Terc.normalize` turns all of them into the current gmina code, or says why it can't.
The GUS file itself is read by :mod:`geo.io.terc`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from geo.errors import UserError

TERC_COLUMNS = ("WOJ", "POW", "GMI", "RODZ", "NAZWA", "NAZWA_DOD", "STAN_NA")
GMINA_TYPES = {"1": "gmina miejska", "2": "gmina wiejska", "3": "gmina miejsko-wiejska"}
PART_TYPES = {"4", "5"}  # town / rural part of a type-3 gmina
DISTRICT_TYPES = {"8", "9"}  # Warsaw districts, delegatury of big cities

_SEPARATORS = re.compile(r"[\s\-./]")


class TercError(UserError, ValueError):
    """The TERC file cannot be used; the message is in Polish for the user."""


@dataclass(frozen=True)
class CodeMatch:
    """Result of normalising one raw gmina code.

    Attributes
    ----------
    code : str | None
        The current 7-character gmina code, or ``None`` when it could not be determined.
    status : str
        ``ok``, ``mapped`` (old code -> successor), ``part`` (type 4/5/8/9 -> parent gmina),
        ``resolved`` (6 digits resolved), ``invalid``, ``unknown`` or ``ambiguous``.
    message : str | None
        Polish warning (for mapped/part/resolved) or error text.
    """

    code: str | None
    status: str
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.code is not None


def _gmina_rows(units: pd.DataFrame) -> pd.DataFrame:
    """Rows of gmina-level units of every type, with their 7-character code."""
    rows = units[(units["GMI"] != "") & (units["RODZ"] != "")].copy()
    rows["teryt"] = rows["WOJ"] + rows["POW"] + rows["GMI"] + rows["RODZ"]
    return rows


def derive_code_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Derive ``old code -> current code`` pairs from two TERC vintages.

    A gmina code of the old vintage that is absent from the new one is mapped to the new gmina
    with the same WWPPGG part when exactly one exists (a change of type keeps WWPPGG, e.g.
    0601052 -> 0601053 when Janów Podlaski became miejsko-wiejska).

    Returns
    -------
    pandas.DataFrame
        Columns ``stary_kod, nowy_kod, stan_na, uwagi``, sorted by ``stary_kod``.
    """
    old_g = _gmina_rows(old)
    old_g = old_g[old_g["RODZ"].isin(GMINA_TYPES)]
    new_g = _gmina_rows(new)
    new_g = new_g[new_g["RODZ"].isin(GMINA_TYPES)]
    gone = old_g[~old_g["teryt"].isin(new_g["teryt"])].copy()
    gone["prefix"] = gone["teryt"].str[:6]
    current = new_g.assign(prefix=new_g["teryt"].str[:6])
    counts = current.groupby("prefix")["teryt"].transform("size")
    unique_current = current[counts == 1]
    merged = gone.merge(unique_current, on="prefix", suffixes=("_old", "_new"))
    out = pd.DataFrame(
        {
            "stary_kod": merged["teryt_old"],
            "nowy_kod": merged["teryt_new"],
            "stan_na": merged["STAN_NA_new"],
            "uwagi": (
                merged["NAZWA_old"]
                + ": "
                + merged["NAZWA_DOD_old"]
                + " -> "
                + merged["NAZWA_DOD_new"]
            ),
        }
    )
    return out.sort_values("stary_kod").reset_index(drop=True)


@dataclass
class Terc:
    """The TERC register of gminas, optionally restricted to one voivodeship.

    Attributes
    ----------
    units : pandas.DataFrame
        All rows of the TERC file (see :func:`geo.io.terc.read_terc`).
    gminy : pandas.DataFrame
        One row per gmina of type 1/2/3: ``teryt, nazwa, rodzaj, rodzaj_nazwa, powiat,
        powiat_nazwa, woj, woj_nazwa``.
    changes : dict[str, str]
        Old gmina code -> current code.
    stan_na : str
        The date of the TERC state (``STAN_NA``).
    region : str
        ``PL`` or the voivodeship code the gmina list is restricted to.
    """

    units: pd.DataFrame
    gminy: pd.DataFrame
    changes: dict[str, str] = field(default_factory=dict)
    stan_na: str = ""
    region: str = "PL"

    @classmethod
    def from_units(cls, units: pd.DataFrame, changes: dict[str, str] | None = None) -> Terc:
        rows = _gmina_rows(units)
        gm = rows[rows["RODZ"].isin(GMINA_TYPES)]
        powiaty = units[(units["POW"] != "") & (units["GMI"] == "")]
        powiat_names = dict(zip(powiaty["WOJ"] + powiaty["POW"], powiaty["NAZWA"], strict=False))
        woj = units[units["POW"] == ""]
        woj_names = dict(zip(woj["WOJ"], woj["NAZWA"].str.lower(), strict=False))
        gminy = pd.DataFrame(
            {
                "teryt": gm["teryt"],
                "nazwa": gm["NAZWA"],
                "rodzaj": gm["RODZ"],
                "rodzaj_nazwa": gm["RODZ"].map(GMINA_TYPES),
                "powiat": gm["WOJ"] + gm["POW"],
                "woj": gm["WOJ"],
            }
        )
        gminy["powiat_nazwa"] = gminy["powiat"].map(powiat_names).fillna("")
        gminy["woj_nazwa"] = gminy["woj"].map(woj_names).fillna("")
        gminy = gminy.sort_values("teryt").reset_index(drop=True)
        if gminy.empty:
            raise TercError("Plik TERC nie zawiera żadnej gminy.")
        dates = units["STAN_NA"].replace("", pd.NA).dropna()
        return cls(
            units=units,
            gminy=gminy,
            changes=dict(changes or {}),
            stan_na=str(dates.max()) if not dates.empty else "",
        )

    def __post_init__(self) -> None:
        self._codes = frozenset(self.gminy["teryt"])
        all_rows = _gmina_rows(self.units)
        self._all_codes = dict(zip(all_rows["teryt"], all_rows["RODZ"], strict=False))
        by_prefix = self.gminy.assign(prefix=self.gminy["teryt"].str[:6])
        self._by_prefix = by_prefix.groupby("prefix")["teryt"].agg(list).to_dict()
        city = self.gminy[self.gminy["rodzaj"] == "1"]
        self._city_by_powiat = city.groupby("powiat")["teryt"].agg(list).to_dict()

    @property
    def codes(self) -> frozenset[str]:
        return self._codes

    def for_region(self, region: str) -> Terc:
        """Restrict the gmina list to a voivodeship (``"PL"`` keeps all)."""
        if region == "PL":
            return self
        gminy = self.gminy[self.gminy["woj"] == region].reset_index(drop=True)
        if gminy.empty:
            raise TercError(f"W pliku TERC nie ma województwa o kodzie {region}.")
        units = self.units[self.units["WOJ"] == region].reset_index(drop=True)
        return Terc(
            units=units, gminy=gminy, changes=self.changes, stan_na=self.stan_na, region=region
        )

    def name_of(self, code: str) -> str:
        match = self.gminy.loc[self.gminy["teryt"] == code, "nazwa"]
        return str(match.iloc[0]) if not match.empty else ""

    def normalize(self, raw: object) -> CodeMatch:
        """Turn a raw gmina code from a registry or a boundary file into the current code.

        Parameters
        ----------
        raw : object
            Text or number, e.g. ``"0601052"``, ``604011``, ``"06 05 053"``, ``"060105"``.

        Returns
        -------
        CodeMatch
            The current code with a status, or ``None`` with the reason.
        """
        if raw is None or (isinstance(raw, float) and pd.isna(raw)):
            return CodeMatch(None, "invalid", "Brak kodu TERYT.")
        text = str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        shown = text
        if re.search(r"\d{6,7}\D+\d{6,7}", text):
            return CodeMatch(None, "ambiguous", f"Pole zawiera więcej niż jeden kod: {shown}.")
        digits = _SEPARATORS.sub("", text)
        if not digits.isdigit() or len(digits) not in (6, 7):
            return CodeMatch(
                None, "invalid", f"Nieprawidłowy kod TERYT gminy {shown!r}: oczekiwano 7 cyfr."
            )
        if len(digits) == 6:
            return self._resolve_six(digits, shown)
        return self._resolve_seven(digits, shown)

    def _resolve_seven(self, code: str, shown: str) -> CodeMatch:
        if code in self._codes:
            return CodeMatch(code, "ok")
        kind = code[-1]
        if kind in PART_TYPES and code[:6] + "3" in self._codes:
            parent = code[:6] + "3"
            part = "miasto" if kind == "4" else "obszar wiejski"
            return CodeMatch(
                parent,
                "part",
                f"Kod {code} ({part}) przypisano do gminy miejsko-wiejskiej {parent}.",
            )
        if kind in DISTRICT_TYPES and code in self._all_codes:
            parents = self._city_by_powiat.get(code[:4], [])
            if len(parents) == 1:
                return CodeMatch(
                    parents[0],
                    "part",
                    f"Kod {code} (dzielnica/delegatura) przypisano do gminy miejskiej "
                    f"{parents[0]}.",
                )
        if code in self.changes and self.changes[code] in self._codes:
            new = self.changes[code]
            return CodeMatch(new, "mapped", f"Nieaktualny kod {code} zamieniono na {new}.")
        if kind in GMINA_TYPES or kind in PART_TYPES:
            # A change of gmina type keeps WWPPGG; older vintages than the change table know.
            same = self._by_prefix.get(code[:6], [])
            if len(same) == 1:
                new = same[0]
                return CodeMatch(new, "mapped", f"Nieaktualny kod {code} zamieniono na {new}.")
        if kind not in GMINA_TYPES and kind not in PART_TYPES and kind not in DISTRICT_TYPES:
            return CodeMatch(
                None, "invalid", f"Nieprawidłowy kod TERYT gminy {shown!r}: ostatnia cyfra {kind}."
            )
        return CodeMatch(None, "unknown", f"Kod TERYT {code} nie istnieje w rejestrze TERC.")

    def _resolve_six(self, digits: str, shown: str) -> CodeMatch:
        candidates: set[str] = set()
        padded = "0" + digits  # a 7-digit code that lost its leading zero (Excel number)
        as_seven = self._resolve_seven(padded, shown) if digits[0] != "0" else None
        if as_seven is not None and as_seven.code:
            candidates.add(as_seven.code)
        same = self._by_prefix.get(digits, [])  # WWPPGG without the type digit
        candidates.update(same)
        if len(candidates) == 1:
            code = candidates.pop()
            return CodeMatch(code, "resolved", f"Kod {shown} uzupełniono do {code}.")
        if len(candidates) > 1:
            listed = ", ".join(sorted(candidates))
            return CodeMatch(None, "ambiguous", f"Kod {shown} pasuje do kilku gmin: {listed}.")
        return CodeMatch(None, "unknown", f"Kod TERYT {shown} nie pasuje do żadnej gminy.")


def powiat_of(code: str) -> str:
    """The powiat's 4-digit TERC code of a gmina code (``0618011`` -> ``0618``).

    The one place of the rule "a gmina code starts with its powiat's code" (woj. 2 digits +
    powiat 2 digits), used wherever gminas are grouped or filtered by powiat.
    """
    return code[:4]
