"""The pure rules of db.mentions: where a form matches, which actor an occurrence names, what a quotation is."""

from __future__ import annotations

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
