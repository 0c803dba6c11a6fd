"""Revision 0008 over a database that holds data, on every engine.

The seed is loaded at the newest revision, then the database is downgraded to
0007 (the tables go; the facts stay) and upgraded again: `accords db upgrade`
finds every source's mentions and quotations, with no file choices (so the
seed's "Beijing" has no actor until the seed is loaded again) and no
attributions, and `accords db check` finds nothing.
"""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from db import api, migrate

BEFORE = "0007"


def query(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_finds_mentions_and_quotations_of_stored_sources(seeded_url):
    facts = query(seeded_url, "select count(*) from evidence")
    api.downgrade(seeded_url, BEFORE)
    assert not {"mentions", "mention_choices", "quotations"} & tables(seeded_url)
    assert query(seeded_url, "select count(*) from evidence") == facts

    result = api.upgrade(seeded_url)

    assert result.after == migrate.head_revision()
    assert query(seeded_url, "select count(*) from evidence") == facts
    assert query(seeded_url, "select count(*) from mentions m join actors a on a.id = m.actor_id "
                             "where a.slug = 'united-states'") == [(30,)]
    assert query(seeded_url, "select assigned, count(*) from mentions where form = 'Beijing' group by assigned") == [
        ("ambiguous", 8)]
    assert query(seeded_url, "select count(*), count(actor_id), count(event_id), count(agreement_id) "
                             "from quotations") == [(4, 0, 0, 0)]
    assert api.check(seeded_url) == []

    api.seed_database(seeded_url)  # the file's choices and attributions come back with the file
    assert query(seeded_url, "select count(*) from quotations where actor_id is not null or event_id is not null "
                             "or agreement_id is not null") == [(4,)]
    assert query(seeded_url, "select count(*) from mentions where assigned = 'ambiguous'") == [(0,)]
