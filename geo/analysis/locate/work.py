"""The columns that locating works out, kept apart from the input while the steps run.

Writing into the wide input frame would have pandas copy all its text columns into one block,
again and again; each step here writes into these few series instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geo.analysis.locate.problems import ProblemLog

METHOD_CODE = "kod TERYT"
METHOD_POINT = "współrzędne"
METHOD_NAME = "nazwa gminy"
METHOD_LOCALITY = "miejscowość"

#: Columns added to every entity (besides its point geometry).
LOCATED_COLUMNS = (
    "teryt_gminy",
    "metoda_lokalizacji",
    "pozycja_przyblizona",
    "uwzgledniony",
    "problem_kategoria",
    "problem",
    "gminy_obslugiwane_kody",
    "problem_kategorie",
)


@dataclass
class Work:
    """The gmina found for each row so far, how it was found, and the problems noted."""

    index: pd.Index
    region: str
    teryt: pd.Series = field(init=False)
    method: pd.Series = field(init=False)
    problems: ProblemLog = field(init=False)

    def __post_init__(self) -> None:
        empty = [None] * len(self.index)
        self.teryt = pd.Series(empty, index=self.index, dtype=object)
        self.method = pd.Series(empty, index=self.index, dtype=object)
        self.problems = ProblemLog(self.index)

    @property
    def region_name(self) -> str:
        """The region in messages ("outside the area of ...")."""
        return "województwa" if self.region != "PL" else "Polski"

    def assign(self, rows: pd.Series | pd.Index, codes: pd.Series, method: str) -> None:
        """Locate ``rows`` (a mask or labels) in the gminas ``codes``, found by ``method``."""
        self.teryt.loc[rows] = codes
        self.method.loc[rows] = method
