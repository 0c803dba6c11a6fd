"""`accords db`: upgrades that lose nothing, backups, failed upgrades, offline DDL."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from db import api, migrate
from db.cli import cli
from db.engine import make_engine
from db.resources import migrations_dir

REVISIONS = [line.split(":")[0] for line in migrate.all_revisions()]
HEAD = REVISIONS[-1]


def _user_rows(url: str) -> None:
    """Rows a user might add by hand, beside the seed."""
    engine = make_engine(url)
    with engine.begin() as conn:
        keys = "name_key" in {c["name"] for c in inspect(conn).get_columns("actors")}  # from revision 0003 on
        source_id = conn.execute(text("select id from sources")).scalar_one()
        conn.execute(text("insert into actors (slug, name, is_named, kind, country"
                          + (", name_key) " if keys else ") ")
                          + "values ('my-actor', 'My actor', :t, 'organisation', 'FR'"
                          + (", 'my actor')" if keys else ")")), {"t": True})
        actor_id = conn.execute(text("select id from actors where slug = 'my-actor'")).scalar_one()
        conn.execute(text("insert into actor_aliases (actor_id, alias" + (", alias_key" if keys else "")
                          + ") values (:a, 'Mine'" + (", 'mine'" if keys else "") + ")"), {"a": actor_id})
        conn.execute(text("insert into evidence (source_id, char_start, char_end, quote, actor_id) "
                          "values (:s, 0, 6, '21.5 C', :a)"), {"s": source_id, "a": actor_id})
    engine.dispose()


def _decimal(value) -> Decimal:
    """An amount as a decimal: SQLite stored it as a number before revision 0005, as canonical text since."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


#: columns that revision 0007 moved to rows of their own: (table, column) -> how to read them back as one value
MOVED = {("projects", "resource"): "select project_id, resource from project_resources order by id"}


def _moved(conn, table: str, column: str) -> dict:
    """A moved column's values by row id, as the old column held them: the rows joined by ', ' (None: no row)."""
    out: dict = {}
    for owner, value in conn.execute(text(MOVED[(table, column)])):
        out[owner] = value if owner not in out else f"{out[owner]}, {value}"
    return out


def _before_0009(column: str, value):
    """A value as revisions before 0009 stored it: 0009 makes the organiser of a document (a publication
    event) its author, in event_participants.role and in the claims that state it ('x: author')."""
    if column == "role" and value == "author":
        return "organiser"
    if column == "value" and isinstance(value, str) and value.endswith(": author"):
        return value.removesuffix(": author") + ": organiser"
    return value


def _rows(url: str, columns: dict[str, list[str]] | None = None, before_0009: bool = False) -> dict[str, list]:
    """Every row of every table (or of the given columns only), as sorted reprs; a column moved to rows of its
    own (MOVED) is read back from them; ``before_0009``: with the values 0009 changes as they were before it."""
    engine = create_engine(url)
    out = {}
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            if table != "alembic_version":
                cols = list((columns or {}).get(table) or [])
                present = {c["name"] for c in inspect(conn).get_columns(table)}
                moved = {c: _moved(conn, table, c) for c in cols if c not in present and (table, c) in MOVED}
                listed = ", ".join([c for c in cols if c not in moved] + (["id"] if moved and "id" not in cols else []))
                rows = conn.execute(text(f"select {listed or '*'} from {table}"))
                out[table] = sorted(repr(tuple(
                    _decimal(r._mapping[k]) if (table, k) == ("amounts", "amount")
                    else moved[k].get(r._mapping["id"]) if k in moved
                    else _before_0009(k, r._mapping[k]) if before_0009 else r._mapping[k]
                    for k in (cols or r._mapping.keys()))) for r in rows)
    engine.dispose()
    return out


def _seed_at_revision(url: str, revision: str, tmp_path: Path) -> None:
    """The seed as it would be stored at an earlier revision: its rows projected onto that schema."""
    import sqlalchemy as sa

    from db.models import metadata

    head_url = f"sqlite:///{tmp_path / 'head-for-projection.db'}"
    api.upgrade(head_url)
    api.seed_database(head_url)
    api.upgrade(url, revision)
    source, target = create_engine(head_url), create_engine(url)
    with source.connect() as read, target.begin() as write:
        insp = inspect(write)
        existing = {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names()}
        for table in metadata.sorted_tables:
            if table.name not in existing:
                continue
            old = "data_dictionary" not in existing  # before 0009
            rows = [{k: _before_0009(k, v) if old else v for k, v in r._mapping.items() if k in existing[table.name]}
                    for r in read.execute(table.select())]
            for (moved_table, column) in MOVED:  # the rows of a moved column, as that revision held them
                if table.name == moved_table and column in existing[table.name]:
                    joined = _moved(read, moved_table, column)
                    for row in rows:
                        row[column] = joined.get(row["id"])
            if rows:
                old_table = sa.table(table.name, *[sa.column(c, table.c[c].type if c in table.c else sa.String())
                                                  for c in sorted(existing[table.name])])
                write.execute(old_table.insert(), rows)
                if write.dialect.name == "postgresql" and "id" in existing[table.name]:  # advance the sequence
                    write.execute(text(f"select setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                       f"(select max(id) from {table.name}))"))
    source.dispose()
    target.dispose()


@pytest.mark.parametrize("start", REVISIONS[:-1])
def test_upgrade_from_each_earlier_revision_keeps_every_row(empty_url, start, tmp_path):
    _seed_at_revision(empty_url, start, tmp_path)
    _user_rows(empty_url)
    engine = create_engine(empty_url)
    with engine.connect() as conn:
        insp = inspect(conn)
        columns = {t: [c["name"] for c in insp.get_columns(t)] for t in insp.get_table_names()}
    engine.dispose()
    before = _rows(empty_url, columns)
    api.upgrade(empty_url)
    after = _rows(empty_url, columns, before_0009="data_dictionary" not in columns)  # from 0009 on: no change
    assert api.current(empty_url)[0] == HEAD
    for table, rows in before.items():
        if table == "data_dictionary":  # not rows of the user's: rewritten by every upgrade, for its engine
            continue
        assert after[table] == rows, f"{table} changed during the upgrade from {start}"
    engine = create_engine(empty_url)
    with engine.connect() as conn:  # columns added on the way are filled, not left empty
        for name, key in conn.execute(text("select name, name_key from actors")):
            assert key == name.lower()
        for alias, key in conn.execute(text("select alias, alias_key from actor_aliases")):
            assert key == alias.lower()
    engine.dispose()


def test_round_trip_leaves_no_leftovers(empty_url):
    api.upgrade(empty_url)
    api.seed_database(empty_url)
    api.downgrade(empty_url, "base")
    engine = create_engine(empty_url)
    with engine.connect() as conn:
        insp = inspect(conn)
        assert set(insp.get_table_names()) <= {"alembic_version"}
        assert insp.get_view_names() == []
        if conn.dialect.name == "postgresql":
            assert conn.execute(text("select count(*) from pg_type t join pg_namespace n on n.oid = t.typnamespace "
                                     "where n.nspname = 'public' and t.typtype = 'e'")).scalar() == 0
            assert conn.execute(text("select count(*) from pg_class where relkind = 'S' "
                                     "and relnamespace = 'public'::regnamespace")).scalar() == 0
    engine.dispose()
    api.upgrade(empty_url)
    api.seed_database(empty_url)
    assert api.check(empty_url) == []


def test_upgrade_backs_up_an_sqlite_file_and_keeps_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'mine.db'}"
    _seed_at_revision(url, REVISIONS[0], tmp_path)
    engine = create_engine(url)
    with engine.connect() as conn:
        columns = {t: [c["name"] for c in inspect(conn).get_columns(t)] for t in inspect(conn).get_table_names()}
    engine.dispose()
    before = _rows(url, columns)
    result = CliRunner().invoke(cli, ["--db", url, "db", "upgrade"])
    assert result.exit_code == 0, result.output
    backups = list(tmp_path.glob("mine.db.*.bak"))
    assert len(backups) == 1
    assert f"backed up the database to {backups[0]}" in result.stderr
    after = _rows(url, columns, before_0009=True)
    assert all(after[t] == rows for t, rows in before.items())
    assert _rows(f"sqlite:///{backups[0]}", columns) == before


def test_a_failed_upgrade_leaves_the_sqlite_file_as_it_was(tmp_path, monkeypatch):
    broken = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), broken, ignore=shutil.ignore_patterns("__pycache__"))
    (broken / "versions" / "9999_broken.py").write_text(
        f'"""A migration that fails half way."""\n'
        f"import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = '9999'\ndown_revision = '{HEAD}'\nbranch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade():\n"
        f"    op.create_table('half_done', sa.Column('id', sa.Integer, primary_key=True))\n"
        f"    op.execute('delete from actor_aliases')\n"
        f"    raise RuntimeError('injected failure')\n\n\n"
        f"def downgrade():\n    pass\n"
    )
    url = f"sqlite:///{tmp_path / 'mine.db'}"
    api.upgrade(url)
    api.seed_database(url)
    original = (tmp_path / "mine.db").read_bytes()
    monkeypatch.setattr(migrate, "migrations_dir", lambda: str(broken))
    with pytest.raises(RuntimeError, match="injected failure"):
        api.upgrade(url)
    assert (tmp_path / "mine.db").read_bytes() == original


def test_current_and_history(sqlite_seeded, tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", sqlite_seeded, "db", "current"]).output == f"{HEAD} (newest)\n"
    fresh = f"sqlite:///{tmp_path / 'new.db'}"
    pending = runner.invoke(cli, ["--db", fresh, "db", "current"]).output
    assert pending.startswith(f"no database at {tmp_path / 'new.db'} yet; `accords db upgrade` would create it "
                              "and apply:\n  0001: ")
    assert not (tmp_path / "new.db").exists()
    lost = runner.invoke(cli, ["--db", f"sqlite:///{tmp_path / 'no' / 'such' / 'new.db'}", "db", "current"])
    assert lost.exit_code == 1
    assert lost.output == f"Error: no database at {tmp_path / 'no/such/new.db'}, and no folder {tmp_path / 'no/such'} " \
                          "to create it in\n"
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    (tmp_path / "empty.db").touch()
    assert runner.invoke(cli, ["--db", empty, "db", "current"]).output.startswith(
        "base (empty); `accords db upgrade` would apply:\n  0001: ")
    history = runner.invoke(cli, ["db", "history"]).output
    assert all(f"-> {rev}" in history for rev in REVISIONS)


def test_check_reports_agreement(sqlite_seeded):
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "db", "check"])
    assert result.exit_code == 0
    assert result.output == "database, migrations and models agree; report views are current\n"


def test_check_reports_a_database_behind(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    api.upgrade(url, REVISIONS[0])
    result = CliRunner().invoke(cli, ["--db", url, "db", "check"])
    assert result.exit_code == 1
    assert f"the database is at {REVISIONS[0]}, not at the newest revision {HEAD}" in result.output


def test_offline_ddl_applies_to_an_empty_postgresql_database(scratch):
    url = scratch.create("postgresql")
    assert shutil.which("psql"), "psql (the PostgreSQL client) is needed beside the server"
    result = CliRunner().invoke(cli, ["--db", url, "db", "upgrade", "--sql"])
    assert result.exit_code == 0, result.output
    assert "CREATE TABLE actors" in result.output
    from sqlalchemy.engine import make_url

    u = make_url(url)
    proc = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", u.host or "127.0.0.1",
                           "-p", str(u.port or 5432), "-U", u.username or "postgres", "-d", u.database],
                          input=result.output, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert api.current(url)[0] == HEAD
    from alembic import command

    command.check(migrate.alembic_config(url))  # raises if the models and the database differ
    api.upgrade(url)  # builds the report views, which the DDL alone does not
    assert api.check(url) == []


def test_password_never_shown(tmp_path):
    url = "postgresql+psycopg://someone:s3cret-pw@127.0.0.1:1/nowhere"
    result = CliRunner().invoke(cli, ["--db", url, "db", "current"])
    assert result.exit_code == 1
    assert "s3cret-pw" not in result.output and "Traceback" not in result.output


def test_a_server_database_is_not_created_implicitly():
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
    result = CliRunner().invoke(cli, ["--db", url, "report", "run", "sources"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and len(result.output.splitlines()) == 1


def test_unknown_revision_is_wrong_use_and_leaves_no_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = CliRunner().invoke(cli, ["--db", url, "db", "upgrade", "nosuch"])
    assert result.exit_code == 2
    assert result.output.endswith("Error: Can't locate revision identified by 'nosuch'\n")
    assert not (tmp_path / "new.db").exists()


def test_downgrade_sql_needs_a_range_and_prints_it():
    url = "postgresql+psycopg://nobody@127.0.0.1:1/offline"  # offline SQL connects to nothing
    wrong = CliRunner().invoke(cli, ["--db", url, "db", "downgrade", "base", "--sql"])
    assert wrong.exit_code == 2 and "downgrade --sql needs a range FROM:TO, e.g. 0002:base" in wrong.output
    right = CliRunner().invoke(cli, ["--db", url, "db", "downgrade", f"{HEAD}:base", "--sql"])
    assert right.exit_code == 0, right.output
    assert "DROP TABLE report_views" in right.stdout and "DROP TABLE actors" in right.stdout


def test_downgrade_backs_up_an_sqlite_file(sqlite_seeded):
    path = Path(sqlite_seeded.removeprefix("sqlite:///"))
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    backups = list(path.parent.glob(f"{path.name}.*.bak"))
    assert len(backups) == 1 and f"backed up the database to {backups[0]}" in result.stderr
    assert _rows(f"sqlite:///{backups[0]}")["actors"]


def test_check_notices_a_view_dropped_by_hand(seeded_url):
    engine = create_engine(seeded_url)
    with engine.begin() as conn:
        conn.execute(text("drop view report_money"))
    engine.dispose()
    result = CliRunner().invoke(cli, ["--db", seeded_url, "db", "check"])
    assert result.exit_code == 1
    assert "- view report_money is missing: run `accords db upgrade` to rebuild it" in result.output


def test_output_file_that_cannot_be_written_is_one_line(sqlite_seeded):
    result = CliRunner().invoke(cli, ["--db", sqlite_seeded, "sql", "select 1", "-o", "/nonexistent/dir/out.csv"])
    assert result.exit_code == 1
    assert result.output == "Error: cannot write /nonexistent/dir/out.csv: No such file or directory\n"


def test_commands_that_read_do_not_create_an_empty_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.db'}"
    for args in (["export"], ["db", "check"], ["db", "current"]):
        CliRunner().invoke(cli, ["--db", url, *args])
    assert not (tmp_path / "none.db").exists()
