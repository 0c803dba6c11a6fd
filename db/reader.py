"""Least privilege on servers: a login that can only read accords' tables and views.

``accords db create-reader`` runs :func:`create_reader` as an administrator
(or the owner of the tables) and prints the URL of the new login, for
``--read-url`` or ``$ACCORDS_READ_URL``. What the login can do:

* PostgreSQL: a role with LOGIN and nothing else (not a superuser, no
  CREATEDB/CREATEROLE/REPLICATION/BYPASSRLS, no membership of
  ``pg_read_server_files``, ``pg_write_server_files`` or
  ``pg_execute_server_program``, so no ``COPY ... TO`` a file or program),
  ``SELECT`` on the tables and views of the schema (also those that later
  upgrades create), ``default_transaction_read_only`` on and a
  ``statement_timeout``.
* MariaDB: a user with ``SELECT`` on the database and nothing else (no FILE,
  so no ``INTO OUTFILE``; no SUPER, so no ``SET GLOBAL``; no LOCK TABLES, no
  CREATE TEMPORARY TABLES) and a ``MAX_STATEMENT_TIME``.

Running it again resets the privileges and sets a new password. It resets only
a login that is already a reader: any other existing login of that name (the
administrator running it, a superuser, a table owner, a user with more than
SELECT) is refused, changing nothing, since resetting it would strip it of
its powers.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from .engine import backend, open_database, resolve_url, safe_url
from .errors import UsageError

DEFAULT_READER = "accords_reader"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,31}$")


@dataclass
class Reader:
    name: str
    url: str  # with the password: the one place it is shown


def _password() -> str:
    return secrets.token_urlsafe(24)  # letters, digits, - and _: nothing to quote


def create_reader(url: str | None = None, name: str = DEFAULT_READER, timeout_s: float = 30.0) -> Reader:
    """Create (or reset) a login that can only SELECT from the database at URL; return its URL."""
    from sqlalchemy.engine import make_url

    url = resolve_url(url)
    if not _NAME.match(name):
        raise UsageError(f"invalid reader name {name!r}: lower-case letters, digits and _, at most 32")
    kind = backend(url)
    if kind == "sqlite":
        raise UsageError("SQLite has no logins: `accords sql` and reports open the file read-only already")
    password = _password()
    with open_database(url) as db, db.engine.begin() as conn:
        if kind == "postgresql":
            _create_pg(conn, name, password, timeout_s)
        else:
            _create_mysql(conn, name, password, timeout_s)
    reader_url = make_url(url).set(username=name, password=password)
    return Reader(name, reader_url.render_as_string(hide_password=False))


def _not_a_reader(name: str, why: str) -> UsageError:
    return UsageError(f"--name {name}: {why}, not a reader login; resetting it would take its powers away: "
                      "choose another name")


#: what makes an existing PostgreSQL role more than a reader (each query yields rows for such a role)
_PG_MORE_THAN_READER = (
    ("it is the login running this command", "select 1 where %(n)s in (current_user, session_user)"),
    ("it is a superuser, a role without login, or may create roles or databases, replicate or bypass row "
     "security",
     "select 1 from pg_roles where rolname = %(n)s and (rolsuper or rolcreaterole or rolcreatedb "
     "or rolreplication or rolbypassrls or not rolcanlogin)"),
    ("it is a member of other roles, or other roles are members of it",
     "select 1 from pg_auth_members m join pg_roles r on r.oid in (m.roleid, m.member) where r.rolname = %(n)s"),
    ("it owns objects", "select 1 from pg_shdepend d join pg_roles r on r.oid = d.refobjid "
     "where d.refclassid = 'pg_authid'::regclass and d.deptype = 'o' and r.rolname = %(n)s "
     "union all select 1 from pg_database d join pg_roles r on r.oid = d.datdba where r.rolname = %(n)s"),
)


def _check_pg_reader(conn, name: str) -> bool:
    """Whether a role named ``name`` exists; an existing one must be a reader, else UsageError."""
    if not conn.exec_driver_sql("select 1 from pg_roles where rolname = %(n)s", {"n": name}).first():
        return False
    for why, query in _PG_MORE_THAN_READER:
        if conn.exec_driver_sql(query, {"n": name}).first():
            raise _not_a_reader(name, why)
    other = conn.exec_driver_sql(
        "select d.datname from pg_shdepend s join pg_database d on d.oid = s.objid join pg_roles r on r.oid = "
        "s.refobjid where s.classid = 'pg_catalog.pg_database'::pg_catalog.regclass and s.deptype = 'a' "
        "and r.rolname = %(n)s and d.datname <> pg_catalog.current_database() order by 1", {"n": name}).first()
    if other:
        raise _reads_another(name, other[0])
    return True


def _reads_another(name: str, database: str) -> UsageError:
    """A reader login belongs to the server: made again for this database, the other would lose its reader."""
    return UsageError(f"--name {name}: this login already reads the database {database} (a login is the "
                      "server's, not one database's: its password and grants would change there too); give "
                      "this database's reader another name with --name")


def _create_pg(conn, name: str, password: str, timeout_s: float) -> None:
    exists = _check_pg_reader(conn, name)
    attributes = ("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT "
                  f"CONNECTION LIMIT 20 PASSWORD '{password}'")
    conn.exec_driver_sql(f'{"ALTER" if exists else "CREATE"} ROLE "{name}" {attributes}')
    # no membership of any role (pg_read_server_files, pg_execute_server_program, ...)
    for (member_of,) in conn.exec_driver_sql(
            "select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid "
            "join pg_roles u on u.oid = m.member where u.rolname = %(n)s", {"n": name}).all():
        conn.exec_driver_sql(f'REVOKE "{member_of}" FROM "{name}"')
    database, schema = conn.exec_driver_sql("select current_database(), current_schema()").one()
    conn.exec_driver_sql(f'ALTER ROLE "{name}" SET default_transaction_read_only = on')
    conn.exec_driver_sql(f"ALTER ROLE \"{name}\" SET statement_timeout = '{int(timeout_s * 1000)}ms'")
    conn.exec_driver_sql(f"ALTER ROLE \"{name}\" SET idle_in_transaction_session_timeout = '{int(timeout_s * 2000)}ms'")
    conn.exec_driver_sql(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM "{name}"')
    conn.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{database}" TO "{name}"')
    conn.exec_driver_sql(f'GRANT USAGE ON SCHEMA "{schema}" TO "{name}"')
    conn.exec_driver_sql(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{name}"')
    # tables and views that later upgrades create (by this same owner) are readable too
    conn.exec_driver_sql(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT SELECT ON TABLES TO "{name}"')
    _revoke_public_writers(conn)


#: functions every role may run by default that write outside the transaction (so a rollback keeps it)
_PG_PUBLIC_WRITERS = ("pg_logical_emit_message",)


def _revoke_public_writers(conn) -> None:
    """Revoke from PUBLIC the functions that write to the server's WAL even in a read-only transaction.

    ``pg_logical_emit_message(false, ...)`` writes a message that survives
    the rollback, as large and as often as the time limit allows. Only an
    administrator may revoke it; as the tables' owner alone this fails with
    one line that says so.
    """
    from sqlalchemy.exc import DBAPIError

    from .errors import AccordsError

    signatures = conn.exec_driver_sql(
        "select p.oid::regprocedure::text from pg_proc p where p.proname = any(%(names)s) "
        "and has_function_privilege('public', p.oid, 'EXECUTE')", {"names": list(_PG_PUBLIC_WRITERS)}).scalars().all()
    for signature in signatures:
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(f"REVOKE EXECUTE ON FUNCTION {signature} FROM PUBLIC")
        except DBAPIError:
            raise AccordsError(f"cannot revoke EXECUTE on {signature} from PUBLIC (it writes to the server's "
                               "log even in a read-only transaction): run `accords db create-reader` as an "
                               "administrator") from None


def _create_mysql(conn, name: str, password: str, timeout_s: float) -> None:
    database = conn.exec_driver_sql("select database()").scalar()
    if not database:
        raise UsageError("the URL names no database: add /DATABASE to it")
    _check_mysql_reader(conn, name, database)
    user = f"'{name}'@'%%'"  # % doubled: PyMySQL formats the statement
    limit = f"MAX_STATEMENT_TIME {float(timeout_s)}"
    conn.exec_driver_sql(f"CREATE USER IF NOT EXISTS {user} IDENTIFIED BY '{password}' WITH {limit}")
    conn.exec_driver_sql(f"ALTER USER {user} IDENTIFIED BY '{password}' WITH {limit}")
    conn.exec_driver_sql(f"REVOKE ALL PRIVILEGES, GRANT OPTION FROM {user}")
    conn.exec_driver_sql(f"GRANT SELECT ON `{_literal_database(database)}`.* TO {user}")


def _literal_database(name: str) -> str:
    """A database name for GRANT, its ``_`` and ``%`` escaped: unescaped they are wildcards there, and a
    reader of ``a_b`` could read ``aXb`` too."""
    # % doubled: PyMySQL formats the statement
    return name.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%%")


def _check_mysql_reader(conn, name: str, database: str) -> None:
    """An existing account of that user name must be a reader (``name@%``, SELECT only), else UsageError."""
    current = conn.exec_driver_sql("select current_user()").scalar() or ""
    if current.rsplit("@", 1)[0] == name:
        raise _not_a_reader(name, "it is the login running this command")
    hosts = conn.exec_driver_sql("select host, is_role from mysql.user where user = %(n)s", {"n": name}).all()
    for host, is_role in hosts:
        if host != "%" or is_role == "Y":
            raise _not_a_reader(name, "it is a role" if is_role == "Y" else f"an account {name}@{host} exists")
    grantee = f"'{name}'@'%'"
    more = conn.exec_driver_sql(
        "select 1 from information_schema.user_privileges where grantee = %(g)s and privilege_type <> 'USAGE' "
        "union all select 1 from information_schema.schema_privileges where grantee = %(g)s "
        "and privilege_type <> 'SELECT' "
        "union all select 1 from information_schema.table_privileges where grantee = %(g)s "
        "union all select 1 from information_schema.column_privileges where grantee = %(g)s "
        "union all select 1 from mysql.roles_mapping where user = %(n)s and host = '%%'",
        {"g": grantee, "n": name}).first()
    if more:
        raise _not_a_reader(name, "it has privileges beyond SELECT")
    other = conn.exec_driver_sql(  # this database's grant, as this accords writes it or as earlier ones did
        "select table_schema from information_schema.schema_privileges where grantee = %(g)s "
        "and table_schema not in (%(d)s, %(e)s) order by 1",
        {"g": grantee, "d": database, "e": _literal_database(database).replace("%%", "%")}).first()
    if other:
        raise _reads_another(name, other[0])


def drop_reader(url: str | None = None, name: str = DEFAULT_READER) -> None:
    """Remove a reader login made by :func:`create_reader` (its grants on this database first)."""
    url = resolve_url(url)
    if not _NAME.match(name):
        raise UsageError(f"invalid reader name {name!r}")
    if backend(url) == "sqlite":
        raise UsageError(f"{safe_url(url)}: SQLite has no logins")
    with open_database(url) as db, db.engine.begin() as conn:
        if db.backend == "postgresql":
            if conn.exec_driver_sql("select 1 from pg_roles where rolname = %(n)s", {"n": name}).first():
                conn.exec_driver_sql(f'DROP OWNED BY "{name}"')
                conn.exec_driver_sql(f'DROP ROLE "{name}"')
        else:
            conn.exec_driver_sql(f"DROP USER IF EXISTS '{name}'@'%%'")
