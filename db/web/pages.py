"""Datasette plugin hooks for accords' own pages: source reader, charts, schema (see db.web)."""
