"""The pure rules of db.mentions: where a form matches, which actor an occurrence names, what a quotation is."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from db.mentions import AMBIGUOUS, CHOSEN, DEFAULT, ONLY, FormIndex, Mention, assign, find_quotations


def found(text: str, *forms: str) -> list[tuple[int, int, str]]:
    return [(f.start, f.end, f.form) for f in FormIndex(forms).find(text, [(0, len(text))])]


def test_whole_words_and_exact_case_only():
    text = "US aid, USAID, us, the US’s allies, Americans, America-first"
    assert found(text, "US", "America") == [(0, 2, "US"), (23, 25, "US"), (47, 54, "America")]


def test_every_overlapping_form_is_found_longest_first():
    assert found("the U.S. said", "U.S", "U.S.") == [(4, 8, "U.S."), (4, 7, "U.S")]
    assert found("US Speaker Nancy Pelosi", "US", "Nancy Pelosi", "US Speaker Nancy Pelosi") == [
        (0, 23, "US Speaker Nancy Pelosi"), (0, 2, "US"), (11, 23, "Nancy Pelosi")]


def _by_definition(text: str, forms: set[str], spans: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Every place a form occurs inside a span, at a token start, followed by no word character: the
    rule in db.mentions' docstring, checked the slow way (every form at every position)."""
    token = re.compile(r"\w+|[^\w\s]")
    hits = [(i, i + len(f), f) for b, e in spans for i in {m.start() for m in token.finditer(text, b, e)} for f in forms
            if f == f.strip() and re.match(r"\w+|[^\w\s]", f) and i + len(f) <= e and text.startswith(f, i)
            and not re.match(r"\w", text[i + len(f):i + len(f) + 1])]
    return sorted(hits, key=lambda h: (h[0], -h[1], h[2]))


_PIECES = st.sampled_from(["US", "U", ".", "S", "U.S", "U.S.", " ", "  ", "Biden", "administration", "-", "’s",
                           "Americans", "America", "\n", "é", "_", "1"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join),
       st.sets(st.lists(_PIECES, min_size=1, max_size=4).map("".join), max_size=8))
def test_the_index_finds_exactly_what_the_rule_says(text, forms):
    spans = [(0, len(text) // 2), (len(text) // 2 + 1, len(text))] if len(text) > 2 else [(0, len(text))]
    got = [(f.start, f.end, f.form) for f in FormIndex(forms).find(text, spans)]
    assert got == _by_definition(text, forms, spans)


def test_only_inside_the_spans():
    text = "New York. US here."
    assert [(f.start, f.form) for f in FormIndex(["New York", "US"]).find(text, [(10, 18)])] == [(10, "US")]


def test_a_mention_inside_a_longer_one_of_the_same_actor_is_part_of_it():
    forms = {"US": (1,), "US Speaker Nancy Pelosi": (2,), "Nancy Pelosi": (2,)}
    hits = FormIndex(forms).find("US Speaker Nancy Pelosi", [(0, 23)])
    assert assign(hits, forms, {}, {}) == [Mention(0, 23, "US Speaker Nancy Pelosi", 2, ONLY), Mention(0, 2, "US", 1, ONLY)]


def test_ambiguous_forms_take_the_default_the_choice_or_no_actor():
    forms = {"Beijing": (1, 2)}
    hits = FormIndex(forms).find("Beijing and Beijing", [(0, 19)])
    assert assign(hits, forms, {}, {}) == [Mention(0, 7, "Beijing", None, AMBIGUOUS),
                                           Mention(12, 19, "Beijing", None, AMBIGUOUS)]
    assert assign(hits, forms, {"Beijing": 1}, {(12, 19): 2}) == [Mention(0, 7, "Beijing", 1, DEFAULT),
                                                                  Mention(12, 19, "Beijing", 2, CHOSEN)]
    assert assign(hits, forms, {"Beijing": 1}, {(0, 7): None}) == [Mention(12, 19, "Beijing", 1, DEFAULT)]


def test_quotations_in_double_marks_within_a_paragraph():
    text = "He said “no” and \"yes\"; Afghanistan’s ‘maybe’ \"open\nnever closed\" “”"
    assert [text[a:b] for a, b in find_quotations(text, [(0, len(text))])] == ["no", "yes"]
    assert find_quotations(text, [(15, len(text))]) == [(text.index("yes"), text.index("yes") + 3)]
