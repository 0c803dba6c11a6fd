"""Alembic environment for accords (from Alembic's generic template).

The database URL comes from, in order: a connection handed over by accords
(``config.attributes["connection"]``), ``sqlalchemy.url`` set on the config,
``-x url=...`` on the alembic command line, ``$ACCORDS_DATABASE_URL``, and
finally ``sqlite:///accords.db`` in the current folder.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, Engine

from db.engine import make_engine, resolve_url
from db.models import metadata

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def _url() -> str:
    return (
        config.get_main_option("sqlalchemy.url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or resolve_url(None)
    )


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        compare_server_default=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Emit the DDL as SQL text, for review or for a DBA to apply."""
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    """Run the migrations; on SQLite with foreign keys off while tables are rebuilt.

    Batch migrations rebuild an SQLite table by copying it and dropping the
    old one; with foreign keys enforced, that DROP would cascade and delete
    the rows of every table referring to it. So enforcement is off during the
    migration, and the foreign keys are checked before it ends.
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        connection.commit()  # end the implicit transaction, so Alembic's own commits
    try:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left {len(broken)} broken foreign keys, e.g. {broken[0]}")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            connection.commit()


def _run_inside(connection: Connection) -> None:
    """Run inside a transaction the caller owns (tests that roll the migration back)."""
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # config.attributes["connection"] may hold a Connection, an Engine, or an engine-like
    # wrapper of an open connection (pytest-alembic); otherwise accords connects itself.
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        _run_inside(given)
    elif given is not None and not isinstance(given, Engine):
        with given.connect() as connection:
            _run_inside(connection)
    else:
        engine = given if isinstance(given, Engine) else make_engine(_url())
        with engine.connect() as connection:
            _run(connection)
        if given is None:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
