"""The seed loader: checks every quote, is idempotent and all-or-nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import edited_small_source
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import NoResultFound

from db import api, load, models
from db.errors import ValidationError


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in models.metadata.sorted_tables}
    engine.dispose()
    return counts


def _bad_seed(tmp_path: Path, old: str, new: str) -> Path:
    return edited_small_source(tmp_path, old, new, "bad.yaml")


def test_seed_twice_gives_the_same_rows(fresh_url, snapshot):
    first = api.seed_database(fresh_url)
    after_first = snapshot(fresh_url)
    second = api.seed_database(fresh_url)
    assert first.changed and not second.changed
    assert snapshot(fresh_url) == after_first
    assert all(after_first[t] for t in ("sources", "actors", "agreements", "evidence"))


def test_quote_not_in_article_fails_naming_the_quote_and_changes_nothing(seeded_url, snapshot, tmp_path):
    bad = _bad_seed(tmp_path, '"Beijing is aggressively expanding its footprint in Afghanistan"',
                    '"Beijing is peacefully expanding its footprint in Afghanistan"')
    before = snapshot(seeded_url)
    with pytest.raises(ValidationError) as failure:
        api.seed_database(seeded_url, bad)
    assert failure.value.problems[0] == (
        f"{bad}: actors[0].evidence[0]: quote not found in the source text: "
        "'Beijing is peacefully expanding its footprint in Afghanistan'"
    )
    assert snapshot(seeded_url) == before


def test_a_failure_while_writing_leaves_the_database_as_it_was(seeded_url, snapshot, monkeypatch):
    before = snapshot(seeded_url)
    plan = load.plan_file(load.seed_path())
    plan.digest = "0" * 64  # pretend the file changed, so the loader replaces the facts
    plan.rows.append(load.Row("agreement_parties", {"role": "signatory"}, plan.rows[0].evidence,
                              key=("x",), refs={"agreement_id": ("agreements", "no-such-agreement"),
                                                "actor_id": ("actors", "china")}))
    engine = create_engine(seeded_url)
    with pytest.raises(NoResultFound):
        load.write_plan(engine, plan)
    engine.dispose()
    assert snapshot(seeded_url) == before


def test_every_problem_is_reported_at_once(tmp_path):
    bad = _bad_seed(tmp_path, "kind: contract", "kind: handshake")
    content = bad.read_text(encoding="utf-8").replace("currency: USD", "currency: usd", 1)
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError) as failure:
        load.plan_file(bad)
    problems = failure.value.problems
    assert any(re.search(r"agreements\[0\]\.kind: 'handshake' is not one of: contract, ", p) for p in problems)
    assert any(re.search(r"agreements\[0\]\.amounts\[0\]\.currency: 'usd' does not match", p) for p in problems)
    assert len(problems) == 2


@pytest.mark.parametrize(("old", "new", "message"), [
    ("parent: china", "parent: atlantis", "actors[2].parent: unknown actor 'atlantis'"),
    ("signed: {text: \"In 2023\", year: 2023}",
     "signed: {text: \"In 2023\", precision: year, earliest: \"2023-12-31\", latest: \"2023-01-01\"}",
     "agreements[0].signed: latest date 2023-01-01 is before earliest date 2023-12-31"),
    ("signed: {text: \"In 2023\", year: 2023}", "signed: {text: \"In 2024\", year: 2024}",
     "agreements[0].signed.text: date words 'In 2024' do not occur in the source text"),
    ('text: "$150 million"', 'text: "$160 million"',
     "agreements[0].amounts[0].text: '$160 million' does not occur in the amount's evidence"),
])
def test_semantic_problems_name_the_path_and_the_reason(tmp_path, old, new, message):
    bad = _bad_seed(tmp_path, old, new)
    with pytest.raises(ValidationError) as failure:
        load.plan_file(bad)
    assert f"{bad}: {message}" in failure.value.problems


def test_amounts_are_exact_decimals_never_floats(tmp_path):
    bad = _bad_seed(tmp_path, "amount: 150000000", "amount: 150000000.5")
    with pytest.raises(ValidationError) as failure:
        load.plan_file(bad)
    assert "agreements[0].amounts[0].amount" in failure.value.problems[0]


def test_every_fact_row_has_evidence_that_matches_the_source_text(shared_seeded_url):
    engine = create_engine(shared_seeded_url)
    ev = models.Evidence.__table__
    with engine.connect() as conn:
        for column, table_name in models.FACT_TARGETS.items():
            table = models.metadata.tables[table_name]
            unsupported = conn.execute(
                select(table.c.id).where(~select(ev.c.id).where(ev.c[column] == table.c.id).exists())
            ).all()
            assert unsupported == [], f"{table_name} rows without evidence: {unsupported}"
        content = dict(conn.execute(text("select id, content from sources")).all())
        for source_id, start, end, quote in conn.execute(text("select source_id, char_start, char_end, quote from evidence")):
            assert content[source_id][start:end] == quote
    engine.dispose()


def test_unknowns_stay_unknown(shared_seeded_url):
    engine = create_engine(shared_seeded_url)
    with engine.connect() as conn:
        soe = conn.execute(text("select name, is_named from actors where slug = 'chinese-state-owned-companies'")).one()
        source = conn.execute(text("select author, publisher, url, published_earliest, published_precision from sources")).one()
        doha = conn.execute(text(
            "select signed_earliest, signed_latest, signed_precision, signed_text from agreements where slug = 'doha-agreement'"
        )).one()
        inferred = conn.execute(text(
            "select i.earliest, i.reasoning from inferences i join agreements a on a.id = i.agreement_id"
            " where a.slug = 'doha-agreement' and i.field = 'date'"
        )).one()
    engine.dispose()
    assert soe.name.startswith("[unnamed") and not soe.is_named
    assert tuple(source) == (None, None, None, None, "unknown")
    assert tuple(doha) == (None, None, "relative", "four years ago")
    assert str(inferred.earliest) == "2020-02-29" and "outside knowledge" in inferred.reasoning
