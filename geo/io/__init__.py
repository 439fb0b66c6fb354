"""Reading and writing files: Polish CSV/XLSX tables, registry files, boundaries, PRG,
the region's reference data, exports. Formats live here; meaning lives in geo.analysis."""
