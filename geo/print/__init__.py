"""Print output without a browser: static maps (matplotlib) and PDFs (fpdf2).

Maps: :mod:`~geo.print.maps` (the public drawing functions), :mod:`~geo.print.layout` (the
frame: sizes, titles, legend placement, scale bar) and :mod:`~geo.print.legend` (classes and
legend entries from the shared :mod:`geo.present.styles`), :mod:`~geo.print.labels` (names
on maps, only where they fit). Documents:
:mod:`~geo.print.pdf` (the fpdf2 document and font), :mod:`~geo.print.figures` (figures and
tables shared by the documents), :mod:`~geo.print.card` (the gmina card),
:mod:`~geo.print.deck` (the committee deck) and :mod:`~geo.print.report` (the regional report).
"""
