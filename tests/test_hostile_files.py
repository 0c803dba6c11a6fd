"""Hostile input files: each problem is one line `Error: FILE: path: reason`, exit 1, and the database unchanged."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ENGINES, new_database, take_snapshot

from db import api, load
from db.cli import cli
from db.errors import ValidationError

DATA = Path(__file__).parent / "data"
SMALL = DATA / "oil-contract.yaml"
TEXT_NAME = "beijing-and-taliban-build-an-alliance.txt"
TEXT_LINE = f"text_file: {TEXT_NAME}"
SIGNED = 'signed: {text: "In 2023", year: 2023}'


@pytest.fixture(scope="module", params=ENGINES)
def hostile_db(request, scratch, tmp_path_factory) -> str:
    """A seeded database on each engine, shared by the tests of this module (each proves it unchanged)."""
    url = new_database(request.param, scratch, tmp_path_factory.mktemp("hostile"))
    api.upgrade(url)
    api.seed_database(url)
    return url


def small(tmp_path: Path, old: str = "", new: str = "", name: str = "bad.yaml") -> Path:
    """tests/data/oil-contract.yaml with one edit, and its text file beside it."""
    shutil.copyfile(DATA / TEXT_NAME, tmp_path / TEXT_NAME)
    content = SMALL.read_text(encoding="utf-8")
    assert old in content, f"test setup: {old!r} not in {SMALL.name}"
    path = tmp_path / name
    path.write_text(content.replace(old, new, 1), encoding="utf-8")
    return path


def written(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def laughs(levels: int) -> str:
    """A "billion laughs" document: each level lists the previous one nine times through an alias."""
    lines = ["format: 1", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def deep_json(depth: int) -> str:
    return '{"format": 1, "x": ' + "[" * depth + "]" * depth + "}"


# (case id, make the file in tmp_path, the message after "Error: FILE: ")
CASES = [
    ("yaml control character", lambda t: written(t, "bell.yaml", 'format: 1\nsource:\n  title: "a\x07b"\n'),
     "line 3, column 12: invalid YAML: unacceptable character #x0007: control characters are not allowed"),
    ("text_file absolute", lambda t: small(t, TEXT_LINE, "text_file: /etc/passwd"),
     "source.text_file: '/etc/passwd': must be a path relative to this file's folder, not an absolute path"),
    ("text_file dotdot", lambda t: small(t, TEXT_LINE, "text_file: ../../../etc/passwd"),
     "source.text_file: '../../../etc/passwd': leads outside this file's folder (text files must be in it or below it)"),
    ("text_file directory", lambda t: small(t, TEXT_LINE, "text_file: ."),
     "source.text_file: '.': not a regular file but a directory"),
    ("text_file missing", lambda t: small(t, TEXT_LINE, "text_file: nowhere.txt"),
     "source.text_file: cannot read 'nowhere.txt': No such file or directory"),
    ("text_file not utf-8", lambda t: (written(t, "latin.txt", "café\n".encode("latin-1")),
                                       small(t, TEXT_LINE, "text_file: latin.txt"))[1],
     "source.text_file: 'latin.txt': line 1: not UTF-8 text (byte 3)"),
    ("text_file nul", lambda t: (written(t, "nul.txt", b"In 2023\x00"), small(t, TEXT_LINE, "text_file: nul.txt"))[1],
     "source.text_file: 'nul.txt': line 1: a NUL character (text files have none)"),
    ("month 0000", lambda t: small(t, SIGNED, 'signed: {text: "In 2023", month: "0000-05"}'),
     "agreements[0].signed.month: '0000-05' is not a valid month (YYYY-MM)"),
    ("month 13", lambda t: small(t, SIGNED, 'signed: {text: "In 2023", month: "2023-13"}'),
     "agreements[0].signed.month: '2023-13' is not a valid month (YYYY-MM)"),
    ("day 0000", lambda t: small(t, SIGNED, 'signed: {text: "In 2023", day: "0000-01-01"}'),
     "agreements[0].signed.day: '0000-01-01' is not a valid date (YYYY-MM-DD)"),
    ("day 2023-13-01", lambda t: small(t, SIGNED, 'signed: {text: "In 2023", day: "2023-13-01"}'),
     "agreements[0].signed.day: '2023-13-01' is not a valid date (YYYY-MM-DD)"),
    ("day 2023-02-30", lambda t: small(t, SIGNED, 'signed: {text: "In 2023", day: "2023-02-30"}'),
     "agreements[0].signed.day: '2023-02-30' is not a valid date (YYYY-MM-DD)"),
    ("year and day", lambda t: small(t, SIGNED, 'signed: {text: "In 2023", year: 2023, day: "2024-05-01"}'),
     "agreements[0].signed: gives year, day, which may disagree: give one of year, month or day, "
     "or precision with earliest/latest"),
    ("year and earliest", lambda t: small(t, SIGNED, 'signed: {text: "In 2023", year: 2024, precision: year, '
                                                   'earliest: "2023-01-01", latest: "2023-12-31"}'),
     "agreements[0].signed: gives year, precision, earliest, latest, which may disagree: give one of year, "
     "month or day, or precision with earliest/latest"),
    ("month with another precision", lambda t: small(t, SIGNED, 'signed: {text: "In 2023", month: "2023-05", '
                                                              'precision: day}'),
     "agreements[0].signed: gives month, precision, which may disagree: give one of year, month or day, "
     "or precision with earliest/latest"),
    ("year as float", lambda t: small(t, SIGNED, 'signed: {text: "In 2023", year: 2023.0}'),
     "agreements[0].signed.year: must be an integer, not a number (2023.0)"),
    ("duplicate yaml key", lambda t: small(t, "  slug: test-oil-contract\n", "  slug: test-oil-contract\n  slug: other\n"),
     "source: duplicate key 'slug' (line 7)"),
    ("duplicate json key", lambda t: written(t, "bad.json", '{"format": 1, "source": {"slug" : "a", "slug": "b"}}'),
     "source: duplicate key 'slug'"),
    ("billion laughs", lambda t: written(t, "bad.yaml", laughs(9)), None),
    ("merge key", lambda t: written(t, "bad.yaml", "format: 1\na: &a {x: 1}\nb: {<<: *a}\n"),
     "line 3, column 5: invalid YAML: merge keys ('<<') are not supported"),
    ("timestamp tag", lambda t: written(t, "bad.yaml", "format: 1\nx: !!timestamp 2001-12-14\n"),
     "line 2, column 4: invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:timestamp'"),
    ("integer key", lambda t: written(t, "bad.yaml", "format: 1\n1: x\n"),
     "line 2, column 1: invalid YAML: a key must be text, not an integer"),
    ("deep json", lambda t: written(t, "bad.json", deep_json(50_000)),
     f"nested more than {load.MAX_DEPTH} levels deep"),
    ("deep json within the parser's reach", lambda t: written(t, "bad.json", deep_json(500)),
     "x" + "[0]" * (load.MAX_DEPTH - 1) + f": nested more than {load.MAX_DEPTH} levels deep"),
    ("deep yaml", lambda t: written(t, "bad.yaml", "format: 1\nx: " + "[" * 900 + "]" * 900 + "\n"),
     "x" + "[0]" * (load.MAX_DEPTH - 1) + f": nested more than {load.MAX_DEPTH} levels deep"),
    ("5000 digits yaml", lambda t: written(t, "bad.yaml", "format: 1\nx: " + "9" * 5000 + "\n"),
     f"line 2, column 4: a number of 5,000 digits (the limit is {load.MAX_INT_DIGITS})"),
    ("5000 digits json", lambda t: written(t, "bad.json", '{"format": 1,\n "x": ' + "9" * 5000 + "}"),
     f"line 2, column 7: a number of 5,000 digits (the limit is {load.MAX_INT_DIGITS})"),
    ("long hex", lambda t: written(t, "bad.yaml", "format: 1\nx: 0x" + "f" * 5000 + "\n"),
     f"x: a number of more than {load.MAX_INT_DIGITS} digits"),
    ("invalid utf-8", lambda t: written(t, "bad.yaml", b"format: 1\nx: \xff\n"), "line 2: not UTF-8 text (byte 13)"),
    ("nul byte", lambda t: written(t, "bad.yaml", b"format: 1\nx: a\x00b\n"),
     "line 2: a NUL character (text files have none)"),
    ("nul escape json", lambda t: written(t, "bad.json", '{"format": 1, "x": "a\\u0000b"}'),
     "x: a NUL character (text holds none)"),
    ("lone surrogate json", lambda t: written(t, "bad.json", '{"format": 1, "x": "a\\ud800b"}'),
     "x: an unpaired surrogate escape (\\ud800-\\udfff): not Unicode text"),
    ("empty yaml", lambda t: written(t, "bad.yaml", b""), "the file holds no source"),
    ("empty json", lambda t: written(t, "bad.json", b""), "line 1, column 1: invalid JSON: Expecting value"),
    ("a list", lambda t: written(t, "bad.yaml", "- a\n- b\n"), "(top level): must be object, not a list"),
    ("a scalar", lambda t: written(t, "bad.json", '"x"'), "(top level): must be object, not text"),
    ("huge string", lambda t: small(t, "kind: contract", "kind: " + "x" * 1_000_000),
     f"agreements[0].kind: text of 1,000,000 bytes, more than the limit of {load.MAX_STRING_BYTES:,}"),
    ("long actor name", lambda t: small(t, "name: China", "name: " + "C" * 300),
     "actors[0].name: longer than 200 characters ('" + "C" * 57 + "...')"),
    ("inherited evidence too large", lambda t: inherited_evidence(t),
     "(top level): its evidence would write 67,116,006 characters of quotes, more than the limit of "
     f"{load.MAX_EVIDENCE_CHARS:,} (facts repeat the evidence of the fact they belong to)"),
]


def inherited_evidence(tmp_path: Path) -> Path:
    """An agreement whose long evidence every one of many parties inherits: a small file, gigabytes of rows."""
    text = "A" * 6000 + " signed."
    parties = ", ".join(["{actor: acme, role: signatory}"] * 11_185)
    return written(tmp_path, "bad.yaml", f"""format: 1
source: {{slug: inherit, title: Inherit, kind: news_article, text: "{text}"}}
actors:
  - {{slug: acme, name: Acme, kind: company, evidence: ["signed"]}}
agreements:
  - slug: inherit-deal
    title: Deal
    kind: contract
    status: signed
    parties: [{parties}]
    evidence: [{{quote: "{'A' * 6000}", start: 0}}]
""")


def laughs_message(levels: int) -> str:
    """The message for laughs(levels), from the sizes of its levels (a list is 1 plus its items; "lol" is 1 + 3)."""
    limit = 2 * len(laughs(levels).encode()) + load.MAX_ALIAS_GROWTH
    size, level = 1 + 9 * 4, 0
    while size <= limit:
        size, level = 1 + 9 * size, level + 1
    assert level < levels, "test setup: the document is within the limit"
    return (f"l{level}: YAML aliases expand this to {size:,} values and characters, more than the limit of "
            f"{limit:,} for this file")


def ingest(url: str, *args: str):
    return CliRunner().invoke(cli, ["--db", url, "ingest", *args])


@pytest.mark.parametrize(("make", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_hostile_file_is_one_line_exit_1_and_changes_nothing(hostile_db, tmp_path, make, message):
    bad = make(tmp_path)
    message = message or laughs_message(9)
    before = take_snapshot(hostile_db)
    result = ingest(hostile_db, str(bad))
    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: {bad}: {message}\n"
    assert take_snapshot(hostile_db) == before


def test_db_seed_refuses_a_hostile_file_too(hostile_db, tmp_path):
    bad = small(tmp_path, TEXT_LINE, "text_file: /etc/passwd")
    before = take_snapshot(hostile_db)
    result = CliRunner().invoke(cli, ["--db", hostile_db, "db", "seed", str(bad)])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {bad}: source.text_file: '/etc/passwd': must be a path relative to this "
                             "file's folder, not an absolute path\n")
    assert take_snapshot(hostile_db) == before


def test_a_good_file_in_the_same_run_is_rolled_back_with_the_bad_one(hostile_db, tmp_path):
    good = small(tmp_path, name="good.yaml")
    bad = written(tmp_path, "bad.json", '{"format": 1, "x": "a\\u0000b"}')
    before = take_snapshot(hostile_db)
    result = ingest(hostile_db, str(good), str(bad))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad}: x: a NUL character (text holds none)\n"
    assert take_snapshot(hostile_db) == before


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_a_symlink_out_of_the_folder_is_refused(hostile_db, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copyfile(DATA / TEXT_NAME, outside / TEXT_NAME)
    folder = tmp_path / "sources"
    folder.mkdir()
    bad = small(folder, TEXT_LINE, "text_file: link.txt")
    (folder / "link.txt").symlink_to(outside / TEXT_NAME)
    before = take_snapshot(hostile_db)
    result = ingest(hostile_db, str(bad))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {bad}: source.text_file: 'link.txt': leads outside this file's folder "
                             "(text files must be in it or below it)\n")
    assert take_snapshot(hostile_db) == before


def test_a_text_file_in_a_subfolder_is_read(tmp_path):
    (tmp_path / "texts").mkdir()
    bad = small(tmp_path, TEXT_LINE, f"text_file: texts/{TEXT_NAME}")
    shutil.copyfile(DATA / TEXT_NAME, tmp_path / "texts" / TEXT_NAME)
    [plan] = load.plan_documents(bad)
    assert plan.source["content"] == (DATA / TEXT_NAME).read_text(encoding="utf-8")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(hostile_db, tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(load.MAX_FILE_BYTES + 1)  # sparse: no disk used
    before = take_snapshot(hostile_db)
    result = ingest(hostile_db, str(big))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {big}: the file is {load.MAX_FILE_BYTES + 1:,} bytes, more than the limit "
                             f"of {load.MAX_FILE_BYTES // 2**20} MiB\n")
    assert take_snapshot(hostile_db) == before


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess, killed after 60 s: a read that blocks fails the test instead of hanging it."""
    return subprocess.run([sys.executable, "-m", "db", *args], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parent.parent)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_is_refused_without_blocking(hostile_db, tmp_path):
    fifo = tmp_path / "source.yaml"
    os.mkfifo(fifo)
    text_fifo = tmp_path / "text.txt"
    os.mkfifo(text_fifo)
    named = small(tmp_path, TEXT_LINE, "text_file: text.txt", "named.yaml")
    before = take_snapshot(hostile_db)
    result = _run_cli("--db", hostile_db, "ingest", str(fifo), str(named))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"Error: {fifo}: not a regular file but a FIFO (named pipe)",
        f"Error: {named}: source.text_file: 'text.txt': not a regular file but a FIFO (named pipe)",
    ]
    assert take_snapshot(hostile_db) == before


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="/dev/zero")
def test_a_device_is_refused(hostile_db):
    before = take_snapshot(hostile_db)
    result = _run_cli("--db", hostile_db, "ingest", "/dev/zero")
    assert (result.returncode, result.stderr) == (1, "Error: /dev/zero: not a regular file but a character device\n")
    assert take_snapshot(hostile_db) == before


def test_a_directory_argument_is_wrong_use(hostile_db, tmp_path):
    result = ingest(hostile_db, str(tmp_path))
    assert result.exit_code == 2
    assert f"'{tmp_path}' is a directory" in result.stderr


def test_a_directory_given_to_the_library_is_one_line(tmp_path):
    with pytest.raises(ValidationError) as caught:
        load.plan_documents(tmp_path)
    assert caught.value.problems == [f"{tmp_path}: not a regular file but a directory"]


def test_a_few_aliases_are_fine(tmp_path):
    good = written(tmp_path, "good.yaml", """format: 1
source: {slug: aliased, title: Aliased, kind: news_article, text: "In 2023, Acme signed a contract with Beijing."}
actors:
  - {slug: acme, name: Acme, kind: company, evidence: &ev ["In 2023, Acme signed a contract with Beijing."]}
  - {slug: china, name: China, kind: state, aliases: [Beijing], evidence: *ev}
""")
    [plan] = load.plan_documents(good)
    assert [r.values["slug"] for r in plan.rows if r.table == "actors"] == ["acme", "china"]


def test_no_sqlite_file_is_created_for_a_hostile_file(tmp_path):
    target = tmp_path / "new.db"
    bad = written(tmp_path, "bad.yaml", laughs(9))
    result = ingest(f"sqlite:///{target}", str(bad))
    assert result.exit_code == 1
    # the loader creates and upgrades a new SQLite file before checking (as it always has); no rows go in
    if target.exists():
        from sqlalchemy import create_engine, text
        engine = create_engine(f"sqlite:///{target}")
        with engine.connect() as conn:
            assert conn.execute(text("select count(*) from sources")).scalar() == 0
        engine.dispose()


def test_an_unexpected_failure_is_one_line_with_every_secret_masked(monkeypatch, capsys):
    """A failure accords did not foresee (a bug, a driver's surprise such as psycopg's TypeError for
    ``?prepare_threshold=abc``) is one line on stderr, exit 1, with the passwords of every URL given
    masked; ACCORDS_TRACEBACK=1 lets the traceback through for a bug report."""
    from db import cli

    url = "postgresql+psycopg://reader:s3cret-pw@db.example/accords?sslpassword=k3y-phrase"

    def broken(*args, **kwargs):
        raise TypeError(f"cannot use {url} (password s3cret-pw, key k3y-phrase): '>=' on int and str")

    monkeypatch.setattr(cli, "cli", broken)
    monkeypatch.setattr(sys, "argv", ["accords", "--db", url, "db", "current"])
    monkeypatch.setenv("ACCORDS_READ_URL", "mysql+pymysql://r:other-pw@h/d")
    monkeypatch.delenv("ACCORDS_TRACEBACK", raising=False)
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("Error: TypeError: cannot use ")
    assert "'>=' on int and str" in err and "please report it" in err
    assert "s3cret-pw" not in err and "k3y-phrase" not in err
    monkeypatch.setattr(cli, "cli", lambda *a, **k: (_ for _ in ()).throw(ValueError("pw other-pw here")))
    with pytest.raises(SystemExit):
        cli.main()
    assert "other-pw" not in capsys.readouterr().err
    # a password written URL-encoded in the URL, decoded in the message
    monkeypatch.setattr(sys, "argv", ["accords", "--db=mysql+pymysql://u:s3cr%40t-pw@h/db", "db", "current"])
    monkeypatch.setattr(cli, "cli", lambda *a, **k: (_ for _ in ()).throw(ValueError("login u:s3cr@t-pw refused")))
    with pytest.raises(SystemExit):
        cli.main()
    assert "s3cr@t-pw" not in capsys.readouterr().err
    monkeypatch.setenv("ACCORDS_TRACEBACK", "1")
    with pytest.raises(ValueError):
        cli.main()


def test_a_driver_option_that_fails_after_connecting_is_one_line():
    """psycopg takes ``?prepare_threshold=abc`` as a connection option, then fails comparing it at the
    first statement: a TypeError that printed a traceback."""
    server = os.environ.get("ACCORDS_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("needs PostgreSQL: set ACCORDS_TEST_POSTGRES_URL (see README, Development)")
    from sqlalchemy.engine import make_url

    url = make_url(server).set(password="pw-in-url", query={"prepare_threshold": "abc"})
    result = _run_cli("--db", url.render_as_string(hide_password=False), "db", "current")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert "pw-in-url" not in result.stderr


def test_a_byte_order_mark_is_not_part_of_a_text_file(tmp_path):
    """A text file saved with a UTF-8 byte order mark (as some editors do) stores the same text, and so
    the same positions, as without one: kept, the mark shifted every evidence span by one character."""
    from db.load.read import read_text_file

    plain = (DATA / TEXT_NAME).read_bytes()
    (tmp_path / "with-bom.txt").write_bytes(b"\xef\xbb\xbf" + plain)
    (tmp_path / "plain.txt").write_bytes(plain)
    source = tmp_path / "source.yaml"
    assert read_text_file(source, "with-bom.txt") == read_text_file(source, "plain.txt") == plain.decode()
    (tmp_path / "inner.txt").write_bytes(b"a\xef\xbb\xbfb")  # a mark inside the text is a character of it
    assert read_text_file(source, "inner.txt") == "a\ufeffb"


def test_a_source_whose_text_file_has_a_byte_order_mark_loads_as_without(tmp_path):
    from db import api

    url = f"sqlite:///{tmp_path / 'bom.db'}"
    path = small(tmp_path, "slug: test-oil-contract", "slug: test-oil-contract", "source.yaml")
    text = tmp_path / TEXT_NAME
    text.write_bytes(b"\xef\xbb\xbf" + text.read_bytes())
    api.upgrade(url)
    api.ingest(url, [path])
    plain = (DATA / TEXT_NAME).read_text(encoding="utf-8")
    from db.engine import open_database

    with open_database(url) as database, database.engine.connect() as conn:
        from sqlalchemy import text as sql

        assert conn.execute(sql("select content from sources where slug = 'test-oil-contract'")).scalar() == plain
