"""The rules that make one record from many sources' claims: refine, corroborate, conflict.

Pure Python, no database: ``resolve`` takes every claim about one fact (with
the claims about its amounts) and says, for each, how many sources support
it, whether it is disputed and whether the record shows it, and which claim
each value of the record comes from. The README's "Many sources" states
the same rules for users:

* A value is compared only with values of the same **slot**: the same field
  of the same fact; for money, the amounts of the same agreement or project
  at the same stage (contracted, planned, ...).
* **Same value.** Claim *d* states claim *c*'s value when it says the same
  or something more precise within it: equal words or codes; for a date, a
  range inside *c*'s ("5 January 2023" inside "In 2023"); for an amount, the
  same currency and value, with *c*'s period unstated or equal.
  ``support`` counts the distinct sources that state a claim's value.
* **Refine.** Compatible claims of different precision refine each other:
  the record shows the most precise (the narrowest date; the amount whose
  period is known, then the exact one).
* **Conflict.** Two sources conflict on a slot when one states a value the
  other's claims are all incompatible with: dates whose ranges do not nest
  (2022 against 2023, or ranges that only overlap), different single values
  (kinds, statuses, countries, parents, speakers), amounts in the same
  currency and period whose ranges do not meet ($150 million against $540
  million; "about" means within 10 %, "more than" and "at least" have no
  upper end). A source stating two amounts of one stage conflicts with
  another only if they share none. Members of a set (parties, participants,
  aliases, resources, sectors, places) never conflict: naming one is no
  denial of another.
* **Record of a disputed value.** Neither side overrides the other: the
  record keeps the side with the most supporting sources, then the best
  graded (A, B, C; then F "cannot be judged" and ungraded alike; then D and
  E, judged unreliable), then the first loaded, and
  is flagged disputed; every side stays in ``claims``. A disputed amount
  keeps its row (flagged), but the rows that contradict the kept side have
  no claim in the record, and totals leave them out.
* Dates without a range (relative, unknown) and values in different
  currencies are kept as claims but compared with nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .models.base import DATE_FIELDS, SET_FIELDS, SOURCE_GRADES

#: "about" an amount: within this share of it, either way
ABOUT = Decimal("0.1")
_DAY = dt.timedelta(days=1)


@dataclass
class ClaimValue:
    """One claim as the rules see it."""

    id: int
    source_id: int
    field: str
    slot: Hashable  # the fact and field (for amounts: the owner and the stage)
    unit: Hashable  # the record row the claim's words can show in (the fact; for amounts, the amount row)
    value: str | None = None
    grade: str | None = None
    earliest: dt.date | None = None
    latest: dt.date | None = None
    precision: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    qualifier: str | None = None
    period: str | None = None


@dataclass
class Outcome:
    """What the rules decide for the claims of one fact."""

    support: dict[int, int] = field(default_factory=dict)  # claim id -> distinct sources stating its value
    disputed: set[int] = field(default_factory=set)  # claim ids with an incompatible claim of another source
    record: dict[Hashable, ClaimValue] = field(default_factory=dict)  # (unit, field) -> the claim the record shows
    conflicts: list[tuple[ClaimValue, ClaimValue]] = field(default_factory=list)  # pairs of disputing claims
    #: amount rows that contradict the side of a dispute the record keeps: their words are kept up to
    #: date (``record``), but none of their claims is in the record
    outside: set[Hashable] = field(default_factory=set)

    def in_record(self, claim: ClaimValue) -> bool:
        """Does the record show this claim's value?"""
        shown = self.record.get((claim.unit, claim.field))
        return shown is not None and shown.id == claim.id and claim.unit not in self.outside


#: How a source's grade ranks when a dispute is settled, best first: reliable sources (A to C), then
#: those whose reliability cannot be judged (F, or no grade), then those judged unreliable (D, E).
GRADE_ORDER = ("A", "B", "C", "F", None, "D", "E")


def grade_rank(grade: str | None) -> int:
    return GRADE_ORDER.index(grade if grade in SOURCE_GRADES else None)


def _date_range(c: ClaimValue) -> tuple[dt.date, dt.date] | None:
    if c.earliest is None and c.latest is None:
        return None
    return c.earliest or dt.date.min, c.latest or dt.date.max


def _amount_range(c: ClaimValue) -> tuple[Decimal, Decimal | None] | None:
    """[low, high] an amount claim allows (high None: no upper end); open ends are made one cent tighter."""
    if c.amount is None:
        return None
    v, q = c.amount, c.qualifier or "exact"
    cent = Decimal("0.01")
    return {
        "exact": (v, v), "about": (v * (1 - ABOUT), v * (1 + ABOUT)),
        "at_least": (v, None), "more_than": (v + cent, None),
        "at_most": (Decimal(0), v), "less_than": (Decimal(0), max(Decimal(0), v - cent)),
    }[q]


def _periods_fit(c: ClaimValue, d: ClaimValue) -> bool:
    return c.period is None or d.period is None or c.period == d.period


def states(d: ClaimValue, c: ClaimValue) -> bool:
    """Does ``d`` state ``c``'s value (the same, or more precise within it)?"""
    if c.field in DATE_FIELDS:
        rc, rd = _date_range(c), _date_range(d)
        if rc is None or rd is None:
            return rc is None and rd is None and (c.value or "").lower() == (d.value or "").lower()
        return rc[0] <= rd[0] and rd[1] <= rc[1]
    if c.field == "amount":
        return (c.currency == d.currency and c.amount == d.amount
                and (c.period is None or c.period == d.period))
    return c.value == d.value


def _comparable(c: ClaimValue, d: ClaimValue) -> bool:
    """Can the two claims contradict each other at all?"""
    if c.field in SET_FIELDS or c.slot != d.slot:
        return False
    if c.field in DATE_FIELDS:
        return _date_range(c) is not None and _date_range(d) is not None
    if c.field == "amount":
        return c.currency == d.currency and _periods_fit(c, d) and c.amount is not None and d.amount is not None
    return c.value is not None and d.value is not None


def compatible(c: ClaimValue, d: ClaimValue) -> bool:
    """Could both be true of one fact?"""
    if not _comparable(c, d):
        return True
    if c.field == "amount":
        (lo1, hi1), (lo2, hi2) = _amount_range(c), _amount_range(d)  # type: ignore[misc]
        return (hi2 is None or lo1 <= hi2) and (hi1 is None or lo2 <= hi1)
    return states(c, d) or states(d, c)


def _width(c: ClaimValue) -> int:
    r = _date_range(c)
    if r is None:
        return 1 << 30
    return (r[1] - r[0]).days if r[0] != dt.date.min and r[1] != dt.date.max else (1 << 29)


def _precision_key(c: ClaimValue) -> tuple:
    """Smaller is more precise: the narrowest date; the amount with a period, then an exact one."""
    if c.field in DATE_FIELDS:
        return (_width(c), c.source_id, c.id)
    if c.field == "amount":
        return (c.period is None, (c.qualifier or "exact") != "exact", c.source_id, c.id)
    return (c.source_id, c.id)


def resolve(claims: Iterable[ClaimValue]) -> Outcome:
    """Support, disputes and the record for the claims about one fact (and its amounts)."""
    out = Outcome()
    by_slot: dict[Hashable, list[ClaimValue]] = {}
    for c in claims:
        by_slot.setdefault(c.slot, []).append(c)
    for slot_claims in by_slot.values():
        _resolve_slot(slot_claims, out)
    return out


def _resolve_slot(claims: list[ClaimValue], out: Outcome) -> None:
    by_source: dict[int, list[ClaimValue]] = {}
    for c in claims:
        by_source.setdefault(c.source_id, []).append(c)
        out.support[c.id] = len({d.source_id for d in claims if states(d, c)})
    if len(by_source) > 1:
        for c in claims:
            for d in claims:
                if d.source_id <= c.source_id or not _comparable(c, d) or compatible(c, d):
                    continue
                if any(compatible(c, e) for e in by_source[d.source_id] if _comparable(c, e)):
                    continue
                if any(compatible(d, e) for e in by_source[c.source_id] if _comparable(d, e)):
                    continue
                out.disputed.update((c.id, d.id))
                out.conflicts.append((c, d))
    by_unit: dict[Hashable, list[ClaimValue]] = {}
    for c in claims:
        by_unit.setdefault(c.unit, []).append(c)
    out.outside |= _outside_the_record(claims, out)
    for unit, unit_claims in by_unit.items():
        out.record[(unit, unit_claims[0].field)] = _record_claim(unit_claims, out)


def _outside_the_record(claims: list[ClaimValue], out: Outcome) -> set[Hashable]:
    """The amount rows of a slot that the record leaves out (they stay in the database, but no claim of
    theirs is in the record and totals leave them out): those that contradict the side of a dispute
    the record keeps, and those another source states more precisely ("about $165 million" beside an
    exact "$150 million", "more than $100 million" beside it)."""
    if claims[0].field != "amount" or len({c.source_id for c in claims}) < 2:
        return set()
    outside: set[Hashable] = set()
    if any(c.id in out.disputed for c in claims):
        side = _kept_side(claims, out)
        outside |= {d.unit if c is side else c.unit for c, d in out.conflicts if side in (c, d)} - {side.unit}
    units: dict[Hashable, list[ClaimValue]] = {}
    for c in claims:
        units.setdefault(c.unit, []).append(c)
    for unit, mine in units.items():
        for other, theirs in units.items():
            if other != unit and other not in outside and all(
                    any(d.source_id != c.source_id and _comparable(c, d) and compatible(c, d)
                        and _amount_width(d) < _amount_width(c) for d in theirs) for c in mine):
                outside.add(unit)
                break
    return outside


def _amount_width(c: ClaimValue) -> Decimal:
    low, high = _amount_range(c) or (Decimal(0), None)
    return Decimal("Infinity") if high is None else high - low


def _kept_side(claims: list[ClaimValue], out: Outcome) -> ClaimValue:
    """Of disputing claims, the one whose side the record keeps: most support, best grade, first loaded."""
    return min(claims, key=lambda c: (-out.support[c.id], grade_rank(c.grade), c.source_id, c.id))


def _record_claim(claims: list[ClaimValue], out: Outcome) -> ClaimValue:
    """The claim whose value the record shows, of the claims on one record row's field."""
    if not any(c.id in out.disputed for c in claims):
        return min(claims, key=_precision_key)
    side = _kept_side(claims, out)
    within = [c for c in claims if states(c, side)]
    return min(within, key=_precision_key)
