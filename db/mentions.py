"""The rules that find mentions of actors and quoted spans in a source's text, in pure Python.

Mentions
--------
A *form* is an actor's name (of a named actor) or one of its aliases. A form
is found where it occurs in the text exactly (case-sensitive: "US" is not
"us") at word boundaries: the character before it and the one after it are
not letters, digits or underscores ("US" is not found in "USAID", "America"
not in "Americans"; "US" is found in "US’s" and "Taliban" in "Taliban-China").
Only headline and body segments are searched (page furniture is not).

Where forms overlap, every occurrence is found, then each is given an actor
(``assign``); an occurrence inside a longer one given the same actor is part
of it and dropped ("administration" inside "Biden administration", "U.S"
inside "U.S."), while one given another actor stays ("US" inside "US Speaker
Nancy Pelosi" is a mention of the United States as well as of Pelosi).

A form of one actor is that actor's (``only``). A form of several actors
("Beijing": the state and the city) takes the source's default for it
(``default``), or, per occurrence, the actor the source chooses
(``chosen``); a source may also say an occurrence names no actor at all. An
ambiguous occurrence the source says nothing about is kept with no actor
(``ambiguous``): accords never guesses.

Quotations
----------
A quotation is the words between a pair of double quotation marks: “ and
the next ” after it, or a straight " and the next ". The opening mark must
be in a headline or body segment and the pair within one paragraph (no line
break between them). Single quotation marks are not looked for: ’ is also the
apostrophe ("Afghanistan’s"), so a pair cannot be told apart reliably.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w")

ONLY, DEFAULT, CHOSEN, AMBIGUOUS = "only", "default", "chosen", "ambiguous"
#: how a mention got its actor (mentions.assigned)
ASSIGNMENTS = (ONLY, DEFAULT, CHOSEN, AMBIGUOUS)


@dataclass(frozen=True, order=True)
class Found:
    """One occurrence of a form: characters ``start`` to ``end`` of the text."""

    start: int
    end: int
    form: str


@dataclass(frozen=True, order=True)
class Mention:
    """An occurrence given an actor (None: ambiguous, the source chose none) and how."""

    start: int
    end: int
    form: str
    actor: int | None
    assigned: str


def _first_token(form: str) -> str | None:
    found = _TOKEN.search(form)
    return found.group() if found and found.start() == 0 else None


class FormIndex:
    """The forms to look for, indexed by their first word for one pass over a text.

    A form starts where a token of the text starts and, being followed by no word
    character, ends where a token ends; so at each token only the stretches of the
    next few tokens (as many as the longest form beginning with it has) are looked
    up, in a set: the cost grows with the text, not with the number of forms.
    """

    def __init__(self, forms: Iterable[str]):
        self.forms: set[str] = set()
        self.tokens_after: dict[str, int] = {}  # first token -> most tokens of a form that starts with it
        for form in set(forms):
            first = _first_token(form)
            if first is not None and form == form.strip():
                self.forms.add(form)
                count = len(_TOKEN.findall(form))
                self.tokens_after[first] = max(self.tokens_after.get(first, 0), count)

    def find(self, text: str, spans: Sequence[tuple[int, int]]) -> list[Found]:
        """Every occurrence of every form inside the spans (headline and body segments), in order."""
        found: list[Found] = []
        forms = self.forms
        for begin, end in spans:
            tokens = [(t.start(), t.end(), t.group()) for t in _TOKEN.finditer(text, begin, end)]
            for k, (start, _, word) in enumerate(tokens):
                most = self.tokens_after.get(word)
                if most is None:
                    continue
                for _, stop, _ in tokens[k:k + most]:
                    candidate = text[start:stop]
                    if candidate in forms and not _WORD.match(text, stop):
                        found.append(Found(start, stop, candidate))
        found.sort(key=lambda f: (f.start, -f.end, f.form))
        return found


def assign(found: Iterable[Found], actors_of: Mapping[str, Sequence[int]], defaults: dict[str, int],
           chosen: dict[tuple[int, int], int | None]) -> list[Mention]:
    """Give each occurrence its actor; drop an occurrence inside a longer one of the same actor.

    ``actors_of``: form -> the actors it names; ``defaults``: form -> the
    source's default actor; ``chosen``: (start, end) of an occurrence -> the
    actor the source chose for it (None: it names no actor; not a mention).
    """
    given: list[Mention] = []
    for f in found:
        if (f.start, f.end) in chosen:
            actor = chosen[(f.start, f.end)]
            if actor is not None:
                given.append(Mention(f.start, f.end, f.form, actor, CHOSEN))
            continue
        actors = actors_of.get(f.form, ())
        if len(actors) == 1:
            given.append(Mention(f.start, f.end, f.form, actors[0], ONLY))
        elif f.form in defaults:
            given.append(Mention(f.start, f.end, f.form, defaults[f.form], DEFAULT))
        elif actors:
            given.append(Mention(f.start, f.end, f.form, None, AMBIGUOUS))
    return _outermost(given)


def _outermost(mentions: list[Mention]) -> list[Mention]:
    """Drop a mention inside a longer mention of the same actor (or, unassigned, of the same form)."""
    kept: list[Mention] = []
    open_by_actor: dict[object, int] = {}  # actor (or form) -> end of the longest mention seen so far
    for mention in sorted(mentions, key=lambda x: (x.start, -x.end, x.form)):
        key = mention.actor if mention.actor is not None else ("form", mention.form)
        if open_by_actor.get(key, -1) >= mention.end:
            continue
        open_by_actor[key] = max(open_by_actor.get(key, -1), mention.end)
        kept.append(mention)
    return kept


def occurrences_in(found: Iterable[Found], form: str, start: int, end: int) -> list[Found]:
    """The occurrences of ``form`` inside characters ``start`` to ``end`` (a quote of the source file)."""
    return [f for f in found if f.form == form and start <= f.start and f.end <= end]


_PAIRS = re.compile(r"“([^”\n]*)”|\"([^\"\n]*)\"")


def find_quotations(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of the words inside each pair of double quotation marks opened in one of the spans."""
    ordered = sorted(spans)
    starts = [a for a, _ in ordered]
    out: list[tuple[int, int]] = []
    for pair in _PAIRS.finditer(text):
        group = 1 if pair.group(1) is not None else 2
        at = bisect.bisect_right(starts, pair.start()) - 1
        if pair.end(group) > pair.start(group) and at >= 0 and pair.start() < ordered[at][1]:
            out.append((pair.start(group), pair.end(group)))
    return out
