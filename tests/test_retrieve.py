"""Retrieval on the tiny corpus: fusion, facet boosts, gathering every board of a place, filters."""

from __future__ import annotations

import pytest
from test_understand import FOCUS, GOOD, NEEDS, PROTOCOL, TABLE, load_tiny

from assistant import Filters


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_tiny(tmp_path_factory)


def key(hit) -> tuple:
    return (hit.passage.board, hit.passage.section)


def rank(assistant, question, history=None, filters=None):
    return assistant.retriever.rank(assistant.understand(question, history), filters)


# --- gathering ------------------------------------------------------------------------------------
def test_section_question_for_a_place_gathers_all_its_boards(tiny):
    hits = tiny.search("Welche Handlungsbedarfe gibt es im Lindenhof?", k=10)
    gathered = [hit for hit in hits if hit.gathered]
    assert [key(hit) for hit in gathered] == [
        ("Austausch · Lindenhof · Tafel 1 von 3", NEEDS),
        ("Austausch · Lindenhof · Tafel 2 von 3", NEEDS),  # its label was the OCR error "Lindenhoff"
        ("Austausch · Lindenhof · Tafel 3 von 3", NEEDS),
    ]
    # the gathered set leads, in protocol order
    assert hits[:3] == gathered
    assert [hit.lines for hit in gathered] == sorted(hit.lines for hit in gathered)


def test_gathering_works_for_a_follow_up(tiny):
    ranking = rank(tiny, "Und im Lindenhof?", history=["Welche Handlungsbedarfe gibt es in Berg-Ost?"])
    gathered = [hit for hit in ranking.hits if hit.gathered]
    assert len(gathered) == 3
    assert {hit.passage.place for hit in gathered} == {"Lindenhof"}
    assert {hit.passage.section for hit in gathered} == {NEEDS}


def test_gathering_a_place_with_one_board(tiny):
    hits = tiny.search("Handlungsbedarfe im Kanalviertel", k=5)
    assert [key(hit) for hit in hits if hit.gathered] == [("Austausch · Kanalviertel · Tafel 1 von 1", NEEDS)]
    assert hits[0].text == "- Kita-Plätze fehlen"


def test_no_gathering_without_a_place_or_without_a_section(tiny):
    assert not any(hit.gathered for hit in tiny.search("Welche Handlungsbedarfe gibt es?", k=30))
    assert not any(hit.gathered for hit in tiny.search("Was gibt es Neues im Lindenhof?", k=30))


def test_an_empty_section_of_a_place_is_gathered_as_empty(tiny):
    ranking = rank(tiny, "Worauf kommt es in Berg-Ost an?")
    assert ranking.missing == []
    gathered = [hit for hit in ranking.hits if hit.gathered]
    assert [(hit.passage.place, hit.passage.section, bool(hit.passage.meta.get("empty"))) for hit in gathered] == [
        ("Berg-Ost", FOCUS, True)]


def test_nothing_missing_when_the_place_has_the_section(tiny):
    assert rank(tiny, "Worauf kommt es im Mühlenfeld an?").missing == []


# --- facets ---------------------------------------------------------------------------------------
def test_place_and_section_boost_the_right_passage(tiny):
    hit = tiny.search("Was läuft gut im Mühlenfeld?", k=1)[0]
    assert (hit.passage.place, hit.passage.section) == ("Mühlenfeld", GOOD)
    assert hit.text == "- Gemeinschaftsgarten an der Mühle"


def test_named_district_outranks_other_districts(tiny):
    hits = tiny.search("Handlungsbedarfe im Kanalviertel", k=40)
    places = [hit.passage.place for hit in hits if hit.passage.board_kind == "district"]
    first_other = next(i for i, place in enumerate(places) if place != "Kanalviertel")
    assert set(places[:first_other]) == {"Kanalviertel"}
    assert places.count("Kanalviertel") == first_other  # all Kanalviertel passages before any other district


def test_topic_and_section_find_the_responsible(tiny):
    hit = tiny.search("Wer hat beim Thema Lesepaten den Hut auf?", k=1)[0]
    assert (hit.passage.topic_no, hit.passage.section, hit.text) == (2, "Verantwortung", "Stadtbibliothek")


def test_workshop_name_finds_its_rows(tiny):
    hits = tiny.search("Was schlägt der Workshop Wohnen gegen steigende Mieten vor?", k=2)
    assert [hit.passage.board for hit in hits] == [
        "Workshop 2 – Wohnen · Herausforderung 2",
        "Workshop 2 – Wohnen · Herausforderung 1",
    ]


@pytest.mark.parametrize(
    "question, board",
    [
        ("Mietspiegel", "Workshop 2 – Wohnen · Herausforderung 2"),  # a word only in a continuation row
        ("Schülerlotsen", "Workshop 1 – Schule · Herausforderung 2"),  # inside <p> markup
        ("Wo fehlt ein Radweg zum Bahnhof?", "Austausch · Mühlenfeld · Tafel 1 von 1"),  # the last of ten items
        ("Hallenbad", "Thema 1: Schwimmkurse für alle Kinder"),
    ],
)
def test_rare_words_find_their_passage(tiny, question, board):
    assert tiny.search(question, k=1)[0].passage.board == board


# --- filters --------------------------------------------------------------------------------------
def test_filter_by_document(tiny):
    hits = tiny.search("Kinder", k=50, filters=Filters(sources={TABLE}))
    assert hits and {hit.source for hit in hits} == {TABLE}
    assert len(hits) == sum(1 for p in tiny.store.passages if p.source == TABLE)


def test_filter_by_place_and_by_city(tiny):
    hits = tiny.search("Kinder", k=50, filters=Filters(places={"Lindenhof"}))
    assert len(hits) == 9 and {hit.passage.place for hit in hits} == {"Lindenhof"}
    hits = tiny.search("Kinder", k=50, filters=Filters(places={"Beispielhausen"}))
    assert hits and {hit.source for hit in hits} == {TABLE}


def test_filter_by_section(tiny):
    hits = tiny.search("Kinder", k=50, filters=Filters(sections={"Lösungsideen"}))
    assert [(hit.passage.topic_no, hit.passage.section) for hit in hits] == [(1, "Lösungsideen"), (2, "Lösungsideen")]


def test_filter_that_matches_nothing_gives_no_hits(tiny):
    assert tiny.search("Kinder", k=5, filters=Filters(sources={"gibt-es-nicht.txt"})) == []


# --- the ranking as a whole -----------------------------------------------------------------------
def test_every_passage_is_ranked_once(tiny):
    hits = rank(tiny, "Kinder").hits
    assert len(hits) == len(tiny.store.passages)
    assert len({hit.passage.id for hit in hits}) == len(hits)


def test_ranking_without_gathering_is_by_score(tiny):
    for question in ("Welche Lösungsideen gab es zum Thema Schwimmen?", "Wo fehlt ein Radweg?", "Mieten"):
        scores = [hit.score for hit in rank(tiny, question).hits]
        assert scores == sorted(scores, reverse=True), question


def test_search_ignores_the_conversation_and_never_abstains(tiny):
    hits = tiny.search("Wie backe ich einen Käsekuchen?", k=3)
    assert len(hits) == 3
    # "Und in Mühlenfeld?" as a search is just that: the place, no inherited section
    hits = tiny.search("Und in Mühlenfeld?", k=3)
    assert {hit.passage.place for hit in hits} == {"Mühlenfeld"}
    assert not any(hit.gathered for hit in hits)
    assert PROTOCOL in {hit.source for hit in hits}


class CountingEmbedder:
    """The store's embedder, counting the question texts it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.texts = inner, []
        self.identity, self.dim = inner.identity, inner.dim

    def embed_passages(self, texts):
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts):
        self.texts += list(texts)
        return self.inner.embed_queries(texts)


@pytest.mark.parametrize(
    "question, embedded",
    [
        # the place and the section it names answer it whole: not embedded at all
        ("Was läuft gut in Lindenhof?", None),
        ("Gibt es im Mühlenfeld Probleme mit dem Radweg?", "Gibt es Probleme mit dem Radweg"),
        ("Wo fehlt ein Radweg?", "Wo fehlt ein Radweg"),
        # no word of the corpus but the district: the name stays (see the next test), still one embedding
        ("Wie backe ich einen Käsekuchen im Mühlenfeld?", "Wie backe ich einen Käsekuchen im Mühlenfeld"),
    ],
)
def test_ask_embeds_a_question_once_without_its_place_names(tiny, question, embedded, monkeypatch):
    tiny._off_topic, tiny.relevance_shift  # noqa: B018 - the relevance check's one-off vectors, made before counting
    counting = CountingEmbedder(tiny.store.embedder)
    monkeypatch.setattr(tiny.store, "embedder", counting)
    tiny.retriever.embed.cache_clear()  # nothing from earlier tests
    tiny.ask(question)
    assert counting.texts == ([embedded] if embedded else [])  # ranking and the relevance check share one vector


def test_question_in_another_language_keeps_the_district_for_the_embedder(tiny):
    # No word but the district is the corpus': the embedder is all there is, and the name keeps it on the place.
    query = tiny.understand("What is going well in Lindenhof?")
    assert "Lindenhof" in tiny.retriever.dense_text(query)
    assert "Lindenhof" not in tiny.retriever.dense_text(tiny.understand("Was läuft gut in Lindenhof?"))


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(sources={TABLE}),
        Filters(places={"Lindenhof", "Beispielhausen"}),  # a district, and a city (matched by metadata)
        Filters(sections={"Handlungsbedarfe", "Lösungsideen"}),
        Filters(sources={PROTOCOL}, places={"Mühlenfeld"}, sections={"Was läuft gut"}),
        Filters(places={"gibt es nicht"}),
    ],
)
def test_ranking_filters_agree_with_filters_allows(tiny, filters):
    # The ranking applies filters as numpy masks over facet codes; the reader applies Filters.allows.
    expected = [filters.allows(passage) for passage in tiny.store.passages]
    assert tiny.retriever._allowed(filters).tolist() == expected


# --- one pass per question --------------------------------------------------------------------------
def count_calls(monkeypatch, owner, name) -> list:
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args[1:])
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Wo fehlt ein Radweg?", 1),  # no place: what it is about is the question itself
        ("Gibt es im Mühlenfeld Probleme mit dem Radweg?", 2),  # the question, and it without the place
    ],
)
def test_ask_measures_the_corpus_words_of_each_text_once(tiny, monkeypatch, question, expected):
    from assistant import Assistant
    from assistant.retrieve import Retriever
    from index.lexical import LexicalIndex

    calls = count_calls(monkeypatch, LexicalIndex, "coverage")
    assistant = Assistant(Retriever(tiny.store), tiny.settings)  # its own cache of what it measured
    assistant.ask(question)
    assert len(calls) == expected and len(set(calls)) == expected, calls


def test_a_new_question_does_not_read_the_conversation_before_it(tiny, monkeypatch):
    from assistant.understand import Vocabulary

    calls = count_calls(monkeypatch, Vocabulary, "find_places")
    history = ["Was läuft gut im Lindenhof?", "Und in Berg-Ost?", "Welche Handlungsbedarfe gibt es?", "Und dort?"]
    tiny.ask("Wo fehlt ein Radweg?", history=history)
    assert calls == [("Wo fehlt ein Radweg?",)]
    calls.clear()
    tiny.ask("Und im Mühlenfeld?", history=history[:1])  # a follow-up reads the turn it follows
    assert len(calls) >= 2


def test_ranking_weights_are_the_retrievers_to_set(tiny):
    from dataclasses import replace

    import numpy as np

    from assistant.retrieve import Retriever

    # (no lexical share, and no facet: the question names none, and the empty fields are not held back)
    dense_only = Retriever(tiny.store, weights=replace(tiny.retriever.weights, lexical=0.0, empty_penalty=0.0))
    query = tiny.understand("Wo fehlt ein Radweg?")
    default = tiny.retriever.rank(query)
    ranking = dense_only.rank(query)
    assert default.hits[0].lexical > 0  # BM25 counts by default
    scores = np.array([hit.score for hit in ranking.hits])
    dense = np.array([hit.dense for hit in ranking.hits])
    # no lexical share: the score is the min-max-scaled dense evidence alone
    np.testing.assert_allclose(scores, (dense - dense.min()) / (dense.max() - dense.min()), atol=1e-9)
    assert ranking.hits[0].score < default.hits[0].score  # the BM25 share it had is gone
