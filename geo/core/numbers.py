"""Numbers written the Polish way in messages: decimal comma, thin groups of thousands.

Why it exists: messages from the lower layers (file limits, the CLI) are read by the same
people as the pages; ``f"{x:.1f}"`` writes a decimal point. The views format tables with
``geo.present.formatting``; this is the small core both can use.
"""

from __future__ import annotations

__all__ = ["decimal"]


def decimal(value: float, places: int = 1) -> str:
    """``value`` with ``places`` decimals, a decimal comma and spaces between thousands."""
    text = f"{value:,.{places}f}"
    return text.replace(",", " ").replace(".", ",")
