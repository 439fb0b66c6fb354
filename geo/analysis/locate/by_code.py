"""Step 1 of locating: the TERYT code.

Each distinct raw code is normalised once (old codes mapped to current ones); everything else
about a code is worked out per distinct cell too, then spread to the rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.analysis.locate.distinct import TextColumns, distinct_cells, per_row
from geo.analysis.locate.problems import P_AMBIGUOUS, P_BAD_CODE, P_MAPPED, P_OUTSIDE
from geo.analysis.locate.work import METHOD_CODE, Work
from geo.core.teryt import Terc


@dataclass(frozen=True)
class CodeEvidence:
    """What the codes said beyond the gminas they located (masks over the rows)."""

    outside: pd.Series  #: a code outside the region
    ambiguous: pd.Series  #: an invalid code that fits several gminas


@dataclass(frozen=True)
class _Codes:
    """The distinct code cells, read: per cell its match and its ASCII digits."""

    rows: np.ndarray  # positions of the rows with a code
    group: np.ndarray  # for each of those rows, the number of its cell
    matches: list[Any]  # TercMatch per cell
    digits: list[str]

    def spread(self, work: Work, per_value: list[Any], default: Any) -> pd.Series:
        values = per_row(len(work.index), self.rows, self.group, per_value, default)
        return pd.Series(values, index=work.index, dtype=values.dtype)


def _read_codes(frame: pd.DataFrame, arrow: TextColumns, terc: Terc) -> _Codes:
    rows = np.flatnonzero((~arrow.blank("teryt")).to_numpy())
    cells, group = distinct_cells(frame["teryt"], rows)
    stripped = [str(v).strip() for v in cells]
    matches = {value: terc.normalize(value) for value in dict.fromkeys(stripped)}
    return _Codes(
        rows=rows,
        group=group,
        matches=[matches[value] for value in stripped],
        digits=[re.sub("[^0-9]", "", value) for value in stripped],
    )


def locate_by_code(
    frame: pd.DataFrame, arrow: TextColumns, terc: Terc, region_codes: set[str], work: Work
) -> CodeEvidence:
    """Locate the rows whose code is a gmina of the region; note mapped, foreign and bad codes."""
    read = _read_codes(frame, arrow, terc)
    matches, digits = read.matches, read.digits
    # With only the region's TERC at hand, a well-formed code of another voivodeship is
    # outside the region rather than wrong: its ASCII digits tell.
    region = work.region
    foreign_of = [
        m.code is None and m.status == "unknown" and len(d) == 7 and d[:2] != region != "PL"
        for m, d in zip(matches, digits, strict=True)
    ]
    in_region_of = [m.code in region_codes for m in matches]
    outside_of = [
        (m.code is not None and not inside) or foreign
        for m, inside, foreign in zip(matches, in_region_of, foreign_of, strict=True)
    ]
    bad_of = [m.code is None and not f for m, f in zip(matches, foreign_of, strict=True)]

    message = read.spread(work, [m.message or "" for m in matches], "")
    in_region = read.spread(work, in_region_of, False)
    code = read.spread(work, [m.code for m in matches], None)
    work.assign(in_region, code[in_region], METHOD_CODE)
    changed = [m.status in ("mapped", "part", "resolved") for m in matches]
    work.problems.note(read.spread(work, changed, False), P_MAPPED, message)
    outside = read.spread(work, outside_of, False)
    shown = [
        f"Kod {m.code if m.code is not None else d} leży poza obszarem {work.region_name}."
        for m, d in zip(matches, digits, strict=True)
    ]
    work.problems.note(outside, P_OUTSIDE, read.spread(work, shown, ""))
    bad = read.spread(work, bad_of, False)
    ambiguous_of = [b and m.status == "ambiguous" for m, b in zip(matches, bad_of, strict=True)]
    ambiguous = read.spread(work, ambiguous_of, False)
    work.problems.note(bad & ~ambiguous, P_BAD_CODE, message)
    work.problems.note(ambiguous, P_AMBIGUOUS, message)
    return CodeEvidence(outside=outside, ambiguous=ambiguous)
