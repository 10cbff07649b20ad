"""Relevance calibrated from the corpus: the margin a question needs rises for a corpus that everyday questions
come close to, and stays where it was measured for the bundled protocols."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support import real_index_dir, write_file

import assistant as assistant_module
from assistant import PROBES_FILE, PROBES_REFERENCE_MARGIN, Assistant, questions_in

PROJECT_ROOT = Path(__file__).resolve().parents[1]

MINUTES = """\
# Protokoll des Kantonsrates vom 12. März 2024

## 1. Budget und Steuern

Der Finanzdirektor erläutert das Budget. Der Steuerfuss soll bei 110 Prozent bleiben.
Die Kommission beantragt, die Ausgaben für externe Beratung um 2 Millionen Franken zu kürzen.

## 2. Verkehr

Die Umfahrung des Dorfes soll 2027 gebaut werden. Die Gemeinden fordern mehr Busverbindungen am Abend.

## 3. Schule

Die Lehrpersonen klagen über zu grosse Klassen. Der Regierungsrat will 30 neue Stellen schaffen.
"""


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Assistant:
    return Assistant.load(corpus_dir=PROJECT_ROOT / "corpus", index_dir=real_index_dir(tmp_path_factory.getbasetemp()))


@pytest.fixture(scope="module")
def minutes(tmp_path_factory) -> Assistant:
    base = tmp_path_factory.mktemp("minutes")
    write_file(base / "corpus" / "kantonsrat.md", MINUTES)
    return Assistant.load(corpus_dir=base / "corpus", index_dir=base / "index")


def mean_probe_margin(assistant: Assistant) -> float:
    return float(np.mean(assistant.probe_margins()))


def test_probes_are_not_the_reference_questions():
    # A probe that is also a reference question would come out at margin 0 and flatter the corpus.
    probes = {q.casefold() for q in questions_in(PROBES_FILE)}
    assert len(probes) >= 30
    assert not probes & {q.casefold() for q in assistant_module.off_topic_questions()}


def test_the_bundled_protocols_keep_the_margin_measured_on_them(real):
    assert mean_probe_margin(real) == pytest.approx(PROBES_REFERENCE_MARGIN, abs=0.002)
    assert real.relevance_shift == 0.0


def test_a_corpus_everyday_questions_come_close_to_needs_a_wider_margin(minutes, monkeypatch, tmp_path):
    question = "Wie hoch bleibt der Steuerfuss?"
    query = minutes.understand(question)
    ranking = minutes.retriever.rank(query)
    assert minutes.is_relevant(query, ranking)
    assert minutes.ask(question).passages
    # Probes that this corpus answers half-way stand for a corpus that speaks of everything: the bar rises by
    # how much closer they come than probes do to the bundled protocols, and the weakly matching question falls.
    probes = write_file(tmp_path / "probes.txt", "Wie hoch sind die Steuern?\nWann fährt der letzte Bus?\n"
                                                 "Wie gross sind die Schulklassen?\n")
    monkeypatch.setattr(assistant_module, "PROBES_FILE", probes)
    minutes.__dict__.pop("relevance_shift", None)
    try:
        assert minutes.relevance_shift > 0
        assert minutes.relevance_margin(ranking) < needed(minutes)
        assert not minutes.ask(question).passages
    finally:
        minutes.__dict__.pop("relevance_shift", None)


def needed(assistant: Assistant) -> float:
    """The margin a question with words the corpus knows needs."""
    return assistant_module.RELEVANCE_MARGIN + assistant.relevance_shift


@pytest.mark.parametrize("question", [
    "Wer ist die Integrationsbeauftragte in Gelsenkirchen?",
    "Wer ist die Gleichstellungsbeauftragte in Minden?",
    "Wer ist derzeit Quartiersmanager in Schalke-Nord?",  # the boards ask for "Quartiersmanagement", name no one
])
def test_who_holds_a_role_or_where_a_facility_is_that_the_protocols_never_name_is_refused(real, question):
    answer = real.ask(question)
    assert answer.abstained and not answer.passages


@pytest.mark.parametrize("question", [
    "Wer ist die Initiatorin des Themas Mediation im Stadtteil?",
    "Wer ist der Initator beim Thema Klimaschutz?",  # a typo of a role they do name
    "Wer ist der Konferenz-Moderator?",  # the last part is theirs: "Moderator Axel Jürgens"
    "Wer ist die Integrations-Beigeordnete?",  # "Annette Berg, Beigeordnete für … Integration"
])
def test_who_holds_a_role_the_protocols_name_is_answered(real, question):
    answer = real.ask(question)
    assert not answer.abstained and any(word in hit.passage.text for hit in answer.passages
                                        for word in ("Initiator", "Moderator", "Beigeordnete"))


def test_an_english_question_the_protocols_answer_in_german_words_is_not_refused(real):
    # None of its words is the corpus' ("degrees", "recognised"); it reads English, not mashed keys, so the
    # embedder is judged by the usual margin.
    answer = real.ask("What does Minden suggest so that credentials earned abroad are accepted faster?")
    assert not answer.abstained and any("Anerkennung von Qualifikationen" in item.text
                                        for hit in answer.passages for item in hit.passage.items), answer.text


@pytest.mark.parametrize("question", ["How do I renew my passport in Minden?",
                                      "What is the weather like in Gelsenkirchen tomorrow?"])
def test_an_everyday_english_question_naming_a_city_is_still_refused(real, question):
    assert real.ask(question).abstained


def test_a_question_in_another_language_is_judged_by_the_usual_margin(real):
    # Italian shares no word with the protocols; it is a language, not keys mashed, so the embedder is judged by the
    # margin German and English questions get (it came out a hair short of the stricter one)
    from assistant.understand import written_in_words

    question = "Come si può migliorare la pulizia delle strade?"
    assert written_in_words(question) and not written_in_words("xqzt vbnm qwrtz plmk")
    answer = real.ask(question)
    assert not answer.abstained and answer.passages, answer.text
