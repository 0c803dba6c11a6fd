"""Mentions of actors and quotations on every engine: found at load, chosen by the file, kept consistent
through reloads, removals, exports and the upgrade that adds them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import query_rows as rows

from db import api
from db.errors import ValidationError

SEED = Path(__file__).resolve().parent.parent / "db" / "data" / "seed.yaml"


def report(url: str, name: str, **params: str) -> list[dict]:
    out = io.StringIO()
    api.run_report(url, name, list(params.items()), "json", out)
    return json.loads(out.getvalue())


US_FORMS = {"U.S": 3, "U.S.": 2, "US": 12, "United States": 2, "America": 8, "American": 3}


def test_every_mention_of_the_united_states_under_each_form(shared_seeded_url):
    found = rows(shared_seeded_url, "select m.form, count(*) from mentions m join actors a on a.id = m.actor_id "
                                    "where a.slug = 'united-states' group by m.form")
    assert dict(found) == US_FORMS
    content = rows(shared_seeded_url, "select content from sources")[0][0]
    spans = rows(shared_seeded_url, "select m.char_start, m.char_end, m.form from mentions m")
    assert all(content[a:b] == form for a, b, form in spans)
    assert "Washington" not in content
    assert rows(shared_seeded_url, "select count(*) from mentions where form = 'Washington'") == [(0,)]


def test_ambiguous_forms_follow_the_file(shared_seeded_url):
    found = rows(shared_seeded_url, "select m.form, a.slug, m.assigned, count(*) from mentions m "
                                    "join actors a on a.id = m.actor_id where m.form in ('Beijing', 'Kabul') "
                                    "group by m.form, a.slug, m.assigned")
    assert sorted(found) == [("Beijing", "beijing", "chosen", 1), ("Beijing", "china", "default", 7),
                             ("Kabul", "afghan-government", "default", 1), ("Kabul", "taliban", "chosen", 1)]
    # the file says "investors" in "foreign mining investors" names no actor of that alias
    assert rows(shared_seeded_url, "select count(*) from mentions m join actors a on a.id = m.actor_id "
                                   "where a.slug = 'chinese-investors' and m.form = 'investors'") == [(1,)]


def test_the_four_quotations_and_whom_each_is_attributed_to(shared_seeded_url):
    got = [(r["quote"][:20], r["attributed_kind"], r["attributed_to"]) for r in report(shared_seeded_url, "quotations")]
    assert got == [("predatory powers", "event", "integrated-country-strategy-for-afghanistan"),
                   ("hindered", "event", "state-department-after-action-report"),
                   ("If you have read the", "actor", "taliban-spokesperson"),
                   ("to engage in meaning", "agreement", "doha-agreement")]


def test_the_mentions_report_gives_forms_and_counts(shared_seeded_url):
    got = {r["form"]: r["n_mentions"]
           for r in report(shared_seeded_url, "mentions", actor="United States", subunits="no")}
    assert got == US_FORMS


def edited_seed(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / "seed.yaml"
    body = SEED.read_text(encoding="utf-8")
    assert old in body
    target.write_text(body.replace(old, new), encoding="utf-8")
    (tmp_path / "beijing-and-taliban-build-an-alliance.txt").write_bytes(
        (SEED.parent / "beijing-and-taliban-build-an-alliance.txt").read_bytes())
    return target


@pytest.mark.parametrize("old, new, problem", [
    ("    Beijing: china ", "    Beijing: nobody ", "mentions.defaults.Beijing: unknown actor 'nobody'"),
    ("    Beijing: china ", "    Washington: china ", "mentions.defaults.Washington: form 'Washington' does not occur"),
    ("form: Beijing, actor: beijing}", "form: Kabul, actor: beijing}", "mentions.at[0].form: form 'Kabul' occurs 0 times"),
    ("{quote: \"hindered\", event:", "{quote: \"the evacuation\", event:", "quotations[1].quote: quote 'the evacuation' is in 0 spans"),
    ("{quote: \"hindered\", event:", "{quote: \"predatory\", event:", "quotations[1].quote: that quotation is already attributed"),
])
def test_a_wrong_section_is_refused_in_one_line(sqlite_seeded, tmp_path, old, new, problem):
    path = edited_seed(tmp_path, old, new)
    before = rows(sqlite_seeded, "select count(*) from mentions")
    with pytest.raises(ValidationError) as caught:
        api.ingest(sqlite_seeded, [path])
    assert any(problem in line for line in caught.value.problems), caught.value.problems
    assert rows(sqlite_seeded, "select count(*) from mentions") == before


def test_a_choice_of_an_actor_the_form_does_not_name_is_refused(sqlite_seeded, tmp_path):
    path = edited_seed(tmp_path, "form: Kabul, actor: taliban}", "form: Kabul, actor: china}")
    with pytest.raises(ValidationError) as caught:
        api.ingest(sqlite_seeded, [path])
    assert caught.value.problems == [f"{path}: source beijing-and-taliban-build-an-alliance: mentions: 'Kabul' is "
                                     "not a name or alias of the actor chosen for it"]


def test_no_default_leaves_the_form_without_an_actor(sqlite_seeded, tmp_path):
    path = edited_seed(tmp_path, "    Beijing: china              # the government, in 7 of its 8 occurrences\n", "")
    api.ingest(sqlite_seeded, [path])
    assert rows(sqlite_seeded, "select assigned, count(*) from mentions where form = 'Beijing' group by assigned "
                               "order by assigned") == [("ambiguous", 7), ("chosen", 1)]


def test_a_new_alias_is_found_in_the_texts_already_stored(sqlite_seeded, tmp_path):
    path = tmp_path / "extra.yaml"
    path.write_text(
        "format: 1\nsource: {slug: extra, title: Extra, kind: other, text: \"The Pamir road was signed.\"}\n"
        "actors:\n  - slug: afghanistan\n    name: Afghanistan\n    kind: state\n"
        "    aliases: [{alias: signed, evidence: [\"signed\"]}]\n    evidence: [\"Pamir road\"]\n", encoding="utf-8")
    api.ingest(sqlite_seeded, [path])
    # "signed" is now an alias: the seed's two "signed" are found again as mentions, in the same load
    assert rows(sqlite_seeded, "select s.slug, count(*) from mentions m join sources s on s.id = m.source_id "
                               "where m.form = 'signed' group by s.slug order by s.slug") == [
        ("beijing-and-taliban-build-an-alliance", 2), ("extra", 1)]
    api.remove_source(sqlite_seeded, "extra")
    assert rows(sqlite_seeded, "select count(*) from mentions where form = 'signed'") == [(0,)]


def test_export_gives_the_sections_back(shared_seeded_url, tmp_path):
    out = io.StringIO()
    api.export(shared_seeded_url, out)
    exported = out.getvalue()
    assert "mentions:\n  defaults:\n    Beijing: china\n    Kabul: afghan-government\n" in exported
    assert "    form: investors\n    actor: null\n" in exported
    assert "agreement: doha-agreement" in exported
