"""Key facts of the seed article, asked in SQL as an analyst would, on every engine.

Each test pins what the article says, and what it leaves unknown, which must
come back unknown (NULL), with inferred values only in `inferences`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text


@pytest.fixture
def ask(shared_seeded_url):
    engine = create_engine(shared_seeded_url)

    def query(sql: str, **params):
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]

    yield query
    engine.dispose()


def _day(value):
    return None if value is None else dt.date.fromisoformat(str(value))


def test_oil_contract_money_is_one_exact_amount_with_two_pieces_of_evidence(ask):
    rows = ask("select m.amount, m.currency, m.qualifier, m.stage, m.amount_text from amounts m "
               "join agreements a on a.id = m.agreement_id where a.slug = 'afghan-oil-extraction-contract'")
    assert [(Decimal(str(r[0])), *r[1:]) for r in rows] == [(Decimal("150000000"), "USD", "exact", "contracted", "$150 million")]
    assert ask("select count(*) from evidence e join agreements a on a.id = e.agreement_id "
               "where a.slug = 'afghan-oil-extraction-contract'") == [(2,)]


def test_planned_investment_is_more_than_540_million_on_the_project(ask):
    rows = ask("select p.slug, m.amount, m.qualifier, m.stage from amounts m join projects p on p.id = m.project_id")
    assert [(r[0], Decimal(str(r[1])), r[2], r[3]) for r in rows] == [
        ("afghan-oil-extraction", Decimal("540000000"), "more_than", "planned")]


def test_in_2023_is_a_year_not_a_day(ask):
    (row,) = ask("select signed_precision, signed_text, signed_earliest, signed_latest from agreements "
                 "where slug = 'afghan-oil-extraction-contract'")
    assert (row[0], row[1], _day(row[2]), _day(row[3])) == ("year", "In 2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31))


def test_the_road_to_xinjiang(ask):
    (row,) = ask("select status, started_precision, started_text, location_text from projects where slug = 'pamir-xinjiang-road'")
    assert row == ("under_construction", "year", "Also In 2023", "Afghanistan’s Pamir Mountains to China’s Xinjiang region")
    assert ask("select a.slug, pp.role from project_participants pp join projects p on p.id = pp.project_id "
               "join actors a on a.id = pp.actor_id where p.slug = 'pamir-xinjiang-road' and pp.role = 'builder'") == [
        ("china", "builder")]


def test_doha_agreement_parties_and_a_date_known_only_by_inference(ask):
    assert sorted(ask("select a.slug, p.role from agreement_parties p join agreements g on g.id = p.agreement_id "
                      "join actors a on a.id = p.actor_id where g.slug = 'doha-agreement'")) == [
        ("taliban", "signatory"), ("united-states", "signatory")]
    (row,) = ask("select status, signed_precision, signed_text, signed_earliest, signed_latest from agreements "
                 "where slug = 'doha-agreement'")
    assert row == ("disputed", "relative", "four years ago", None, None)
    (inferred,) = ask("select i.earliest from inferences i join agreements a on a.id = i.agreement_id "
                      "where a.slug = 'doha-agreement' and i.field = 'date'")
    assert _day(inferred[0]) == dt.date(2020, 2, 29)


def test_doha_obligations_and_the_accusations_of_breach(ask):
    owed = dict(ask("select a.slug, o.description from agreement_obligations o join agreements g on g.id = o.agreement_id "
                    "join actors a on a.id = o.obligor_actor_id where g.slug = 'doha-agreement'"))
    assert owed["taliban"].startswith("to engage in meaningful dialogue with fellow Afghans")
    assert owed["united-states"].startswith("normalize its relations with the future government in Afghanistan")
    accusations = ask(
        "select sp.slug, s.is_direct_quote, ac.slug from statements s join actors sp on sp.id = s.speaker_actor_id "
        "join statement_subjects su on su.statement_id = s.id and su.role = 'accused' "
        "join actors ac on ac.id = su.actor_id where s.kind = 'accusation' "
        "and exists (select 1 from statement_subjects x join agreements g on g.id = x.agreement_id "
        "where x.statement_id = s.id and g.slug = 'doha-agreement') order by sp.slug")
    assert [(a, bool(q), b) for a, q, b in accusations] == [
        ("taliban-spokesperson", True, "united-states"), ("united-states", False, "taliban")]


def test_the_spokesperson_is_unnamed_and_belongs_to_the_taliban(ask):
    (row,) = ask("select a.is_named, a.kind, p.slug from actors a left join actors p on p.id = a.parent_id "
                 "where a.slug = 'taliban-spokesperson'")
    assert (bool(row[0]), row[1], row[2]) == (False, "government_official", "taliban")


def test_unnamed_state_owned_companies_stay_unnamed(ask):
    (row,) = ask("select a.name, a.is_named, a.country, p.slug from actors a left join actors p on p.id = a.parent_id "
                 "where a.slug = 'chinese-state-owned-companies'")
    assert row[0].startswith("[unnamed") and not row[1] and row[2:] == ("CN", "china")


def test_fourth_of_march_has_no_stated_year(ask):
    (row,) = ask("select occurred_precision, occurred_text, occurred_earliest from events "
                 "where slug = 'chinese-traders-meet-minister-of-mines'")
    assert row == ("day_without_year", "4th of March", None)
    assert ask("select count(*) from inferences i join events e on e.id = i.event_id "
               "where e.slug = 'chinese-traders-meet-minister-of-mines'") == [(1,)]


def test_ambassadors_exchanged_in_late_2022_and_early_2023(ask):
    (row,) = ask("select kind, signed_precision, signed_text from agreements where slug = 'china-taliban-ambassador-exchange'")
    assert row == ("diplomatic_exchange", "part_of_year", "late 2022 and early 2023")


def test_china_does_not_recognize_the_taliban_but_hosts_its_representative(ask):
    rows = set(ask("select s.slug, r.kind, o.slug from actor_relations r join actors s on s.id = r.subject_actor_id "
                   "join actors o on o.id = r.object_actor_id"))
    assert ("china", "does_not_recognize", "taliban") in rows
    assert ("taliban", "diplomatic_representation", "china") in rows


def test_kabul_means_two_different_actors(ask):
    rows = ask("select a.slug, e.quote from actor_aliases al join actors a on a.id = al.actor_id "
               "join evidence e on e.alias_id = al.id where al.alias = 'Kabul' order by a.slug")
    assert [r[0] for r in rows] == ["afghan-government", "taliban"]
    assert "between Beijing and Kabul" in rows[1][1]


def test_the_articles_own_voice_is_kept_apart(ask):
    (row,) = ask("select count(*), sum(case when speaker_actor_id is null then 1 else 0 end) from statements "
                 "where voice = 'source'")
    assert row[0] > 20 and row[0] == row[1]


def test_the_source_names_no_author_publisher_url_or_date(ask):
    assert ask("select author, publisher, url, published_earliest, published_precision from sources") == [
        (None, None, None, None, "unknown")]
