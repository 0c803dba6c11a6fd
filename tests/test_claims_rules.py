"""The rules of db/claims.py on their own (no database): refine, corroborate, conflict, and their edges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from db.claims import ClaimValue, compatible, resolve, states

D = dt.date


def date(cid: int, source: int, earliest: dt.date | None, latest: dt.date | None, words: str = "",
         grade: str | None = None) -> ClaimValue:
    return ClaimValue(cid, source, "signed", ("agreement_id", 1, "signed"), ("agreement_id", 1), words or None,
                      grade, earliest, latest, "day")


def amount(cid: int, source: int, value: int, qualifier: str = "exact", period: str | None = None,
           row: int = 1, currency: str = "USD") -> ClaimValue:
    return ClaimValue(cid, source, "amount", ("agreement_id", 1, "amount", "contracted"), ("amount_id", row),
                      f"${value}", None, amount=Decimal(value), currency=currency, qualifier=qualifier, period=period)


def year(cid: int, source: int, y: int, grade: str | None = None) -> ClaimValue:
    return date(cid, source, D(y, 1, 1), D(y, 12, 31), f"in {y}", grade)


def test_a_day_refines_its_year_and_supports_it():
    out = resolve([year(1, 1, 2023), date(2, 2, D(2023, 1, 5), D(2023, 1, 5))])
    assert out.support == {1: 2, 2: 1} and not out.disputed and not out.conflicts
    assert out.record[(("agreement_id", 1), "signed")].id == 2


def test_a_day_of_another_year_conflicts():
    out = resolve([year(1, 1, 2023), date(2, 2, D(2022, 5, 1), D(2022, 5, 1))])
    assert out.disputed == {1, 2} and len(out.conflicts) == 1


def test_ranges_that_only_overlap_conflict_and_nested_parts_of_years_refine():
    late_2022_early_2023 = date(1, 1, D(2022, 9, 1), D(2023, 4, 30))
    late_2022 = date(2, 2, D(2022, 9, 1), D(2022, 12, 31))
    all_2023 = year(3, 3, 2023)
    assert compatible(late_2022_early_2023, late_2022) and states(late_2022, late_2022_early_2023)
    assert not compatible(late_2022_early_2023, all_2023)  # overlapping, not nested


def test_a_relative_date_is_compared_with_nothing():
    relative = date(2, 2, None, None, "last year")
    out = resolve([year(1, 1, 2022), relative])
    assert not out.disputed and out.support[2] == 1


def test_claims_of_one_source_never_conflict_with_each_other():
    out = resolve([year(1, 1, 2022), year(2, 1, 2023)])
    assert not out.disputed


def test_the_record_of_a_dispute_is_the_best_supported_then_best_graded_side():
    out = resolve([year(1, 1, 2023), year(2, 2, 2023), year(3, 3, 2022, grade="A")])
    assert out.record[(("agreement_id", 1), "signed")].id == 1  # two sources beat one graded A
    out = resolve([year(1, 1, 2023), year(3, 3, 2022, grade="C")])
    assert out.record[(("agreement_id", 1), "signed")].id == 3  # fairly reliable beats ungraded
    out = resolve([year(1, 1, 2023), year(3, 3, 2022, grade="D")])
    assert out.record[(("agreement_id", 1), "signed")].id == 1  # ungraded beats not usually reliable
    out = resolve([year(1, 1, 2023, grade="E"), year(3, 3, 2022, grade="F")])
    assert out.record[(("agreement_id", 1), "signed")].id == 3  # cannot be judged beats unreliable
    out = resolve([year(1, 1, 2023, grade="B"), year(3, 3, 2022, grade="B")])
    assert out.record[(("agreement_id", 1), "signed")].id == 1  # then the first loaded


def test_amounts_refine_by_period_and_conflict_as_totals():
    out = resolve([amount(1, 1, 150), amount(2, 2, 150, period="year")])
    assert out.support == {1: 2, 2: 1} and not out.disputed
    assert out.record[(("amount_id", 1), "amount")].id == 2
    out = resolve([amount(1, 1, 150), amount(2, 2, 540, period="total", row=2)])
    assert out.disputed == {1, 2}
    out = resolve([amount(1, 1, 150, period="year"), amount(2, 2, 540, period="total", row=2)])
    assert not out.disputed  # a yearly amount and a total are not the same value


def test_a_disputed_amount_row_against_the_kept_side_is_outside_the_record():
    out = resolve([amount(1, 1, 150), amount(2, 2, 150), amount(3, 3, 540, row=2)])
    assert out.disputed == {1, 2, 3} and out.outside == {("amount_id", 2)}
    assert out.in_record(out.record[(("amount_id", 1), "amount")]) and not any(
        out.in_record(c) for c in [amount(3, 3, 540, row=2)])


def test_amount_qualifiers_make_ranges():
    assert compatible(amount(1, 1, 150, "about"), amount(2, 2, 160, row=2))  # within 10 %
    assert not compatible(amount(1, 1, 150, "about"), amount(2, 2, 170, row=2))
    assert compatible(amount(1, 1, 540, "more_than"), amount(2, 2, 600, row=2))
    assert not compatible(amount(1, 1, 540, "more_than"), amount(2, 2, 540, row=2))
    assert compatible(amount(1, 1, 150, currency="USD"), amount(2, 2, 900, currency="CNY", row=2))


def test_a_source_sharing_one_amount_does_not_conflict_over_another():
    out = resolve([amount(1, 1, 150), amount(2, 1, 50, row=2), amount(3, 2, 150)])
    assert not out.disputed and out.support[1] == 2 and out.support[2] == 1


def test_an_amount_another_source_states_more_precisely_is_outside_the_record():
    out = resolve([amount(1, 1, 150), amount(2, 2, 165, "about", row=2), amount(3, 3, 100, "more_than", row=3)])
    assert not out.disputed and out.outside == {("amount_id", 2), ("amount_id", 3)}
    out = resolve([amount(1, 1, 150), amount(2, 1, 100, row=2)])  # one source's two amounts both stay
    assert not out.outside
