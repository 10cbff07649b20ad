"""The XQuAD benchmark through the ordinary ingestion path, and cross-lingual retrieval on a small fixture."""

from __future__ import annotations

import json

import pytest

from assistant import Assistant
from benchmarks import xquad
from benchmarks.xquad import hit_rank, scores
from index.documents import corpus_files, read_document
from index.layouts import parse_document
from index.layouts.common import clean_line

XQUAD = xquad.data_dir()
# Published data stay outside the repository: these tests run where PROTOKOLL_XQUAD_DATA names them.
needs_data = pytest.mark.skipif(xquad.missing_data(XQUAD) is not None, reason=str(xquad.missing_data(XQUAD)))


@needs_data
def test_benchmark_passages_point_at_exactly_their_text():
    files = corpus_files(XQUAD / "corpus")
    assert len(files) == 48
    passages = 0
    for path in files:
        document = read_document(path, XQUAD / "corpus")
        for passage in parse_document(document):
            passages += 1
            first, last = passage.lines
            assert passage.board_kind == "section" and passage.source == path.name
            for item in passage.items:
                assert first <= item.line <= last
                # verbatim: an item is its cleaned source line or, for a long paragraph split in parts, a piece of it
                assert item.text in clean_line(document.line(item.line)), (path.name, item.line)
            assert clean_line(document.line(first)) and clean_line(document.line(last))
    assert passages >= 240  # every paragraph at least once


@needs_data
def test_every_gold_paragraph_is_covered_by_a_passage():
    questions = [json.loads(line) for line in open(XQUAD / "questions.de.jsonl", encoding="utf-8")]
    spans: dict[str, list[tuple[int, int]]] = {}
    for path in corpus_files(XQUAD / "corpus"):
        spans[path.name] = [p.lines for p in parse_document(read_document(path, XQUAD / "corpus"))]
    for question in questions:
        first, last = question["lines"]
        assert any(a <= last and b >= first for a, b in spans[question["source"]]), question["id"]


def test_scoring_follows_the_readme():
    gold = {"source": "a.txt", "lines": [3, 3]}
    assert hit_rank([("b.txt", (3, 3)), ("a.txt", (1, 2)), ("a.txt", (2, 4))], gold) == 3
    assert hit_rank([("a.txt", (4, 9))], gold) is None
    assert scores([1, 2, None, 11]) == {"mrr@10": pytest.approx((1 + 0.5) / 4), "hit@1": 0.25, "hit@5": 0.5}


GERMAN_PARAGRAPHS = {
    "bibliothek.txt": (
        "Die Stadtbibliothek wurde 1903 gegründet und besitzt heute rund 200.000 Bücher. Sie ist montags "
        "geschlossen und bietet Lesungen für Kinder an."
    ),
    "hafen.txt": (
        "Der Binnenhafen ist der drittgrößte des Landes. Jährlich werden dort etwa vier Millionen Tonnen Getreide "
        "und Kohle umgeschlagen."
    ),
    "vulkan.txt": (
        "Der erloschene Vulkan im Süden der Region brach zuletzt vor etwa 11.000 Jahren aus. Sein Kratersee ist "
        "heute ein Naturschutzgebiet."
    ),
    "orchester.txt": (
        "Das Sinfonieorchester der Stadt gibt jedes Jahr ein kostenloses Sommerkonzert im Schlosspark, zu dem "
        "mehrere tausend Menschen kommen."
    ),
}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Assistant:
    root = tmp_path_factory.mktemp("crosslingual")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in GERMAN_PARAGRAPHS.items():
        (corpus / name).write_text(text + "\n", encoding="utf-8")
    return Assistant.load(corpus_dir=corpus, index_dir=root / "index")


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("When was the city library founded?", "bibliothek.txt"),
        ("How much grain is handled in the inland port each year?", "hafen.txt"),
        ("Şehir kütüphanesi ne zaman kuruldu?", "bibliothek.txt"),
        ("Volkan en son ne zaman patladı?", "vulkan.txt"),
        ("Wann ist der Vulkan zuletzt ausgebrochen?", "vulkan.txt"),
    ],
)
def test_questions_in_other_languages_find_the_german_passage(small, question, source):
    hits = small.search(question, k=4)
    assert hits[0].source == source, [hit.source for hit in hits]


def test_foreign_question_leans_on_the_embedder(small):
    from assistant.retrieve import lexical_weight

    retriever = small.retriever
    german = "Wie viele Bücher besitzt die Stadtbibliothek?"
    english = "How many books does the city library own?"
    weights = [lexical_weight(retriever.lexical.scores(q), retriever.lexical.coverage(q)) for q in (german, english)]
    assert weights[0] > 0.1 and weights[1] < weights[0] / 4, weights


def test_benchmark_without_its_data_says_where_they_come_from(tmp_path, monkeypatch, capsys):
    from benchmarks.__main__ import main

    monkeypatch.delenv(xquad.DATA_VARIABLE, raising=False)
    assert main(["xquad"]) == 2
    message = capsys.readouterr().err
    assert "--data" in message and "google-deepmind/xquad" in message
    assert main(["xquad", "--data", str(tmp_path)]) == 2
    message = capsys.readouterr().err
    assert f"nicht gefunden in {tmp_path}" in message and "questions.<Sprache>.jsonl" in message
