"""Planning attributes of the gminas (OWES subregion, NUTS-3, LPRES) as the views show them.

Never guessed, never blank: what the pipeline does not provide reads as :data:`UNKNOWN`.
"""

from __future__ import annotations

import pandas as pd

from geo.pipeline import CoverageResult
from geo.present.formatting import plain_text

__all__ = ["PLANNING_COLUMNS", "UNKNOWN", "planning_attributes"]

UNKNOWN = "nieznany"
#: Planning columns of the pipeline's result (subregions, LPRES) that the profile shows.
PLANNING_COLUMNS = (
    "owes_podregion_nazwa",
    "owes_operator",
    "nuts3_nazwa",
    "lpres_status",
    "lpres_status_nazwa",
    "lpres_plan",
    "lpres_uchwala",
    "lpres_okres",
)


def planning_attributes(result: CoverageResult) -> pd.DataFrame:
    """OWES subregion, NUTS-3 and LPRES status per gmina (``teryt`` + :data:`PLANNING_COLUMNS`).

    The pipeline computes these columns (:func:`geo.pipeline.planning_attributes`); a result
    without them (e.g. built by hand) reads as :data:`UNKNOWN`: never guessed, never blank.
    """
    gminy = result.gminy
    out = pd.DataFrame({"teryt": gminy["teryt"].astype(str).to_numpy()})
    for col in PLANNING_COLUMNS:
        out[col] = gminy[col].to_numpy() if col in gminy.columns else None
    for col in ("owes_podregion_nazwa", "nuts3_nazwa", "lpres_status"):
        out[col] = out[col].where(out[col].map(plain_text) != "", UNKNOWN)
    out["lpres_status_nazwa"] = out["lpres_status_nazwa"].where(
        out["lpres_status_nazwa"].map(plain_text) != "", out["lpres_status"]
    )
    return out
