"""Print output without a browser: static maps (matplotlib) and PDFs (fpdf2)."""
