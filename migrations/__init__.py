"""Alembic migrations of the accords schema (installed as the package ``db.migrations``)."""
