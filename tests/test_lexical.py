"""Tests for index.lexical on tiny, hand-checkable German corpora."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from index.lexical import GermanAnalyzer, LexicalIndex, fold

DISTRACTORS = ["Die Feuerwehr übt am Samstag.", "Der Spielplatz wird im Sommer saniert."]


def ids(hits: list[tuple[int, float]]) -> list[int]:
    return [doc_id for doc_id, _ in hits]


def test_fold_umlauts_sharp_s_and_accents() -> None:
    assert fold("Bürgerhaus Straße Café ÄÖÜ") == "burgerhaus strasse cafe aou"


def test_umlaut_folding_in_search() -> None:
    index = LexicalIndex.build(["Das Bürgerhaus wird renoviert.", "Die Straße ist gesperrt.", *DISTRACTORS])
    assert ids(index.search("Burgerhaus", 5)) == [0]
    assert ids(index.search("Buergerhaus", 5)) == [0]
    assert ids(index.search("Strasse", 5)) == [1]


SPELLINGS = ["Kita-Plätze", "Kitaplätze", "KiTA-Plätze", "Kitaplaetze", "KITAPLÄTZE"]


@pytest.mark.parametrize("doc_spelling", SPELLINGS)
@pytest.mark.parametrize("query_spelling", SPELLINGS)
def test_kita_plaetze_spellings_match(doc_spelling: str, query_spelling: str) -> None:
    texts = [DISTRACTORS[0], f"Im Ortsteil fehlen {doc_spelling} für Dreijährige.", DISTRACTORS[1]]
    index = LexicalIndex.build(texts)
    assert ids(index.search(query_spelling, 5)) == [1]


def test_hyphenated_word_emits_parts_and_joined_form() -> None:
    terms = GermanAnalyzer().analyze("KiTA-Plätze")
    assert terms == ["kita", "platz", "kitaplatz"]


@pytest.mark.parametrize(("doc", "query"), [("Parkplätze", "Parkplatz"), ("Parkplatz", "Parkplätze")])
def test_stemming_plural_matches_singular(doc: str, query: str) -> None:
    index = LexicalIndex.build([*DISTRACTORS, f"Am Bahnhof fehlen {doc}."])
    assert ids(index.search(query, 5)) == [2]


def test_stop_words_are_ignored() -> None:
    index = LexicalIndex.build(["Die Schule und der Hof.", "Das ist für die Gemeinde über alles wichtig."])
    assert index.analyzer.analyze_query("und die der für über das ist") == []
    assert index.search("und die der für über", 5) == []
    assert not index.scores("Und die? Der!").any()
    # a stop word next to a content word changes nothing about the match
    assert ids(index.search("die Schule", 5)) == [0]


def test_or_semantics_any_shared_term_counts() -> None:
    index = LexicalIndex.build(["Spielplatz und Bibliothek", "Feuerwehr", "Bibliothek"])
    scores = index.scores("Spielplatz Bibliothek Schwimmbad")
    assert scores.shape == (3,)
    assert scores[1] == 0.0
    assert scores[0] > 0.0 and scores[2] > 0.0
    # the document sharing two query terms ranks first
    assert ids(index.search("Spielplatz Bibliothek Schwimmbad", 5)) == [0, 2]


COMPOUND_CORPUS = [
    "Der Sprachkurs beginnt im Herbst.",
    "Die Kinderbetreuung während der Sitzung ist gesichert.",
    "Viele Kinder brauchen Betreuung.",
    "Der Kurs vermittelt die Sprache der Verwaltung.",
    "Die Feuerwehr übt am Samstag.",
]


def test_decompounding_against_corpus_vocabulary() -> None:
    index = LexicalIndex.build(COMPOUND_CORPUS)
    assert sorted(ids(index.search("Kurs für Sprache", 5))) == [0, 3]
    assert sorted(ids(index.search("Betreuung", 5))) == [1, 2]
    assert index.document_frequency("betreu") == 2


def test_decompounding_needs_the_parts_in_the_corpus() -> None:
    # Without standalone "Kinder"/"Betreuung" anywhere, the compound is not split (no built-in word lists).
    index = LexicalIndex.build(["Die Kinderbetreuung ist gesichert.", "Die Feuerwehr übt."])
    assert index.search("Betreuung", 5) == []
    assert ids(index.search("Kinderbetreuung", 5)) == [0]


def test_analyzer_decompounding_uses_fitted_vocabulary() -> None:
    assert GermanAnalyzer().analyze("Straßenbeleuchtung") == ["strassenbeleucht"]
    analyzer = GermanAnalyzer().fit(["die Straße", "eine Beleuchtung"])
    assert analyzer.analyze("Straßenbeleuchtung") == ["strassenbeleucht", "strass", "beleucht"]
    # nested compounds give all their parts
    analyzer = GermanAnalyzer().fit(["Kinder", "Betreuung", "Kinderbetreuung", "Angebot"])
    assert set(analyzer.analyze("Kinderbetreuungsangebote")) >= {"kind", "betreu", "angebot"}


def test_decompounded_query_finds_separate_words() -> None:
    index = LexicalIndex.build(["Die Straße ist dunkel.", "Die Beleuchtung fehlt.", "Die Feuerwehr übt."])
    assert sorted(ids(index.search("Straßenbeleuchtung", 5))) == [0, 1]


def test_coverage_german_high_english_low() -> None:
    index = LexicalIndex.build(
        [
            "Im Ortsteil fehlen viele Kitaplätze.",
            "Die Gemeinde plant neue Parkplätze am Bahnhof.",
            *DISTRACTORS,
        ]
    )
    german = index.coverage("Wie viele Kitaplätze fehlen im Ortsteil?")
    english = index.coverage("How many daycare places are missing in the district?")
    assert german == 1.0
    assert english == 0.0
    mixed = index.coverage("Parkplätze near the station")  # 1 of 4 content words is German
    assert mixed == pytest.approx(0.25)
    assert index.coverage("und die der") == 0.0


def test_vocabulary_and_document_frequency() -> None:
    index = LexicalIndex.build(["Kita und Schule", "Kita-Plätze", "Schule"])
    assert {"kita", "schul", "platz", "kitaplatz"} <= index.vocabulary
    assert "und" not in index.vocabulary
    assert index.document_frequency("kita") == 2
    assert index.document_frequency("schul") == 2
    assert index.document_frequency("unbekannt") == 0


def test_search_respects_k_and_orders_best_first() -> None:
    index = LexicalIndex.build(["Kita Schule Hort", "Kita Kita Schule", "Schule", "Feuerwehr"])
    hits = index.search("Kita", 5)  # equal lengths, so the higher term frequency wins
    assert ids(hits) == [1, 0]
    assert hits[0][1] > hits[1][1] > 0
    assert ids(index.search("Kita", 1)) == [1]
    assert index.search("Kita", 0) == []


def test_single_document_corpus_still_scores() -> None:
    index = LexicalIndex.build(["Kitaplätze fehlen."])
    assert ids(index.search("Kitaplatz", 3)) == [0]
    assert index.scores("Feuerwehr").tolist() == [0.0]


@pytest.mark.parametrize("texts", [[], [""], ["und die der", "?!"]])
def test_empty_or_contentless_corpus_never_raises(texts: list[str]) -> None:
    index = LexicalIndex.build(texts)
    assert len(index) == len(texts)
    assert index.scores("Kita").shape == (len(texts),)
    assert not index.scores("Kita").any()
    assert index.search("Kita", 5) == []
    assert index.coverage("Kita") == 0.0
    assert index.vocabulary == frozenset()


@pytest.mark.parametrize("query", ["", "   ", "?!.,", "und die der"])
def test_empty_query_never_raises(query: str) -> None:
    index = LexicalIndex.build(DISTRACTORS)
    assert np.array_equal(index.scores(query), np.zeros(2))
    assert index.search(query, 5) == []
    assert index.coverage(query) == 0.0


def test_build_is_fast() -> None:
    texts = [
        f"Protokoll {i}: Die Gemeinde plant Kitaplätze, Parkplätze und Radwege im Ortsteil {i}."
        for i in range(200)
    ]
    start = time.perf_counter()
    index = LexicalIndex.build(texts)
    assert time.perf_counter() - start < 1.0
    assert len(index.search("Radweg", 300)) == 200


def test_fold_strips_every_combining_mark_like_the_character_rule() -> None:
    import random
    import unicodedata

    def by_character(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        return "".join(ch for ch in decomposed if not unicodedata.combining(ch))

    rng = random.Random(7)
    pools = [(32, 0x250), (0x300, 0x370), (0x1E00, 0x1F00), (0x0590, 0x0700), (0x1D165, 0x1D16A), (0x10000, 0x10100)]
    for _ in range(3000):
        text = "".join(chr(rng.randrange(*rng.choice(pools))) for _ in range(rng.randrange(1, 12)))
        assert fold(text) == by_character(text), ascii(text)


# --- saved and loaded --------------------------------------------------------------------------------

SAVED_CORPUS = [
    *COMPOUND_CORPUS,
    "Die Kinderbetreuung ist gesichert, Kita-Plätze fehlen.",
    "Begrüßung durch den Bürgermeister; die Moderation übernimmt das Stadtteilbüro.",
    "Radwege und Parkplätze im Ortsteil, Radweg-Lücken an der Hauptstraße.",
    "Die Feuerwehr übt.",
]
SAVED_QUERIES = ["Kitaplätze", "Kinder-Betreuung", "begrüßt moderiert", "Radweglücken Parkplatz", "Feuerwehr",
                 "Which districts lack daycare places?", "", "Bürgerhaus Straße"]


@pytest.mark.parametrize("mmap", [True, False])
def test_a_saved_index_loads_with_the_same_scores_and_terms(tmp_path, mmap) -> None:
    built = LexicalIndex.build(SAVED_CORPUS)
    written = built.save(tmp_path / "lexical")
    assert written and all(path.suffix in (".json", ".npy") for path in written)  # nothing pickled
    loaded = LexicalIndex.load(tmp_path / "lexical", mmap=mmap)
    assert len(loaded) == len(built)
    assert loaded.vocabulary == built.vocabulary
    assert loaded.analyzer.known_stems == built.analyzer.known_stems
    for term in built.vocabulary:
        assert loaded.document_frequency(term) == built.document_frequency(term)
    for text in [*SAVED_CORPUS, *SAVED_QUERIES]:
        assert loaded.analyzer.analyze(text) == built.analyzer.analyze(text)
        assert loaded.analyzer.query_units(text) == built.analyzer.query_units(text)
    for query in SAVED_QUERIES:
        assert loaded.scores(query).tolist() == built.scores(query).tolist()  # exactly, not approximately
        assert loaded.search(query, 5) == built.search(query, 5)
        assert loaded.coverage(query) == built.coverage(query)
    for term in ("begrusst", "moderiert", "radwegluck"):
        assert loaded.related_terms(term) == built.related_terms(term)


def test_an_empty_index_saves_and_loads(tmp_path) -> None:
    LexicalIndex.build([]).save(tmp_path / "empty")
    loaded = LexicalIndex.load(tmp_path / "empty")
    assert len(loaded) == 0 and loaded.search("Kita", 5) == [] and loaded.coverage("Kita") == 0.0


def test_saved_files_that_do_not_fit_together_are_refused(tmp_path) -> None:
    LexicalIndex.build(SAVED_CORPUS).save(tmp_path / "lexical")
    terms = tmp_path / "lexical" / "terms.json"
    data = json.loads(terms.read_text(encoding="utf-8"))
    data["documents"] += 1
    terms.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError):
        LexicalIndex.load(tmp_path / "lexical")


def test_terms_ending_with_a_term_are_the_compounds_it_ends() -> None:
    index = LexicalIndex.build(["Der Grossratspräsident eröffnet die Sitzung.", "Der Präsident des Vereins dankt.",
                                "Ein Dorfplatz und ein Marktplatz.", *DISTRACTORS])
    assert index.ending_with("ratsprasident") == ["grossratsprasident"]
    assert {"dorfplatz", "marktplatz"} <= set(index.ending_with("platz"))
    assert index.ending_with("prasident") == ["grossratsprasident"]  # not the word itself
    assert index.ending_with("schwimmbad") == []
