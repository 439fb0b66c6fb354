"""Computations on the data: locating entities in gminas, coverage, neighbours, trends,
subregions and LPRES status. Functions of frames: no file formats, no storage."""
