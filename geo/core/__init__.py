"""The vocabulary every layer shares: TERYT codes, the registry schema, text folding, CRS."""
