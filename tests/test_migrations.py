"""Migrations, checked by pytest-alembic's suite on every engine."""

from __future__ import annotations

import pytest
from pytest_alembic.tests import (  # noqa: F401 - imported to be collected here
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from pytest_alembic.tests.experimental import (  # noqa: F401
    test_all_models_register_on_metadata,
    test_downgrade_leaves_no_trace,
)
from sqlalchemy import create_engine

from db import migrate


@pytest.fixture
def alembic_config():
    """accords' own Alembic configuration, as `accords db` builds it."""
    return migrate.alembic_config()


@pytest.fixture
def alembic_engine(empty_url):
    """A new, empty database on each engine (SQLite file, PostgreSQL, MariaDB)."""
    engine = create_engine(empty_url)
    yield engine
    engine.dispose()
