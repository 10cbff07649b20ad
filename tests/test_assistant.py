"""The Assistant facade: input checks, and end-to-end questions on the real protocols (marked e2e)."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest

from assistant import MAX_QUESTION_CHARS, Assistant, Filters, clean_question, normalize_history
from assistant.evaluate import contains  # the evaluation's snippet rule: a gold snippet counts as found
from index import Settings

GERMAN_WORDS = {
    "bitte", "die", "der", "das", "ein", "eine", "muss", "ist", "enthält", "kein", "keine", "nicht", "frage",
    "text", "zeichen", "zahl", "gesprächsverlauf", "nachricht", "wörter",
}  # fmt: skip


def assert_german(error: Exception) -> None:
    """A user-facing message: German words, not a Python or codec message."""
    message = str(error)
    assert set(re.findall(r"\w+", message.casefold())) & GERMAN_WORDS, message
    assert not isinstance(error, UnicodeError), message
    for english in ("codec", "expected", "instance", "object", "NoneType", "Traceback"):
        assert english not in message, message


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


# --- input checks (no index needed) ---------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, clean",
    [
        ("  Was läuft gut in Bismarck?  ", "Was läuft gut in Bismarck?"),
        ("Was läuft\tgut\nin\r\nBismarck?", "Was läuft gut in Bismarck?"),
        ("Was läuft gut in Bis\u200bmarck?", "Was läuft gut in Bismarck?"),  # zero-width space
        ("Was läuft gut in Bis\u200c\u200dmarck?", "Was läuft gut in Bismarck?"),  # zero-width (non-)joiner
        ("\ufeffWas läuft gut in Bis\u2060marck?", "Was läuft gut in Bismarck?"),  # BOM, word joiner
        ("Was läuft gut in \u202eBismarck\u202c?", "Was läuft gut in Bismarck?"),  # bidi overrides
        ("Was läuft gut in Bis\u00admarck?", "Was läuft gut in Bismarck?"),  # soft hyphen
        ("Was\x00 läuft\x07 gut\x1b in Bismarck?", "Was läuft gut in Bismarck?"),  # control characters
        ("Was läuft gut in Bismarck?\u2028", "Was läuft gut in Bismarck?"),  # line separator
    ],
)
def test_control_and_invisible_characters_are_stripped(raw, clean):
    assert clean_question(raw) == clean


def test_longest_allowed_question_is_accepted():
    question = ("Schalke " * MAX_QUESTION_CHARS)[: MAX_QUESTION_CHARS - 1] + "?"
    assert len(clean_question(question)) == MAX_QUESTION_CHARS


@pytest.mark.parametrize(
    "question",
    [None, 123, 1.5, b"Schalke", ["Schalke"], "", "   ", "\n\t", "???", "!!! ...", "\u200b\u200b", "\x00",
     "x" * 10_001, "Schalke " * 200],
)
def test_unusable_question_raises_value_error_in_german(question):
    with pytest.raises(ValueError) as caught:
        clean_question(question)
    assert_german(caught.value)


def test_history_as_strings_and_as_gradio_messages():
    assert normalize_history(None) == []
    assert normalize_history([]) == []
    assert normalize_history(["Was läuft gut in Bismarck?", "  Und in\u200b Heßler? "]) == [
        "Was läuft gut in Bismarck?",
        "Und in Heßler?",
    ]
    assert normalize_history(("Was läuft gut in Bismarck?",)) == ["Was läuft gut in Bismarck?"]
    messages = [
        {"role": "system", "content": "Du bist ein Assistent."},
        {"role": "user", "content": "Was läuft gut in Bismarck?"},
        {"role": "assistant", "content": "Gefunden zu „Was läuft gut“ in Bismarck …", "metadata": {"title": "Q"}},
        {"role": "user", "content": [{"type": "text", "text": "Und in Heßler?"}]},
    ]
    assert normalize_history(messages) == ["Was läuft gut in Bismarck?", "Und in Heßler?"]


def test_blank_earlier_turns_are_skipped():
    assert normalize_history(["", "   ", "???", "Was läuft gut in Bismarck?"]) == ["Was läuft gut in Bismarck?"]


def test_long_history_keeps_the_latest_turns():
    history = [f"Frage Nummer {n}" for n in range(50)]
    kept = normalize_history(history)
    assert kept and kept[-1] == "Frage Nummer 49"


@pytest.mark.parametrize(
    "history",
    [
        "abc",
        b"abc",
        {"role": "user", "content": "Was läuft gut in Bismarck?"},
        42,
        [{"role": "bot"}],
        [{"role": "bot", "content": "Hallo"}],
        [{"content": "Was läuft gut?"}],
        [{"role": "user", "content": 5}],
        [{"role": "user"}],
        [{"role": "user", "content": None}],
        [{"role": "user", "content": [{"type": "text", "text": 5}]}],
        [5],
        [None],
        [["Was läuft gut?"]],
    ],
)
def test_unusable_history_raises_value_error_in_german(history):
    with pytest.raises(ValueError) as caught:
        normalize_history(history)
    assert_german(caught.value)


# --- end to end on the real protocols -------------------------------------------------------------
def real_index_dir(tmp_path_factory) -> Path:
    """The session's index folder for the bundled corpus, seeded from the project's index when there is one.

    Loading checks the copy against the corpus and the embedder and rebuilds it when it is stale; the seed
    only saves the build (a minute on a busy 2-core machine). The project's index is read, never written.
    """
    target = tmp_path_factory.getbasetemp() / "real-index"
    if not target.exists():
        try:
            shutil.copytree(Settings().index_dir, target, ignore=shutil.ignore_patterns("*.lock"))
        except (OSError, shutil.Error):
            shutil.rmtree(target, ignore_errors=True)  # no usable seed: the index is built from scratch
    return target


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Assistant:
    """The assistant over the bundled corpus and its index in the session's temporary folder."""
    return Assistant.load(index_dir=real_index_dir(tmp_path_factory))


def cited_texts(answer, top: int = 5) -> list[str]:
    return [hit.text for hit in answer.passages[:top]]


QUESTIONS = [
    # districts, everyday wording
    ("Wo sieht man in der Altstadt Handlungsbedarf?", [], ["Sauberkeit in der Stadt", "geringe Teilhabechancen"]),
    ("Was läuft im Stadtteil Heßler gut?", [], ["Bezirksjugendforum"]),
    ("Worauf kommt es in Bulmke-Hüllen bei der Integration an?", [],
     ["Planungssicherheit für Akteure", "Akzeptanz von Kopftüchern"]),
    ("Welche Stadtteile haben zu wenig Parkplätze?", [], ["zu wenig Parkplätze", "Wenig Parkplätze"]),
    # typos and spelling variants
    ("was leuft gut in der altstat", [], ["Georgsruine", "Feiersabendmarkt"]),
    ("Handlungsbedarf Feldmarck", [], ["Wenig Parkplätze"]),
    ("worauf komt es in bismark an", [], ["nachhaltige Konzepte", "inklusive Angebote"]),
    ("Was läuft gut in Bulmke Hüllen?", [], ["der Martinszug", "Clearingstelle"]),
    # topic boards
    ("Was empfiehlt die Gruppe zum Thema Begegnungen schaffen als nächsten Schritt?", [], ["Begegnungsbörse"]),
    ("Wer hat beim Thema Kinder helfen Kinder den Hut auf?", [], ["Schularzt"]),
    ("Wer ist von der offenen Kinder- und Jugendarbeit betroffen?", [], ["Roma-Kinder"]),
    # Minden table rows
    ("Sollen Prüfungen auch in der Muttersprache möglich sein?", [], ["in der Muttersprache angeboten"]),
    ("Sollen bei Erstkontakten Piktogramme genutzt werden?", [], ["Nutzung von Piktogrammen"]),
    ("Was wird vorgeschlagen, um leerstehende Wohnungen zu finden?", [], ["Ermittlung von Leerständen"]),
    # other languages
    ("Which district wants more green spaces?", [], ["mehr Grünflächen"]),
    ("Sınavlar ana dilde yapılabilir mi?", [], ["in der Muttersprache angeboten"]),
    ("Bismarck'ta neler iyi gidiyor?", [], ["gute Trägerlandschaft"]),
    # follow-ups
    ("Und in Bulmke-Hüllen?", ["Was läuft gut in Heßler?"], ["der Martinszug", "Clearingstelle"]),
    ("Und wer ist dafür verantwortlich?", ["Welche Herausforderung sieht die Gruppe Kinder helfen Kinder?"],
     ["Schularzt"]),
    ("Wie können Geflüchtete in Minden Arbeit finden?", ["Was läuft gut in Bismarck?"],
     ["Ehrenamt als Einstiegsmöglichkeit"]),
]


@pytest.mark.e2e
@pytest.mark.parametrize("question, history, gold", QUESTIONS, ids=[q for q, _, _ in QUESTIONS])
def test_question_finds_the_right_passages(real, question, history, gold):
    answer = real.ask(question, history=history)
    assert not answer.abstained
    texts = cited_texts(answer)
    missing = [snippet for snippet in gold if not any(contains(text, snippet) for text in texts)]
    assert not missing, [hit.citation for hit in answer.passages]


@pytest.mark.e2e
def test_section_question_for_a_district_cites_all_its_boards(real):
    answer = real.ask("Was steht bei Schalke unter Handlungsbedarfe?")
    boards = [f"Austausch · Schalke · Tafel {n} von 4" for n in range(1, 5)]
    assert [hit.passage.board for hit in answer.passages] == boards
    assert {hit.passage.section for hit in answer.passages} == {"Handlungsbedarfe"}
    assert not any(contains(text, "Rumänien gut vernetzt") for text in cited_texts(answer))  # Schalke-Nord's


@pytest.mark.e2e
def test_ocr_garbled_board_label_still_belongs_to_its_district(real):
    # The second Altstadt board is labelled "Hiltstadt" in the transcription.
    answer = real.ask("Was läuft gut in der Altstadt?")
    assert [hit.passage.board for hit in answer.passages] == [
        "Austausch · Altstadt · Tafel 1 von 2",
        "Austausch · Altstadt · Tafel 2 von 2",
    ]


@pytest.mark.e2e
@pytest.mark.parametrize(
    "question, history",
    [
        ("Wie warm wird es am Sonntag in Gelsenkirchen?", []),
        ("Rezept für eine Gemüsesuppe", []),
        ("Wo kann ich Karten für das nächste Schalke-Spiel kaufen?", []),
        ("Wie backe ich Brot?", ["Was läuft gut in Bismarck?"]),
    ],
)
def test_unrelated_question_cites_nothing(real, question, history):
    answer = real.ask(question, history=history)
    assert answer.abstained
    assert answer.passages == []
    assert not re.search(r"\[\d+\]", answer.text)


@pytest.mark.e2e
def test_a_refusal_names_only_what_the_filters_let_it_search(real):
    everything = real.ask("Rezept für eine Gemüsesuppe")
    assert "Integrationskonferenz Gelsenkirchen-Mitte" in everything.text
    assert "IKON Minden" in everything.text
    assert "nur:" not in everything.text

    schalke = real.ask("Rezept für eine Gemüsesuppe", filters=Filters(places={"Schalke"}))
    assert schalke.abstained
    searched = schalke.text.split("Durchsucht:")[1]
    assert "Integrationskonferenz Gelsenkirchen-Mitte" in searched
    assert "IKON Minden" not in searched  # Minden has no board of Schalke
    assert "nur: Schalke" in searched


@pytest.mark.e2e
def test_no_city_guessed_from_an_ordinary_verb(real):
    # "mindern" (to reduce) is one letter away from "Minden"
    assert real.understand("Wie lassen sich Vorurteile mindern?").places == []


@pytest.mark.e2e
def test_invisible_characters_do_not_change_the_answer(real):
    clean = real.ask("Was läuft gut in Bismarck?")
    dirty = real.ask("Was\u200b läuft gut in Bis\u200dmarck?\u2060\x07")
    assert [hit.passage.id for hit in dirty.passages] == [hit.passage.id for hit in clean.passages]
    assert dirty.text == clean.text


@pytest.mark.e2e
def test_history_as_gradio_messages_with_assistant_turns(real):
    history = [
        {"role": "user", "content": "Welche Handlungsbedarfe gibt es in Bismarck?"},
        {"role": "assistant", "content": "Gefunden zu „Was läuft gut“ in Schalke: …"},
    ]
    answer = real.ask("Und in Feldmark?", history=history)
    assert {(hit.passage.place, hit.passage.section) for hit in answer.passages} == {("Feldmark", "Handlungsbedarfe")}


# --- the contract of answers and hits -------------------------------------------------------------
CONTRACT_QUESTIONS = [
    "Welche Handlungsbedarfe gibt es in Schalke?",
    "Wer hat beim Thema Klimaschutz den Hut auf?",
    "Wie kann die Stadtverwaltung bei der Wohnungssuche unterstützen?",
    "Welche Ziele hatte die Integrationskonferenz?",
]


@pytest.mark.e2e
@pytest.mark.parametrize("question", CONTRACT_QUESTIONS)
def test_cited_passages_point_at_their_source_lines(real, question):
    corpus = Settings().corpus_dir
    answer = real.ask(question)
    assert answer.passages
    for hit in answer.passages:
        # .source: a path relative to the corpus folder, with forward slashes
        assert not Path(hit.source).is_absolute() and "\\" not in hit.source and ".." not in hit.source
        path = corpus / hit.source
        assert path.is_file()
        lines = path.read_text(encoding="utf-8").splitlines()
        # .lines: a (first, last) tuple of 1-based line numbers inside the file
        assert isinstance(hit.lines, tuple) and len(hit.lines) == 2
        first, last = hit.lines
        assert all(isinstance(n, int) and not isinstance(n, bool) for n in hit.lines)
        assert 1 <= first <= last <= len(lines)
        span = lines[first - 1 : last]
        # the passage text stands in those lines (markup and layout noise aside), and the span is tight
        span_words = set(words(" ".join(span)))
        for line in hit.text.splitlines():
            assert set(words(line)) <= span_words, (hit.citation, line)
        # tight: the span starts and ends on lines that carry the passage's first and last text
        text_lines = hit.text.splitlines()
        assert span[0].strip() and span[-1].strip(), hit.citation
        assert set(words(text_lines[0])) <= set(words(span[0])), hit.citation
        assert set(words(text_lines[-1])) <= set(words(span[-1])), hit.citation
        # .score: a finite float; .text: not empty
        assert isinstance(hit.score, float) and math.isfinite(hit.score)
        assert hit.text.strip()


@pytest.mark.e2e
def test_citation_names_document_board_and_section(real):
    answer = real.ask("Wer hat beim Thema Klimaschutz den Hut auf?")
    hit = answer.passages[0]
    assert hit.citation.split(" · ")[0] == "Integrationskonferenz Gelsenkirchen-Mitte"
    assert hit.passage.board in hit.citation
    assert hit.citation.endswith(" · Verantwortung")
    row = real.ask("Sollen Prüfungen auch in der Muttersprache möglich sein?").passages[0]
    assert row.citation.startswith("IKON Minden, Workshopphase 1 · Workshop 4 – Arbeitsmarktintegration · ")


@pytest.mark.e2e
def test_markers_in_the_text_match_the_cited_passages(real):
    answer = real.ask("Welche Handlungsbedarfe gibt es in Schalke?")
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers == set(range(1, len(answer.passages) + 1))


@pytest.mark.e2e
def test_search_returns_at_most_k_hits(real):
    total = len(real.store.passages)
    assert len(real.search("Kitaplätze fehlen", k=1)) == 1
    assert len(real.search("Kitaplätze fehlen", k=7)) == 7
    everything = real.search("Kitaplätze fehlen", k=10**6)
    assert len(everything) == total
    assert len({hit.passage.id for hit in everything}) == total


@pytest.mark.e2e
def test_search_is_ranked_by_score(real):
    hits = real.search("Wo fehlen Kitaplätze?", k=20)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(isinstance(score, float) for score in scores)
    assert any(contains(hit.text, "Kita-Plätze") for hit in hits[:5])


@pytest.mark.e2e
def test_search_puts_a_gathered_set_first_in_protocol_order(real):
    hits = real.search("Welche Handlungsbedarfe gibt es in Bismarck?", k=10)
    gathered = [hit for hit in hits if hit.gathered]
    assert hits[: len(gathered)] == gathered
    assert [hit.passage.board for hit in gathered] == ["Austausch · Bismarck · Tafel 1 von 2",
                                                      "Austausch · Bismarck · Tafel 2 von 2"]
    rest = [hit.score for hit in hits[len(gathered):]]
    assert rest == sorted(rest, reverse=True)


@pytest.mark.e2e
def test_search_has_no_conversation_and_no_abstention(real):
    assert len(real.search("Rezept für eine Gemüsesuppe", k=3)) == 3


@pytest.mark.e2e
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda a: a.ask(None), id="ask-None"),
        pytest.param(lambda a: a.ask(123), id="ask-123"),
        pytest.param(lambda a: a.ask(""), id="ask-empty"),
        pytest.param(lambda a: a.ask("   "), id="ask-blank"),
        pytest.param(lambda a: a.ask("???"), id="ask-no-words"),
        pytest.param(lambda a: a.ask("x" * 10_001), id="ask-10001-chars"),
        pytest.param(lambda a: a.ask("Und in Bismarck?", history="abc"), id="history-string"),
        pytest.param(lambda a: a.ask("Und in Bismarck?", history=[{"role": "bot"}]), id="history-bad-role"),
        pytest.param(lambda a: a.ask("Und in Bismarck?", history=[{"role": "user", "content": 5}]),
                     id="history-content-not-text"),
        pytest.param(lambda a: a.search("Schalke", k=0), id="search-k-0"),
        pytest.param(lambda a: a.search("Schalke", k=-3), id="search-k-negative"),
        pytest.param(lambda a: a.search("Schalke", k=2.5), id="search-k-float"),
        pytest.param(lambda a: a.search("Schalke", k="5"), id="search-k-string"),
        pytest.param(lambda a: a.search(None), id="search-None"),
        pytest.param(lambda a: a.search("   "), id="search-blank"),
    ],
)
def test_invalid_input_raises_value_error_in_german(real, call):
    with pytest.raises(ValueError) as caught:
        call(real)
    assert_german(caught.value)


@pytest.mark.e2e
def test_lone_surrogates_are_stripped_not_fatal(real):
    # A lone surrogate (broken copy & paste) cannot be encoded for the embedder: it is dropped, like
    # other invisible characters, and the rest of the question is answered.
    answer = real.ask("Was läuft gut in Schalke \ud800?")
    assert answer.passages and all(hit.passage.place == "Schalke" for hit in answer.passages)


@pytest.mark.e2e
@pytest.mark.parametrize("question", ["Hallo", "qwertz uiop", "ä" * 300, "Lorem ipsum dolor sit amet"])
def test_greetings_and_keyboard_mashing_cite_nothing(real, question):
    answer = real.ask(question)
    assert answer.abstained and answer.passages == []


@pytest.mark.e2e
@pytest.mark.parametrize("question", ["Ce merge bine în Bismarck?", "Bismarck'ta neler iyi gidiyor?"])
def test_other_languages_naming_a_district_are_answered(real, question):
    answer = real.ask(question)
    assert answer.passages and answer.passages[0].passage.place == "Bismarck"
