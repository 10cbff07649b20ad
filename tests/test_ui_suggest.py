"""Next questions under an answer: built from the corpus' structure, each one answered without abstaining."""

from __future__ import annotations

import re

import pytest
from support import real_index_dir, write_file
from test_meetings import MINUTES

from assistant import Assistant, Filters
from index.settings import PROJECT_ROOT
from ui.handlers import Handlers
from ui.suggest import EXAMPLES_CITIZENS, EXAMPLES_STAFF, Suggestions, examples_for, followup_example

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    assistant = Assistant.load(corpus_dir=PROJECT_ROOT / "corpus",
                               index_dir=real_index_dir(tmp_path_factory.getbasetemp()))
    return assistant, Suggestions.of(assistant)


@pytest.mark.parametrize("question, shape", [
    ("Welche Handlungsbedarfe gibt es in Schalke?", ("Handlungsbedarfe in ", "in Schalke?")),
    ("Wer hat beim Thema Klimaschutz den Hut auf?", ("zu Thema ",)),
    ("Was schlägt der Workshop Wohnen gegen Segregation vor?", ("im Workshop Wohnen?", "im Workshop ")),
])
def test_suggestions_are_neighbours_in_the_corpus_and_answerable(real, question, shape):
    assistant, suggestions = real
    answer = assistant.ask(question)
    offered = suggestions.for_answer(answer, [question])
    assert 2 <= len(offered) <= 4, offered
    assert all(any(part in text for part in shape) for text in offered), offered
    assert question not in offered and len(set(offered)) == len(offered)
    for text in offered:  # checked by running it: it must not abstain
        answer = assistant.ask(text)
        assert not answer.abstained and answer.passages, text


def test_a_district_section_suggests_the_same_section_elsewhere_and_other_sections_here(real):
    assistant, suggestions = real
    answer = assistant.ask("Was läuft gut in Bismarck?")
    candidates = suggestions.candidates(answer)
    assert candidates[:2] == ["Was läuft gut in Altstadt?", "Was läuft gut in Bulmke-Hüllen?"]
    assert {"Handlungsbedarfe in Bismarck?", "Worauf kommt es an in Bismarck?"} <= set(candidates)
    assert "Was läuft gut in Bismarck?" not in candidates
    # An abstaining answer offers nothing, and a question asked already is not offered again.
    assert suggestions.for_answer(assistant.ask("Wann fährt der nächste Bus nach Dortmund?")) == []
    assert "Was läuft gut in Altstadt?" not in suggestions.for_answer(answer, ["was läuft gut in altstadt?"])


def test_a_question_that_abstains_is_never_offered(real):
    assistant, suggestions = real
    assert suggestions.answerable("Was läuft gut in Schalke?")
    assert not suggestions.answerable("Wann fährt der nächste Bus nach Dortmund?")


def test_within_filters_the_next_questions_are_answered_within_them(real):
    assistant, suggestions = real
    only_schalke = Filters(places={"Schalke"})
    answer = assistant.ask("Was läuft gut in Schalke?", filters=only_schalke)
    offered = suggestions.for_answer(answer, ["Was läuft gut in Schalke?"], filters=only_schalke)
    assert offered == ["Handlungsbedarfe in Schalke?", "Worauf kommt es an in Schalke?"]
    for text in offered:  # a click asks within the same filters
        assert not assistant.ask(text, filters=only_schalke).abstained
    # Without filters the same answer points to other districts first.
    assert suggestions.for_answer(answer, ["Was läuft gut in Schalke?"])[0].endswith("in Altstadt?")


def test_the_chat_offers_next_questions_while_filters_are_set(real):
    assistant, _ = real
    result = Handlers(assistant).chat("Was läuft gut in Schalke?", [], ["Schalke"], [], None)
    assert result["conversation"].turns[-1].suggestions == ["Handlungsbedarfe in Schalke?",
                                                            "Worauf kommt es an in Schalke?"]


# --- the example questions under the question box ----------------------------------------------------------
def test_the_bundled_protocols_get_the_bundled_examples(real):
    assistant, _ = real
    assert examples_for(assistant) == (EXAMPLES_STAFF, EXAMPLES_CITIZENS)
    # the follow-up the chat shows as an example asks the first example for another district
    followup = followup_example(assistant, "Welche Handlungsbedarfe gibt es in Schalke?")
    assert re.fullmatch(r"Und in (.+)\?", followup) and "Schalke" not in followup
    assert assistant.understand(followup, ["Welche Handlungsbedarfe gibt es in Schalke?"]).places[0].kind == "district"


def test_other_protocols_get_examples_about_their_own_meetings(tmp_path):
    # A council's minutes and a village round: neither speaks of Schalke, Kita-Plätze or Müll (nor of "Müller"'s
    # Müll), so the examples ask about their own meetings, and each is answered.
    write_file(tmp_path / "corpus" / "gemeinderat-2024-05-05.txt", MINUTES.replace("Frau Brunner", "Frau Müller"))
    write_file(tmp_path / "corpus" / "runde.md", "---\ntitle: Bürgerrunde\ndate: 2023-10-21\n---\n\n"
               "## Dorfladen\n\nDer Dorfladen sucht Helfer für den Samstag.\n")
    assistant = Assistant.load(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    staff, citizens = examples_for(assistant)
    # the latest meeting first for staff, the earliest for citizens; the first item voted on
    assert staff == ["Was wurde am 05.05.2024 besprochen?", "Was wurde unter Traktandum 2 beschlossen?",
                     "Was wurde am 21.10.2023 besprochen?"]
    assert citizens == ["Worum ging es am 21.10.2023?", "Worum ging es am 05.05.2024?"]
    for question in staff + citizens:
        answer = assistant.ask(question)
        assert not answer.abstained and answer.passages, question
    # minutes name no districts: the example follow-up asks for more
    assert followup_example(assistant, staff[0]) == "Gibt es dazu mehr?"
