"""mapa-es domain core: boundaries, TERYT, registry, location, coverage.

Pure Python (no Streamlit import) so that the CLI, the app and the tests share one
computation. Data flows one way: files -> registry -> located entities -> coverage.
"""

from __future__ import annotations

__all__ = ["__version__"]
__version__ = "0.1.0"
