"""Alembic environment for accords (from Alembic's generic template).

The database URL comes from, in order: a connection handed over by accords
(``config.attributes["connection"]``), ``sqlalchemy.url`` set on the config,
``-x url=...`` on the alembic command line, ``$ACCORDS_DATABASE_URL``, and
finally ``sqlite:///accords.db`` in the current folder.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from db.engine import resolve_url
from db.fulltext import include_object
from db.migrate import check_foreign_keys, migration_engine, transactional_ddl
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


#: MariaDB errors meaning that an earlier, interrupted run already did this statement: the table,
#: column, key or foreign key exists (1050, 1060, 1061, 1826), or what it drops is gone (1051, 1091)
ALREADY_DONE = {1050: "exists", 1060: "exists", 1061: "exists", 1826: "exists", 1051: "is gone", 1091: "is gone"}


def _resumable_on_mariadb() -> None:
    """On MariaDB, skip a migration statement that an interrupted earlier run already did.

    MariaDB commits each DDL statement implicitly, so a run killed in the middle
    of a step leaves that step half done while alembic_version still names the
    step before. Running again replays the step; its statements that were done
    fail only with "already exists" (or, dropping, "does not exist"): those are
    skipped, and listed in ``config.attributes["skipped"]``. A migration is
    resumable this way when every statement is either one of those or
    harmless to repeat (UPDATE, MODIFY COLUMN); the kill tests check each step.
    """
    migration = context.get_context()
    if migration.as_sql or migration.dialect.name not in ("mysql", "mariadb"):
        return
    impl = migration.impl
    run = impl._exec
    skipped: list[str] = config.attributes.setdefault("skipped", [])

    def resumable(construct, *args, **kwargs):
        try:
            return run(construct, *args, **kwargs)
        except DBAPIError as exc:
            code = getattr(exc.orig, "args", (None,))[0]
            if code not in ALREADY_DONE:
                raise
            statement = " ".join(str(exc.statement or construct).split())[:120]
            skipped.append(f"{statement} (already done: it {ALREADY_DONE[code]})")
            return None

    impl._exec = resumable  # type: ignore[method-assign]


def _run_inside(connection: Connection) -> None:
    """Run the migrations on this connection (inside its transaction, if it is in one)."""
    # full-text objects (migration 0010, or a user's sqlite-utils enable-fts) are not the models' business
    _configure(connection=connection, include_object=include_object(connection))
    _resumable_on_mariadb()
    with context.begin_transaction():
        context.run_migrations()


def _run_alone(engine: Engine) -> None:
    """Run every step in one transaction where DDL is transactional (SQLite, PostgreSQL).

    Used by ``alembic upgrade`` from the repository root; ``accords db
    upgrade`` hands over its own connection, whose one transaction also drops
    and rebuilds the report views.
    """
    with engine.connect() as connection:
        if transactional_ddl(connection):
            connection.begin()
        _run_inside(connection)
        check_foreign_keys(connection)
        connection.commit()


def run_migrations_online() -> None:
    # config.attributes["connection"] may hold a Connection, an Engine, or an engine-like
    # wrapper of an open connection (pytest-alembic); otherwise accords connects itself.
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        _run_inside(given)
    elif given is not None and not isinstance(given, Engine):
        with given.connect() as connection:
            _run_inside(connection)
    elif isinstance(given, Engine):
        _run_alone(given)
    else:
        engine = migration_engine(_url())
        try:
            _run_alone(engine)
        finally:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
