"""A read-only session on a server reads one snapshot of the database.

`accords export` reads a source in many statements, and `accords serve` copies
a server's database through it (db/web/snapshot.py): a write committed while it
reads must not be half seen. PostgreSQL's read-only sessions run REPEATABLE READ,
MariaDB's start WITH CONSISTENT SNAPSHOT.
"""

from __future__ import annotations

from sqlalchemy import create_engine, text

from db.engine import read_only


def test_a_write_committed_during_a_read_only_session_is_not_seen_by_it(server_url):
    engine, writer = create_engine(server_url), create_engine(server_url)
    try:
        with writer.begin() as w:
            w.execute(text("create table snapshot_probe (x integer)"))
            w.execute(text("insert into snapshot_probe (x) values (1)"))
        with read_only(engine, None) as conn:
            before = conn.execute(text("select count(*) from snapshot_probe")).scalar_one()
            with writer.begin() as w:
                w.execute(text("insert into snapshot_probe (x) values (2)"))
            during = conn.execute(text("select count(*) from snapshot_probe")).scalar_one()
        with engine.connect() as conn:
            after = conn.execute(text("select count(*) from snapshot_probe")).scalar_one()
    finally:
        engine.dispose()
        writer.dispose()
    assert (before, during, after) == (1, 1, 2)
