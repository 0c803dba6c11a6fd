"""Datasette plugin hooks for accords' metadata and canned queries (see db.web)."""
