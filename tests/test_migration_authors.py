"""Revision 0009 (data_dictionary; the role author) over a database that holds data, on every engine.

A seeded database downgraded to 0006 records the writers of the seed's two documents (the Integrated
Country Strategy, the after-action report: events of kind publication) as organisers, as 0006 did.
Upgrading makes them authors, in event_participants and in the claims that state them, and changes
nothing else; the result is what loading the seed at 0009 writes. Downgrading makes them organisers
again, and refuses (unless forced) where that would lose something.
"""

from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from db import api, fulltext, migrate
from db.cli import cli
from db.errors import AccordsError

BEFORE, AUTHORS = "0008", "0009"  # the revision just before 0009, and 0009
DOCUMENTS = {("integrated-country-strategy-for-afghanistan", "biden-administration"),
             ("state-department-after-action-report", "state-department")}
ROLES = ("select e.slug, a.slug, ep.role from event_participants as ep join events as e on e.id = ep.event_id "
         "join actors as a on a.id = ep.actor_id")
PARTICIPANT_CLAIMS = ("select s.slug, c.value, c.evidence_id, c.support, c.disputed, c.in_record, c.event_participant_id "
                      "from claims as c join sources as s on s.id = c.source_id where c.field = 'participant' "
                      "and c.event_participant_id is not null")


def _query(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _execute(url: str, *statements: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.execute(text(sql))
    finally:
        engine.dispose()


def _roles(url: str, role: str) -> set[tuple[str, str]]:
    return {(e, a) for e, a, r in _query(url, ROLES) if r == role}


def _rows(url: str) -> dict[str, Counter]:
    """Every row of every table but data_dictionary and report_views (and alembic_version)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names()) - {"alembic_version", "report_views", "data_dictionary"}
            if conn.dialect.name == "sqlite":  # full-text search's own tables: their bytes depend on the write order
                names -= fulltext.sqlite_internal_tables(conn)
            return {t: Counter(tuple(r) for r in conn.execute(text(f"select * from {t}"))) for t in sorted(names)}
    finally:
        engine.dispose()


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_the_upgrade_makes_the_writers_of_documents_authors(seeded_url):
    loaded_roles, loaded_claims = Counter(_query(seeded_url, ROLES)), Counter(_query(seeded_url, PARTICIPANT_CLAIMS))
    loaded = _rows(seeded_url)
    assert _roles(seeded_url, "author") == DOCUMENTS  # the seed says author

    api.downgrade(seeded_url, BEFORE)  # nothing to lose: no --force
    assert _roles(seeded_url, "author") == set()
    assert DOCUMENTS <= _roles(seeded_url, "organiser")
    values = {v for _, v, *_ in _query(seeded_url, PARTICIPANT_CLAIMS)}
    assert {"biden-administration: organiser", "state-department: organiser"} <= values
    assert not {v for v in values if v.endswith(": author")}
    assert "data_dictionary" not in inspect(create_engine(seeded_url)).get_table_names()
    before = _rows(seeded_url)

    result = _cli("--db", seeded_url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert api.current(seeded_url)[0] == migrate.head_revision() and api.check(seeded_url) == []
    assert _roles(seeded_url, "author") == DOCUMENTS
    assert _roles(seeded_url, "organiser") == {  # the organisers of events that are not documents stay
        ("us-withdrawal-from-afghanistan", "biden-administration"), ("taliban-advance-and-collapse-of-kabul", "taliban"),
        ("us-evacuation-from-afghanistan", "state-department")}
    # the same rows, claims and roles as loading the seed at 0009 wrote
    assert Counter(_query(seeded_url, ROLES)) == loaded_roles
    assert Counter(_query(seeded_url, PARTICIPANT_CLAIMS)) == loaded_claims
    after = _rows(seeded_url)
    assert after == loaded
    changed = {t for t in after if after[t] != before[t]}
    assert changed == {"event_participants", "claims"}, changed  # nothing else was touched
    for table in changed:
        assert sum(after[table].values()) == sum(before[table].values()), table


def test_an_author_on_any_event_loads_and_exports(seeded_url, tmp_path):
    """author is accepted on any event (a speech has an author too), not only on publications."""
    source = tmp_path / "author.yaml"
    source.write_text("""format: 1
source: {slug: test-author-source, title: TEST DATA, kind: other,
         text: "The State Department wrote the visit's programme. The Taliban organised the meeting."}
actors:
  - {slug: state-department, name: State Department, kind: government_body, evidence: ["The State Department"]}
events:
  - slug: test-visit
    title: A visit
    kind: visit
    participants: [{actor: state-department, role: author, evidence: ["The State Department wrote"]}]
    evidence: ["The State Department wrote the visit's programme."]
""", encoding="utf-8")
    api.ingest(seeded_url, [source])
    assert ("test-visit", "state-department") in _roles(seeded_url, "author")
    assert ("test-author-source", "state-department: author") in {
        (s, v) for s, v, *_ in _query(seeded_url, PARTICIPANT_CLAIMS)}


def _author_of_a_visit(url: str) -> None:
    _execute(url, "update event_participants set role = 'author' where role = 'visitor'")


def _author_and_organiser(url: str) -> None:
    """The after-action report's author organised its release too: a second row, with its own quote."""
    ((participant, event, actor),) = _query(
        url, "select ep.id, ep.event_id, ep.actor_id from event_participants as ep "
             "join events as e on e.id = ep.event_id "
             "where e.slug = 'state-department-after-action-report' and ep.role = 'author'")
    _execute(url, f"insert into event_participants (event_id, actor_id, role) values ({event}, {actor}, 'organiser')")
    ((organiser,),) = _query(url, f"select id from event_participants where event_id = {event} and role = 'organiser'")
    for row in (participant, organiser):  # each row quoted by the event's own words
        _execute(url, "insert into evidence (source_id, char_start, char_end, quote, event_participant_id) "
                      f"select source_id, char_start, char_end, quote, {row} from evidence where event_id = {event}")


@pytest.mark.parametrize(("tamper", "lost"), [
    (_author_of_a_visit, "2 author roles of events that are not publications"),
    (_author_and_organiser, "1 author role of an actor that also organised the event"),
])
def test_a_downgrade_that_loses_an_author_refuses_unless_forced(seeded_url, snapshot, tamper, lost):
    tamper(seeded_url)
    message = f"downgrading below {AUTHORS} would lose {lost}: pass --force to downgrade anyway"
    before = snapshot(seeded_url)
    result = _cli("--db", seeded_url, "db", "downgrade", BEFORE)
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")
    assert snapshot(seeded_url) == before
    api.downgrade(seeded_url, AUTHORS)  # the later revisions lose nothing; on MariaDB each step commits alone
    before = snapshot(seeded_url)
    with pytest.raises(AccordsError, match=f"^{message}$"):
        migrate.downgrade(seeded_url, BEFORE)  # the migration refuses by itself too
    assert snapshot(seeded_url) == before

    evidence = _query(seeded_url, "select count(*) from evidence")[0][0]
    result = _cli("--db", seeded_url, "db", "downgrade", BEFORE, "--force")
    assert result.exit_code == 0, result.output
    assert _roles(seeded_url, "author") == set()
    assert _query(seeded_url, "select count(*) from evidence")[0][0] == evidence  # every quote is kept
    assert not _query(seeded_url, "select v.id from evidence as v left join event_participants as ep "
                                  "on ep.id = v.event_participant_id "
                                  "where v.event_participant_id is not null and ep.id is null")
    assert not _query(seeded_url, "select c.id from claims as c left join event_participants as ep "
                                  "on ep.id = c.event_participant_id "
                                  "where c.event_participant_id is not null and ep.id is null")
    api.upgrade(seeded_url)
    assert api.check(seeded_url) == []


def test_the_offline_sql_renames_the_roles(seeded_url):
    if not seeded_url.startswith("postgresql"):
        pytest.skip("the DDL is printed for PostgreSQL and MariaDB; once is enough")
    result = _cli("--db", seeded_url, "db", "upgrade", "--sql", f"{BEFORE}:{AUTHORS}")
    assert result.exit_code == 0, result.output
    assert "CREATE TABLE data_dictionary" in result.stdout
    assert "UPDATE event_participants SET role='author'" in result.stdout
    assert "ck_event_participants_role_valid" in result.stdout


def test_a_bare_alembic_downgrade_and_upgrade_work_beside_the_views(sqlite_seeded):
    """Without accords dropping the report views first (`alembic downgrade` from the repository), SQLite's
    rebuild of event_participants would trip over them: 0009 drops them, and the next accords upgrade
    rebuilds them."""
    url = sqlite_seeded
    assert _query(url, "select count(*) from report_views")[0][0] > 0
    migrate.downgrade(url, BEFORE)
    assert api.current(url)[0] == BEFORE and _roles(url, "author") == set()
    migrate.upgrade(url)
    assert _roles(url, "author") == DOCUMENTS
    assert api.check(url)  # the views are missing, and data_dictionary is empty: an accords upgrade rebuilds them
    api.upgrade(url)
    assert api.check(url) == []
