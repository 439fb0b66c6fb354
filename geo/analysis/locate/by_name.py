"""Steps 3 and 4 of locating: the gmina name (with the powiat to disambiguate), then the
locality when it is unambiguously a gmina seat.

Names are cleaned ("gm. X", "X (m.)", "miasto X" ...) once per distinct text and looked up in
a gazetteer of the region's gminas.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.analysis.locate.distinct import TextColumns, per_distinct
from geo.analysis.locate.problems import P_AMBIGUOUS
from geo.analysis.locate.work import METHOD_LOCALITY, METHOD_NAME, Work
from geo.core.text import ASCII_SPACES, fold, fold_array, fold_column

_NAME_PREFIX = re.compile(
    r"^(gmina miejsko-wiejska|gmina wiejska|gmina miejska|gmina|gm\.|miasto|m\.|powiat|pow\.)\s+"
)
_NAME_SUFFIX = re.compile(r"\s*(\((m|gm|mw|g)\.?\)|- ?(miasto|gmina( wiejska)?))$")
_URBAN = r"\(m\.?\)$"
_RURAL = r"\(gm\.?\)$"


def clean_name(value: object) -> tuple[str, str | None]:
    """Fold a gmina name and read the urban/rural hint it carries (``"1"``, ``"2"`` or None)."""
    text = fold(value)
    hint = None
    if text.startswith(("miasto ", "m. ", "gmina miejska ")) or re.search(_URBAN, text):
        hint = "1"
    elif text.startswith("gmina wiejska ") or re.search(_RURAL, text):
        hint = "2"
    text = _NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", text)).strip()
    return text, hint


def clean_names(values: pd.Series) -> tuple[list[str], list[str | None]]:
    """:func:`clean_name` of every value, in Arrow kernels (fold() leaves only single spaces,
    which RE2's ``\\s`` and Python's see alike)."""
    text = fold_array(values)
    urban = pc.or_(
        pc.or_(pc.starts_with(text, "miasto "), pc.starts_with(text, "m. ")),
        pc.or_(pc.starts_with(text, "gmina miejska "), pc.match_substring_regex(text, _URBAN)),
    )
    rural = pc.or_(pc.starts_with(text, "gmina wiejska "), pc.match_substring_regex(text, _RURAL))
    hints = pc.if_else(urban, "1", pc.if_else(rural, "2", pa.scalar(None, pa.string())))
    key = pc.replace_substring_regex(text, _NAME_PREFIX.pattern, "")
    key = pc.replace_substring_regex(key, _NAME_SUFFIX.pattern, "")
    key = pc.utf8_trim(key, characters=ASCII_SPACES)
    return key.to_pylist(), hints.to_pylist()


class Gazetteer:
    """Name lookups over the gminas of the region."""

    def __init__(self, gminy: pd.DataFrame) -> None:
        frame = gminy[["teryt", "nazwa", "rodzaj", "powiat", "powiat_nazwa"]].copy()
        frame["key"] = fold_column(frame["nazwa"])
        frame["powiat_key"] = clean_names(frame["powiat_nazwa"])[0]
        self.frame = frame
        self.by_name: dict[str, list[str]] = {}
        # Lists: iterating an Arrow-backed column goes cell by cell.
        codes = frame["teryt"].tolist()
        for key, code in zip(frame["key"].tolist(), codes, strict=True):
            self.by_name.setdefault(key, []).append(code)
        self.info = frame.set_index("teryt")
        # Plain dicts: looked up for every distinct name, where DataFrame.at is slow.
        self.rodzaj = dict(zip(codes, frame["rodzaj"].tolist(), strict=True))
        self.powiat_key = dict(zip(codes, frame["powiat_key"].tolist(), strict=True))
        self.nazwa = dict(zip(codes, frame["nazwa"].tolist(), strict=True))
        self.cleaned: dict[str, tuple[str, str | None]] = {}

    def learn(self, values: pd.Series) -> None:
        """Clean the distinct text values at once, for the lookups that follow."""
        new = [v for v in pd.unique(values.to_numpy(dtype=object)) if type(v) is str]
        new = [v for v in new if v not in self.cleaned]
        if new:
            keys, hints = clean_names(pd.Series(new, dtype=object))
            self.cleaned.update(zip(new, zip(keys, hints, strict=True), strict=True))

    def clean(self, value: object) -> tuple[str, str | None]:
        """:func:`clean_name`, looked up if :meth:`learn` has seen the value."""
        known = self.cleaned.get(value) if type(value) is str else None
        return known if known is not None else clean_name(value)

    def by_gmina_name(self, name: object, powiat: object) -> tuple[list[str], str | None]:
        key, hint = self.clean(name)
        candidates = self.by_name.get(key, [])
        if hint and len(candidates) > 1:
            # "m. X" -> urban or urban-rural gmina; "gmina wiejska X" -> rural gmina
            wanted = {"1", "3"} if hint == "1" else {"2"}
            hinted = [c for c in candidates if self.rodzaj[c] in wanted]
            candidates = hinted or candidates
        if len(candidates) > 1 and (powiat_key := self.clean(powiat)[0]):
            in_powiat = [c for c in candidates if self.powiat_key[c] == powiat_key]
            candidates = in_powiat or candidates
        return candidates, key

    def by_locality(self, locality: object, powiat: object) -> list[str]:
        candidates, _ = self.by_gmina_name(locality, powiat)
        if len(candidates) > 1:
            # A town that is the seat of both an urban and a rural gmina lies in the urban one.
            urban = [c for c in candidates if self.rodzaj[c] in {"1", "3"}]
            if len(urban) == 1:
                return urban
        return candidates


def _lookup(
    frame: pd.DataFrame,
    gaz: Gazetteer,
    rows: pd.Series,
    column: str,
    find: Callable[[str, str], list[str]],
) -> pd.Series:
    """``find(name, powiat)`` once per distinct pair of the ``rows``: candidate codes."""
    keys = frame.loc[rows, [column, "powiat"]].astype(str)
    gaz.learn(keys[column])
    gaz.learn(keys["powiat"])
    return per_distinct(keys, find)


def _assign_unique(work: Work, found: pd.Series, method: str) -> None:
    one = found.str.len() == 1
    idx = one[one].index
    work.assign(idx, found[idx].str[0], method)


def locate_by_name(
    frame: pd.DataFrame,
    arrow: TextColumns,
    gminy: pd.DataFrame,
    work: Work,
    todo: pd.Series,
) -> None:
    """Locate the ``todo`` rows by gmina name, or else by locality; note ambiguous names."""
    gaz = Gazetteer(gminy)
    no_gmina = arrow.blank("gmina")
    has_gmina = todo & ~no_gmina
    if has_gmina.any():
        found = _lookup(frame, gaz, has_gmina, "gmina", lambda g, p: gaz.by_gmina_name(g, p)[0])
        _assign_unique(work, found, METHOD_NAME)
        many = found.str.len() > 1
        texts = per_distinct(
            found[many].map(tuple).to_frame(),
            lambda c: (
                "Nazwa gminy pasuje do kilku gmin: "
                + ", ".join(f"{gaz.nazwa[t]} ({t})" for t in c)
                + "."
            ),
        )
        many = many.reindex(frame.index, fill_value=False)
        work.problems.note(many, P_AMBIGUOUS, texts.reindex(frame.index))
        todo = todo & ~many
    # The locality is used only when the gmina field gave no evidence at all, so that an
    # ambiguous gmina name is reported rather than guessed from its seat.
    by_locality = todo & work.teryt.isna() & no_gmina & ~arrow.blank("miejscowosc")
    if by_locality.any():
        found = _lookup(frame, gaz, by_locality, "miejscowosc", gaz.by_locality)
        _assign_unique(work, found, METHOD_LOCALITY)
