"""Reading the PDFs back in tests: text (pypdf), embedded fonts, pixels (pdfium)."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
from pypdf import PdfReader

DATE_TEXT = "30.06.2026"
DPI = 60  # modest resolution keeps the tests fast; the layout does not depend on it


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def embedded_fonts(pdf: bytes) -> set[str]:
    """Base names of the fonts whose program is embedded in the file."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            if "/FontFile2" in descriptor:
                names.add(str(font["/BaseFont"]).split("+")[-1])
    return names


def render(pdf: bytes, index: int = 0, scale: float = 0.8) -> np.ndarray:
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[index].render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()
    return np.asarray(image)
