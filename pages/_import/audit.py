"""The "Dziennik zmian" section: who imported, restored or fixed what, newest first."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.store import Store
from pages import _common as c
from pages._import import local_time

#: Polish names of the audit log's action codes (others are shown as written).
ACTIONS = {"import": "import", "restore": "przywrócenie wersji"}


def audit_section(store: Store) -> None:
    """The last 500 entries of the audit log."""
    log = c.guarded(lambda: store.audit(limit=500))
    if log.empty:
        st.caption("Dziennik jest pusty.")
        return
    c.table(
        pd.DataFrame(
            {
                "Kiedy": log["at"].map(local_time),
                "Kto": log["user"],
                "Czynność": log["action"].map(lambda a: ACTIONS.get(a, a)),
                "Szczegóły": log["details"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption("Ostatnie 500 wpisów, od najnowszych.")
